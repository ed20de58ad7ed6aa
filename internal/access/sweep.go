package access

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The reset closes forgotten check-outs: an open GRANTED check-in that began
// before the zone's last reset boundary counts as closed. Correctness never
// waits for a background job: the check-in and check-out transactions (and the
// occupancy read) sweep a zone that is due before they look at it; the sweeper
// below only does the same work ahead of time for zones nobody is using.

// sweepZone closes a zone's check-ins older than boundary and recounts its
// occupancy from the open rows, once per boundary: the conditional UPDATE of
// last_reset_at elects one transaction (on PostgreSQL the row lock makes the
// others wait and then find nothing to do). It reports whether it swept.
func (s *Service) sweepZone(ctx context.Context, tx *store.Tx, entityID, zoneID int64, boundary time.Time) (bool, error) {
	n, err := rowsAffected(tx.ExecContext(ctx, `UPDATE access_zones SET last_reset_at = $1
		WHERE id = $2 AND (last_reset_at IS NULL OR last_reset_at < $1)`, boundary, zoneID))
	if err != nil || n == 0 {
		return false, err
	}
	ids, err := closeOpen(ctx, tx, `zone_id = $3`, boundary, zoneID)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE access_zones SET current_occupancy = (SELECT COUNT(*) FROM check_ins
		WHERE zone_id = $1 AND status_cd = 'GRANTED' AND checked_out_at IS NULL) WHERE id = $1`, zoneID); err != nil {
		return false, err
	}
	return true, s.emitClosed(ctx, tx, entityID, ids)
}

// closeOpen closes the open GRANTED check-ins matching cond ($3 …) that began
// before boundary ($1 is the boundary, $2 the reason), and returns their ids.
func closeOpen(ctx context.Context, tx *store.Tx, cond string, boundary time.Time, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE check_ins SET checked_out_at = $1, checkout_reason_cd = $2, version = version + 1
		WHERE `+cond+` AND status_cd = 'GRANTED' AND checked_out_at IS NULL AND checked_in_at < $1 RETURNING id`,
		append([]any{boundary, CheckoutReset}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Service) emitClosed(ctx context.Context, tx *store.Tx, entityID int64, ids []int64) error {
	closed, err := checkInsByID(ctx, tx, entityID, ids)
	if err != nil {
		return err
	}
	for _, c := range closed {
		if err := s.Events.Emit(ctx, tx, entityID, "checkin.checkout", *c.CheckedOutAt, c); err != nil {
			return err
		}
	}
	return nil
}

// sweepZoneIfDue sweeps one zone in its own transaction when its reset boundary
// has passed since the last sweep. A zero now means the clock's.
func (s *Service) sweepZoneIfDue(ctx context.Context, sc Scope, zoneID int64, now time.Time) (bool, error) {
	if now.IsZero() {
		now = s.Clock.Now()
	}
	var reset string
	var last *time.Time
	if err := s.DB.QueryRowContext(ctx, `SELECT reset_time, last_reset_at FROM access_zones WHERE id = $1 AND entity_id = $2`,
		zoneID, sc.EntityID).Scan(&reset, store.NullTime(&last)); err != nil {
		return false, err
	}
	return s.sweepIfDue(ctx, sc, zoneID, now, reset, last)
}

// sweepIfDue is sweepZoneIfDue for a caller that has just read the zone's
// reset time and last reset (a check-out at a door has, with the zone chain).
func (s *Service) sweepIfDue(ctx context.Context, sc Scope, zoneID int64, now time.Time, reset string, last *time.Time) (bool, error) {
	boundary := zoneBoundary(now, sc.Location, reset)
	if last != nil && !last.Before(boundary) {
		return false, nil
	}
	swept := false
	err := s.inTx(ctx, func(tx *store.Tx) error {
		var err error
		swept, err = s.sweepZone(ctx, tx, sc.EntityID, zoneID, boundary)
		return err
	})
	return swept, err
}

func zoneBoundary(now time.Time, loc *time.Location, reset string) time.Time {
	c, err := ParseClockTime(reset, false)
	if err != nil {
		c = ClockTime{}
	}
	return LastReset(now, loc, c)
}

// SweepAll sweeps every zone past its reset, and closes main-entrance check-ins
// from before local midnight, in every organisation. It returns how many
// check-ins it closed.
func (s *Service) SweepAll(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	rows, err := s.DB.QueryContext(ctx, `SELECT z.id, z.entity_id, z.reset_time, z.last_reset_at, e.timezone
		FROM access_zones z JOIN entities e ON e.id = z.entity_id`)
	if err != nil {
		return 0, err
	}
	type due struct {
		zone, entity int64
		boundary     time.Time
	}
	var work []due
	for rows.Next() {
		var d due
		var reset, tz string
		var last *time.Time
		if err := rows.Scan(&d.zone, &d.entity, &reset, store.NullTime(&last), &tz); err != nil {
			rows.Close()
			return 0, err
		}
		loc, err := clock.Location(tz)
		if err != nil {
			continue
		}
		if d.boundary = zoneBoundary(now, loc, reset); last == nil || last.Before(d.boundary) {
			work = append(work, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	closed := 0
	for _, d := range work {
		err := s.inTx(ctx, func(tx *store.Tx) error {
			before := 0
			_ = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM check_ins WHERE zone_id = $1 AND status_cd = 'GRANTED'
				AND checked_out_at IS NULL AND checked_in_at < $2`, d.zone, d.boundary).Scan(&before)
			swept, err := s.sweepZone(ctx, tx, d.entity, d.zone, d.boundary)
			if swept {
				closed += before
			}
			return err
		})
		if err != nil {
			return closed, err
		}
	}
	// The main entrance (zoneId null) resets at local midnight.
	ents, err := s.DB.QueryContext(ctx, `SELECT DISTINCT ci.entity_id, e.timezone FROM check_ins ci JOIN entities e ON e.id = ci.entity_id
		WHERE ci.zone_id IS NULL AND ci.status_cd = 'GRANTED' AND ci.checked_out_at IS NULL`)
	if err != nil {
		return closed, err
	}
	type ent struct {
		id  int64
		loc *time.Location
	}
	var es []ent
	for ents.Next() {
		var e ent
		var tz string
		if err := ents.Scan(&e.id, &tz); err != nil {
			ents.Close()
			return closed, err
		}
		if e.loc, err = clock.Location(tz); err == nil {
			es = append(es, e)
		}
	}
	ents.Close()
	for _, e := range es {
		boundary := LastReset(now, e.loc, ClockTime{})
		err := s.inTx(ctx, func(tx *store.Tx) error {
			ids, err := closeOpen(ctx, tx, `entity_id = $3 AND zone_id IS NULL`, boundary, e.id)
			if err != nil {
				return err
			}
			closed += len(ids)
			return s.emitClosed(ctx, tx, e.id, ids)
		})
		if err != nil {
			return closed, err
		}
	}
	return closed, nil
}

// RunSweeper sweeps every SweepEvery until ctx ends.
func (s *Service) RunSweeper(ctx context.Context) {
	t := time.NewTicker(s.SweepEvery)
	defer t.Stop()
	for {
		if n, err := s.SweepAll(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("access: reset sweep failed; will retry", "err", err)
		} else if n > 0 {
			slog.Info("access: closed forgotten check-outs at the zones' reset", "closed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
