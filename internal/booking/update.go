package booking

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/recur"
	"github.com/gatehouse/gatehouse/internal/store"
)

// BookingUpdate is the body of PUT /api/bookings/{id}: the booking as it
// should be from now on.
type BookingUpdate struct {
	Title          string    `json:"title" minLength:"1" maxLength:"200"`
	Notes          *string   `json:"notes,omitempty" maxLength:"500"`
	RecurrenceRule *string   `json:"recurrenceRule,omitempty" maxLength:"500" doc:"The series' RRULE; absent or empty: a single booking. A changed rule or time applies from startDateTime on (see docs/bookings.md, editing)."`
	StartDateTime  time.Time `json:"startDateTime" doc:"Start of the (first) occurrence. Unchanged: only title, notes and booked-for change. For a series that has started, a new rule or time needs a start from now on (the first occurrence of the new definition)."`
	EndDateTime    time.Time `json:"endDateTime"`
	BookedForType  string    `json:"bookedForType,omitempty" enum:"COURSE,EVENT,MEMBER,MAINTENANCE" doc:"Default: unchanged."`
	BookedForID    *int64    `json:"bookedForId,omitempty" minimum:"1" doc:"Default: unchanged (when bookedForType is unchanged)."`
	Version        int64     `json:"version" minimum:"1" doc:"The version you read; a stale one answers 409."`
}

// Updated is the answer of an update: the booking, what was skipped, and the
// booking that keeps the occurrences that had already started when a started
// series was changed.
type Updated struct {
	Booking
	Skipped          []Interval `json:"skipped" nullable:"false" doc:"With ?skipConflicts=true: the occurrences left out because they conflicted."`
	HistoryBookingID *int64     `json:"historyBookingId" required:"true" nullable:"true" doc:"Set when a started series got a new rule or time: the occurrences that had started before the change stay, unchanged, in this (new) booking."`
}

func sameRule(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// Update edits a booking. Title, notes and booked-for change in place
// (booking.updated). A new rule or time re-materialises the booking's future
// occurrences in one transaction, checked like a create (409 with conflicts
// and nothing changed, or with skipConflicts the conflicting occurrences
// left out): booking.rescheduled. A series that has already started is split:
// the occurrences that started before now move, unchanged and with their
// overrides and slots, to a new history booking; the edited booking keeps its
// id and holds the new definition from startDateTime on. Per-occurrence moves
// and cancellations of the future are dropped.
func (s *Service) Update(ctx context.Context, sc Scope, id int64, in BookingUpdate, skipConflicts bool) (*Updated, error) {
	now := s.Clock.Now()
	var errs []apperr.FieldError
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len(in.Title) > 200 {
		errs = append(errs, apperr.FieldError{Field: "title", Message: "must be 1–200 characters"})
	}
	in.Notes = trimOpt(in.Notes)
	if in.Notes != nil && len(*in.Notes) > 500 {
		errs = append(errs, apperr.FieldError{Field: "notes", Message: "at most 500 characters"})
	}
	if rule, err := canonicalRule(in.RecurrenceRule); err != nil {
		errs = append(errs, recurField("recurrenceRule", err))
	} else {
		in.RecurrenceRule = rule
	}
	if in.BookedForType != "" && !slices.Contains(BookedForTypes, in.BookedForType) {
		errs = append(errs, apperr.FieldError{Field: "bookedForType", Message: "must be one of " + strings.Join(BookedForTypes, ", "), Value: in.BookedForType})
	}
	in.StartDateTime, in.EndDateTime = in.StartDateTime.UTC().Truncate(time.Second), in.EndDateTime.UTC().Truncate(time.Second)
	if in.StartDateTime.IsZero() {
		errs = append(errs, apperr.FieldError{Field: "startDateTime", Message: "is required"})
	}
	if len(errs) > 0 {
		return nil, apperr.Invalid("invalid booking: "+describe(errs), errs...)
	}
	var out *Updated
	err := s.inTx(ctx, func(tx *store.Tx) error {
		out = nil
		b, r, err := s.lockBooking(ctx, tx, sc, id, now)
		if err != nil {
			return err
		}
		if b.Version != in.Version+1 {
			return apperr.StaleVersion("the booking")
		}
		if err := changeable(b, now); err != nil {
			return err
		}
		// Booked for: unchanged unless given.
		forType, forID := b.BookedForType, b.BookedForID
		if in.BookedForType != "" && in.BookedForType != b.BookedForType {
			forType, forID = in.BookedForType, in.BookedForID
		} else if in.BookedForID != nil {
			forID = in.BookedForID
		}
		if forType != ForMember {
			if in.BookedForType != "" && in.BookedForType != b.BookedForType && in.BookedForID == nil {
				forID = nil
			}
		} else if forID == nil {
			return apperr.Field("bookedForId", "a MEMBER booking names the member")
		} else if b.BookedForID == nil || *forID != *b.BookedForID {
			ok, err := s.Members.Exists(ctx, sc.EntityID, *forID)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.Field("bookedForId", "no such member")
			}
		}
		old := *b
		timesChanged := !in.StartDateTime.Equal(old.StartDateTime) || !in.EndDateTime.Equal(old.EndDateTime) || !sameRule(in.RecurrenceRule, old.RecurrenceRule)
		res := &Updated{Skipped: []Interval{}}
		if timesChanged {
			if errs := validTimes(in.StartDateTime, in.EndDateTime, now, "startDateTime", "endDateTime"); len(errs) > 0 {
				return apperr.Invalid("invalid booking: "+describe(errs), errs...)
			}
			if err := bookable(r); err != nil {
				return err
			}
			// Split off what has started (before the fields change: the
			// history keeps the old title and booked-for too).
			if old.RecurrenceRule != nil && old.StartDateTime.Before(now) {
				if in.StartDateTime.Before(now) {
					return apperr.Field("startDateTime", "the series has started: the changed series must start from now on (past occurrences stay as they were)")
				}
				hid, err := s.splitHistory(ctx, tx, sc, &old, now)
				if err != nil {
					return err
				}
				res.HistoryBookingID = hid
			}
		}
		b.Title, b.Notes, b.BookedForType, b.BookedForID = in.Title, in.Notes, forType, forID
		if forType != old.BookedForType {
			if _, err := tx.ExecContext(ctx, `UPDATE booking_slots SET kind = $1 WHERE booking_id = $2`, forType, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET title = $1, notes = $2, booked_for_type = $3, booked_for_id = $4 WHERE id = $5`,
			b.Title, b.Notes, b.BookedForType, b.BookedForID, id); err != nil {
			return err
		}
		if !timesChanged {
			if res.Booking, err = s.reread(ctx, tx, sc, id, now); err != nil {
				return err
			}
			out = res
			return s.emit(ctx, tx, r, &res.Booking, "booking.updated", now, eventExtra{Scope: "BOOKING"})
		}
		// Replace the definition from here on: the remaining slots and
		// overrides of this booking are all in the future and are dropped.
		for _, q := range []string{`DELETE FROM booking_slots WHERE booking_id = $1`, `DELETE FROM booking_overrides WHERE booking_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		b.StartDateTime, b.EndDateTime, b.RecurrenceRule, b.exDates, b.Overrides = in.StartDateTime, in.EndDateTime, in.RecurrenceRule, nil, nil
		p, err := s.planDefinition(b, sc.Location, now)
		if err != nil {
			return err
		}
		if len(p.occ) == 0 {
			return apperr.Field("recurrenceRule", "the series has no occurrence from now on")
		}
		if res.Skipped, err = dropConflicts(ctx, tx, b, r.ID, &p, skipConflicts); err != nil {
			return err
		}
		if err := insertSlots(ctx, tx, b.EntityID, r.ID, slotsOf(b, p.occ)); err != nil {
			return err
		}
		b.HeldUntil = p.heldUntil
		if _, err := tx.ExecContext(ctx, `UPDATE resource_bookings SET recurrence_rule = $1 WHERE id = $2`, b.RecurrenceRule, id); err != nil {
			return err
		}
		if err := s.saveSeries(ctx, tx, b, sc, now); err != nil {
			return err
		}
		if res.Booking, err = s.reread(ctx, tx, sc, id, now); err != nil {
			return err
		}
		out = res
		from, to := Interval{Start: old.StartDateTime, End: old.EndDateTime}, p.occ[0]
		return s.emit(ctx, tx, r, &res.Booking, "booking.rescheduled", now, eventExtra{Occurrences: firstN(p.occ), Skipped: res.Skipped,
			From: &from, To: &to, Scope: "BOOKING"})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) reread(ctx context.Context, tx *store.Tx, sc Scope, id int64, now time.Time) (Booking, error) {
	b, err := s.getBooking(ctx, tx, sc, id)
	if err != nil {
		return Booking{}, err
	}
	b.StatusCd = displayStatus(b, now)
	return *b, nil
}

// splitHistory moves the occurrences of a started series that began before
// now into a new booking with the old definition, ended by UNTIL at the last
// of them; their slots and overrides go with them. It returns the new
// booking's id, or nil when nothing had started after all.
func (s *Service) splitHistory(ctx context.Context, tx *store.Tx, sc Scope, old *Booking, now time.Time) (*int64, error) {
	ser, err := old.series(sc.Location)
	if err != nil {
		return nil, err
	}
	rule, err := recur.Parse(*old.RecurrenceRule)
	if err != nil {
		return nil, err
	}
	// The last regular occurrence that started before now (EXDATEs excluded,
	// so that UNTIL does not fall on a removed one needlessly).
	var last time.Time
	for _, o := range ser.Between(old.StartDateTime, now) {
		if o.Start.Before(now) {
			last = o.Start
		}
	}
	ex := []time.Time{}
	if last.IsZero() {
		started := false
		for _, ov := range old.Overrides {
			started = started || ov.Start.Before(now)
		}
		if !started {
			return nil, nil
		}
		// Only moved occurrences have started: the history's own series is
		// its (excluded) first occurrence.
		last = old.StartDateTime
		ex = append(ex, last)
	}
	rule.Count, rule.Until = 0, recur.Until{Kind: recur.UntilUTC, T: last.UTC()}
	histRule := rule.String()
	h := *old
	h.RecurrenceRule = &histRule
	for _, t := range old.exDates {
		if !t.After(last) {
			ex = append(ex, t)
		}
	}
	h.exDates = ex
	hser, err := h.series(sc.Location)
	if err != nil {
		return nil, err
	}
	end := hser.End()
	for _, ov := range old.Overrides {
		if ov.Start.Before(now) && ov.StatusCd == StatusConfirmed && ov.End.After(end) {
			end = ov.End
		}
	}
	if end.IsZero() {
		end = old.EndDateTime
	}
	status := old.StatusCd
	if status == StatusConfirmed && !end.After(now) {
		status = StatusCompleted
	}
	first := old.StartDateTime
	for _, ov := range old.Overrides {
		if ov.Start.Before(now) && ov.StatusCd == StatusConfirmed && ov.Start.Before(first) {
			first = ov.Start
		}
	}
	var hid int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO resource_bookings (entity_id, resource_id, title, start_at, end_at, first_start, recurrence_rule, ex_dates,
		booked_by_user_id, booked_for_type, booked_for_id, status_cd, notes, series_end, materialised_until, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16) RETURNING id`,
		old.EntityID, old.ResourceID, old.Title, old.StartDateTime, old.EndDateTime, first, histRule, formatExDates(ex),
		old.BookedByUserID, old.BookedForType, old.BookedForID, status, old.Notes, end, old.CreatedAt, now).Scan(&hid); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE booking_slots SET booking_id = $1 WHERE booking_id = $2 AND start_at < $3`, hid, old.ID, now); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE booking_overrides SET booking_id = $1 WHERE booking_id = $2 AND start_at < $3`, hid, old.ID, now); err != nil {
		return nil, err
	}
	return &hid, nil
}
