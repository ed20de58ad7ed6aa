package course

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/store"
)

// lock takes the course's registration lock and returns the next
// registration number. It is an UPDATE of the course row: on PostgreSQL it
// holds the row lock until the transaction ends, so registration changes of
// one course queue one after the other across every replica; on SQLite the
// immediate transaction already holds the database's single write lock. Every
// statement after it (READ COMMITTED on PostgreSQL) sees what the previous
// holder committed. See docs/courses.md, "Why promotion happens exactly once".
func (s *Service) lock(ctx context.Context, tx *store.Tx, entityID, id int64) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE courses SET registration_seq = registration_seq + 1 WHERE id = $1 AND entity_id = $2
		RETURNING registration_seq`, id, entityID).Scan(&seq)
	if store.IsNoRows(err) {
		return 0, apperr.NotFound("course")
	}
	return seq, err
}

const regCols = `id, course_id, member_id, status_cd, registered_at, promoted_at, cancelled_at, seq`

func scanReg(sc interface{ Scan(...any) error }) (*CourseRegistration, error) {
	var r CourseRegistration
	err := sc.Scan(&r.ID, &r.CourseID, &r.MemberID, &r.Status, store.Time(&r.RegisteredAt), store.NullTime(&r.PromotedAt),
		store.NullTime(&r.CancelledAt), &r.seq)
	return &r, err
}

// withPosition fills the wait-list position: 1 + the number of WAIT_LIST
// registrations of the course registered before r.
func withPosition(ctx context.Context, q store.Querier, r *CourseRegistration) error {
	if r.Status != RegWaitList {
		r.WaitListPosition = nil
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM course_registrations WHERE course_id = $1 AND status_cd = 'WAIT_LIST' AND seq < $2`,
		r.CourseID, r.seq).Scan(&n); err != nil {
		return err
	}
	p := n + 1
	r.WaitListPosition = &p
	return nil
}

func selfOnly(sc Scope, memberID int64) error {
	if sc.Role == auth.Member && (sc.MemberID == nil || *sc.MemberID != memberID) {
		return apperr.Forbidden("a member may only register or cancel itself")
	}
	return nil
}

type regEvent struct {
	CourseRegistration *CourseRegistration `json:"registration"`
	Course             courseRef           `json:"course"`
	Reason             string              `json:"reason,omitempty"`
}

type courseRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Register registers a member: REGISTERED while seats are free, else
// WAIT_LIST (when enabled) or 409. Only members with an active contract; at
// most one active registration per member and course.
func (s *Service) Register(ctx context.Context, sc Scope, courseID, memberID int64) (*CourseRegistration, error) {
	if err := selfOnly(sc, memberID); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var out *CourseRegistration
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		seq, err := s.lock(ctx, tx, sc.EntityID, courseID)
		if err != nil {
			return err
		}
		c, err := s.get(ctx, tx, sc.EntityID, courseID)
		if err != nil {
			return err
		}
		if c.StatusCd != StatusActive {
			return apperr.Conflict("the course is %s and takes no registrations", c.StatusCd)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = $1 AND entity_id = $2`, memberID, sc.EntityID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Field("memberId", "no such member")
		}
		ac, err := s.Members.ActiveContract(ctx, tx, member.Scope{EntityID: sc.EntityID, Location: sc.Location}, memberID)
		if err != nil {
			return err
		}
		if ac == nil {
			e := apperr.Conflict("the member has no active contract (status ACTIVE and today within its dates); only members with an active contract may register")
			e.Type = "contract-inactive"
			return e
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM course_registrations WHERE course_id = $1 AND member_id = $2
			AND status_cd IN ('REGISTERED', 'WAIT_LIST')`, courseID, memberID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Duplicate("memberId", "the member is already registered or on the wait list for this course")
		}
		status := RegRegistered
		if c.MaxParticipants != nil && c.RegisteredCount >= *c.MaxParticipants {
			if !c.WaitListEnabled {
				e := apperr.Conflict("the course is full (%d of %d seats taken) and has no wait list", c.RegisteredCount, *c.MaxParticipants)
				e.Type = "course-full"
				return e
			}
			status = RegWaitList
		}
		r, err := scanReg(tx.QueryRowContext(ctx, `INSERT INTO course_registrations (entity_id, course_id, member_id, status_cd, seq, registered_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING `+regCols, sc.EntityID, courseID, memberID, status, seq, now))
		if store.IsUniqueViolation(err) {
			return apperr.Duplicate("memberId", "the member is already registered or on the wait list for this course")
		}
		if err != nil {
			return err
		}
		if err := withPosition(ctx, tx, r); err != nil {
			return err
		}
		out = r
		typ := "course.registered"
		if status == RegWaitList {
			typ = "course.waitlisted"
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, typ, now, regEvent{CourseRegistration: r, Course: courseRef{c.ID, c.Name}})
	})
	return out, err
}

// CancelRegistration cancels a member's active registration; a freed seat
// goes to the first on the wait list at once, in the same transaction.
func (s *Service) CancelRegistration(ctx context.Context, sc Scope, courseID, memberID int64) (*CourseRegistration, error) {
	if err := selfOnly(sc, memberID); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var out *CourseRegistration
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.lock(ctx, tx, sc.EntityID, courseID); err != nil {
			return err
		}
		c, err := s.get(ctx, tx, sc.EntityID, courseID)
		if err != nil {
			return err
		}
		r, err := scanReg(tx.QueryRowContext(ctx, `SELECT `+regCols+` FROM course_registrations WHERE course_id = $1 AND member_id = $2
			AND status_cd IN ('REGISTERED', 'WAIT_LIST')`, courseID, memberID))
		if store.IsNoRows(err) {
			return apperr.NotFound("registration")
		}
		if err != nil {
			return err
		}
		was := r.Status
		if _, err := tx.ExecContext(ctx, `UPDATE course_registrations SET status_cd = 'CANCELLED', cancelled_at = $1, updated_at = $1 WHERE id = $2`,
			now, r.ID); err != nil {
			return err
		}
		r.Status, r.CancelledAt, r.WaitListPosition = RegCancelled, &now, nil
		out = r
		if err := s.Events.Emit(ctx, tx, sc.EntityID, "course.cancelled", now, regEvent{CourseRegistration: r, Course: courseRef{c.ID, c.Name}, Reason: "was " + was}); err != nil {
			return err
		}
		if was != RegRegistered {
			return nil
		}
		c.RegisteredCount--
		return s.promote(ctx, tx, c, now)
	})
	return out, err
}

// promote moves wait-listed members to REGISTERED, in registration order,
// while seats are free. The caller holds the course lock, and c's counts were
// read after taking it.
func (s *Service) promote(ctx context.Context, tx *store.Tx, c *Course, now time.Time) error {
	if c.StatusCd != StatusActive {
		return nil
	}
	for {
		var registered int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM course_registrations WHERE course_id = $1 AND status_cd = 'REGISTERED'`,
			c.ID).Scan(&registered); err != nil {
			return err
		}
		if c.MaxParticipants != nil && registered >= *c.MaxParticipants {
			return nil
		}
		r, err := scanReg(tx.QueryRowContext(ctx, `SELECT `+regCols+` FROM course_registrations WHERE course_id = $1 AND status_cd = 'WAIT_LIST'
			ORDER BY seq LIMIT 1`, c.ID))
		if store.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE course_registrations SET status_cd = 'REGISTERED', promoted_at = $1, updated_at = $1
			WHERE id = $2 AND status_cd = 'WAIT_LIST'`, now, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("the wait list changed concurrently; try again")
		}
		r.Status, r.PromotedAt = RegRegistered, &now
		if err := s.Events.Emit(ctx, tx, c.EntityID, "course.promoted", now, regEvent{CourseRegistration: r, Course: courseRef{c.ID, c.Name}}); err != nil {
			return err
		}
	}
}

// Registrations lists a course's registrations (all statuses), in order, with
// the members' names (the roster endpoints are for staff and trainers only).
func (s *Service) Registrations(ctx context.Context, sc Scope, courseID int64) ([]CourseRegistration, error) {
	if _, err := s.get(ctx, s.DB, sc.EntityID, courseID); err != nil {
		return nil, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT r.id, r.course_id, r.member_id, r.status_cd, r.registered_at, r.promoted_at, r.cancelled_at, r.seq,
		m.first_name, m.last_name FROM course_registrations r JOIN members m ON m.id = r.member_id
		WHERE r.course_id = $1 AND r.entity_id = $2 ORDER BY r.seq`, courseID, sc.EntityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CourseRegistration{}
	pos := 0
	for rows.Next() {
		var first, last string
		r, err := scanReg(scanExtra{rows, []any{&first, &last}})
		if err != nil {
			return nil, err
		}
		r.FirstName, r.LastName = first, last
		if r.Status == RegWaitList {
			pos++
			p := pos
			r.WaitListPosition = &p
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// MyCourses lists the caller's (a MEMBER's) active registrations.
func (s *Service) MyCourses(ctx context.Context, sc Scope, memberID int64) ([]MyCourse, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+regCols+` FROM course_registrations WHERE entity_id = $1 AND member_id = $2
		AND status_cd IN ('REGISTERED', 'WAIT_LIST') ORDER BY registered_at, id`, sc.EntityID, memberID)
	if err != nil {
		return nil, err
	}
	var regs []*CourseRegistration
	for rows.Next() {
		r, err := scanReg(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		regs = append(regs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []MyCourse{}
	now := s.Clock.Now()
	for _, r := range regs {
		if err := withPosition(ctx, s.DB, r); err != nil {
			return nil, err
		}
		c, err := s.get(ctx, s.DB, sc.EntityID, r.CourseID)
		if err != nil {
			return nil, err
		}
		ns := []CourseSession{}
		if c.StatusCd == StatusActive {
			if ns, err = c.sessions(sc.Location, now, now.AddDate(0, 3, 0), 5); err != nil {
				return nil, err
			}
		}
		out = append(out, MyCourse{Registration: *r, Course: *c, NextSessions: ns})
	}
	return out, nil
}
