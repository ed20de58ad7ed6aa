package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/phone/bleradio"
)

// Without the ble tag the command explains how to get a radio.
func TestWithoutRadio(t *testing.T) {
	if bleradio.Available {
		t.Skip("built with -tags ble")
	}
	key := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(key, []byte(`{"handle":1,"key":"`+strings.Repeat("00", 32)+`","stepSeconds":30}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"broadcast", "--key-file", key}, &out, bleradio.OpenAdapter); code != 1 ||
		!strings.Contains(out.String(), "built without BLE support; rebuild with -tags ble") {
		t.Fatalf("%d %s", code, out.String())
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{nil, {"dance"}, {"scan", "--bogus"}} {
		out.Reset()
		if code := run(context.Background(), args, &out, bleradio.OpenAdapter); code != 2 {
			t.Fatalf("%v: %d %s", args, code, out.String())
		}
	}
}
