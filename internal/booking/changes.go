package booking

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/store"
)

// eventExtra is the part of an event's data that depends on the change.
type eventExtra struct {
	Occurrences []Interval `json:"occurrences" doc:"The affected occurrences (at most 100)."`
	Skipped     []Interval `json:"skipped,omitempty"`
	From        *Interval  `json:"from,omitempty"`
	To          *Interval  `json:"to,omitempty"`
	Scope       string     `json:"scope,omitempty"` // BOOKING or OCCURRENCE
	Reason      string     `json:"reason,omitempty"`
}

type resourceRef struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	TypeCd string `json:"typeCd"`
	ZoneID *int64 `json:"zoneId"`
}

type memberRef struct {
	ID        int64  `json:"id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
}

// eventData is the data of every booking.* event: enough for a consumer (the
// door integration granting a credential for the booking window, a mailer
// notifying the member) to act without calling back.
type eventData struct {
	Booking  *Booking    `json:"booking"`
	Resource resourceRef `json:"resource"`
	Member   *memberRef  `json:"member,omitempty"`
	eventExtra
}

func (s *Service) emit(ctx context.Context, tx *store.Tx, r *Resource, b *Booking, typ string, now time.Time, x eventExtra) error {
	d := eventData{Booking: b, Resource: resourceRef{ID: r.ID, Name: r.Name, TypeCd: r.TypeCd, ZoneID: r.ZoneID}, eventExtra: x}
	if d.Occurrences == nil {
		d.Occurrences = []Interval{}
	}
	if b.BookedForType == ForMember && b.BookedForID != nil {
		var m memberRef
		err := tx.QueryRowContext(ctx, `SELECT id, first_name, last_name, email FROM members WHERE id = $1 AND entity_id = $2`,
			*b.BookedForID, b.EntityID).Scan(&m.ID, &m.FirstName, &m.LastName, &m.Email)
		if err == nil {
			d.Member = &m
		} else if !store.IsNoRows(err) {
			return err
		}
	}
	return s.Events.Emit(ctx, tx, b.EntityID, typ, now, d)
}

// lockBooking reads a booking inside a write transaction and bumps its version
// first, so that on PostgreSQL concurrent changes of one booking queue on its
// row lock instead of interleaving (SQLite's writer lock does this already).
func (s *Service) lockBooking(ctx context.Context, tx *store.Tx, sc Scope, id int64, now time.Time) (*Booking, *Resource, error) {
	res, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET version = version + 1, updated_at = $1 WHERE id = $2 AND entity_id = $3`, now, id, sc.EntityID)
	if err != nil {
		return nil, nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil, apperr.NotFound("booking")
	}
	b, err := s.getBooking(ctx, tx, sc, id)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.getResource(ctx, tx, Scope{EntityID: b.EntityID}, b.ResourceID)
	if err != nil {
		return nil, nil, err
	}
	return b, r, nil
}

func changeable(b *Booking, now time.Time) error {
	switch st := displayStatus(b, now); st {
	case StatusCancelled, StatusCompleted:
		return apperr.Conflict("the booking is %s and cannot be changed", st)
	}
	return nil
}

// Cancel cancels a whole booking, or with occurrenceStart one occurrence of a
// series (it becomes an EXDATE, or a moved occurrence is cancelled). The slot
// is freed in the same transaction and booking.cancelled is emitted.
func (s *Service) Cancel(ctx context.Context, sc Scope, id int64, occurrenceStart *time.Time) (*Booking, error) {
	var out *Booking
	err := s.inTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.CancelInTx(ctx, tx, sc, id, occurrenceStart)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CancelInTx is Cancel inside the caller's transaction tx (run it through
// RunInTx): the slots are freed and booking.cancelled is written to the outbox
// only if the caller's transaction commits.
func (s *Service) CancelInTx(ctx context.Context, tx *store.Tx, sc Scope, id int64, occurrenceStart *time.Time) (*Booking, error) {
	now := s.Clock.Now()
	var out *Booking
	err := func() error {
		b, r, err := s.lockBooking(ctx, tx, sc, id, now)
		if err != nil {
			return err
		}
		if err := changeable(b, now); err != nil {
			return err
		}
		if occurrenceStart == nil || b.RecurrenceRule == nil && occurrenceStart.Equal(b.StartDateTime) {
			if out, err = s.cancelWhole(ctx, tx, sc, id, now, ""); err != nil {
				return err
			}
			return nil
		}
		t := occurrenceStart.UTC()
		occ, ov, err := s.findOccurrence(b, sc, t)
		if err != nil {
			return err
		}
		if !occ.End.After(now) {
			return apperr.Conflict("that occurrence has already ended")
		}
		original := occ.Start
		if ov != nil {
			original = ov.OriginalStart
			if _, err := tx.ExecContext(ctx, `UPDATE booking_overrides SET status_cd = $1, updated_at = $2 WHERE booking_id = $3 AND original_start = $4`,
				StatusCancelled, now, id, original); err != nil {
				return err
			}
		} else {
			b.exDates = append(b.exDates, original)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE booking_id = $1 AND occurrence_start = $2`, id, original); err != nil {
			return err
		}
		if err := s.saveSeries(ctx, tx, b, sc, now); err != nil {
			return err
		}
		if out, err = s.getBooking(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.emit(ctx, tx, r, out, "booking.cancelled", now, eventExtra{Occurrences: []Interval{occ}, Scope: "OCCURRENCE"})
	}()
	if err != nil {
		return nil, err
	}
	out.StatusCd = displayStatus(out, now)
	return out, nil
}

// cancelWhole cancels a booking and frees its slots from now on; occurrences
// that already ended stay in the history.
func (s *Service) cancelWhole(ctx context.Context, tx *store.Tx, sc Scope, id int64, now time.Time, reason string) (*Booking, error) {
	b, err := s.getBooking(ctx, tx, Scope{EntityID: sc.EntityID, Location: sc.Location}, id)
	if err != nil {
		return nil, err
	}
	r, err := s.getResource(ctx, tx, Scope{EntityID: b.EntityID}, b.ResourceID)
	if err != nil {
		return nil, err
	}
	var freed []Interval
	rows, err := tx.QueryContext(ctx, `SELECT start_at, end_at FROM booking_slots WHERE booking_id = $1 AND end_at > $2 ORDER BY start_at LIMIT 100`, id, now)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var iv Interval
		if err := rows.Scan(store.Time(&iv.Start), store.Time(&iv.End)); err != nil {
			rows.Close()
			return nil, err
		}
		freed = append(freed, iv)
	}
	rows.Close()
	if _, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE booking_id = $1 AND end_at > $2`, id, now); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET status_cd = $1, materialised_until = NULL, updated_at = $2 WHERE id = $3`,
		StatusCancelled, now, id); err != nil {
		return nil, err
	}
	b.StatusCd, b.HeldUntil, b.UpdatedAt = StatusCancelled, nil, now
	return b, s.emit(ctx, tx, r, b, "booking.cancelled", now, eventExtra{Occurrences: firstN(freed), Scope: "BOOKING", Reason: reason})
}

// findOccurrence finds the occurrence of b that starts at t: a moved one (by
// its current or its original start) or one of the series.
func (s *Service) findOccurrence(b *Booking, sc Scope, t time.Time) (Interval, *Override, error) {
	for i := range b.Overrides {
		ov := &b.Overrides[i]
		if ov.StatusCd == StatusConfirmed && (ov.Start.Equal(t) || ov.OriginalStart.Equal(t)) {
			return Interval{Start: ov.Start, End: ov.End}, ov, nil
		}
	}
	if b.RecurrenceRule == nil {
		if b.StartDateTime.Equal(t) {
			return Interval{Start: b.StartDateTime, End: b.EndDateTime}, nil, nil
		}
	} else if ser, err := b.series(sc.Location); err != nil {
		return Interval{}, nil, err
	} else if ser.Contains(t) {
		return Interval{Start: t, End: t.Add(b.EndDateTime.Sub(b.StartDateTime))}, nil, nil
	}
	return Interval{}, nil, apperr.Field("occurrenceStart", "no occurrence of this booking starts at %s", t.Format(time.RFC3339))
}

// saveSeries writes back a series' EXDATEs and recomputes where it ends. A
// bounded series left with no occurrence at all is cancelled.
func (s *Service) saveSeries(ctx context.Context, tx *store.Tx, b *Booking, sc Scope, now time.Time) error {
	var end *time.Time
	first := b.StartDateTime
	if b.RecurrenceRule == nil {
		e := b.EndDateTime
		end = &e
	} else {
		ser, err := b.series(sc.Location)
		if err != nil {
			return err
		}
		var ovs []Override
		if err := func() error {
			rows, err := tx.QueryContext(ctx, `SELECT original_start, start_at, end_at, status_cd FROM booking_overrides WHERE booking_id = $1`, b.ID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var o Override
				if err := rows.Scan(store.Time(&o.OriginalStart), store.Time(&o.Start), store.Time(&o.End), &o.StatusCd); err != nil {
					return err
				}
				ovs = append(ovs, o)
			}
			return rows.Err()
		}(); err != nil {
			return err
		}
		if ser.Bounded() {
			e := ser.End()
			for _, o := range ovs {
				if o.StatusCd == StatusConfirmed && o.End.After(e) {
					e = o.End
				}
			}
			if e.IsZero() {
				// Nothing left of the series: it is cancelled as a whole.
				b.StatusCd = StatusCancelled
				e = b.EndDateTime
			}
			end = &e
		}
		for _, o := range ovs {
			if o.StatusCd == StatusConfirmed && o.Start.Before(first) {
				first = o.Start
			}
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET start_at = $1, end_at = $2, ex_dates = $3, series_end = $4, first_start = $5,
		status_cd = $6, materialised_until = $7, updated_at = $8 WHERE id = $9`,
		b.StartDateTime, b.EndDateTime, formatExDates(b.exDates), end, first, b.StatusCd, b.HeldUntil, now, b.ID)
	return err
}

// Reschedule moves a booking atomically: in one transaction the old slot is
// freed and the new one taken, so no one else can take either in between; if
// the new time conflicts nothing changes (409). With occurrenceStart one
// occurrence of a series is moved (an override); without it a single booking,
// or a whole series that has not started yet, is moved.
func (s *Service) Reschedule(ctx context.Context, sc Scope, id int64, start, end time.Time, occurrenceStart *time.Time) (*Booking, error) {
	now := s.Clock.Now()
	start, end = start.UTC().Truncate(time.Second), end.UTC().Truncate(time.Second)
	if errs := validTimes(start, end, now, "startDateTime", "endDateTime"); len(errs) > 0 {
		return nil, apperr.Invalid("invalid reschedule: "+describe(errs), errs...)
	}
	var out *Booking
	err := s.inTx(ctx, func(tx *store.Tx) error {
		b, r, err := s.lockBooking(ctx, tx, sc, id, now)
		if err != nil {
			return err
		}
		if err := changeable(b, now); err != nil {
			return err
		}
		if err := bookable(r); err != nil {
			return err
		}
		active := b.StatusCd == StatusConfirmed
		var from, to Interval
		switch {
		case occurrenceStart != nil && b.RecurrenceRule != nil:
			occ, ov, err := s.findOccurrence(b, sc, occurrenceStart.UTC())
			if err != nil {
				return err
			}
			if !occ.End.After(now) {
				return apperr.Conflict("that occurrence has already ended")
			}
			original := occ.Start
			if ov != nil {
				original = ov.OriginalStart
			}
			from, to = occ, Interval{Start: start, End: end}
			if _, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE booking_id = $1 AND occurrence_start = $2`, id, original); err != nil {
				return err
			}
			if err := s.take(ctx, tx, r.ID, []Interval{to}, active); err != nil {
				return err
			}
			bid := id
			if err := insertSlots(ctx, tx, b.EntityID, r.ID, []slotRow{{BookingID: &bid, Kind: b.BookedForType, OccurrenceStart: original, Interval: to, Active: active}}); err != nil {
				return err
			}
			if ov != nil {
				_, err = tx.ExecContext(ctx, `UPDATE booking_overrides SET start_at = $1, end_at = $2, updated_at = $3 WHERE booking_id = $4 AND original_start = $5`,
					start, end, now, id, original)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO booking_overrides (entity_id, booking_id, original_start, start_at, end_at, status_cd, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, b.EntityID, id, original, start, end, StatusConfirmed, now)
				b.exDates = append(b.exDates, original)
			}
			if err != nil {
				return err
			}
		case b.RecurrenceRule == nil:
			if occurrenceStart != nil && !occurrenceStart.Equal(b.StartDateTime) {
				return apperr.Field("occurrenceStart", "no occurrence of this booking starts at %s", occurrenceStart.UTC().Format(time.RFC3339))
			}
			if !b.EndDateTime.After(now) {
				return apperr.Conflict("the booking has already ended")
			}
			from, to = Interval{Start: b.StartDateTime, End: b.EndDateTime}, Interval{Start: start, End: end}
			if _, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE booking_id = $1`, id); err != nil {
				return err
			}
			if err := s.take(ctx, tx, r.ID, []Interval{to}, active); err != nil {
				return err
			}
			b.StartDateTime, b.EndDateTime = start, end
			if err := insertSlots(ctx, tx, b.EntityID, r.ID, slotsOf(b, []Interval{to})); err != nil {
				return err
			}
		default:
			// The whole series: only before it starts, since moving DTSTART
			// re-derives every occurrence. Per-occurrence changes are dropped.
			if !b.StartDateTime.After(now) {
				return apperr.Conflict("the series has already started: move single occurrences (occurrenceStart) or cancel it and book a new one")
			}
			from = Interval{Start: b.StartDateTime, End: b.EndDateTime}
			b.StartDateTime, b.EndDateTime, b.exDates = start, end, nil
			p, err := planBooking(b, sc.Location, now, s.horizon())
			if err != nil {
				return err
			}
			if !p.series.Contains(start) {
				return apperr.Field("startDateTime", "is not an occurrence of the booking's recurrence rule")
			}
			to = p.occ[0]
			for _, q := range []string{`DELETE FROM booking_slots WHERE booking_id = $1`, `DELETE FROM booking_overrides WHERE booking_id = $1`} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return err
				}
			}
			if err := s.take(ctx, tx, r.ID, p.occ, active); err != nil {
				return err
			}
			if err := insertSlots(ctx, tx, b.EntityID, r.ID, slotsOf(b, p.occ)); err != nil {
				return err
			}
			b.HeldUntil = p.heldUntil
		}
		if err := s.saveSeries(ctx, tx, b, sc, now); err != nil {
			return err
		}
		if out, err = s.getBooking(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.emit(ctx, tx, r, out, "booking.rescheduled", now, eventExtra{Occurrences: []Interval{to}, From: &from, To: &to,
			Scope: map[bool]string{true: "OCCURRENCE", false: "BOOKING"}[occurrenceStart != nil && b.RecurrenceRule != nil]})
	})
	return out, err
}

// take checks that wanted is free on the resource (409 naming the conflicts
// otherwise). Tentative bookings hold nothing and are not checked.
func (s *Service) take(ctx context.Context, tx *store.Tx, resourceID int64, wanted []Interval, active bool) error {
	if !active {
		return nil
	}
	cs, err := conflictsWith(ctx, tx, resourceID, wanted)
	if err != nil {
		return err
	}
	if len(cs) > 0 {
		return conflictError("the resource is already booked at that time", cs)
	}
	return nil
}

// Confirm turns a tentative booking into a confirmed one: its future slots
// become active, which the database checks like a new booking.
func (s *Service) Confirm(ctx context.Context, sc Scope, id int64) (*Booking, error) {
	now := s.Clock.Now()
	var out *Booking
	err := s.inTx(ctx, func(tx *store.Tx) error {
		b, r, err := s.lockBooking(ctx, tx, sc, id, now)
		if err != nil {
			return err
		}
		if b.StatusCd != StatusTentative {
			return apperr.Conflict("only a TENTATIVE booking can be confirmed (it is %s)", displayStatus(b, now))
		}
		if err := bookable(r); err != nil {
			return err
		}
		var wanted []Interval
		rows, err := tx.QueryContext(ctx, `SELECT start_at, end_at FROM booking_slots WHERE booking_id = $1 AND end_at > $2 ORDER BY start_at`, id, now)
		if err != nil {
			return err
		}
		for rows.Next() {
			var iv Interval
			if err := rows.Scan(store.Time(&iv.Start), store.Time(&iv.End)); err != nil {
				rows.Close()
				return err
			}
			wanted = append(wanted, iv)
		}
		rows.Close()
		if len(wanted) == 0 {
			return apperr.Conflict("the booking has no future occurrence to confirm")
		}
		if err := s.take(ctx, tx, r.ID, wanted, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE booking_slots SET active = TRUE WHERE booking_id = $1 AND end_at > $2`, id, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET status_cd = $1 WHERE id = $2`, StatusConfirmed, id); err != nil {
			return err
		}
		if out, err = s.getBooking(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.emit(ctx, tx, r, out, "booking.confirmed", now, eventExtra{Occurrences: firstN(wanted), Scope: "BOOKING"})
	})
	return out, err
}
