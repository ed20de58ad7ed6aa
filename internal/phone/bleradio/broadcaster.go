package bleradio

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/phone"
)

// Broadcaster advertises a provisioned member key like the phone app does:
// the v2 payload of the current step (a fresh ephemeral id, no handle),
// rebuilt when the step changes.
type Broadcaster struct {
	radio  Advertiser
	clock  clock.Clock
	offset time.Duration
	step   int64 // seconds
	key    []byte

	mu      sync.Mutex
	current uint32
	on      bool
}

// NewBroadcaster checks a key as POST /api/me/ble-key returned it. offset is
// server time − local time (see Offset): steps are counted on the server's
// clock, which accepts one step of skew.
func NewBroadcaster(radio Advertiser, clk clock.Clock, k phone.BLEKey, offset time.Duration) (*Broadcaster, error) {
	key, err := hex.DecodeString(k.Key)
	if err != nil || len(key) != 32 {
		return nil, errors.New("bleradio: the key must be 64 hex digits (the `key` of POST /api/me/ble-key)")
	}
	if k.StepSeconds <= 0 {
		return nil, fmt.Errorf("bleradio: stepSeconds %d must be positive", k.StepSeconds)
	}
	return &Broadcaster{radio: radio, clock: clk, offset: offset, step: int64(k.StepSeconds), key: key}, nil
}

// Offset is the phone's clock correction from a server timestamp (the
// provisioning response's serverTime, or any response's Date header) and the
// local time it arrived.
func Offset(serverTime, local time.Time) time.Duration { return serverTime.Sub(local) }

func (b *Broadcaster) stepAt(t time.Time) uint32 { return uint32(t.Add(b.offset).Unix() / b.step) }

// Payload is the service data for the current step.
func (b *Broadcaster) Payload() []byte {
	return phone.BuildAdvertV2(b.key, b.stepAt(b.clock.Now()))
}

// Update (re)starts advertising when the step changed since the last call, or
// on the first call; it reports whether it did.
func (b *Broadcaster) Update() (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stepAt(b.clock.Now())
	if b.on && s == b.current {
		return false, nil
	}
	if err := b.radio.Advertise(phone.BuildAdvertV2(b.key, s)); err != nil {
		return false, err
	}
	b.current, b.on = s, true
	return true, nil
}

// Stop stops advertising (when the app goes to the background).
func (b *Broadcaster) Stop() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.on {
		return nil
	}
	b.on = false
	return b.radio.StopAdvertising()
}

// Run advertises until ctx ends. It wakes at each step boundary but at least
// every second, so that a clock jump (NTP, suspend) is corrected quickly.
func (b *Broadcaster) Run(ctx context.Context) error {
	defer func() { _ = b.Stop() }()
	for {
		if _, err := b.Update(); err != nil {
			return err
		}
		now := b.clock.Now().Add(b.offset)
		next := time.Unix((now.Unix()/b.step+1)*b.step, 0)
		wait := min(next.Sub(now), time.Second)
		if !sleep(ctx, max(wait, 10*time.Millisecond)) {
			return nil
		}
	}
}
