package events

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Publisher delivers a batch of events to an external broker. It returns only
// when the broker has confirmed every one, or an error.
type Publisher interface {
	Publish(ctx context.Context, evs []Event) error
}

// Relay moves outbox rows to the publisher and marks them published. With no
// publisher configured it just marks them, so the table does not grow forever.
// Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several replicas
// can relay side by side without publishing a row twice.
type Relay struct {
	DB        *store.DB
	Publisher Publisher // nil: in-process only
	Clock     clock.Clock
	Batch     int
	// Retention is how long published rows are kept (the bus of a lagging replica
	// and operators' debugging read them).
	Retention time.Duration
	wake      chan struct{}
	backoff   time.Duration
}

// NewRelay builds a relay.
func NewRelay(db *store.DB, pub Publisher, clk clock.Clock) *Relay {
	return &Relay{DB: db, Publisher: pub, Clock: clk, Batch: 200, Retention: 7 * 24 * time.Hour, wake: make(chan struct{}, 1)}
}

// Wake makes the relay look now.
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run relays until ctx ends. A broker outage delays delivery: the rows stay in
// the outbox and are retried with back-off (capped at 5 s) until they go through.
func (r *Relay) Run(ctx context.Context) {
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for {
		if r.Publisher == nil {
			// In-process only: the bus reads the outbox itself, so there is
			// nothing to hand over; rows are just pruned by age.
			select {
			case <-ctx.Done():
				return
			case <-prune.C:
				r.prune(ctx)
			}
			continue
		}
		n, err := r.RelayOnce(ctx)
		wait := time.Duration(0)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			r.backoff = min(max(r.backoff*2, 100*time.Millisecond), 5*time.Second)
			slog.Warn("event relay: publish failed; will retry", "err", err, "retryIn", r.backoff)
			wait = r.backoff
		case n == r.Batch:
			r.backoff = 0
			continue // more waiting
		default:
			r.backoff = 0
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-r.wake:
			// Let a burst of commits gather into one batch.
			time.Sleep(10 * time.Millisecond)
		case <-prune.C:
			r.prune(ctx)
		}
	}
}

// prune deletes rows older than the retention: published ones, and with no
// publisher configured all of them (nothing will ever publish them).
func (r *Relay) prune(ctx context.Context) {
	q := `DELETE FROM outbox WHERE occurred_at < $1 AND published_at IS NOT NULL`
	if r.Publisher == nil {
		q = `DELETE FROM outbox WHERE occurred_at < $1`
	}
	if _, err := r.DB.ExecContext(ctx, q, r.Clock.Now().Add(-r.Retention)); err != nil && ctx.Err() == nil {
		slog.Warn("event relay: prune outbox", "err", err)
	}
}

// publishTimeout bounds one batch: a broker that accepts the connection but never
// confirms must not hold the claimed rows (and on SQLite the writer) forever.
const publishTimeout = 15 * time.Second

// RelayOnce publishes one batch and reports how many rows it moved.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	if r.DB.Dialect() == store.SQLite {
		// SQLite has one writer and one process: read, publish, then mark, so the
		// write lock is never held while waiting for the broker.
		evs, err := r.pending(ctx, r.DB, "")
		if err != nil || len(evs) == 0 {
			return 0, err
		}
		if err := r.publish(ctx, evs); err != nil {
			return 0, err
		}
		return len(evs), r.markPublished(ctx, r.DB, evs)
	}
	n := 0
	err := r.DB.InTx(ctx, func(tx *store.Tx) error {
		evs, err := r.pending(ctx, tx, " FOR UPDATE SKIP LOCKED")
		if err != nil || len(evs) == 0 {
			return err
		}
		if err := r.publish(ctx, evs); err != nil {
			return err
		}
		n = len(evs)
		return r.markPublished(ctx, tx, evs)
	})
	return n, err
}

func (r *Relay) pending(ctx context.Context, q store.Querier, lock string) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventCols+` FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`+lock, r.Batch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanEvents(rows)
}

func (r *Relay) publish(ctx context.Context, evs []Event) error {
	if r.Publisher == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	return r.Publisher.Publish(ctx, evs)
}

func (r *Relay) markPublished(ctx context.Context, q store.Querier, evs []Event) error {
	args := []any{r.Clock.Now()}
	var in strings.Builder
	for i, e := range evs {
		if i > 0 {
			in.WriteByte(',')
		}
		args = append(args, e.seq)
		fmt.Fprintf(&in, "$%d", len(args))
	}
	_, err := q.ExecContext(ctx, `UPDATE outbox SET published_at = $1 WHERE id IN (`+in.String()+`)`, args...)
	return err
}
