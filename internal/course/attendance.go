package course

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/store"
)

// AttendanceMark is one line of an attendance sheet.
type AttendanceMark struct {
	MemberID int64 `json:"memberId" minimum:"1"`
	Attended bool  `json:"attended"`
}

// resolveSession finds the course's session on d (422 if it has none).
func (s *Service) resolveSession(c *Course, loc *time.Location, d clock.Date, field string) (CourseSession, error) {
	ses, ok, err := c.sessionAt(loc, d)
	if err != nil {
		return CourseSession{}, err
	}
	if !ok {
		return CourseSession{}, apperr.Field(field, "the course has no session on %s", d)
	}
	return ses, nil
}

// MarkAttendance records who attended a session (the trainer's word wins over
// an automatic check-in mark). Sessions that do not exist, or have not begun
// yet, are refused.
func (s *Service) MarkAttendance(ctx context.Context, sc Scope, courseID int64, day clock.Date, marks []AttendanceMark) (*CourseRoster, error) {
	now := s.Clock.Now()
	c, err := s.get(ctx, s.DB, sc.EntityID, courseID)
	if err != nil {
		return nil, err
	}
	ses, err := s.resolveSession(c, sc.Location, day, "sessionDate")
	if err != nil {
		return nil, err
	}
	if ses.Start.After(now) {
		return nil, apperr.Field("sessionDate", "the session on %s has not started yet", day)
	}
	if len(marks) == 0 {
		return nil, apperr.Field("attendance", "name at least one member")
	}
	seen := map[int64]bool{}
	var errs []apperr.FieldError
	for i, m := range marks {
		f := fmt.Sprintf("attendance[%d].memberId", i)
		if seen[m.MemberID] {
			errs = append(errs, apperr.FieldError{Field: f, Message: "listed twice", Value: m.MemberID})
			continue
		}
		seen[m.MemberID] = true
		ok, err := s.Members.Exists(ctx, sc.EntityID, m.MemberID)
		if err != nil {
			return nil, err
		}
		if !ok {
			errs = append(errs, apperr.FieldError{Field: f, Message: "no such member", Value: m.MemberID})
		}
	}
	if len(errs) > 0 {
		return nil, apperr.Invalid("invalid attendance: "+describe(errs), errs...)
	}
	var uid *int64
	if sc.UserID > 0 {
		u := sc.UserID
		uid = &u
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, m := range marks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO course_attendance (entity_id, course_id, member_id, session_date, attended, source_cd,
				marked_by_user_id, marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (course_id, member_id, session_date) DO UPDATE SET attended = excluded.attended, source_cd = excluded.source_cd,
				marked_by_user_id = excluded.marked_by_user_id, marked_at = excluded.marked_at`,
				sc.EntityID, courseID, m.MemberID, day, m.Attended, SourceTrainer, uid, now); err != nil {
				return err
			}
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "course.attendance", now, map[string]any{"course": courseRef{c.ID, c.Name},
			"sessionDate": day, "attendance": marks})
	})
	if err != nil {
		return nil, err
	}
	return s.roster(ctx, sc, c, ses)
}

// Participants returns the roster of a session: the given date (422 if the
// course has no session then) or, without one, the next session.
func (s *Service) Participants(ctx context.Context, sc Scope, courseID int64, day *clock.Date) (*CourseRoster, error) {
	c, err := s.get(ctx, s.DB, sc.EntityID, courseID)
	if err != nil {
		return nil, err
	}
	var ses CourseSession
	if day != nil {
		if ses, err = s.resolveSession(c, sc.Location, *day, "sessionDate"); err != nil {
			return nil, err
		}
	} else {
		now := s.Clock.Now()
		ss, err := c.sessions(sc.Location, now.Add(-time.Duration(c.DurationMinutes)*time.Minute), now.AddDate(2, 0, 0), 1)
		if err != nil {
			return nil, err
		}
		if len(ss) == 0 {
			return nil, apperr.Field("sessionDate", "the course has no upcoming session; name a sessionDate")
		}
		ses = ss[0]
	}
	return s.roster(ctx, sc, c, ses)
}

func (s *Service) roster(ctx context.Context, sc Scope, c *Course, ses CourseSession) (*CourseRoster, error) {
	out := &CourseRoster{CourseID: c.ID, SessionDate: ses.SessionDate, Start: ses.Start, End: ses.End, MaxParticipants: c.MaxParticipants,
		Participants: []CourseParticipant{}, WaitList: []CourseParticipant{}}
	rows, err := s.DB.QueryContext(ctx, `SELECT m.id, m.first_name, m.last_name, r.id, r.status_cd, a.attended, a.source_cd
		FROM course_registrations r JOIN members m ON m.id = r.member_id
		LEFT JOIN course_attendance a ON a.course_id = r.course_id AND a.member_id = r.member_id AND a.session_date = $2
		WHERE r.course_id = $1 AND r.status_cd IN ('REGISTERED', 'WAIT_LIST') ORDER BY r.seq`, c.ID, ses.SessionDate)
	if err != nil {
		return nil, err
	}
	listed := map[int64]bool{}
	for rows.Next() {
		var p CourseParticipant
		var rid int64
		if err := rows.Scan(&p.MemberID, &p.FirstName, &p.LastName, &rid, &p.Status, &p.Attended, &p.AttendanceSource); err != nil {
			rows.Close()
			return nil, err
		}
		p.RegistrationID = &rid
		listed[p.MemberID] = true
		if p.Status == RegWaitList {
			pos := len(out.WaitList) + 1
			p.WaitListPosition = &pos
			out.WaitList = append(out.WaitList, p)
		} else {
			out.Participants = append(out.Participants, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Attendance of members without an active registration (walk-ins,
	// cancelled since).
	rows, err = s.DB.QueryContext(ctx, `SELECT m.id, m.first_name, m.last_name, a.attended, a.source_cd FROM course_attendance a
		JOIN members m ON m.id = a.member_id WHERE a.course_id = $1 AND a.session_date = $2 ORDER BY m.last_name, m.first_name, m.id`, c.ID, ses.SessionDate)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p CourseParticipant
		if err := rows.Scan(&p.MemberID, &p.FirstName, &p.LastName, &p.Attended, &p.AttendanceSource); err != nil {
			return nil, err
		}
		if !listed[p.MemberID] {
			p.Status = "NONE"
			out.Participants = append(out.Participants, p)
		}
	}
	return out, rows.Err()
}

// CheckInLead is how long before a session a check-in counts as attending it.
const CheckInLead = 30 * time.Minute

type checkInData struct {
	EntityID    int64     `json:"entityId"`
	MemberID    *int64    `json:"memberId"`
	ZoneID      *int64    `json:"zoneId"`
	StatusCd    string    `json:"statusCd"`
	CheckedInAt time.Time `json:"checkedInAt"`
}

// Run marks attendance from check-ins until ctx ends: a GRANTED check-in of a
// REGISTERED member into the zone of a course's resource, from CheckInLead
// before a session until its end, marks the member attended.
func (s *Service) Run(ctx context.Context) {
	if s.Bus == nil {
		return
	}
	sub := s.Bus.Subscribe(func(e events.Event) bool { return e.Type == "checkin.granted" })
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-sub.C:
			if _, err := s.HandleCheckIn(ctx, ev); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "course attendance from check-in", "event", ev.ID, "err", err)
			}
		}
	}
}

// HandleCheckIn applies one checkin.granted event and returns how many
// sessions it marked. It is idempotent (replicas and redeliveries may apply
// the same event again) and never overrides a mark already made: the
// trainer's correction stands.
func (s *Service) HandleCheckIn(ctx context.Context, ev events.Event) (int, error) {
	var d checkInData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return 0, err
	}
	if d.StatusCd != "GRANTED" || d.MemberID == nil || d.ZoneID == nil {
		return 0, nil
	}
	entityID := ev.EntityID
	rows, err := s.DB.QueryContext(ctx, `SELECT `+courseCols+` FROM courses c JOIN resources res ON res.id = c.resource_id
		JOIN course_registrations reg ON reg.course_id = c.id AND reg.member_id = $3 AND reg.status_cd = 'REGISTERED'
		WHERE c.entity_id = $1 AND res.zone_id = $2 AND c.status_cd = 'ACTIVE'`, entityID, *d.ZoneID, *d.MemberID)
	if err != nil {
		return 0, err
	}
	var cs []*Course
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(cs) == 0 {
		return 0, nil // most check-ins: the member has no course at that zone
	}
	var tz string
	if err := s.DB.QueryRowContext(ctx, `SELECT timezone FROM entities WHERE id = $1`, entityID).Scan(&tz); err != nil {
		return 0, err
	}
	loc, err := clock.Location(tz)
	if err != nil {
		return 0, err
	}
	at := d.CheckedInAt
	marked := 0
	for _, c := range cs {
		dur := time.Duration(c.DurationMinutes) * time.Minute
		ss, err := c.sessions(loc, at.Add(-dur), at.Add(CheckInLead+time.Second), 0)
		if err != nil {
			return marked, err
		}
		for _, ses := range ss {
			if at.Before(ses.Start.Add(-CheckInLead)) || !at.Before(ses.End) {
				continue
			}
			err := s.DB.InTx(ctx, func(tx *store.Tx) error {
				res, err := tx.ExecContext(ctx, `INSERT INTO course_attendance (entity_id, course_id, member_id, session_date, attended, source_cd, marked_at)
					VALUES ($1, $2, $3, $4, TRUE, $5, $6) ON CONFLICT (course_id, member_id, session_date) DO NOTHING`,
					entityID, c.ID, *d.MemberID, ses.SessionDate, SourceCheckIn, s.Clock.Now())
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 1 {
					marked++
					return s.Events.Emit(ctx, tx, entityID, "course.attendance", s.Clock.Now(), map[string]any{"course": courseRef{c.ID, c.Name},
						"sessionDate": ses.SessionDate, "attendance": []AttendanceMark{{MemberID: *d.MemberID, Attended: true}}, "source": SourceCheckIn, "checkinEventId": ev.ID})
				}
				return nil
			})
			if err != nil {
				return marked, err
			}
		}
	}
	return marked, nil
}
