package member

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Service manages members, templates and contracts of one database.
type Service struct {
	DB     *store.DB
	Clock  clock.Clock
	Events *events.Emitter
}

// Scope is who is asking: the organisation and its time zone.
type Scope struct {
	EntityID int64
	Location *time.Location
}

func (s *Service) today(sc Scope) clock.Date { return clock.Today(s.Clock.Now(), sc.Location) }

// activeExpr is true when the member m has a contract active on day $today.
const activeExpr = `EXISTS (SELECT 1 FROM contracts c WHERE c.member_id = m.id AND c.status_cd = 'ACTIVE'
	AND c.start_date <= %[1]s AND (c.end_date IS NULL OR c.end_date >= %[1]s))`

const memberCols = `m.id, m.entity_id, m.first_name, m.last_name, m.email, m.phone, m.member_number, m.created_at, m.updated_at, m.version`

func scanMember(sc interface{ Scan(...any) error }, extra ...any) (*Member, error) {
	var m Member
	dest := []any{&m.ID, &m.EntityID, &m.FirstName, &m.LastName, &m.Email, &m.Phone, &m.MemberNumber,
		store.Time(&m.CreatedAt), store.Time(&m.UpdatedAt), &m.Version, &m.ActiveContract}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return &m, nil
}

// likePattern escapes a search term for LIKE ... ESCAPE '\'.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(strings.TrimSpace(q))) + "%"
}

// List returns a page of members matching query (name, e-mail, number or phone).
func (s *Service) List(ctx context.Context, sc Scope, query string, limit, offset int) ([]Member, int, error) {
	where := `m.entity_id = $1`
	args := []any{sc.EntityID, s.today(sc)}
	if q := strings.TrimSpace(query); q != "" {
		args = append(args, likePattern(q))
		where += ` AND (LOWER(m.first_name || ' ' || m.last_name) LIKE $3 ESCAPE '\' OR LOWER(m.email) LIKE $3 ESCAPE '\'
			OR LOWER(m.member_number) LIKE $3 ESCAPE '\' OR COALESCE(m.phone, '') LIKE $3 ESCAPE '\'
			OR LOWER(m.last_name || ' ' || m.first_name) LIKE $3 ESCAPE '\')`
	}
	var total int
	countArgs := append([]any{args[0]}, args[2:]...)
	countWhere := strings.ReplaceAll(where, "$3", "$2")
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM members m WHERE `+countWhere, countArgs...).Scan(&total); err != nil {
		return nil, 0, err
	}
	args = append(args, limit, offset)
	n := len(args)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT `+memberCols+`, `+activeExpr+` FROM members m WHERE `+where+
		` ORDER BY m.last_name, m.first_name, m.id LIMIT $%d OFFSET $%d`, "$2", n-1, n), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *m)
	}
	return out, total, rows.Err()
}

// Get returns one member of the organisation.
func (s *Service) Get(ctx context.Context, sc Scope, id int64) (*Member, error) {
	return s.get(ctx, s.DB, sc, id)
}

func (s *Service) get(ctx context.Context, q store.Querier, sc Scope, id int64) (*Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, fmt.Sprintf(`SELECT `+memberCols+`, `+activeExpr+` FROM members m
		WHERE m.id = $1 AND m.entity_id = $2`, "$3"), id, sc.EntityID, s.today(sc)))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("member")
	}
	return m, err
}

// Create adds a member; a missing member number is generated from the id.
func (s *Service) Create(ctx context.Context, sc Scope, f Fields) (*Member, error) {
	if err := f.normalise(); err != nil {
		return nil, err
	}
	var m *Member
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		m, err = s.insert(ctx, tx, sc, f)
		return err
	})
	return m, err
}

func (s *Service) insert(ctx context.Context, tx *store.Tx, sc Scope, f Fields) (*Member, error) {
	now := s.Clock.Now()
	number := ""
	if f.MemberNumber != nil {
		number = *f.MemberNumber
	} else {
		// A unique placeholder, replaced by the id-derived number below.
		number = fmt.Sprintf("~%d", now.UnixNano())
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO members (entity_id, first_name, last_name, email, phone, member_number, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, sc.EntityID, f.FirstName, f.LastName, f.Email, f.Phone, number, now).Scan(&id)
	if err != nil {
		return nil, memberUniqueError(err)
	}
	if f.MemberNumber == nil {
		if _, err := tx.ExecContext(ctx, `UPDATE members SET member_number = $1 WHERE id = $2`, fmt.Sprintf("M%06d", id), id); err != nil {
			return nil, memberUniqueError(err)
		}
	}
	m, err := s.get(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	return m, s.Events.Emit(ctx, tx, sc.EntityID, "member.created", now, m)
}

func memberUniqueError(err error) error {
	if !store.IsUniqueViolation(err) {
		return err
	}
	if strings.Contains(err.Error(), "email") {
		return apperr.Duplicate("email", "a member with this e-mail address already exists")
	}
	return apperr.Duplicate("memberNumber", "a member with this member number already exists")
}

// Update changes a member's fields if version is still current.
func (s *Service) Update(ctx context.Context, sc Scope, id, version int64, f Fields) (*Member, error) {
	if err := f.normalise(); err != nil {
		return nil, err
	}
	var m *Member
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := s.get(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return apperr.StaleVersion("the member")
		}
		number := cur.MemberNumber
		if f.MemberNumber != nil {
			number = *f.MemberNumber
		}
		now := s.Clock.Now()
		_, err = tx.ExecContext(ctx, `UPDATE members SET first_name = $1, last_name = $2, email = $3, phone = $4, member_number = $5,
			updated_at = $6, version = version + 1 WHERE id = $7 AND entity_id = $8 AND version = $9`,
			f.FirstName, f.LastName, f.Email, f.Phone, number, now, id, sc.EntityID, version)
		if err != nil {
			return memberUniqueError(err)
		}
		if m, err = s.get(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "member.updated", now, m)
	})
	return m, err
}

// Exists reports whether a member belongs to the organisation.
func (s *Service) Exists(ctx context.Context, entityID, id int64) (bool, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = $1 AND entity_id = $2`, id, entityID).Scan(&n)
	return n > 0, err
}
