package events

import (
	"context"
	"log/slog"
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
// that took its id earlier but commits later (PostgreSQL sequences do that).
const settle = 10 * time.Second

// Run tails the outbox until ctx ends. It starts at the newest row: the bus is
// for live views; history lives in the features' own tables.
func (b *Bus) Run(ctx context.Context) {
	var low int64
	if err := b.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&low); err != nil && ctx.Err() == nil {
		slog.Error("event bus: read outbox head", "err", err)
	}
	seen := map[int64]time.Time{}
	t := time.NewTicker(b.Poll)
	defer t.Stop()
	for {
		rows, err := b.db.QueryContext(ctx, `SELECT `+eventCols+` FROM outbox WHERE id > $1 ORDER BY id LIMIT 1000`, low)
		if err == nil {
			var evs []Event
			evs, err = scanEvents(rows)
			rows.Close()
			now := time.Now()
			for _, e := range evs {
				if _, ok := seen[e.seq]; ok {
					continue
				}
				seen[e.seq] = now
				b.deliver(e)
			}
			// Advance the low-water mark past ids that have been seen long enough
			// that no earlier id can still appear.
			for id, at := range seen {
				if now.Sub(at) > settle {
					if id > low {
						low = id
					}
				}
			}
			for id := range seen {
				if id <= low {
					delete(seen, id)
				}
			}
		}
		if err != nil && ctx.Err() == nil {
			slog.Warn("event bus: tail outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.wake:
		}
	}
}
