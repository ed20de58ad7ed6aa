package apptest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds the gatehouse binary once per test process and returns its path;
// it skips (or fails, with services required) when the build takes too long.
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIP: builds and runs the gatehouse binary (not in -short)")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gatehouse-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gatehouse")
		ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, "github.com/gatehouse/gatehouse/cmd/gatehouse").CombinedOutput()
		if ctx.Err() != nil {
			buildErr = fmt.Errorf("go build of the gatehouse binary took over 180 s")
		} else if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		storetest.SkipOrFail(t, buildErr.Error())
	}
	return binPath
}

// ServeProcesses starts n `gatehouse serve` processes on one database and
// returns their base URLs once each answers /readyz. They stop with the test.
// Several processes on one PostgreSQL are how production runs replicas: tests
// with them prove an invariant is enforced by the database, not by memory.
func ServeProcesses(t testing.TB, dsn string, n int) []string {
	t.Helper()
	bin := Binary(t)
	var urls []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dsn)
		cmd.Env = append(os.Environ(), "GATEHOUSE_AMQP_URL=")
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { // drain the log so the process never blocks on a full pipe
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
			}
		}()
		t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
		urls = append(urls, "http://"+addr)
	}
	for _, u := range urls {
		deadline := time.Now().Add(30 * time.Second)
		for {
			r, err := http.Get(u + "/readyz")
			if err == nil {
				r.Body.Close()
				if r.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not ready after 30 s", u)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return urls
}

// HTTP sends a JSON request to a running server and returns status and body.
func HTTP(t testing.TB, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
