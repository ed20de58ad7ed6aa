package booking

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// The slot store: every occurrence that holds a resource is one row of
// booking_slots, and the database refuses two overlapping active rows of one
// resource (exclusion constraint on PostgreSQL, triggers on SQLite). The
// queries here only narrow down candidates; FindConflicts decides.

// slotRow is a slot to write.
type slotRow struct {
	BookingID       *int64
	Kind            string
	WindowNo        *int
	OccurrenceStart time.Time
	Interval
	Active bool
}

// chunk bounds the rows per statement: 9 parameters a row stays far below the
// parameter limits of both engines (SQLite 32766, PostgreSQL 65535).
const chunk = 400

// tsParam returns the placeholder for instant parameter n. PostgreSQL cannot
// infer a type for a bare parameter inside VALUES; SQLite compares instants as
// fixed-width text and must not cast. This is the one dialect difference of the
// package.
func tsParam(d store.Dialect, n int) string {
	if d == store.Postgres {
		return fmt.Sprintf("$%d::timestamptz", n)
	}
	return fmt.Sprintf("$%d", n)
}

// insertSlots writes slots in batches. An overlap with an active slot fails
// with an error for which isOverlap is true.
func insertSlots(ctx context.Context, tx *store.Tx, entityID, resourceID int64, rows []slotRow) error {
	for len(rows) > 0 {
		n := min(len(rows), chunk)
		var b strings.Builder
		b.WriteString(`INSERT INTO booking_slots (entity_id, resource_id, booking_id, kind, window_no, occurrence_start, start_at, end_at, active) VALUES `)
		args := make([]any, 0, n*9)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			p := len(args)
			fmt.Fprintf(&b, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9)
			args = append(args, entityID, resourceID, r.BookingID, r.Kind, r.WindowNo, r.OccurrenceStart, r.Start, r.End, r.Active)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// isOverlap reports whether err is the database refusing an overlapping slot:
// PostgreSQL's exclusion_violation (23P01) or the SQLite trigger's message.
func isOverlap(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23P01") || strings.Contains(msg, "booking_slots_no_overlap")
}

// nearSlots returns the active slots of a resource that overlap any of the
// wanted intervals (and possibly a few that do not; FindConflicts decides).
//
// Active slots never overlap each other, so if any overlaps [s, e), the last
// one to start before e does. Step one asks exactly that, one index seek per
// wanted interval (a scalar subquery per row of a VALUES list, which both
// engines plan as a seek whatever their statistics say). Only the intervals
// found in conflict — usually none — are then searched for every slot they
// overlap. The cost grows with the wanted occurrences, not with the
// resource's history.
func nearSlots(ctx context.Context, q store.Querier, resourceID int64, wanted []Interval) ([]Slot, error) {
	seen := map[int64]bool{}
	var out []Slot
	collect := func(query string, args ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var s Slot
			if err := rows.Scan(&id, &s.BookingID, &s.Kind, store.Time(&s.Start), store.Time(&s.End), &s.Title); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, s)
			}
		}
		return rows.Err()
	}
	const cols = `SELECT b.id, b.booking_id, b.kind, b.start_at, b.end_at, COALESCE(rb.title, '') FROM booking_slots b
		LEFT JOIN resource_bookings rb ON rb.id = b.booking_id `
	d := q.Dialect()
	for rest := wanted; len(rest) > 0; rest = rest[min(len(rest), chunk):] {
		part := rest[:min(len(rest), chunk)]
		var vals strings.Builder
		args := []any{resourceID}
		for i, w := range part {
			if i > 0 {
				vals.WriteByte(',')
			}
			fmt.Fprintf(&vals, "(%s,%s)", tsParam(d, len(args)+1), tsParam(d, len(args)+2))
			args = append(args, w.Start, w.End)
		}
		if err := collect(`WITH w(s, e) AS (VALUES `+vals.String()+`) `+cols+
			`WHERE b.id IN (SELECT (SELECT p.id FROM booking_slots p WHERE p.resource_id = $1 AND p.active AND p.start_at < w.e
				ORDER BY p.start_at DESC LIMIT 1) FROM w)`, args...); err != nil {
			return nil, err
		}
	}
	// Step two: every slot overlapping an interval known to conflict.
	const maxDetailed = 200
	for i, c := range FindConflicts(wanted, out) {
		if i == maxDetailed {
			break
		}
		if err := collect(cols+`WHERE b.resource_id = $1 AND b.active AND b.start_at < $2 AND b.end_at > $3 AND b.start_at >= $4`,
			resourceID, c.Wanted.End, c.Wanted.Start, c.Wanted.Start.Add(-MaxDuration)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// conflictsWith returns the conflicts of wanted with the resource's active slots.
func conflictsWith(ctx context.Context, q store.Querier, resourceID int64, wanted []Interval) ([]Conflict, error) {
	if len(wanted) == 0 {
		return nil, nil
	}
	near, err := nearSlots(ctx, q, resourceID, wanted)
	if err != nil {
		return nil, err
	}
	return FindConflicts(wanted, near), nil
}

// conflictItems turns conflicts into the 409 problem's list.
func conflictItems(cs []Conflict) []ConflictItem {
	out := make([]ConflictItem, 0, len(cs))
	for _, c := range cs {
		out = append(out, ConflictItem{BookingID: c.Existing.BookingID, Kind: kindOf(c.Existing.Kind),
			Start: c.Existing.Start.UTC(), End: c.Existing.End.UTC(), WantedStart: c.Wanted.Start.UTC(), WantedEnd: c.Wanted.End.UTC()})
	}
	return out
}

// kindOf maps what a slot is for to the availability kind: a member's booking
// is a BOOKING; courses, events and maintenance keep their names.
func kindOf(forType string) string {
	if forType == ForMember {
		return "BOOKING"
	}
	return forType
}
