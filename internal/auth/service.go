package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/store"
)

// SessionTTL is how long a login stays valid.
const SessionTTL = 12 * time.Hour

// Login rate limits: failures counted over a sliding window, per account and per
// client address. Only failures count, so a person who types the password right
// is never slowed.
const (
	failureWindow     = 15 * time.Minute
	maxFailsPerEmail  = 5
	maxFailsPerClient = 30
)

// Service manages organisations, users, sessions and device keys.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	Hash  HashParams
	// Zones checks a device's zone; the access feature sets it.
	Zones ZoneChecker
	dummy string // a hash to verify against when the account does not exist
}

// NewService builds the auth service.
func NewService(db *store.DB, clk clock.Clock, hash HashParams) *Service {
	dummy, _ := HashPassword("not a real password", hash)
	return &Service{DB: db, Clock: clk, Hash: hash, dummy: dummy}
}

// Entity is an organisation (tenant).
type Entity struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Timezone  string    `json:"timezone"`
	CreatedAt time.Time `json:"createdAt"`
	Version   int64     `json:"version"`
}

// User is a login account.
type User struct {
	ID        int64     `json:"id"`
	EntityID  int64     `json:"entityId"`
	Email     string    `json:"email"`
	Role      Role      `json:"role" enum:"PLATFORM_ADMIN,CLUB_ADMIN,STAFF,TRAINER,MEMBER,DEVICE"`
	MemberID  *int64    `json:"memberId" required:"true" nullable:"true"`
	CreatedAt time.Time `json:"createdAt"`
	Version   int64     `json:"version"`
}

// ErrAlreadyInitialised is returned by Init on a database that has an organisation.
var ErrAlreadyInitialised = errors.New("the database already holds an organisation; init runs only on an empty database")

// NormaliseEmail lower-cases and validates an address.
func NormaliseEmail(field, email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") && !strings.HasSuffix(e, "@localhost") {
		return "", apperr.Field(field, "%q is not a valid e-mail address", email)
	}
	return e, nil
}

// ValidatePassword enforces the minimum length (NIST SP 800-63B: length over
// composition rules).
func ValidatePassword(pw string) error {
	if len([]rune(pw)) < 10 {
		return apperr.Field("password", "must be at least 10 characters long")
	}
	if len(pw) > 200 {
		return apperr.Field("password", "must be at most 200 characters long")
	}
	return nil
}

func validateEntity(name, tz string) (string, error) {
	name = strings.TrimSpace(name)
	var fields []apperr.FieldError
	if name == "" || len(name) > 200 {
		fields = append(fields, apperr.FieldError{Field: "name", Message: "must be 1–200 characters"})
	}
	if _, err := clock.Location(tz); err != nil || tz == "" {
		fields = append(fields, apperr.FieldError{Field: "timezone", Message: fmt.Sprintf("%q is not an IANA time zone such as Europe/Berlin", tz), Value: tz})
	}
	if len(fields) > 0 {
		return "", apperr.Invalid("invalid organisation", fields...)
	}
	return name, nil
}

// Init creates organisation 1 and its PLATFORM_ADMIN on an empty database.
func (s *Service) Init(ctx context.Context, org, tz, email, password string) (*Entity, *User, error) {
	name, err := validateEntity(org, tz)
	if err != nil {
		return nil, nil, err
	}
	if email, err = NormaliseEmail("adminEmail", email); err != nil {
		return nil, nil, err
	}
	if err := ValidatePassword(password); err != nil {
		return nil, nil, err
	}
	hash, err := HashPassword(password, s.Hash)
	if err != nil {
		return nil, nil, err
	}
	var ent Entity
	var u User
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM entities`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyInitialised
		}
		e, err := insertEntity(ctx, tx, name, tz, s.Clock.Now())
		if err != nil {
			return err
		}
		ent = *e
		nu, err := insertUser(ctx, tx, ent.ID, email, hash, PlatformAdmin, nil, s.Clock.Now())
		if err != nil {
			return err
		}
		u = *nu
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &ent, &u, nil
}

func insertEntity(ctx context.Context, q store.Querier, name, tz string, now time.Time) (*Entity, error) {
	e := Entity{Name: name, Timezone: tz, CreatedAt: now.UTC().Truncate(time.Microsecond), Version: 1}
	err := q.QueryRowContext(ctx, `INSERT INTO entities (name, timezone, created_at) VALUES ($1, $2, $3) RETURNING id`,
		name, tz, e.CreatedAt).Scan(&e.ID)
	return &e, err
}

func insertUser(ctx context.Context, q store.Querier, entityID int64, email, hash string, role Role, memberID *int64, now time.Time) (*User, error) {
	u := User{EntityID: entityID, Email: email, Role: role, MemberID: memberID, CreatedAt: now.UTC().Truncate(time.Microsecond), Version: 1}
	err := q.QueryRowContext(ctx, `INSERT INTO users (entity_id, email, password_hash, role, member_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, entityID, email, hash, string(role), memberID, u.CreatedAt).Scan(&u.ID)
	if store.IsUniqueViolation(err) {
		return nil, apperr.Conflict("a user with e-mail %s already exists", email)
	}
	return &u, err
}

// CreateEntity adds an organisation (PLATFORM_ADMIN only; the caller checks).
func (s *Service) CreateEntity(ctx context.Context, name, tz string) (*Entity, error) {
	name, err := validateEntity(name, tz)
	if err != nil {
		return nil, err
	}
	return insertEntity(ctx, s.DB, name, tz, s.Clock.Now())
}

// GetEntity returns an organisation.
func (s *Service) GetEntity(ctx context.Context, id int64) (*Entity, error) {
	var e Entity
	err := s.DB.QueryRowContext(ctx, `SELECT id, name, timezone, created_at, version FROM entities WHERE id = $1`, id).
		Scan(&e.ID, &e.Name, &e.Timezone, &e.CreatedAt, &e.Version)
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("organisation")
	}
	return &e, err
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Email    string
	Password string
	Role     Role
	MemberID *int64
	EntityID *int64
}

// CreateUser adds a login. A CLUB_ADMIN creates users in its own organisation and
// never a PLATFORM_ADMIN; only a PLATFORM_ADMIN may name another organisation.
func (s *Service) CreateUser(ctx context.Context, caller *Principal, in NewUser) (*User, error) {
	entityID := caller.EntityID
	if in.EntityID != nil && *in.EntityID != caller.EntityID {
		if caller.Role != PlatformAdmin {
			return nil, apperr.Field("entityId", "only a platform admin may create users in another organisation")
		}
		if _, err := s.GetEntity(ctx, *in.EntityID); err != nil {
			return nil, apperr.Field("entityId", "no such organisation")
		}
		entityID = *in.EntityID
	}
	if !ValidUserRole(in.Role) {
		return nil, apperr.Field("role", "must be one of PLATFORM_ADMIN, CLUB_ADMIN, STAFF, TRAINER, MEMBER")
	}
	if in.Role == PlatformAdmin && caller.Role != PlatformAdmin {
		return nil, apperr.Forbidden("only a platform admin may create another platform admin")
	}
	email, err := NormaliseEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	if err := ValidatePassword(in.Password); err != nil {
		return nil, err
	}
	if in.Role == Member && in.MemberID == nil {
		return nil, apperr.Field("memberId", "a MEMBER login must be linked to a member")
	}
	if in.MemberID != nil {
		var n int
		if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = $1 AND entity_id = $2`, *in.MemberID, entityID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.Field("memberId", "no such member in this organisation")
		}
	}
	hash, err := HashPassword(in.Password, s.Hash)
	if err != nil {
		return nil, err
	}
	return insertUser(ctx, s.DB, entityID, email, hash, in.Role, in.MemberID, s.Clock.Now())
}

// Session is the result of a login.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      User      `json:"user"`
}

// Login checks a password and opens a session. Failures are rate-limited per
// account and per client address.
func (s *Service) Login(ctx context.Context, email, password, client string) (*Session, error) {
	now := s.Clock.Now()
	email = strings.ToLower(strings.TrimSpace(email))
	if retry, err := s.throttled(ctx, email, client, now); err != nil {
		return nil, err
	} else if retry > 0 {
		return nil, apperr.TooMany("too many failed logins; try again later", int(retry.Seconds())+1)
	}
	var u User
	var hash string
	err := s.DB.QueryRowContext(ctx, `SELECT id, entity_id, email, role, member_id, created_at, version, password_hash
		FROM users WHERE email = $1`, email).
		Scan(&u.ID, &u.EntityID, &u.Email, &u.Role, &u.MemberID, &u.CreatedAt, &u.Version, &hash)
	if err != nil && !store.IsNoRows(err) {
		return nil, err
	}
	if store.IsNoRows(err) {
		// Spend the same time as a real check, so response times do not tell
		// which accounts exist.
		_, _ = CheckPassword(s.dummy, password)
		return nil, s.fail(ctx, email, client, now)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.fail(ctx, email, client, now)
	}
	token := newToken(sessionPrefix)
	expires := now.Add(SessionTTL).UTC().Truncate(time.Second)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			u.ID, hashToken(token), now, expires); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE email = $1 OR failed_at < $2`, email, now.Add(-failureWindow))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, ExpiresAt: expires, User: u}, nil
}

// throttled returns how long the caller must wait, or 0.
func (s *Service) throttled(ctx context.Context, email, client string, now time.Time) (time.Duration, error) {
	since := now.Add(-failureWindow)
	var wait time.Duration
	for _, c := range []struct {
		col, val string
		max      int
	}{{"email", email, maxFailsPerEmail}, {"address", client, maxFailsPerClient}} {
		var n int
		var oldest *time.Time
		// The oldest failure inside the limit tells when the window frees a slot.
		err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*), MIN(failed_at) FROM login_failures WHERE `+c.col+` = $1 AND failed_at > $2`, c.val, since).
			Scan(&n, store.NullTime(&oldest))
		if err != nil {
			return 0, err
		}
		if n >= c.max && oldest != nil {
			if w := oldest.Add(failureWindow).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait, nil
}

func (s *Service) fail(ctx context.Context, email, client string, now time.Time) error {
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO login_failures (email, address, failed_at) VALUES ($1, $2, $3)`, email, client, now); err != nil {
		return err
	}
	return apperr.Unauthorized("wrong e-mail or password")
}

// Logout revokes the caller's session.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p == nil || p.SessionID == 0 {
		return apperr.Field("Authorization", "only a user session can log out")
	}
	_, err := s.DB.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, s.Clock.Now(), p.SessionID)
	return err
}

// Authenticate resolves a bearer token (session or device key) to a principal.
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > 200 {
		return nil, apperr.Unauthorized("missing or malformed bearer token")
	}
	now := s.Clock.Now()
	var p Principal
	var tz string
	if isDeviceKey(token) {
		var lastSeen *time.Time
		err := s.DB.QueryRowContext(ctx, `SELECT d.id, d.entity_id, d.kind, d.zone_id, d.last_seen_at, e.timezone
			FROM devices d JOIN entities e ON e.id = d.entity_id
			WHERE d.key_hash = $1 AND d.revoked_at IS NULL`, hashToken(token)).
			Scan(&p.DeviceID, &p.EntityID, &p.DeviceKind, &p.ZoneID, store.NullTime(&lastSeen), &tz)
		if store.IsNoRows(err) {
			return nil, apperr.Unauthorized("unknown or revoked device key")
		}
		if err != nil {
			return nil, err
		}
		p.Role = Device
		// Recording every request would turn each read into a write; a minute's
		// resolution is enough to tell a device is alive.
		if lastSeen == nil || now.Sub(*lastSeen) > time.Minute {
			_, _ = s.DB.ExecContext(ctx, `UPDATE devices SET last_seen_at = $1 WHERE id = $2`, now, p.DeviceID)
		}
	} else {
		err := s.DB.QueryRowContext(ctx, `SELECT s.id, u.id, u.entity_id, u.email, u.role, u.member_id, e.timezone
			FROM sessions s JOIN users u ON u.id = s.user_id JOIN entities e ON e.id = u.entity_id
			WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`, hashToken(token), now).
			Scan(&p.SessionID, &p.UserID, &p.EntityID, &p.Email, &p.Role, &p.MemberID, &tz)
		if store.IsNoRows(err) {
			return nil, apperr.Unauthorized("the session has expired or was logged out; log in again")
		}
		if err != nil {
			return nil, err
		}
	}
	loc, err := clock.Location(tz)
	if err != nil {
		return nil, fmt.Errorf("organisation %d has an invalid time zone %q", p.EntityID, tz)
	}
	p.Location = loc
	return &p, nil
}

// GetUser returns a user of the caller's organisation.
func (s *Service) GetUser(ctx context.Context, entityID, id int64) (*User, error) {
	var u User
	err := s.DB.QueryRowContext(ctx, `SELECT id, entity_id, email, role, member_id, created_at, version
		FROM users WHERE id = $1 AND entity_id = $2`, id, entityID).
		Scan(&u.ID, &u.EntityID, &u.Email, &u.Role, &u.MemberID, &u.CreatedAt, &u.Version)
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("user")
	}
	return &u, err
}
