package course

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/booking"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/recur"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Scope is who is asking (the booking package's scope: organisation, time
// zone, caller).
type Scope = booking.Scope

// ScopeOf builds the scope of an authenticated principal.
func ScopeOf(p *auth.Principal) Scope { return booking.ScopeOf(p) }

// Service manages the courses of one database.
type Service struct {
	DB      *store.DB
	Clock   clock.Clock
	Events  *events.Emitter
	Members *member.Service
	Booking *booking.Service
	Bus     *events.Bus // check-in → attendance (Run)
}

// NewService builds the service.
func NewService(db *store.DB, clk clock.Clock, em *events.Emitter, members *member.Service, bk *booking.Service, bus *events.Bus) *Service {
	return &Service{DB: db, Clock: clk, Events: em, Members: members, Booking: bk, Bus: bus}
}

// CourseInput is the editable part of a course.
type CourseInput struct {
	Name             string      `json:"name" minLength:"1" maxLength:"200"`
	Description      *string     `json:"description,omitempty" maxLength:"2000"`
	InstructorUserID *int64      `json:"instructorUserId,omitempty" minimum:"1" doc:"A TRAINER user of the organisation."`
	InstructorName   *string     `json:"instructorName,omitempty" maxLength:"200" doc:"Display name of the instructor (free text, shown publicly)."`
	ResourceID       *int64      `json:"resourceId,omitempty" minimum:"1" doc:"Room/area: every session is booked on it (bookedForType COURSE)."`
	RecurrenceRule   string      `json:"recurrenceRule" minLength:"1" maxLength:"500" doc:"RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR."`
	StartDate        *clock.Date `json:"startDate,omitempty" doc:"First day the schedule applies; default today."`
	EndDate          *clock.Date `json:"endDate,omitempty" doc:"Last day the schedule applies (inclusive). Not together with COUNT/UNTIL in the rule."`
	StartTime        string      `json:"startTime" pattern:"^[0-2][0-9]:[0-5][0-9]$" doc:"HH:MM local time."`
	DurationMinutes  int         `json:"durationMinutes" minimum:"1" maximum:"1440"`
	MaxParticipants  *int        `json:"maxParticipants,omitempty" minimum:"0" maximum:"100000" doc:"Absent/null = unlimited."`
	WaitListEnabled  bool        `json:"waitListEnabled,omitempty"`
	LevelCd          *string     `json:"levelCd,omitempty" enum:"BEGINNER,INTERMEDIATE,ADVANCED,ALL_LEVELS"`
	CategoryCd       *string     `json:"categoryCd,omitempty" enum:"FITNESS,YOGA,MARTIAL_ARTS,DANCE,SWIMMING,OTHER"`
	StatusCd         string      `json:"statusCd,omitempty" enum:"ACTIVE,PAUSED,CANCELLED" doc:"Default ACTIVE. PAUSED and CANCELLED release the future sessions' bookings; CANCELLED is final."`
	ImageURL         *string     `json:"imageUrl,omitempty" maxLength:"500"`
}

func trimOpt(p *string) *string {
	if p == nil {
		return nil
	}
	v := strings.TrimSpace(*p)
	if v == "" {
		return nil
	}
	return &v
}

func describe(errs []apperr.FieldError) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Field + ": " + e.Message
	}
	return strings.Join(parts, "; ")
}

// normalise validates in (today is the organisation's today).
func (in *CourseInput) normalise(today clock.Date) error {
	var errs []apperr.FieldError
	add := func(f, m string, v any) { errs = append(errs, apperr.FieldError{Field: f, Message: m, Value: v}) }
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		add("name", "must be 1–200 characters", nil)
	}
	in.Description, in.InstructorName, in.ImageURL = trimOpt(in.Description), trimOpt(in.InstructorName), trimOpt(in.ImageURL)
	if in.Description != nil && len(*in.Description) > 2000 {
		add("description", "at most 2000 characters", nil)
	}
	if in.InstructorName != nil && len(*in.InstructorName) > 200 {
		add("instructorName", "at most 200 characters", nil)
	}
	if in.ImageURL != nil {
		u, err := url.Parse(*in.ImageURL)
		if err != nil || !(u.Scheme == "https" || u.Scheme == "http") && !(u.Scheme == "" && strings.HasPrefix(*in.ImageURL, "/")) {
			add("imageUrl", "must be an http(s) URL or a path starting with /", *in.ImageURL)
		}
	}
	if _, _, ok := parseHHMM(in.StartTime); !ok {
		add("startTime", "must be HH:MM (00:00–23:59)", in.StartTime)
	}
	if in.DurationMinutes < 1 || in.DurationMinutes > 1440 {
		add("durationMinutes", "must be 1–1440", in.DurationMinutes)
	}
	if in.MaxParticipants != nil && *in.MaxParticipants < 0 {
		add("maxParticipants", "must not be negative", *in.MaxParticipants)
	}
	if in.LevelCd != nil && !slices.Contains(Levels, *in.LevelCd) {
		add("levelCd", "must be one of "+strings.Join(Levels, ", "), *in.LevelCd)
	}
	if in.CategoryCd != nil && !slices.Contains(Categories, *in.CategoryCd) {
		add("categoryCd", "must be one of "+strings.Join(Categories, ", "), *in.CategoryCd)
	}
	switch in.StatusCd {
	case "":
		in.StatusCd = StatusActive
	case StatusActive, StatusPaused, StatusCancelled:
	default:
		add("statusCd", "must be ACTIVE, PAUSED or CANCELLED", in.StatusCd)
	}
	if in.StartDate == nil {
		d := today
		in.StartDate = &d
	}
	if in.EndDate != nil && in.EndDate.Before(*in.StartDate) {
		add("endDate", "must not be before startDate", in.EndDate.String())
	}
	in.RecurrenceRule = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.RecurrenceRule), "RRULE:"))
	if rule, err := recur.Parse(in.RecurrenceRule); err != nil {
		add("recurrenceRule", recurMessage(err), in.RecurrenceRule)
	} else {
		if in.EndDate != nil && (rule.Count > 0 || !rule.Until.IsZero()) {
			add("endDate", "give either endDate or COUNT/UNTIL in recurrenceRule, not both", in.EndDate.String())
		}
		in.RecurrenceRule = rule.String()
	}
	if len(errs) > 0 {
		return apperr.Invalid("invalid course: "+describe(errs), errs...)
	}
	return nil
}

func recurMessage(err error) string {
	var re *recur.Error
	if errors.As(err, &re) {
		if re.Value != "" {
			return fmt.Sprintf("%s=%q: %s", re.Part, re.Value, re.Reason)
		}
		return re.Part + ": " + re.Reason
	}
	return err.Error()
}

func parseHHMM(s string) (int, int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// series is the course's schedule as a recurrence series in loc: DTSTART is
// startDate at startTime, endDate becomes an UNTIL at the end of that day.
func (c *Course) series(loc *time.Location) (*recur.Series, error) {
	rule, err := recur.Parse(c.RecurrenceRule)
	if err != nil {
		return nil, err
	}
	if c.EndDate != nil && rule.Count == 0 && rule.Until.IsZero() {
		e := c.EndDate
		rule.Until = recur.Until{Kind: recur.UntilLocal, T: time.Date(e.Year, e.Month, e.Day, 23, 59, 59, 0, time.UTC)}
	}
	hh, mm, _ := parseHHMM(c.StartTime)
	return recur.New(recur.Spec{
		Start:    recur.Local{Year: c.StartDate.Year, Month: c.StartDate.Month, Day: c.StartDate.Day, Hour: hh, Minute: mm},
		Duration: time.Duration(c.DurationMinutes) * time.Minute,
		Location: loc,
		Rule:     rule,
		ExDates:  c.ExDates,
	})
}

func sessionOf(o recur.Occurrence, loc *time.Location) CourseSession {
	return CourseSession{SessionDate: clock.DateOf(o.Start.In(loc)), Start: o.Start.UTC(), End: o.End.UTC()}
}

// sessions returns the course's sessions starting in [from, to).
func (c *Course) sessions(loc *time.Location, from, to time.Time, limit int) ([]CourseSession, error) {
	ser, err := c.series(loc)
	if err != nil {
		return nil, err
	}
	out := []CourseSession{}
	for o := range ser.Occurrences(from) {
		if !o.Start.Before(to) || limit > 0 && len(out) >= limit {
			break
		}
		if o.Start.Before(from) {
			continue
		}
		out = append(out, sessionOf(o, loc))
	}
	return out, nil
}

// sessionAt returns the session on a local date, if the schedule has one.
func (c *Course) sessionAt(loc *time.Location, d clock.Date) (CourseSession, bool, error) {
	ser, err := c.series(loc)
	if err != nil {
		return CourseSession{}, false, err
	}
	hh, mm, _ := parseHHMM(c.StartTime)
	at := recur.Local{Year: d.Year, Month: d.Month, Day: d.Day, Hour: hh, Minute: mm}.In(loc)
	if !ser.Contains(at) {
		return CourseSession{}, false, nil
	}
	return CourseSession{SessionDate: d, Start: at.UTC(), End: at.Add(time.Duration(c.DurationMinutes) * time.Minute).UTC()}, true, nil
}

const courseCols = `c.id, c.entity_id, c.name, c.description, c.instructor_user_id, c.instructor_name, c.resource_id, c.booking_id,
	c.recurrence_rule, c.start_date, c.end_date, c.start_time, c.duration_minutes, c.max_participants, c.wait_list_enabled, c.level_cd,
	c.category_cd, c.status_cd, c.image_url, c.ex_dates, c.created_at, c.updated_at, c.version,
	(SELECT COUNT(*) FROM course_registrations r WHERE r.course_id = c.id AND r.status_cd = 'REGISTERED'),
	(SELECT COUNT(*) FROM course_registrations r WHERE r.course_id = c.id AND r.status_cd = 'WAIT_LIST'),
	(SELECT rn.name FROM resources rn WHERE rn.id = c.resource_id)`

func scanCourse(sc interface{ Scan(...any) error }) (*Course, error) {
	var c Course
	var ex string
	var end *clock.Date
	var endRaw any
	err := sc.Scan(&c.ID, &c.EntityID, &c.Name, &c.Description, &c.InstructorUserID, &c.InstructorName, &c.ResourceID, &c.BookingID,
		&c.RecurrenceRule, &c.StartDate, &endRaw, &c.StartTime, &c.DurationMinutes, &c.MaxParticipants, &c.WaitListEnabled, &c.LevelCd,
		&c.CategoryCd, &c.StatusCd, &c.ImageURL, &ex, store.Time(&c.CreatedAt), store.Time(&c.UpdatedAt), &c.Version,
		&c.RegisteredCount, &c.WaitListCount, &c.ResourceName)
	if err != nil {
		return nil, err
	}
	if endRaw != nil {
		end = &clock.Date{}
		if err := end.Scan(endRaw); err != nil {
			return nil, err
		}
	}
	c.EndDate = end
	c.ExDates = parseExDates(ex)
	return &c, nil
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
	out := []time.Time{}
	for _, p := range strings.Split(s, ",") {
		if t, err := time.Parse(exLayout, p); err == nil {
			out = append(out, t)
		}
	}
	return out
}

func (s *Service) get(ctx context.Context, q store.Querier, entityID, id int64) (*Course, error) {
	c, err := scanCourse(q.QueryRowContext(ctx, `SELECT `+courseCols+` FROM courses c WHERE c.id = $1 AND c.entity_id = $2`, id, entityID))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("course")
	}
	return c, err
}

func (s *Service) detail(c *Course, loc *time.Location) (*CourseDetail, error) {
	d := &CourseDetail{Course: *c, NextSessions: []CourseSession{}}
	if c.StatusCd == StatusActive {
		now := s.Clock.Now()
		ns, err := c.sessions(loc, now, now.AddDate(2, 0, 0), 10)
		if err != nil {
			return nil, err
		}
		d.NextSessions = ns
	}
	if c.MaxParticipants != nil {
		f := max(0, *c.MaxParticipants-c.RegisteredCount)
		d.FreeSeats = &f
	}
	return d, nil
}

// Get returns a course with its next sessions.
func (s *Service) Get(ctx context.Context, sc Scope, id int64) (*CourseDetail, error) {
	c, err := s.get(ctx, s.DB, sc.EntityID, id)
	if err != nil {
		return nil, err
	}
	return s.detail(c, sc.Location)
}

// ListFilter narrows List.
type ListFilter struct {
	StatusCd, CategoryCd string
	InstructorUserID     int64
	ResourceID           int64
}

// List lists the organisation's courses.
func (s *Service) List(ctx context.Context, sc Scope, f ListFilter, limit, offset int) ([]Course, int, error) {
	where := `c.entity_id = $1`
	args := []any{sc.EntityID}
	addArg := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(" AND %s = $%d", cond, len(args))
	}
	if f.StatusCd != "" {
		addArg("c.status_cd", f.StatusCd)
	}
	if f.CategoryCd != "" {
		addArg("c.category_cd", f.CategoryCd)
	}
	if f.InstructorUserID > 0 {
		addArg("c.instructor_user_id", f.InstructorUserID)
	}
	if f.ResourceID > 0 {
		addArg("c.resource_id", f.ResourceID)
	}
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM courses c WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	args = append(args, limit, offset)
	rows, err := s.DB.QueryContext(ctx, `SELECT `+courseCols+` FROM courses c WHERE `+where+
		fmt.Sprintf(` ORDER BY c.name, c.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Course{}
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *c)
	}
	return out, total, rows.Err()
}

// checkRefs validates the instructor and resource references.
func (s *Service) checkRefs(ctx context.Context, sc Scope, in *CourseInput) error {
	if in.InstructorUserID != nil {
		var role string
		err := s.DB.QueryRowContext(ctx, `SELECT role FROM users WHERE id = $1 AND entity_id = $2`, *in.InstructorUserID, sc.EntityID).Scan(&role)
		if store.IsNoRows(err) {
			return apperr.Field("instructorUserId", "no such user")
		}
		if err != nil {
			return err
		}
		if auth.Role(role) != auth.Trainer {
			return apperr.Field("instructorUserId", "must be a TRAINER user (is %s)", role)
		}
	}
	if in.ResourceID != nil {
		var st string
		err := s.DB.QueryRowContext(ctx, `SELECT status_cd FROM resources WHERE id = $1 AND entity_id = $2`, *in.ResourceID, sc.EntityID).Scan(&st)
		if store.IsNoRows(err) {
			return apperr.Field("resourceId", "no such resource")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// trainerMayEdit: a TRAINER edits only courses it instructs.
func trainerMayEdit(sc Scope, c *Course) error {
	if sc.Role == auth.Trainer && (c.InstructorUserID == nil || *c.InstructorUserID != sc.UserID) {
		return apperr.Forbidden("a trainer may only change its own courses")
	}
	return nil
}

// Create adds a course and books its resource for every session from now on
// (see book). A conflict is a 409 listing the sessions; with skipConflicts
// the conflicting sessions are left out and listed in Skipped.
func (s *Service) Create(ctx context.Context, sc Scope, in CourseInput, skipConflicts bool) (*CourseSaved, error) {
	now := s.Clock.Now()
	if err := in.normalise(clock.Today(now, sc.Location)); err != nil {
		return nil, err
	}
	if in.StatusCd == StatusCancelled {
		return nil, apperr.Field("statusCd", "a new course cannot be CANCELLED")
	}
	if sc.Role == auth.Trainer && in.InstructorUserID == nil {
		uid := sc.UserID // a trainer's course is its own
		in.InstructorUserID = &uid
	}
	if err := trainerMayEdit(sc, &Course{InstructorUserID: in.InstructorUserID}); err != nil {
		return nil, err
	}
	if err := s.checkRefs(ctx, sc, &in); err != nil {
		return nil, err
	}
	c := courseOf(in)
	if _, err := c.series(sc.Location); err != nil {
		return nil, apperr.Field("recurrenceRule", "%s", recurMessage(err))
	}
	// One transaction: the course row, the booking of its sessions, the link
	// and course.created commit together or not at all. RunInTx retries the
	// whole transaction when PostgreSQL's exclusion constraint refused a slot
	// (a concurrent booking), so the retry's pre-check answers a precise 409.
	var out *CourseSaved
	err := s.Booking.RunInTx(ctx, func(tx *store.Tx) error {
		c := courseOf(in)
		c.EntityID = sc.EntityID
		if err := tx.QueryRowContext(ctx, `INSERT INTO courses (entity_id, name, description, instructor_user_id, instructor_name, resource_id,
			recurrence_rule, start_date, end_date, start_time, duration_minutes, max_participants, wait_list_enabled, level_cd, category_cd,
			status_cd, image_url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
			RETURNING id`, sc.EntityID, c.Name, c.Description, c.InstructorUserID, c.InstructorName, c.ResourceID, c.RecurrenceRule, c.StartDate,
			c.EndDate, c.StartTime, c.DurationMinutes, c.MaxParticipants, c.WaitListEnabled, c.LevelCd, c.CategoryCd, c.StatusCd, c.ImageURL, now).Scan(&c.ID); err != nil {
			return err
		}
		bid, skipped, err := s.book(ctx, tx, sc, c, skipConflicts)
		if err != nil {
			return err
		}
		ex := append(slices.Clone(c.ExDates), starts(skipped)...)
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET booking_id = $1, ex_dates = $2 WHERE id = $3`, bid, formatExDates(ex), c.ID); err != nil {
			return err
		}
		cur, err := s.get(ctx, tx, sc.EntityID, c.ID)
		if err != nil {
			return err
		}
		d, err := s.detail(cur, sc.Location)
		if err != nil {
			return err
		}
		out = &CourseSaved{CourseDetail: *d, Skipped: skipped}
		return s.Events.Emit(ctx, tx, sc.EntityID, "course.created", now, map[string]any{"course": cur, "skipped": skipped})
	})
	if err != nil {
		return nil, sessionConflicts(err, sc.Location)
	}
	return out, nil
}

func starts(ss []CourseSession) []time.Time {
	out := make([]time.Time, len(ss))
	for i, x := range ss {
		out[i] = x.Start
	}
	return out
}

func courseOf(in CourseInput) *Course {
	return &Course{Name: in.Name, Description: in.Description, InstructorUserID: in.InstructorUserID, InstructorName: in.InstructorName,
		ResourceID: in.ResourceID, RecurrenceRule: in.RecurrenceRule, StartDate: *in.StartDate, EndDate: in.EndDate, StartTime: in.StartTime,
		DurationMinutes: in.DurationMinutes, MaxParticipants: in.MaxParticipants, WaitListEnabled: in.WaitListEnabled, LevelCd: in.LevelCd,
		CategoryCd: in.CategoryCd, StatusCd: in.StatusCd, ImageURL: in.ImageURL, ExDates: []time.Time{}}
}

// book books c's resource for every session from now on, through the booking
// service, as one series (bookedForType COURSE, bookedForId the course),
// inside the caller's transaction tx. It returns the booking id (nil when
// there is nothing to book) and the sessions skipped as conflicting. A
// conflict without skipConflicts is a 409 whose conflictingSessions list the
// sessions that collide; the caller's transaction must then roll back.
func (s *Service) book(ctx context.Context, tx *store.Tx, sc Scope, c *Course, skipConflicts bool) (*int64, []CourseSession, error) {
	skipped := []CourseSession{}
	if c.ResourceID == nil || c.StatusCd != StatusActive {
		return nil, skipped, nil
	}
	now := s.Clock.Now()
	ser, err := c.series(sc.Location)
	if err != nil {
		return nil, nil, err
	}
	// The first session that has not ended yet.
	var first recur.Occurrence
	found := false
	for o := range ser.Occurrences(now) {
		if o.End.After(now) {
			first, found = o, true
			break
		}
	}
	if !found {
		return nil, skipped, nil
	}
	rule := ser.Rule()
	if rule.Count > 0 {
		// The booking starts later than the course: COUNT becomes the last
		// session's start, so both produce the same sessions.
		last := ser.End().Add(-time.Duration(c.DurationMinutes) * time.Minute)
		rule.Count, rule.Until = 0, recur.Until{Kind: recur.UntilUTC, T: last.UTC()}
	}
	rs := rule.String()
	title := c.Name
	cid := c.ID
	bsc := sc
	if bsc.Role == auth.Trainer || bsc.Role == "" {
		bsc.Role = auth.Staff // the course books on the trainer's behalf
	}
	res, err := s.Booking.CreateBookingInTx(ctx, tx, bsc, booking.BookingInput{ResourceID: *c.ResourceID, Title: title, StartDateTime: first.Start,
		EndDateTime: first.End, RecurrenceRule: &rs, BookedForType: booking.ForCourse, BookedForID: &cid}, skipConflicts)
	if err != nil {
		return nil, nil, sessionConflicts(err, sc.Location)
	}
	for _, iv := range res.Skipped {
		skipped = append(skipped, CourseSession{SessionDate: clock.DateOf(iv.Start.In(sc.Location)), Start: iv.Start.UTC(), End: iv.End.UTC()})
	}
	id := res.ID
	return &id, skipped, nil
}

// sessionConflicts adds conflictingSessions (the course's sessions that
// collide) to a booking conflict (once: an error that has them is returned
// as it is).
func sessionConflicts(err error, loc *time.Location) error {
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindConflict || ae.Type != "booking-conflict" {
		return err
	}
	if _, done := ae.Extensions["conflictingSessions"]; done {
		return err
	}
	items, _ := ae.Extensions["conflicts"].([]booking.ConflictItem)
	seen := map[int64]bool{}
	sess := []CourseSession{}
	for _, it := range items {
		if seen[it.WantedStart.Unix()] {
			continue
		}
		seen[it.WantedStart.Unix()] = true
		sess = append(sess, CourseSession{SessionDate: clock.DateOf(it.WantedStart.In(loc)), Start: it.WantedStart.UTC(), End: it.WantedEnd.UTC()})
	}
	e := apperr.Conflict("the course's resource is already booked for %d session(s); choose another time or room, or create it with ?skipConflicts=true", len(sess))
	e.Type = "booking-conflict"
	for k, v := range ae.Extensions {
		e.With(k, v)
	}
	return e.With("conflictingSessions", sess)
}

// release cancels the course's booking from now on, inside the caller's
// transaction tx: the booking service frees every slot that has not ended and
// keeps the past ones as history.
func (s *Service) release(ctx context.Context, tx *store.Tx, sc Scope, bookingID *int64) error {
	if bookingID == nil {
		return nil
	}
	bsc := sc
	bsc.Role = auth.Staff
	b, err := s.Booking.GetBookingInTx(ctx, tx, bsc, *bookingID)
	if apperr.Is(err, apperr.KindNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if b.StatusCd != booking.StatusConfirmed && b.StatusCd != booking.StatusTentative {
		return nil // cancelled or completed already
	}
	_, err = s.Booking.CancelInTx(ctx, tx, bsc, *bookingID, nil)
	return err
}

// Update replaces a course's fields if version is current. A changed schedule
// (rule, dates, time, duration, resource) or status re-books the resource:
// the old booking is released from now on and the new schedule booked. All of
// it — the course row, releasing the old booking, booking the new schedule,
// promotions and course.updated — is one transaction: if the new schedule
// conflicts, nothing changes (409 with conflictingSessions; the version stays)
// unless skipConflicts. PAUSED and CANCELLED release the future sessions;
// CANCELLED is final. A raised capacity promotes from the wait list at once.
func (s *Service) Update(ctx context.Context, sc Scope, id, version int64, in CourseInput, skipConflicts bool) (*CourseSaved, error) {
	now := s.Clock.Now()
	if err := in.normalise(clock.Today(now, sc.Location)); err != nil {
		return nil, err
	}
	cur, err := s.get(ctx, s.DB, sc.EntityID, id)
	if err != nil {
		return nil, err
	}
	if err := trainerMayEdit(sc, cur); err != nil {
		return nil, err
	}
	if sc.Role == auth.Trainer && in.InstructorUserID == nil {
		uid := sc.UserID
		in.InstructorUserID = &uid
	}
	if err := trainerMayEdit(sc, &Course{InstructorUserID: in.InstructorUserID}); err != nil {
		return nil, err
	}
	if cur.Version != version {
		return nil, apperr.StaleVersion("the course")
	}
	if err := s.checkRefs(ctx, sc, &in); err != nil {
		return nil, err
	}
	var out *CourseSaved
	err = s.Booking.RunInTx(ctx, func(tx *store.Tx) error {
		// Claim the version: the row lock (PostgreSQL) or the write lock
		// (SQLite) makes a concurrent update wait and then fail with 409.
		res, err := tx.ExecContext(ctx, `UPDATE courses SET version = version + 1, updated_at = $1 WHERE id = $2 AND entity_id = $3 AND version = $4`,
			now, id, sc.EntityID, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.StaleVersion("the course")
		}
		cur, err := s.get(ctx, tx, sc.EntityID, id) // as of the claim
		if err != nil {
			return err
		}
		if cur.StatusCd == StatusCancelled {
			return apperr.Conflict("the course is CANCELLED and cannot be changed")
		}
		next := courseOf(in)
		next.ID, next.EntityID = cur.ID, cur.EntityID
		// Skipped sessions of the past stay skipped; future ones are decided again.
		for _, t := range cur.ExDates {
			if t.Before(now) {
				next.ExDates = append(next.ExDates, t)
			}
		}
		if _, err := next.series(sc.Location); err != nil {
			return apperr.Field("recurrenceRule", "%s", recurMessage(err))
		}
		// A course whose booking is missing (e.g. created before its resource
		// was set) is booked again too.
		rebook := scheduleChanged(cur, next) || cur.BookingID == nil && next.ResourceID != nil && next.StatusCd == StatusActive
		skipped := []CourseSession{}
		bookingID := cur.BookingID
		if rebook {
			if err := s.release(ctx, tx, sc, cur.BookingID); err != nil {
				return err
			}
			bid, sk, err := s.book(ctx, tx, sc, next, skipConflicts)
			if err != nil {
				return err // rolls back the release and the version claim too
			}
			bookingID, skipped = bid, sk
			next.ExDates = append(next.ExDates, starts(skipped)...)
		}
		if _, err := s.lock(ctx, tx, sc.EntityID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE courses SET name = $1, description = $2, instructor_user_id = $3, instructor_name = $4, resource_id = $5,
			booking_id = $6, recurrence_rule = $7, start_date = $8, end_date = $9, start_time = $10, duration_minutes = $11, max_participants = $12,
			wait_list_enabled = $13, level_cd = $14, category_cd = $15, status_cd = $16, image_url = $17, ex_dates = $18, updated_at = $19
			WHERE id = $20`, next.Name, next.Description, next.InstructorUserID, next.InstructorName, next.ResourceID, bookingID, next.RecurrenceRule,
			next.StartDate, next.EndDate, next.StartTime, next.DurationMinutes, next.MaxParticipants, next.WaitListEnabled, next.LevelCd, next.CategoryCd,
			next.StatusCd, next.ImageURL, formatExDates(next.ExDates), now, id); err != nil {
			return err
		}
		upd, err := s.get(ctx, tx, sc.EntityID, id)
		if err != nil {
			return err
		}
		if next.StatusCd == StatusActive {
			if err := s.promote(ctx, tx, upd, now); err != nil {
				return err
			}
			if upd, err = s.get(ctx, tx, sc.EntityID, id); err != nil {
				return err
			}
		}
		d, err := s.detail(upd, sc.Location)
		if err != nil {
			return err
		}
		out = &CourseSaved{CourseDetail: *d, Skipped: skipped}
		return s.Events.Emit(ctx, tx, sc.EntityID, "course.updated", now, map[string]any{"course": upd, "previousStatusCd": cur.StatusCd,
			"rescheduled": rebook, "skipped": skipped})
	})
	if err != nil {
		return nil, sessionConflicts(err, sc.Location)
	}
	return out, nil
}

func scheduleChanged(a, b *Course) bool {
	eq := func(x, y *int64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	eqd := func(x, y *clock.Date) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.StatusCd != b.StatusCd || !eq(a.ResourceID, b.ResourceID) || a.RecurrenceRule != b.RecurrenceRule || a.StartDate != b.StartDate ||
		!eqd(a.EndDate, b.EndDate) || a.StartTime != b.StartTime || a.DurationMinutes != b.DurationMinutes ||
		a.Name != b.Name && a.ResourceID != nil
}
