package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The CLI tools against the simulator over TCP: scan finds the reader, keyset
// installs a key in install mode, and a second keyset must handshake with it.
func TestOSDPCommandsAgainstTheSimulator(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	addr := freeAddr(t)
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	var simOut bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- osdpSimulate(ctx, []string{"--listen", addr, "--address", "5"}, stdinR, &simOut) }()
	port := "tcp://" + addr
	var out bytes.Buffer
	deadline := time.Now().Add(5 * time.Second)
	for {
		out.Reset()
		err := osdpScan(ctx, []string{"--port", port, "--from", "4", "--to", "6"}, &out)
		if err == nil || time.Now().After(deadline) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		time.Sleep(50 * time.Millisecond) // the simulator is still starting
	}
	if !strings.Contains(out.String(), "\n5 ") {
		t.Fatalf("scan did not find address 5:\n%s", out.String())
	}
	key := "000102030405060708090a0b0c0d0e0f"
	if err := osdpKeyset(ctx, []string{"--port", port, "--address", "5", "--new-key", key}, &out); err != nil {
		t.Fatal(err)
	}
	if err := osdpKeyset(ctx, []string{"--port", port, "--address", "5", "--current-key", key}, &out); err != nil {
		t.Fatalf("handshake with the new key: %v", err)
	}
	// With a wrong current key the reader refuses.
	if err := osdpKeyset(ctx, []string{"--port", port, "--address", "5", "--current-key", key}, &out); err == nil {
		t.Fatal("keyset with a stale key succeeded")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("simulator did not stop")
	}
}

func TestOSDPArgumentErrors(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{{}, {"nope"}, {"scan"}, {"scan", "--port", "tcp://127.0.0.1:1", "--to", "200"}, {"keyset", "--port", "x"}, {"simulate", "--address", "300"}} {
		if err := osdpCmd(ctx, args, io.Discard); err == nil {
			t.Errorf("osdp %v succeeded", args)
		}
	}
}
