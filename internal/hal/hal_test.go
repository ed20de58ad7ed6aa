package hal_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/sim"
)

func TestRegistryFindsAdaptersByProviderCaseInsensitively(t *testing.T) {
	s := sim.New(10)
	r := hal.NewRegistry(s)
	if a, err := r.Get("simulated"); err != nil || a != s {
		t.Fatalf("get: %v %v", a, err)
	}
	_, err := r.Get("KISI")
	if !errors.Is(err, hal.ErrUnsupported) || errors.Is(err, hal.ErrUnreachable) {
		t.Fatalf("unknown provider: %v", err)
	}
	if !r.Has("SIMULATED") || r.Has("BRIVO") || fmt.Sprint(r.Providers()) != "[SIMULATED]" {
		t.Fatalf("providers %v", r.Providers())
	}
}

func TestTypedErrors(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", hal.NewError(hal.Rejected, "KISI", "unlock", errors.New("door 7 unknown")))
	if !errors.Is(err, hal.ErrRejected) || errors.Is(err, hal.ErrUnsupported) || hal.KindOf(err) != hal.Rejected {
		t.Fatalf("kind of %v", err)
	}
	if hal.KindOf(context.DeadlineExceeded) != hal.Unreachable {
		t.Fatal("a deadline is not unreachable")
	}
	if got := err.Error(); got != "wrapped: KISI unlock: rejected: door 7 unknown" {
		t.Fatalf("message %q", got)
	}
}

func TestSimulatedDoorRecordsAndHonoursTheBudget(t *testing.T) {
	s := sim.New(2)
	ctx := context.Background()
	d := hal.Door{EntityID: 1, ZoneID: 3, ExternalDoorID: "zone-3"}
	for range 3 {
		if res, err := s.UnlockDoor(ctx, d, 5*time.Second); err != nil || !res.Success {
			t.Fatalf("unlock: %v %v", res, err)
		}
	}
	if n := len(s.Commands()); n != 2 {
		t.Fatalf("ring kept %d commands", n)
	}
	ev, _ := s.RecentEvents(ctx, d, 10)
	if len(ev) != 2 || ev[0].Kind != "UNLOCK" {
		t.Fatalf("events %v", ev)
	}
	if id, err := s.ProvisionCredential(ctx, hal.Credential{Identifier: "04A1B2C3D4"}); err != nil || id == "" {
		t.Fatal(err)
	}
	if c := s.Commands(); c[len(c)-1].Credential != "••••C3D4" {
		t.Fatalf("identifier not masked: %q", c[len(c)-1].Credential)
	}
	s.SetLatency(time.Second)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := s.UnlockDoor(short, d, time.Second); !errors.Is(err, hal.ErrUnreachable) {
		t.Fatalf("slow door: %v", err)
	}
	s.SetLatency(0)
	s.SetFailure(hal.NewError(hal.Rejected, sim.Provider, "unlock", nil))
	if _, err := s.UnlockDoor(ctx, d, time.Second); !errors.Is(err, hal.ErrRejected) {
		t.Fatalf("failure: %v", err)
	}
	if _, err := s.Occupancy(ctx, d); !errors.Is(err, hal.ErrUnsupported) {
		t.Fatalf("occupancy: %v", err)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "123": "•••", "1234": "••••", "04A1B2C3": "••••B2C3"} {
		if got := hal.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
