// Package haltest is the contract every door adapter must pass. An adapter's
// test calls Run with a factory that builds a fresh adapter wired to something
// the test controls (the simulated door, a fake vendor server, the OSDP PD
// simulator …) and an Observer that tells the suite what the door really
// received. The suite drives the adapter through hal.Adapter only.
//
//	func TestContract(t *testing.T) {
//		haltest.Run(t, func(t *testing.T) *haltest.Harness { … })
//	}
package haltest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/hal"
)

// Operation names used in Harness.Unsupported.
const (
	OpProvision = "provision"
	OpRevoke    = "revoke"
	OpUnlock    = "unlock"
	OpOccupancy = "occupancy"
	OpEvents    = "events"
)

// Unlock is an unlock the door system really received.
type Unlock struct {
	ExternalDoorID string
	HoldOpen       time.Duration
}

// Observer is the test's view of the door system behind the adapter.
type Observer interface {
	// Unlocks lists the unlocks the door system received, oldest first.
	Unlocks() []Unlock
}

// CredentialObserver is optionally implemented by an Observer that can tell
// whether the door system holds a credential (by its identifier).
type CredentialObserver interface {
	HasCredential(identifier string) bool
}

// Harness is one freshly built adapter and the controls of its door system.
type Harness struct {
	Adapter hal.Adapter
	// Door is a healthy door of the adapter.
	Door hal.Door
	// Credential is a credential the adapter can provision (Identifier in the
	// adapter's format); the suite varies nothing but its Identifier's use.
	Credential hal.Credential
	// Observer reports what the door system received (required unless unlock is unsupported).
	Observer Observer
	// SetLatency makes the door system take d before it answers (0: normal).
	// Nil skips the deadline test.
	SetLatency func(d time.Duration)
	// Unreachable returns a door whose system does not answer at all
	// (connection refused, offline). Nil skips the test.
	Unreachable func() hal.Door
	// UnreachableOps are the operations that must report hal.Unreachable on
	// that door (default: unlock, events and occupancy, those supported).
	UnreachableOps []string
	// Unsupported lists the operations the adapter does not offer: the suite
	// checks they fail with hal.Unsupported, and that the others never do.
	Unsupported []string
	// IdempotentProvision: provisioning the same credential twice succeeds and
	// returns the same external id.
	IdempotentProvision bool
	// UnlocksAreEvents: every unlock shows up in RecentEvents of that door.
	UnlocksAreEvents bool
	// HoldOpenResolution is the granularity of hold-open times (0: exact);
	// the observed time must be within [requested, requested+resolution).
	HoldOpenResolution time.Duration
	// Slack is how long past a caller's deadline the adapter may take to
	// return (default 250 ms: scheduling under -race on a busy machine).
	Slack time.Duration
	// Close releases the harness (servers, idle connections); may be nil.
	Close func()
}

func (h *Harness) supports(op string) bool { return !slices.Contains(h.Unsupported, op) }

// Factory builds a fresh harness for one subtest.
type Factory func(t *testing.T) *Harness

// Run runs the contract against the adapter built by factory. Each subtest
// gets its own harness; at the end no goroutine may be left behind.
func Run(t *testing.T, factory Factory) {
	t.Helper()
	leaks := goleak.IgnoreCurrent()
	fresh := func(t *testing.T) *Harness {
		t.Helper()
		h := factory(t)
		if h == nil || h.Adapter == nil {
			t.Fatal("factory returned no adapter")
		}
		if h.Close != nil {
			t.Cleanup(h.Close)
		}
		if h.Slack == 0 {
			h.Slack = 250 * time.Millisecond
		}
		return h
	}
	ctx := context.Background()

	t.Run("Provider", func(t *testing.T) {
		h := fresh(t)
		if p := h.Adapter.Provider(); strings.TrimSpace(p) == "" {
			t.Fatal("Provider() is empty")
		}
	})

	t.Run("UnsupportedOperations", func(t *testing.T) {
		h := fresh(t)
		for _, op := range h.Unsupported {
			err := call(ctx, h, op)
			if !isKind(err, hal.Unsupported) {
				t.Errorf("%s: want a hal.Unsupported error, got %v", op, err)
			}
		}
	})

	t.Run("ProvisionThenRevoke", func(t *testing.T) {
		h := fresh(t)
		if !h.supports(OpProvision) {
			t.Skip("provision is unsupported")
		}
		id, err := h.Adapter.ProvisionCredential(ctx, h.Credential)
		if err != nil {
			t.Fatalf("provision: %v", err)
		}
		if strings.TrimSpace(id) == "" {
			t.Fatal("provision returned an empty external id")
		}
		if len(h.Credential.Identifier) > 4 && strings.Contains(id, h.Credential.Identifier) && !h.IdempotentProvision {
			t.Logf("note: the external id contains the credential identifier")
		}
		co, observable := h.Observer.(CredentialObserver)
		if observable && !co.HasCredential(h.Credential.Identifier) {
			t.Fatal("the door system does not hold the provisioned credential")
		}
		if h.IdempotentProvision {
			again, err := h.Adapter.ProvisionCredential(ctx, h.Credential)
			if err != nil || again != id {
				t.Fatalf("provisioning again: id %q (first %q), err %v", again, id, err)
			}
		}
		if !h.supports(OpRevoke) {
			return
		}
		if err := h.Adapter.RevokeCredential(ctx, id); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if observable && co.HasCredential(h.Credential.Identifier) {
			t.Fatal("the door system still holds the revoked credential")
		}
		// Revoking again, or an id the system never issued: success or
		// Rejected, never Unreachable/Unsupported or an untyped error.
		for _, ext := range []string{id, "4000000001", "no-such-credential"} {
			if err := h.Adapter.RevokeCredential(ctx, ext); err != nil && !isKind(err, hal.Rejected) {
				t.Errorf("revoke of unknown id %q: want nil or hal.Rejected, got %v", ext, err)
			}
		}
	})

	t.Run("UnlockHoldsOpen", func(t *testing.T) {
		h := fresh(t)
		if !h.supports(OpUnlock) {
			t.Skip("unlock is unsupported")
		}
		if h.Observer == nil {
			t.Fatal("Harness.Observer is required to check unlocks")
		}
		before := len(h.Observer.Unlocks())
		for _, hold := range []time.Duration{5 * time.Second, 3 * time.Second} {
			res, err := h.Adapter.UnlockDoor(ctx, h.Door, hold)
			if err != nil {
				t.Fatalf("unlock %s: %v", hold, err)
			}
			if !res.Success {
				t.Fatalf("unlock %s: nil error but Success=false (%q)", hold, res.Message)
			}
			got := h.Observer.Unlocks()
			if len(got) != before+1 {
				t.Fatalf("unlock %s: the door received %d unlocks, want 1", hold, len(got)-before)
			}
			u := got[len(got)-1]
			if u.ExternalDoorID != h.Door.ExternalDoorID {
				t.Errorf("unlock reached door %q, want %q", u.ExternalDoorID, h.Door.ExternalDoorID)
			}
			if u.HoldOpen < hold || u.HoldOpen >= hold+max(h.HoldOpenResolution, time.Nanosecond) {
				t.Errorf("door held open %s, want %s (resolution %s)", u.HoldOpen, hold, h.HoldOpenResolution)
			}
			before = len(got)
		}
	})

	t.Run("DeadlineShorterThanTheDoor", func(t *testing.T) {
		h := fresh(t)
		if h.SetLatency == nil || !h.supports(OpUnlock) {
			t.Skip("no latency control or unlock unsupported")
		}
		h.SetLatency(2 * time.Second)
		const budget = 100 * time.Millisecond
		short, cancel := context.WithTimeout(ctx, budget)
		defer cancel()
		start := time.Now()
		res, err := h.Adapter.UnlockDoor(short, h.Door, time.Second)
		took := time.Since(start)
		if !isKind(err, hal.Unreachable) {
			t.Errorf("slow door: want a hal.Unreachable error, got %v (result %+v)", err, res)
		}
		if took > budget+h.Slack {
			t.Errorf("returned after %s; the budget was %s (+%s slack)", took, budget, h.Slack)
		}
		h.SetLatency(0)
		if _, err := h.Adapter.UnlockDoor(ctx, h.Door, time.Second); err != nil {
			t.Errorf("the door answers again but unlock fails: %v", err)
		}
	})

	t.Run("UnreachableDoor", func(t *testing.T) {
		h := fresh(t)
		if h.Unreachable == nil {
			t.Skip("no unreachable door")
		}
		d := h.Unreachable()
		budget, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ops := h.UnreachableOps
		if ops == nil {
			ops = []string{OpUnlock, OpEvents, OpOccupancy}
		}
		must := func(op string) bool { return h.supports(op) && slices.Contains(ops, op) }
		if must(OpUnlock) {
			res, err := h.Adapter.UnlockDoor(budget, d, time.Second)
			if !isKind(err, hal.Unreachable) {
				t.Errorf("unlock: want hal.Unreachable, got %v", err)
			}
			if res.Success {
				t.Error("unlock of an unreachable door reports Success")
			}
		}
		if must(OpEvents) {
			if _, err := h.Adapter.RecentEvents(budget, d, 5); !isKind(err, hal.Unreachable) {
				t.Errorf("events: want hal.Unreachable, got %v", err)
			}
		}
		if must(OpOccupancy) {
			if _, err := h.Adapter.Occupancy(budget, d); !isKind(err, hal.Unreachable) {
				t.Errorf("occupancy: want hal.Unreachable, got %v", err)
			}
		}
	})

	t.Run("RecentEventsLimitAndOrder", func(t *testing.T) {
		h := fresh(t)
		if !h.supports(OpEvents) {
			t.Skip("events are unsupported")
		}
		if h.UnlocksAreEvents && h.supports(OpUnlock) {
			for _, s := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
				if _, err := h.Adapter.UnlockDoor(ctx, h.Door, s); err != nil {
					t.Fatalf("unlock: %v", err)
				}
			}
		}
		all, err := h.Adapter.RecentEvents(ctx, h.Door, 100)
		if err != nil {
			t.Fatalf("events: %v", err)
		}
		if h.UnlocksAreEvents && len(all) < 3 {
			t.Fatalf("3 unlocks but %d events", len(all))
		}
		checkOrder(t, all)
		two, err := h.Adapter.RecentEvents(ctx, h.Door, 2)
		if err != nil {
			t.Fatalf("events limit 2: %v", err)
		}
		if len(two) > 2 || (len(all) >= 2 && len(two) != 2) {
			t.Fatalf("limit 2 gave %d events (of %d)", len(two), len(all))
		}
		checkOrder(t, two)
		for i := range two {
			if !two[i].At.Equal(all[i].At) || two[i].Kind != all[i].Kind {
				t.Errorf("limit 2 event %d is %+v, want the newest %+v", i, two[i], all[i])
			}
		}
		if none, err := h.Adapter.RecentEvents(ctx, h.Door, 0); err != nil || len(none) != 0 {
			t.Errorf("limit 0: %d events, err %v", len(none), err)
		}
	})

	t.Run("Occupancy", func(t *testing.T) {
		h := fresh(t)
		if !h.supports(OpOccupancy) {
			t.Skip("occupancy is unsupported")
		}
		o, err := h.Adapter.Occupancy(ctx, h.Door)
		if err != nil {
			t.Fatalf("occupancy: %v", err)
		}
		if o.Known && (o.Current < 0 || o.At.IsZero()) {
			t.Errorf("occupancy %+v: a known count needs Current >= 0 and At", o)
		}
	})

	t.Run("ConcurrentUse", func(t *testing.T) {
		h := fresh(t)
		if !h.supports(OpUnlock) {
			t.Skip("unlock is unsupported")
		}
		before := len(h.Observer.Unlocks())
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				if _, err := h.Adapter.UnlockDoor(ctx, h.Door, 2*time.Second); err != nil {
					errs <- err
				}
				if h.supports(OpEvents) {
					if _, err := h.Adapter.RecentEvents(ctx, h.Door, 3); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := len(h.Observer.Unlocks()) - before; n != 8 {
			t.Errorf("8 concurrent unlocks, the door received %d", n)
		}
	})

	t.Run("NoGoroutineLeaks", func(t *testing.T) {
		// Runs last: every earlier subtest has closed its harness.
		if err := goleak.Find(leaks); err != nil {
			t.Error(err)
		}
	})
}

// call runs one operation and returns its error, checking that a failed call
// returns zero values (no half-filled garbage).
func call(ctx context.Context, h *Harness, op string) error {
	switch op {
	case OpProvision:
		id, err := h.Adapter.ProvisionCredential(ctx, h.Credential)
		if err != nil && id != "" {
			return fmt.Errorf("error %v but external id %q", err, id)
		}
		return err
	case OpRevoke:
		return h.Adapter.RevokeCredential(ctx, "haltest-1")
	case OpUnlock:
		res, err := h.Adapter.UnlockDoor(ctx, h.Door, time.Second)
		if err != nil && res.Success {
			return fmt.Errorf("error %v but Success", err)
		}
		return err
	case OpOccupancy:
		o, err := h.Adapter.Occupancy(ctx, h.Door)
		if err != nil && o.Known {
			return fmt.Errorf("error %v but Known occupancy", err)
		}
		return err
	case OpEvents:
		ev, err := h.Adapter.RecentEvents(ctx, h.Door, 5)
		if err != nil && len(ev) > 0 {
			return fmt.Errorf("error %v but %d events", err, len(ev))
		}
		return err
	}
	return fmt.Errorf("haltest: unknown operation %q", op)
}

// isKind requires a typed *hal.Error of that kind (not just a bare context error).
func isKind(err error, kind hal.ErrorKind) bool {
	var e *hal.Error
	return errors.As(err, &e) && e.Kind == kind
}

func checkOrder(t *testing.T, ev []hal.Event) {
	t.Helper()
	for i, e := range ev {
		if e.At.IsZero() || e.Kind == "" {
			t.Errorf("event %d has no time or kind: %+v", i, e)
		}
		if i > 0 && e.At.After(ev[i-1].At) {
			t.Errorf("events not newest first: %s after %s", e.At, ev[i-1].At)
		}
	}
}
