// Package events carries state changes to whoever listens, without losing any:
// a change and its event are written in one transaction (the outbox table); a
// relay then publishes the rows to RabbitMQ and marks them, and a tail feeds every
// process's in-process bus (live feeds, SSE) from the same table.
package events

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Event is what consumers receive. ID is unique, so consumers can de-duplicate.
type Event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	EntityID   int64           `json:"entityId"`
	OccurredAt time.Time       `json:"occurredAt"`
	Data       json.RawMessage `json:"data"`
	seq        int64
}

// Emitter writes events into the outbox of the transaction that makes the change.
type Emitter struct {
	wake func()
}

// NewEmitter returns an emitter that calls wake after each commit that emitted
// (so the relay and tail pick the rows up at once instead of at their next poll).
func NewEmitter(wake func()) *Emitter { return &Emitter{wake: wake} }

// Emit records an event in tx. It is delivered only if tx commits.
func (e *Emitter) Emit(ctx context.Context, tx *store.Tx, entityID int64, typ string, at time.Time, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (event_id, entity_id, type, occurred_at, data) VALUES ($1, $2, $3, $4, $5)`,
		newEventID(), entityID, typ, at, string(b))
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if e != nil && e.wake != nil {
		tx.AfterCommit(e.wake)
	}
	return nil
}

// newEventID returns a random (version 4) UUID.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

const eventCols = `id, event_id, entity_id, type, occurred_at, data`

func scanEvents(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]Event, error) {
	var out []Event
	for rows.Next() {
		var e Event
		var data string
		if err := rows.Scan(&e.seq, &e.ID, &e.EntityID, &e.Type, store.Time(&e.OccurredAt), &data); err != nil {
			return nil, err
		}
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	return out, rows.Err()
}
