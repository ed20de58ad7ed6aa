// Package sim is the simulated door: it accepts every command, records it in
// memory (a bounded ring, newest kept) and lets tests and the demo UI read what
// it was told. Latency and failures can be injected to exercise the callers'
// time budgets and error handling.
package sim

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
)

// Provider is the provider name zones use for the simulated door.
const Provider = "SIMULATED"

// Command is one recorded instruction.
type Command struct {
	At         time.Time     `json:"at"`
	Op         string        `json:"op" doc:"UNLOCK, PROVISION or REVOKE"`
	Door       hal.Door      `json:"door"`
	HoldOpen   time.Duration `json:"holdOpen"`
	Credential string        `json:"credential,omitempty" doc:"Masked identifier or external id."`
}

// Adapter is the simulated door system. The zero value is not usable; use New.
type Adapter struct {
	mu       sync.Mutex
	commands []Command
	max      int
	next     int64
	latency  time.Duration
	fail     error
	now      func() time.Time
}

// New returns a simulated adapter keeping the newest max commands.
func New(max int) *Adapter {
	if max <= 0 {
		max = 1000
	}
	return &Adapter{max: max, now: func() time.Time { return time.Now().UTC() }}
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return Provider }

// SetLatency makes every command take d (bounded by the caller's context).
func (a *Adapter) SetLatency(d time.Duration) { a.mu.Lock(); a.latency = d; a.mu.Unlock() }

// SetFailure makes every command fail with err (nil: succeed again).
func (a *Adapter) SetFailure(err error) { a.mu.Lock(); a.fail = err; a.mu.Unlock() }

// Commands returns the recorded commands, oldest first.
func (a *Adapter) Commands() []Command {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Command(nil), a.commands[max(0, len(a.commands)-a.max):]...)
}

// Reset forgets the recorded commands.
func (a *Adapter) Reset() { a.mu.Lock(); a.commands = nil; a.mu.Unlock() }

func (a *Adapter) run(ctx context.Context, op string, c Command) error {
	a.mu.Lock()
	latency, fail := a.latency, a.fail
	a.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return hal.NewError(hal.Unreachable, Provider, op, ctx.Err())
		case <-t.C:
		}
	}
	if fail != nil {
		return fail
	}
	c.Op, c.At = op, a.now()
	a.mu.Lock()
	a.commands = append(a.commands, c)
	if len(a.commands) >= 2*a.max {
		// Drop the older half in one copy: trimming to max on every command
		// copied the whole history for each unlock once it was full.
		a.commands = append([]Command(nil), a.commands[len(a.commands)-a.max:]...)
	}
	a.mu.Unlock()
	return nil
}

// ProvisionCredential records the credential (masked) and returns a made-up id.
func (a *Adapter) ProvisionCredential(ctx context.Context, c hal.Credential) (string, error) {
	if err := a.run(ctx, "PROVISION", Command{Credential: hal.Mask(c.Identifier)}); err != nil {
		return "", err
	}
	a.mu.Lock()
	a.next++
	id := "sim-" + strconv.FormatInt(a.next, 10)
	a.mu.Unlock()
	return id, nil
}

// RevokeCredential records the revocation.
func (a *Adapter) RevokeCredential(ctx context.Context, externalID string) error {
	return a.run(ctx, "REVOKE", Command{Credential: externalID})
}

// UnlockDoor records the unlock and reports success.
func (a *Adapter) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	if err := a.run(ctx, "UNLOCK", Command{Door: d, HoldOpen: holdOpen}); err != nil {
		return hal.DoorResult{}, err
	}
	return hal.DoorResult{Success: true, Message: fmt.Sprintf("simulated door %s opened for %s", d.ExternalDoorID, holdOpen)}, nil
}

// Occupancy is not counted by the simulated door: the database is the count.
func (a *Adapter) Occupancy(context.Context, hal.Door) (hal.Occupancy, error) {
	return hal.Occupancy{}, hal.NewError(hal.Unsupported, Provider, "occupancy", nil)
}

// RecentEvents returns the door's recorded commands, newest first.
func (a *Adapter) RecentEvents(_ context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []hal.Event
	for i := len(a.commands) - 1; i >= max(0, len(a.commands)-a.max) && len(out) < limit; i-- {
		c := a.commands[i]
		if c.Op != "UNLOCK" || c.Door.EntityID != d.EntityID || c.Door.ExternalDoorID != d.ExternalDoorID {
			continue
		}
		out = append(out, hal.Event{At: c.At, Kind: c.Op, ExternalDoorID: c.Door.ExternalDoorID, Detail: "held open " + c.HoldOpen.String()})
	}
	return out, nil
}

var _ hal.Adapter = (*Adapter)(nil)
