package booking

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/recur"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Limits of one occurrence.
const (
	MinDuration = time.Minute
	MaxDuration = 31 * 24 * time.Hour
)

// BookingInput is the body of a create.
type BookingInput struct {
	ResourceID     int64     `json:"resourceId" minimum:"1"`
	Title          string    `json:"title" minLength:"1" maxLength:"200"`
	StartDateTime  time.Time `json:"startDateTime" doc:"Start of the (first) occurrence, RFC 3339. For a series it must itself be an occurrence of the rule."`
	EndDateTime    time.Time `json:"endDateTime" doc:"End of the (first) occurrence; every occurrence lasts as long (elapsed time)."`
	RecurrenceRule *string   `json:"recurrenceRule,omitempty" maxLength:"500" doc:"RFC 5545 RRULE (FREQ DAILY…YEARLY, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST …), expanded in the organisation's time zone: 07:00 stays 07:00 across DST."`
	BookedForType  string    `json:"bookedForType" enum:"COURSE,EVENT,MEMBER,MAINTENANCE"`
	BookedForID    *int64    `json:"bookedForId,omitempty" minimum:"1" doc:"The member (MEMBER: required for staff; a MEMBER caller books for itself), course or event."`
	StatusCd       string    `json:"statusCd,omitempty" enum:"CONFIRMED,TENTATIVE" doc:"Default CONFIRMED. TENTATIVE bookings are shown but hold nothing."`
	Notes          *string   `json:"notes,omitempty" maxLength:"500"`
}

func validTimes(start, end time.Time, now time.Time, startField, endField string) []apperr.FieldError {
	var errs []apperr.FieldError
	switch d := end.Sub(start); {
	case start.IsZero():
		errs = append(errs, apperr.FieldError{Field: startField, Message: "is required"})
	case d <= 0:
		errs = append(errs, apperr.FieldError{Field: endField, Message: "must be after " + startField})
	case d < MinDuration:
		errs = append(errs, apperr.FieldError{Field: endField, Message: "an occurrence lasts at least one minute"})
	case d > MaxDuration:
		errs = append(errs, apperr.FieldError{Field: endField, Message: "an occurrence lasts at most 31 days"})
	case !end.After(now):
		errs = append(errs, apperr.FieldError{Field: endField, Message: "is in the past", Value: end.UTC().Format(time.RFC3339)})
	}
	return errs
}

func (s *Service) validateInput(ctx context.Context, sc Scope, in *BookingInput) error {
	now := s.Clock.Now()
	var errs []apperr.FieldError
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len(in.Title) > 200 {
		errs = append(errs, apperr.FieldError{Field: "title", Message: "must be 1–200 characters"})
	}
	in.StartDateTime, in.EndDateTime = in.StartDateTime.UTC().Truncate(time.Second), in.EndDateTime.UTC().Truncate(time.Second)
	errs = append(errs, validTimes(in.StartDateTime, in.EndDateTime, now, "startDateTime", "endDateTime")...)
	if !slices.Contains(BookedForTypes, in.BookedForType) {
		errs = append(errs, apperr.FieldError{Field: "bookedForType", Message: "must be one of " + strings.Join(BookedForTypes, ", "), Value: in.BookedForType})
	}
	switch in.StatusCd {
	case "":
		in.StatusCd = StatusConfirmed
	case StatusConfirmed, StatusTentative:
	default:
		errs = append(errs, apperr.FieldError{Field: "statusCd", Message: "must be CONFIRMED or TENTATIVE", Value: in.StatusCd})
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
	if sc.isMember() {
		// A member books for itself only.
		if in.BookedForType != ForMember {
			return apperr.Forbidden("a member may only book for itself (bookedForType MEMBER)")
		}
		if in.BookedForID != nil && (sc.MemberID == nil || *in.BookedForID != *sc.MemberID) {
			return apperr.Forbidden("a member may only book for itself")
		}
		in.BookedForID = sc.MemberID
	}
	if in.BookedForType == ForMember && len(errs) == 0 {
		if in.BookedForID == nil {
			errs = append(errs, apperr.FieldError{Field: "bookedForId", Message: "a MEMBER booking names the member"})
		} else if ok, err := s.Members.Exists(ctx, sc.EntityID, *in.BookedForID); err != nil {
			return err
		} else if !ok {
			errs = append(errs, apperr.FieldError{Field: "bookedForId", Message: "no such member", Value: *in.BookedForID})
		}
	}
	if len(errs) > 0 {
		return apperr.Invalid("invalid booking: "+describe(errs), errs...)
	}
	return nil
}

// plan is what a booking holds from now on.
type plan struct {
	series    *recur.Series // nil for a single booking
	occ       []Interval    // the occurrences to hold, in order
	heldUntil *time.Time    // unbounded series: materialised up to here
}

// planBooking expands b's occurrences that end after now: all of a single
// booking or bounded series, an unbounded series' up to horizon. Errors name
// the body fields.
func planBooking(b *Booking, loc *time.Location, now, horizon time.Time) (plan, error) {
	if b.RecurrenceRule == nil {
		return plan{occ: []Interval{{Start: b.StartDateTime, End: b.EndDateTime}}}, nil
	}
	ser, err := b.series(loc)
	if err != nil {
		return plan{}, apperr.Invalid("invalid recurrence: "+err.Error(), recurField("recurrenceRule", err))
	}
	p := plan{series: ser}
	limit := horizon
	if ser.Bounded() {
		limit = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	} else {
		h := horizon
		p.heldUntil = &h
	}
	for o := range ser.Occurrences(now) {
		if !o.Start.Before(limit) {
			break
		}
		if len(p.occ) == MaxOccurrences {
			return plan{}, apperr.Field("recurrenceRule", "the series has more than %d occurrences; end it sooner (COUNT/UNTIL) or leave it open-ended (held on a rolling %d-day horizon)",
				MaxOccurrences, int(horizon.Sub(now).Hours()/24))
		}
		p.occ = append(p.occ, Interval(o))
	}
	if a, b2, overlap := SelfOverlap(p.occ); overlap {
		return plan{}, apperr.Field("endDateTime", "occurrences of the series overlap each other (%s and %s)", a.Start.Format(time.RFC3339), b2.Start.Format(time.RFC3339))
	}
	return p, nil
}

// canonicalRule is an optional recurrence rule of a create or update in the
// form it is stored and compared in (sameRule): nil when blank, else
// re-written from its parse.
func canonicalRule(rule *string) (*string, error) {
	if rule == nil || strings.TrimSpace(*rule) == "" {
		return nil, nil
	}
	r, err := recur.Parse(*rule)
	if err != nil {
		return nil, err
	}
	canon := r.String()
	return &canon, nil
}

// planDefinition plans the occurrences of a booking's new definition (on
// create, or when an update changes its times or rule): the start must itself
// be an occurrence of the rule, or the series would not begin where it says.
func (s *Service) planDefinition(b *Booking, loc *time.Location, now time.Time) (plan, error) {
	p, err := planBooking(b, loc, now, s.horizon())
	if err != nil {
		return plan{}, err
	}
	if p.series != nil && !p.series.Contains(b.StartDateTime) {
		next, _ := p.series.Next(b.StartDateTime)
		return plan{}, apperr.Field("startDateTime", "is not an occurrence of recurrenceRule (the next one starts %s)", next.Start.Format(time.RFC3339))
	}
	return p, nil
}

// dropConflicts checks the planned occurrences of a confirmed booking against
// the resource's other bookings (a tentative one holds no slot that could
// clash). A conflict is refused, except that with skipConflicts a series
// leaves the conflicting occurrences out of p (as EXDATEs of b) and returns
// them; it is still refused when nothing would be left.
func dropConflicts(ctx context.Context, tx *store.Tx, b *Booking, resourceID int64, p *plan, skipConflicts bool) ([]Interval, error) {
	skipped := []Interval{}
	if b.StatusCd != StatusConfirmed {
		return skipped, nil
	}
	cs, err := conflictsWith(ctx, tx, resourceID, p.occ)
	if err != nil || len(cs) == 0 {
		return skipped, err
	}
	if !skipConflicts || p.series == nil {
		return nil, conflictError("the resource is already booked at that time", cs)
	}
	bad := map[int64]bool{}
	for _, c := range cs {
		bad[c.Wanted.Start.Unix()] = true
	}
	kept := p.occ[:0:0]
	for _, o := range p.occ {
		if bad[o.Start.Unix()] {
			skipped = append(skipped, o)
			b.exDates = append(b.exDates, o.Start)
		} else {
			kept = append(kept, o)
		}
	}
	if len(kept) == 0 {
		return nil, conflictError("every occurrence of the series conflicts", cs)
	}
	p.occ = kept
	return skipped, nil
}

// overlapRetries is how often a transaction is retried after the database
// refused an overlapping slot that the pre-check could not see yet (a
// concurrent writer committed in between, PostgreSQL only). The retry's
// pre-check sees the winner and answers a precise 409.
const overlapRetries = 3

func (s *Service) inTx(ctx context.Context, fn func(tx *store.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.DB.InTx(ctx, fn)
		if !isOverlap(err) {
			return err
		}
		if attempt == overlapRetries {
			e := apperr.Conflict("the resource was booked concurrently for that time")
			e.Type = "booking-conflict"
			return e.With("conflicts", []ConflictItem{})
		}
	}
}

// CreateBooking books a resource: every occurrence is checked against the
// resource's held slots. With skipConflicts the conflicting occurrences of a
// series are left out (as EXDATEs) and reported in Skipped.
func (s *Service) CreateBooking(ctx context.Context, sc Scope, in BookingInput, skipConflicts bool) (*Created, error) {
	if err := s.validateInput(ctx, sc, &in); err != nil {
		return nil, err
	}
	var out *Created
	err := s.inTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.createInTx(ctx, tx, sc, in, skipConflicts)
		return err
	})
	return out, err
}

// RunInTx runs fn in one database transaction with the booking service's
// overlap handling: when PostgreSQL's exclusion constraint refuses a slot that
// the pre-check could not see yet (a concurrent writer committed in between),
// the whole transaction is rolled back and fn runs again, so its pre-check
// sees the winner and answers a precise 409; after a few attempts it gives up
// with a 409 (booking-conflict). Callers that combine their own writes with
// the *InTx operations below (a course and its booking) run them through
// RunInTx so that everything commits or rolls back together. fn must be
// safe to run more than once (recompute its results on every run).
func (s *Service) RunInTx(ctx context.Context, fn func(tx *store.Tx) error) error {
	return s.inTx(ctx, fn)
}

// CreateBookingInTx is CreateBooking inside the caller's transaction tx (run
// it through RunInTx). Nothing is committed here: a conflict or any later
// error of the caller rolls the booking back with the caller's own writes.
func (s *Service) CreateBookingInTx(ctx context.Context, tx *store.Tx, sc Scope, in BookingInput, skipConflicts bool) (*Created, error) {
	if err := s.validateInput(ctx, sc, &in); err != nil {
		return nil, err
	}
	return s.createInTx(ctx, tx, sc, in, skipConflicts)
}

// createInTx books a validated input inside tx.
func (s *Service) createInTx(ctx context.Context, tx *store.Tx, sc Scope, in BookingInput, skipConflicts bool) (*Created, error) {
	now := s.Clock.Now()
	var out *Created
	err := func() error {
		res, err := s.getResource(ctx, tx, sc, in.ResourceID)
		if store.IsNoRows(err) || apperr.Is(err, apperr.KindNotFound) {
			return apperr.Field("resourceId", "no such resource")
		}
		if err != nil {
			return err
		}
		if err := bookable(res); err != nil {
			return err
		}
		b := &Booking{EntityID: sc.EntityID, ResourceID: res.ID, Title: in.Title, StartDateTime: in.StartDateTime, EndDateTime: in.EndDateTime,
			RecurrenceRule: in.RecurrenceRule, BookedByUserID: sc.UserID, BookedForType: in.BookedForType, BookedForID: in.BookedForID,
			StatusCd: in.StatusCd, Notes: in.Notes, CreatedAt: now, UpdatedAt: now, Version: 1}
		p, err := s.planDefinition(b, sc.Location, now)
		if err != nil {
			return err
		}
		skipped, err := dropConflicts(ctx, tx, b, res.ID, &p, skipConflicts)
		if err != nil {
			return err
		}
		b.HeldUntil = p.heldUntil
		if p.series != nil && p.series.Bounded() || p.series == nil {
			end := p.occ[len(p.occ)-1].End
			b.SeriesEnd = &end
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO resource_bookings (entity_id, resource_id, title, start_at, end_at, first_start, recurrence_rule, ex_dates,
			booked_by_user_id, booked_for_type, booked_for_id, status_cd, notes, series_end, materialised_until, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $4, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
			b.EntityID, b.ResourceID, b.Title, b.StartDateTime, b.EndDateTime, b.RecurrenceRule, formatExDates(b.exDates),
			b.BookedByUserID, b.BookedForType, b.BookedForID, b.StatusCd, b.Notes, b.SeriesEnd, b.HeldUntil, now).Scan(&b.ID); err != nil {
			return err
		}
		if err := insertSlots(ctx, tx, sc.EntityID, res.ID, slotsOf(b, p.occ)); err != nil {
			return err
		}
		b.finish()
		typ := "booking.confirmed"
		if b.StatusCd == StatusTentative {
			typ = "booking.tentative"
		}
		if err := s.emit(ctx, tx, res, b, typ, now, eventExtra{Occurrences: firstN(p.occ), Skipped: skipped}); err != nil {
			return err
		}
		out = &Created{Booking: *b, Skipped: skipped}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// bookable refuses bookings on resources out of service or retired.
func bookable(r *Resource) error {
	switch r.StatusCd {
	case StatusRetired:
		return apperr.Conflict("the resource %q is retired and takes no new bookings", r.Name)
	case StatusMaintenance:
		return apperr.Conflict("the resource %q is out of service (MAINTENANCE) and takes no new bookings", r.Name)
	}
	return nil
}

func slotsOf(b *Booking, occ []Interval) []slotRow {
	rows := make([]slotRow, len(occ))
	for i, o := range occ {
		id := b.ID
		rows[i] = slotRow{BookingID: &id, Kind: b.BookedForType, OccurrenceStart: o.Start, Interval: o, Active: b.StatusCd == StatusConfirmed}
	}
	return rows
}

func firstN(occ []Interval) []Interval {
	const n = 100
	if len(occ) > n {
		return occ[:n]
	}
	if occ == nil {
		return []Interval{}
	}
	return occ
}

const exLayout = "20060102T150405Z"

func formatExDates(ts []time.Time) string {
	s := slices.Clone(ts)
	slices.SortFunc(s, time.Time.Compare)
	s = slices.CompactFunc(s, time.Time.Equal)
	parts := make([]string, len(s))
	for i, t := range s {
		parts[i] = t.UTC().Format(exLayout)
	}
	return strings.Join(parts, ",")
}

func parseExDates(s string) []time.Time {
	var out []time.Time
	for _, p := range strings.Split(s, ",") {
		if t, err := time.Parse(exLayout, p); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// finish fills the JSON-only fields from the internal ones.
func (b *Booking) finish() {
	b.ExDates = make([]string, 0, len(b.exDates))
	for _, t := range b.exDates {
		b.ExDates = append(b.ExDates, t.UTC().Format(time.RFC3339))
	}
	slices.Sort(b.ExDates)
	b.ExDates = slices.Compact(b.ExDates)
	if b.Overrides == nil {
		b.Overrides = []Override{}
	}
}

const bookingCols = `id, entity_id, resource_id, title, start_at, end_at, recurrence_rule, ex_dates, booked_by_user_id, booked_for_type,
	booked_for_id, status_cd, notes, series_end, materialised_until, created_at, updated_at, version`

func scanBooking(sc interface{ Scan(...any) error }) (*Booking, error) {
	var b Booking
	var ex string
	err := sc.Scan(&b.ID, &b.EntityID, &b.ResourceID, &b.Title, store.Time(&b.StartDateTime), store.Time(&b.EndDateTime), &b.RecurrenceRule, &ex,
		&b.BookedByUserID, &b.BookedForType, &b.BookedForID, &b.StatusCd, &b.Notes, store.NullTime(&b.SeriesEnd), store.NullTime(&b.HeldUntil),
		store.Time(&b.CreatedAt), store.Time(&b.UpdatedAt), &b.Version)
	if err != nil {
		return nil, err
	}
	b.exDates = parseExDates(ex)
	return &b, nil
}

// loadOverrides attaches the moved occurrences to the bookings.
func loadOverrides(ctx context.Context, q store.Querier, bs []*Booking) error {
	byID := map[int64]*Booking{}
	var ids []int64
	for _, b := range bs {
		if b.RecurrenceRule != nil {
			byID[b.ID] = b
			ids = append(ids, b.ID)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		ph := make([]string, n)
		args := make([]any, n)
		for i, id := range ids[:n] {
			ph[i] = fmt.Sprintf("$%d", i+1)
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT booking_id, original_start, start_at, end_at, status_cd FROM booking_overrides
			WHERE booking_id IN (`+strings.Join(ph, ",")+`) ORDER BY original_start`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var o Override
			if err := rows.Scan(&id, store.Time(&o.OriginalStart), store.Time(&o.Start), store.Time(&o.End), &o.StatusCd); err != nil {
				rows.Close()
				return err
			}
			byID[id].Overrides = append(byID[id].Overrides, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ids = ids[n:]
	}
	for _, b := range bs {
		b.finish()
	}
	return nil
}

// displayStatus corrects the stored status on read: a confirmed booking whose
// last occurrence has ended is COMPLETED even before the sweeper wrote it.
func displayStatus(b *Booking, now time.Time) string {
	if b.StatusCd == StatusConfirmed && b.SeriesEnd != nil && !b.SeriesEnd.After(now) {
		return StatusCompleted
	}
	return b.StatusCd
}

// getBooking reads a booking of the organisation; a MEMBER caller finds only
// its own (others are 404, as if absent).
func (s *Service) getBooking(ctx context.Context, q store.Querier, sc Scope, id int64) (*Booking, error) {
	b, err := scanBooking(q.QueryRowContext(ctx, `SELECT `+bookingCols+` FROM resource_bookings WHERE id = $1 AND entity_id = $2`, id, sc.EntityID))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("booking")
	}
	if err != nil {
		return nil, err
	}
	if sc.isMember() && !ownedBy(b, sc) {
		return nil, apperr.NotFound("booking")
	}
	if err := loadOverrides(ctx, q, []*Booking{b}); err != nil {
		return nil, err
	}
	return b, nil
}

func ownedBy(b *Booking, sc Scope) bool {
	return b.BookedForType == ForMember && b.BookedForID != nil && sc.MemberID != nil && *b.BookedForID == *sc.MemberID
}

// GetBooking returns one booking with its overrides.
func (s *Service) GetBooking(ctx context.Context, sc Scope, id int64) (*Booking, error) {
	b, err := s.getBooking(ctx, s.DB, sc, id)
	if err != nil {
		return nil, err
	}
	b.StatusCd = displayStatus(b, s.Clock.Now())
	return b, nil
}

// GetBookingInTx is GetBooking reading inside the caller's transaction tx.
func (s *Service) GetBookingInTx(ctx context.Context, tx *store.Tx, sc Scope, id int64) (*Booking, error) {
	b, err := s.getBooking(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	b.StatusCd = displayStatus(b, s.Clock.Now())
	return b, nil
}

// occQuery selects occurrences for the calendar.
type occQuery struct {
	resourceID       *int64
	from, to         time.Time
	includeCancelled bool
}

// MaxWindow bounds a calendar or availability query.
const MaxWindow = 366 * 24 * time.Hour

// Occurrences expands the bookings of the organisation (or of one resource)
// inside [from, to): a series is expanded only inside the window.
func (s *Service) Occurrences(ctx context.Context, sc Scope, resourceID *int64, from, to time.Time, includeCancelled bool) ([]Occurrence, error) {
	if err := checkWindow(from, to); err != nil {
		return nil, err
	}
	if resourceID != nil {
		if _, err := s.getResource(ctx, s.DB, sc, *resourceID); err != nil {
			return nil, err
		}
	}
	return s.occurrences(ctx, sc, occQuery{resourceID: resourceID, from: from, to: to, includeCancelled: includeCancelled})
}

func checkWindow(from, to time.Time) error {
	if !to.After(from) {
		return apperr.Invalid("to must be after from", apperr.FieldError{Field: "to", Message: "must be after from"})
	}
	if to.Sub(from) > MaxWindow {
		return apperr.Invalid("the window is longer than 366 days", apperr.FieldError{Field: "to", Message: "at most 366 days after from"})
	}
	return nil
}

func (s *Service) occurrences(ctx context.Context, sc Scope, q occQuery) ([]Occurrence, error) {
	where := `entity_id = $1 AND first_start < $2 AND (series_end IS NULL OR series_end > $3)`
	args := []any{sc.EntityID, q.to, q.from}
	if q.resourceID != nil {
		args = append(args, *q.resourceID)
		where += ` AND resource_id = $` + itoa(len(args))
	}
	if !q.includeCancelled {
		where += ` AND status_cd <> 'CANCELLED'`
	}
	if sc.isMember() {
		var mid int64 = -1
		if sc.MemberID != nil {
			mid = *sc.MemberID
		}
		args = append(args, mid)
		where += ` AND booked_for_type = 'MEMBER' AND booked_for_id = $` + itoa(len(args))
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+bookingCols+` FROM resource_bookings WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var bs []*Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		bs = append(bs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadOverrides(ctx, s.DB, bs); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := []Occurrence{}
	for _, b := range bs {
		occ, err := expand(b, sc.Location, q.from, q.to, now)
		if err != nil {
			return nil, err
		}
		out = append(out, occ...)
	}
	slices.SortFunc(out, func(a, b Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return int(idOf(a.BookingID) - idOf(b.BookingID))
	})
	return out, nil
}

// expand returns b's occurrences overlapping [from, to), moved ones included.
// The per-occurrence status is corrected on read: a confirmed occurrence that
// has ended is COMPLETED.
func expand(b *Booking, loc *time.Location, from, to, now time.Time) ([]Occurrence, error) {
	mk := func(iv Interval, moved bool) Occurrence {
		st := b.StatusCd
		if st == StatusConfirmed && !iv.End.After(now) {
			st = StatusCompleted
		}
		id := b.ID
		return Occurrence{BookingID: &id, ResourceID: b.ResourceID, Start: iv.Start.UTC(), End: iv.End.UTC(), Title: b.Title,
			BookedForType: b.BookedForType, BookedForID: b.BookedForID, Recurring: b.RecurrenceRule != nil, Moved: moved, StatusCd: st,
			BeyondHorizon: b.HeldUntil != nil && !iv.Start.Before(*b.HeldUntil)}
	}
	win := Interval{Start: from, End: to}
	var out []Occurrence
	if b.RecurrenceRule == nil {
		iv := Interval{Start: b.StartDateTime, End: b.EndDateTime}
		if iv.Overlaps(win) {
			out = append(out, mk(iv, false))
		}
		return out, nil
	}
	ser, err := b.series(loc)
	if err != nil {
		return nil, fmt.Errorf("booking %d: stored series invalid: %w", b.ID, err)
	}
	for _, o := range ser.Between(from, to) {
		out = append(out, mk(Interval(o), false))
	}
	for _, ov := range b.Overrides {
		iv := Interval{Start: ov.Start, End: ov.End}
		if ov.StatusCd == StatusConfirmed && iv.Overlaps(win) {
			o := mk(iv, true)
			o.BeyondHorizon = false // a moved occurrence is always held
			out = append(out, o)
		}
	}
	return out, nil
}
