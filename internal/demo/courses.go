package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/booking"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/course"
)

// seedCourses adds a weekly timetable on the studios, through the course
// service: the bookings demo's placeholder course series are replaced by real
// courses (which book the rooms themselves); some courses are full with a wait
// list; the last weeks have attendance.
func seedCourses(ctx context.Context, a *app.App, p *auth.Principal, rng *rand.Rand) error {
	sc := course.ScopeOf(p)
	bsc := booking.ScopeOf(p)
	// The bookings demo reserved the studios for courses before courses
	// existed; release those series so the courses can book their own.
	rows, err := a.DB.QueryContext(ctx, `SELECT id FROM resource_bookings WHERE entity_id = $1 AND booked_for_type = 'COURSE'
		AND booked_for_id IS NULL AND status_cd = 'CONFIRMED'`, p.EntityID)
	if err != nil {
		return err
	}
	var placeholders []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		placeholders = append(placeholders, id)
	}
	rows.Close()
	for _, id := range placeholders {
		if _, err := a.Booking.Cancel(ctx, bsc, id, nil); err != nil {
			return fmt.Errorf("release placeholder booking %d: %w", id, err)
		}
	}
	room := map[string]int64{}
	rs, _, err := a.Booking.ListResources(ctx, bsc, booking.TypeRoom, "", 200, 0)
	if err != nil {
		return err
	}
	for _, r := range rs {
		room[r.Name] = r.ID
	}
	var trainer int64
	if err := a.DB.QueryRowContext(ctx, `SELECT id FROM users WHERE email = 'trainer@demo.gatehouse.dev'`).Scan(&trainer); err != nil {
		return err
	}
	str := func(s string) *string { return &s }
	n := func(v int) *int { return &v }
	today := clock.Today(a.Clock.Now(), sc.Location)
	// A term: started three weeks ago, runs for half a year (keeps the
	// demo fast: each course books its sessions up to the term's end).
	start := today.AddDays(-21)
	end := today.AddDays(182)
	type spec struct {
		in         course.CourseInput
		registered int // how many to register (more than capacity fills the wait list)
	}
	mk := func(name, roomName, rule, at string, minutes int, max *int, wait bool, level, cat, instructor string, trainerOwned bool) course.CourseInput {
		in := course.CourseInput{Name: name, RecurrenceRule: rule, StartTime: at, DurationMinutes: minutes, MaxParticipants: max,
			WaitListEnabled: wait, LevelCd: str(level), CategoryCd: str(cat), InstructorName: str(instructor), StartDate: &start, EndDate: &end}
		if id, ok := room[roomName]; ok {
			in.ResourceID = &id
		}
		if trainerOwned {
			in.InstructorUserID = &trainer
		}
		return in
	}
	specs := []spec{
		{mk("Yoga Basics", "Studio A", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "18:00", 60, n(20), true, "BEGINNER", "YOGA", "Mia Wagner", true), 17},
		{mk("CrossFit 7AM", "Studio A", "FREQ=WEEKLY;BYDAY=TU,TH", "07:00", 60, n(12), true, "ADVANCED", "FITNESS", "Jonas Becker", true), 18},
		{mk("Spinning", "Studio B", "FREQ=WEEKLY;BYDAY=MO,WE", "19:30", 45, n(14), false, "ALL_LEVELS", "FITNESS", "Lena Koch", false), 14},
		{mk("Pilates", "Studio B", "FREQ=WEEKLY;BYDAY=SA", "10:00", 60, n(10), true, "INTERMEDIATE", "FITNESS", "Sofia Rossi", false), 14},
		{mk("HIIT Lunch Express", "Studio A", "FREQ=WEEKLY;BYDAY=FR", "12:15", 30, n(16), true, "INTERMEDIATE", "FITNESS", "Jonas Becker", true), 9},
		{mk("Kids Judo", "Studio B", "FREQ=WEEKLY;BYDAY=TU", "16:00", 60, n(12), true, "BEGINNER", "MARTIAL_ARTS", "Kai Nowak", false), 7},
		{mk("Salsa Social", "Studio B", "FREQ=WEEKLY;BYDAY=TH", "20:00", 75, nil, false, "ALL_LEVELS", "DANCE", "Rafael García", false), 11},
		{mk("Sunday Stretch", "Studio A", "FREQ=WEEKLY;BYDAY=SU", "18:00", 45, n(18), false, "ALL_LEVELS", "YOGA", "Mia Wagner", true), 6},
	}
	aqua := mk("Aqua Fit", "", "FREQ=WEEKLY;BYDAY=WE", "09:00", 45, n(15), true, "ALL_LEVELS", "SWIMMING", "Ute Krause", false)
	aqua.StatusCd = course.StatusPaused
	specs = append(specs, spec{aqua, 0})

	// Members with a running contract may register.
	var active []int64
	rows, err = a.DB.QueryContext(ctx, `SELECT DISTINCT member_id FROM contracts WHERE entity_id = $1 AND status_cd = 'ACTIVE'
		AND start_date <= $2 AND (end_date IS NULL OR end_date >= $2) ORDER BY member_id`, p.EntityID, today)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		active = append(active, id)
	}
	rows.Close()
	for _, s := range specs {
		c, err := a.Courses.Create(ctx, sc, s.in, true)
		if err != nil {
			return fmt.Errorf("course %s: %w", s.in.Name, err)
		}
		picked := map[int64]bool{}
		var regs []int64
		for len(regs) < s.registered && len(picked) < len(active) {
			m := active[rng.IntN(len(active))]
			if picked[m] {
				continue
			}
			picked[m] = true
			r, err := a.Courses.Register(ctx, sc, c.ID, m)
			if apperr.Is(err, apperr.KindConflict) {
				continue // full without a wait list
			}
			if err != nil {
				return fmt.Errorf("register for %s: %w", s.in.Name, err)
			}
			if r.Status == course.RegRegistered {
				regs = append(regs, m)
			} else {
				regs = append(regs, 0) // counts towards the target, attends nothing
			}
		}
		// Attendance of the past sessions: most registered members came.
		if c.StatusCd != course.StatusActive {
			continue
		}
		from := start.In(sc.Location)
		now := a.Clock.Now()
		for _, ses := range sessionsBetween(a, sc, c.ID, from, now) {
			var marks []course.AttendanceMark
			for _, m := range regs {
				if m != 0 {
					marks = append(marks, course.AttendanceMark{MemberID: m, Attended: rng.IntN(100) < 78})
				}
			}
			if len(marks) == 0 {
				continue
			}
			if _, err := a.Courses.MarkAttendance(ctx, sc, c.ID, ses, marks); err != nil {
				return fmt.Errorf("attendance for %s on %s: %w", s.in.Name, ses, err)
			}
		}
	}
	return nil
}

// sessionsBetween lists the dates of a course's sessions that have begun in
// [from, now), read from the public schedule week by week.
func sessionsBetween(a *app.App, sc course.Scope, id int64, from, now time.Time) []clock.Date {
	var out []clock.Date
	for d := clock.DateOf(from); d.In(sc.Location).Before(now); d = d.AddDays(7) {
		w, err := a.Courses.WeekSchedule(context.Background(), sc.EntityID, &d)
		if err != nil {
			return out
		}
		for _, e := range w.Sessions {
			if e.CourseID == id && e.Start.Before(now) && !e.Start.Before(from) {
				if day, err := clock.ParseDate(e.Date); err == nil {
					out = append(out, day)
				}
			}
		}
	}
	return out
}
