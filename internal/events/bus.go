package events

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Bus fans events out to in-process subscribers. It is fed by tailing the outbox
// table, so a process sees the events of every replica, not just its own.
type Bus struct {
	db   *store.DB
	mu   sync.Mutex
	subs map[*Subscription]struct{}
	wake chan struct{}

	// Poll is how often the tail looks for rows written by other processes.
	Poll time.Duration
}

// Subscription receives the events its filter admits.
type Subscription struct {
	C      chan Event
	filter func(Event) bool
	bus    *Bus
}

// NewBus returns a bus over the outbox of db.
func NewBus(db *store.DB) *Bus {
	return &Bus{db: db, subs: map[*Subscription]struct{}{}, wake: make(chan struct{}, 1), Poll: 250 * time.Millisecond}
}

// Wake makes the tail look now (called after a local commit that emitted).
func (b *Bus) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Subscribe registers a subscriber. A slow subscriber loses events rather than
// stalling everybody: live views re-read state when they reconnect.
func (b *Bus) Subscribe(filter func(Event) bool) *Subscription {
	s := &Subscription{C: make(chan Event, 256), filter: filter, bus: b}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	delete(s.bus.subs, s)
	s.bus.mu.Unlock()
}

func (b *Bus) deliver(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.filter != nil && !s.filter(e) {
			continue
		}
		select {
		case s.C <- e:
		default:
		}
	}
}

// settle is how long a gap in the outbox ids may still be filled by a transaction
// that took its id earlier but commits later (PostgreSQL sequences do that; a
// rolled-back transaction leaves a gap that is never filled).
const settle = 10 * time.Second

// batch bounds one read of the tail.
const batch = 500

// Run tails the outbox until ctx ends. It starts at the newest row: the bus is
// for live views; history lives in the features' own tables.
//
// Each round reads only rows after the highest id seen so far. Ids skipped in
// between are remembered and looked up again until they appear or are older
// than settle, so a late commit is still delivered without re-reading the
// whole recent tail on every wake.
func (b *Bus) Run(ctx context.Context) {
	var high int64
	if err := b.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&high); err != nil && ctx.Err() == nil {
		slog.Error("event bus: read outbox head", "err", err)
	}
	missing := map[int64]time.Time{} // skipped id → when the gap was seen
	t := time.NewTicker(b.Poll)
	defer t.Stop()
	for {
		err := b.readNew(ctx, &high, missing)
		if err == nil && len(missing) > 0 {
			err = b.readMissing(ctx, missing)
		}
		if err != nil && ctx.Err() == nil {
			slog.Warn("event bus: tail outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.wake:
			// Commits come in bursts: a moment's wait lets one read cover many.
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func (b *Bus) readNew(ctx context.Context, high *int64, missing map[int64]time.Time) error {
	for {
		rows, err := b.db.QueryContext(ctx, `SELECT `+eventCols+` FROM outbox WHERE id > $1 ORDER BY id LIMIT $2`, *high, batch)
		if err != nil {
			return err
		}
		evs, err := scanEvents(rows)
		rows.Close()
		if err != nil {
			return err
		}
		now := time.Now()
		for _, e := range evs {
			for gap := *high + 1; gap < e.seq && len(missing) < 10000; gap++ {
				missing[gap] = now
			}
			*high = e.seq
			b.deliver(e)
		}
		if len(evs) < batch {
			return nil
		}
	}
}

func (b *Bus) readMissing(ctx context.Context, missing map[int64]time.Time) error {
	now := time.Now()
	args := make([]any, 0, len(missing))
	var in strings.Builder
	for id, at := range missing {
		if now.Sub(at) > settle {
			delete(missing, id) // a rollback's gap: it will never be filled
			continue
		}
		if len(args) == 500 {
			break
		}
		if len(args) > 0 {
			in.WriteByte(',')
		}
		args = append(args, id)
		fmt.Fprintf(&in, "$%d", len(args))
	}
	if len(args) == 0 {
		return nil
	}
	rows, err := b.db.QueryContext(ctx, `SELECT `+eventCols+` FROM outbox WHERE id IN (`+in.String()+`) ORDER BY id`, args...)
	if err != nil {
		return err
	}
	evs, err := scanEvents(rows)
	rows.Close()
	for _, e := range evs {
		delete(missing, e.seq)
		b.deliver(e)
	}
	return err
}
