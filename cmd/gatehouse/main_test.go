package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestInitOnceThenRefuse(t *testing.T) {
	dsns := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "g.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresDSN(t) },
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			d := dsn(t)
			args := []string{"--org", "Harbour Gym", "--timezone", "Europe/Berlin", "--admin-email", "boss@gym.test", "--admin-password", "correct horse battery", "--db", d}
			var out bytes.Buffer
			if err := initCmd(context.Background(), args, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), `created organisation 1 "Harbour Gym"`) {
				t.Fatalf("output: %s", out.String())
			}
			err := initCmd(context.Background(), args, &out)
			if err == nil || !strings.Contains(err.Error(), "already holds an organisation") {
				t.Fatalf("second init: %v", err)
			}
		})
	}
}

func TestInitValidates(t *testing.T) {
	d := "sqlite:" + filepath.Join(t.TempDir(), "g.db")
	for _, args := range [][]string{
		{"--org", "X", "--db", d},
		{"--org", "X", "--timezone", "Not/AZone", "--admin-email", "a@b.test", "--admin-password", "correct horse battery", "--db", d},
		{"--org", "X", "--timezone", "UTC", "--admin-email", "a@b.test", "--admin-password", "short", "--db", d},
	} {
		if err := initCmd(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("init %v succeeded", args)
		}
	}
}
