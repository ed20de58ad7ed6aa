package booking

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Run is the background worker: every minute it marks finished bookings
// COMPLETED; every hour it moves the horizon of open-ended series on. Both
// jobs are idempotent and safe on several replicas at once (each change is a
// conditional update inside its own transaction).
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	lastExtend := time.Time{}
	for {
		if _, err := s.CompleteFinished(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("booking: completing finished bookings", "err", err)
		}
		if time.Since(lastExtend) > time.Hour {
			if _, err := s.ExtendHorizon(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("booking: extending the horizon", "err", err)
			}
			lastExtend = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// CompleteFinished marks CONFIRMED bookings whose last occurrence has ended as
// COMPLETED and emits booking.completed for each. Reads already show them as
// COMPLETED (displayStatus); this makes it durable and tells consumers (e.g.
// the door integration revokes the member's credential).
func (s *Service) CompleteFinished(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	ids, err := queryIDs(ctx, s.DB, `SELECT id FROM resource_bookings WHERE status_cd = 'CONFIRMED' AND series_end <= $1 ORDER BY series_end LIMIT 500`, now)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET status_cd = 'COMPLETED', updated_at = $1, version = version + 1
				WHERE id = $2 AND status_cd = 'CONFIRMED' AND series_end <= $1`, now, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another replica did it, or it was changed meanwhile
			}
			b, r, err := s.bookingForWorker(ctx, tx, id)
			if err != nil {
				return err
			}
			done++
			return s.emit(ctx, tx, r, b, "booking.completed", now, eventExtra{Occurrences: []Interval{}, Scope: "BOOKING"})
		})
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

func (s *Service) bookingForWorker(ctx context.Context, tx *store.Tx, id int64) (*Booking, *Resource, error) {
	var entityID int64
	var tz string
	if err := tx.QueryRowContext(ctx, `SELECT b.entity_id, e.timezone FROM resource_bookings b JOIN entities e ON e.id = b.entity_id WHERE b.id = $1`,
		id).Scan(&entityID, &tz); err != nil {
		return nil, nil, err
	}
	loc, err := clock.Location(tz)
	if err != nil {
		return nil, nil, err
	}
	sc := Scope{EntityID: entityID, Location: loc}
	b, err := s.getBooking(ctx, tx, sc, id)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.getResource(ctx, tx, sc, b.ResourceID)
	return b, r, err
}

// extendSlack: the horizon is moved on once it is a day short, so the job does
// real work about once a day per series.
const extendSlack = 24 * time.Hour

// ExtendHorizon materialises the occurrences of open-ended series and
// maintenance windows up to the new horizon. Maintenance windows go first,
// then bookings oldest first: when an occurrence entering the horizon collides
// with one already held, the one being extended is skipped — for a booking it
// becomes an EXDATE and booking.cancelled (reason HORIZON_CONFLICT) is emitted,
// for a maintenance window resource.maintenance_skipped. It returns how many
// series were extended.
func (s *Service) ExtendHorizon(ctx context.Context) (int, error) {
	newH := s.horizon()
	due := newH.Add(-extendSlack)
	n := 0
	resIDs, err := queryIDs(ctx, s.DB, `SELECT id FROM resources WHERE status_cd <> 'RETIRED' AND maintenance_until IS NOT NULL AND maintenance_until < $1 ORDER BY id`, due)
	if err != nil {
		return 0, err
	}
	for _, id := range resIDs {
		if err := s.DB.InTx(ctx, func(tx *store.Tx) error { return s.extendMaintenance(ctx, tx, id, newH) }); err != nil {
			return n, err
		}
		n++
	}
	ids, err := queryIDs(ctx, s.DB, `SELECT id FROM resource_bookings WHERE materialised_until IS NOT NULL AND materialised_until < $1
		AND status_cd IN ('CONFIRMED', 'TENTATIVE') ORDER BY id`, due)
	if err != nil {
		return n, err
	}
	for _, id := range ids {
		if err := s.DB.InTx(ctx, func(tx *store.Tx) error { return s.extendBooking(ctx, tx, id, newH) }); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) extendBooking(ctx context.Context, tx *store.Tx, id int64, newH time.Time) error {
	now := s.Clock.Now()
	b, r, err := s.bookingForWorker(ctx, tx, id)
	if err != nil || b.HeldUntil == nil || !b.HeldUntil.Before(newH) {
		return err
	}
	old := *b.HeldUntil
	// Claim the extension: a replica that lost the race changes nothing.
	res, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET materialised_until = $1, updated_at = $2, version = version + 1
		WHERE id = $3 AND materialised_until = $4`, newH, now, id, old)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var tz string
	if err := tx.QueryRowContext(ctx, `SELECT timezone FROM entities WHERE id = $1`, b.EntityID).Scan(&tz); err != nil {
		return err
	}
	loc, _ := clock.Location(tz)
	ser, err := b.series(loc)
	if err != nil {
		return err
	}
	var wanted []Interval
	for _, o := range ser.Between(old, newH) {
		if !o.Start.Before(old) {
			wanted = append(wanted, Interval(o))
		}
	}
	active := b.StatusCd == StatusConfirmed
	var skipped []Interval
	if active {
		cs, err := conflictsWith(ctx, tx, r.ID, wanted)
		if err != nil {
			return err
		}
		bad := map[int64]bool{}
		for _, c := range cs {
			bad[c.Wanted.Start.Unix()] = true
		}
		kept := wanted[:0:0]
		for _, o := range wanted {
			if bad[o.Start.Unix()] {
				skipped = append(skipped, o)
				b.exDates = append(b.exDates, o.Start)
			} else {
				kept = append(kept, o)
			}
		}
		wanted = kept
	}
	if err := insertSlots(ctx, tx, b.EntityID, r.ID, slotsOf(b, wanted)); err != nil {
		return err
	}
	if len(skipped) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET ex_dates = $1 WHERE id = $2`, formatExDates(b.exDates), id); err != nil {
		return err
	}
	b.HeldUntil = &newH
	b.finish()
	return s.emit(ctx, tx, r, b, "booking.cancelled", now, eventExtra{Occurrences: firstN(skipped), Scope: "OCCURRENCE", Reason: "HORIZON_CONFLICT"})
}

func (s *Service) extendMaintenance(ctx context.Context, tx *store.Tx, id int64, newH time.Time) error {
	now := s.Clock.Now()
	var entityID int64
	var tz string
	var old *time.Time
	if err := tx.QueryRowContext(ctx, `SELECT r.entity_id, e.timezone, r.maintenance_until FROM resources r JOIN entities e ON e.id = r.entity_id WHERE r.id = $1`,
		id).Scan(&entityID, &tz, store.NullTime(&old)); err != nil {
		return err
	}
	if old == nil || !old.Before(newH) {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE resources SET maintenance_until = $1 WHERE id = $2 AND maintenance_until = $3`, newH, id, *old)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	loc, _ := clock.Location(tz)
	sc := Scope{EntityID: entityID, Location: loc}
	r, err := s.getResource(ctx, tx, sc, id)
	if err != nil {
		return err
	}
	series, err := r.MaintenanceSchedule.normalise(loc, clock.Today(now, loc))
	if err != nil {
		return err
	}
	rows, wanted := maintenanceRows(series, *old, newH)
	cs, err := conflictsWith(ctx, tx, id, wanted)
	if err != nil {
		return err
	}
	bad := map[int64]bool{}
	for _, c := range cs {
		bad[c.Wanted.Start.Unix()] = true
	}
	var kept []slotRow
	var skipped []Interval
	for _, row := range rows {
		if bad[row.Start.Unix()] {
			skipped = append(skipped, row.Interval)
		} else {
			kept = append(kept, row)
		}
	}
	if err := insertSlots(ctx, tx, entityID, id, kept); err != nil {
		return err
	}
	if len(skipped) > 0 {
		return s.Events.Emit(ctx, tx, entityID, "resource.maintenance_skipped", now, map[string]any{
			"resource": resourceRef{ID: r.ID, Name: r.Name, TypeCd: r.TypeCd, ZoneID: r.ZoneID}, "occurrences": firstN(skipped), "reason": "HORIZON_CONFLICT"})
	}
	return nil
}
