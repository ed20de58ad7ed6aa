package course

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/recur"
	"github.com/gatehouse/gatehouse/internal/store"
)

// publicCourse is a course with what the public schedule may show.
type publicCourse struct {
	*Course
	room *string
}

// orgScope reads an organisation's time zone (404 if it does not exist).
func (s *Service) orgScope(ctx context.Context, entityID int64) (Scope, string, error) {
	sc, tz, _, err := s.org(ctx, entityID)
	return sc, tz, err
}

// org reads an organisation's time zone and name (404 if it does not exist).
func (s *Service) org(ctx context.Context, entityID int64) (Scope, string, string, error) {
	var tz, name string
	err := s.DB.QueryRowContext(ctx, `SELECT timezone, name FROM entities WHERE id = $1`, entityID).Scan(&tz, &name)
	if store.IsNoRows(err) {
		return Scope{}, "", "", apperr.NotFound("organisation")
	}
	if err != nil {
		return Scope{}, "", "", err
	}
	loc, err := clock.Location(tz)
	return Scope{EntityID: entityID, Location: loc}, tz, name, err
}

func (s *Service) activeCourses(ctx context.Context, entityID int64) ([]publicCourse, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+courseCols+` FROM courses c
		WHERE c.entity_id = $1 AND c.status_cd = 'ACTIVE' ORDER BY c.start_time, c.name, c.id`, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []publicCourse
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, publicCourse{Course: c, room: c.ResourceName})
	}
	return out, rows.Err()
}

type scanExtra struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (x scanExtra) Scan(dst ...any) error { return x.sc.Scan(append(dst, x.extra...)...) }

// WeekSchedule returns the sessions of the ISO week containing day (default
// this week) of every ACTIVE course: public, no personal data.
func (s *Service) WeekSchedule(ctx context.Context, entityID int64, day *clock.Date) (*CourseSchedule, error) {
	sc, tz, orgName, err := s.org(ctx, entityID)
	if err != nil {
		return nil, err
	}
	d := clock.Today(s.Clock.Now(), sc.Location)
	if day != nil {
		d = *day
	}
	wd := int(d.In(time.UTC).Weekday()+6) % 7 // Monday = 0
	mon := d.AddDays(-wd)
	from, to := mon.In(sc.Location), mon.AddDays(7).In(sc.Location)
	cs, err := s.activeCourses(ctx, entityID)
	if err != nil {
		return nil, err
	}
	out := &CourseSchedule{EntityID: entityID, OrganisationName: orgName, Timezone: tz, WeekStart: mon.String(), WeekEnd: mon.AddDays(6).String(), Sessions: []CourseScheduleEntry{}}
	for _, pc := range cs {
		ss, err := pc.sessions(sc.Location, from, to, 0)
		if err != nil {
			return nil, err
		}
		for _, ses := range ss {
			e := CourseScheduleEntry{CourseID: pc.ID, CourseName: pc.Name, Date: ses.SessionDate.String(), StartTime: ses.Start.In(sc.Location).Format("15:04"),
				EndTime: ses.End.In(sc.Location).Format("15:04"), Start: ses.Start, End: ses.End, DurationMinutes: pc.DurationMinutes, Room: pc.room,
				Instructor: pc.InstructorName, LevelCd: pc.LevelCd, CategoryCd: pc.CategoryCd, MaxParticipants: pc.MaxParticipants,
				WaitListEnabled: pc.WaitListEnabled}
			if pc.MaxParticipants != nil {
				f := max(0, *pc.MaxParticipants-pc.RegisteredCount)
				e.FreeSeats = &f
			}
			out.Sessions = append(out.Sessions, e)
		}
	}
	sortEntries(out.Sessions)
	return out, nil
}

func sortEntries(es []CourseScheduleEntry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && (es[j].Start.Before(es[j-1].Start) || es[j].Start.Equal(es[j-1].Start) && es[j].CourseID < es[j-1].CourseID); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// PublicFeed is the organisation's public iCalendar feed: every ACTIVE
// course as a recurring VEVENT (RRULE, EXDATE) in the organisation's zone.
func (s *Service) PublicFeed(ctx context.Context, entityID int64) ([]byte, error) {
	sc, tz, err := s.orgScope(ctx, entityID)
	if err != nil {
		return nil, err
	}
	cs, err := s.activeCourses(ctx, entityID)
	if err != nil {
		return nil, err
	}
	return renderICS(cs, sc.Location, tz, s.Clock.Now(), fmt.Sprintf("Courses %d", entityID))
}

// MemberFeed is a member's own courses as iCalendar.
func (s *Service) MemberFeed(ctx context.Context, sc Scope, memberID int64) ([]byte, error) {
	mine, err := s.MyCourses(ctx, sc, memberID)
	if err != nil {
		return nil, err
	}
	_, tz, err := s.orgScope(ctx, sc.EntityID)
	if err != nil {
		return nil, err
	}
	var cs []publicCourse
	for i := range mine {
		if mine[i].Registration.Status == RegRegistered && mine[i].Course.StatusCd == StatusActive {
			c := mine[i].Course
			cs = append(cs, publicCourse{Course: &c, room: c.ResourceName})
		}
	}
	return renderICS(cs, sc.Location, tz, s.Clock.Now(), "My courses")
}

func renderICS(cs []publicCourse, loc *time.Location, tz string, now time.Time, name string) ([]byte, error) {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Gatehouse//Courses//EN")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:" + escape(name))
	line("X-WR-TIMEZONE:" + tz)
	lo, hi := now.AddDate(-1, 0, 0), now.AddDate(3, 0, 0)
	for _, pc := range cs {
		if t := pc.StartDate.In(loc); t.Before(lo) {
			lo = t
		}
	}
	writeVTimezone(line, loc, tz, lo, hi)
	stamp := now.UTC().Format("20060102T150405Z")
	for _, pc := range cs {
		ser, err := pc.series(loc)
		if err != nil {
			return nil, err
		}
		first, ok := ser.Next(pc.StartDate.In(loc).Add(-time.Second))
		if !ok {
			continue
		}
		rule := ser.Rule()
		switch rule.Until.Kind {
		case recur.UntilLocal, recur.UntilDate:
			// With a zoned DTSTART, RFC 5545 wants UNTIL in UTC.
			u := rule.Until.T
			if rule.Until.Kind == recur.UntilDate {
				u = time.Date(u.Year(), u.Month(), u.Day(), 23, 59, 59, 0, time.UTC)
			}
			rule.Until = recur.Until{Kind: recur.UntilUTC, T: recur.LocalOf(u).In(loc).UTC()}
		}
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:course-%d@gatehouse", pc.ID))
		line("DTSTAMP:" + stamp)
		line("DTSTART;TZID=" + tz + ":" + first.Start.In(loc).Format("20060102T150405"))
		line(fmt.Sprintf("DURATION:PT%dM", pc.DurationMinutes))
		line("RRULE:" + rule.String())
		if len(pc.ExDates) > 0 {
			parts := make([]string, len(pc.ExDates))
			for i, t := range pc.ExDates {
				parts[i] = t.UTC().Format("20060102T150405Z")
			}
			line("EXDATE:" + strings.Join(parts, ","))
		}
		line("SUMMARY:" + escape(pc.Name))
		if pc.room != nil {
			line("LOCATION:" + escape(*pc.room))
		}
		desc := []string{}
		if pc.InstructorName != nil {
			desc = append(desc, "Instructor: "+*pc.InstructorName)
		}
		if pc.LevelCd != nil {
			desc = append(desc, "Level: "+*pc.LevelCd)
		}
		if len(desc) > 0 {
			line("DESCRIPTION:" + escape(strings.Join(desc, "\n")))
		}
		if pc.CategoryCd != nil {
			line("CATEGORIES:" + escape(*pc.CategoryCd))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String()), nil
}

// writeVTimezone writes the zone's offset changes between lo and hi as
// STANDARD/DAYLIGHT observances (one per transition, no rules needed).
func writeVTimezone(line func(string), loc *time.Location, tz string, lo, hi time.Time) {
	line("BEGIN:VTIMEZONE")
	line("TZID:" + tz)
	name0, off0 := lo.In(loc).Zone()
	n := 0
	prevOff := off0
	for t := lo; t.Before(hi); t = t.Add(24 * time.Hour) {
		next := t.Add(24 * time.Hour)
		_, off := next.In(loc).Zone()
		if off == prevOff {
			continue
		}
		a, z := t, next // the change is in (a, z]
		for z.Sub(a) > time.Second {
			m := a.Add(z.Sub(a) / 2)
			if _, o := m.In(loc).Zone(); o == prevOff {
				a = m
			} else {
				z = m
			}
		}
		name, _ := z.In(loc).Zone()
		kind := "STANDARD"
		if z.In(loc).IsDST() {
			kind = "DAYLIGHT"
		}
		line("BEGIN:" + kind)
		line("DTSTART:" + z.In(time.FixedZone("", prevOff)).Format("20060102T150405"))
		line("TZOFFSETFROM:" + offset(prevOff))
		line("TZOFFSETTO:" + offset(off))
		line("TZNAME:" + name)
		line("END:" + kind)
		prevOff = off
		n++
	}
	if n == 0 {
		line("BEGIN:STANDARD")
		line("DTSTART:19700101T000000")
		line("TZOFFSETFROM:" + offset(off0))
		line("TZOFFSETTO:" + offset(off0))
		line("TZNAME:" + name0)
		line("END:STANDARD")
	}
	line("END:VTIMEZONE")
}

func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
}

func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)
	return r.Replace(s)
}

// fold splits a content line into 75-octet pieces (RFC 5545 §3.1), never
// inside a UTF-8 sequence, and ends it with CRLF.
func fold(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		l := len(string(r))
		if n+l > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += l
	}
	b.WriteString("\r\n")
	return b.String()
}
