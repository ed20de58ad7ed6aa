package phone

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Service issues and redeems phone tokens over one database.
type Service struct {
	DB     *store.DB
	Clock  clock.Clock
	Access *access.Service
	// RefuseBLEv1 ends the deprecation period of BLE protocol v1 (a static
	// handle in every advertisement, trackable): v1 reports are then refused
	// and only v2 (rotating ephemeral ids) is accepted. Off by default, so
	// that phones not yet updated keep opening doors.
	RefuseBLEv1 bool

	keys  *keyStore
	eids  *eidIndex
	prune atomic.Uint64
}

// NewService builds the service and plugs the member pass into the check-in's
// credential chain (access.Service.PhoneTokens). secrets may be nil: master
// keys are then stored unsealed (see docs/phone-credentials.md).
func NewService(db *store.DB, clk clock.Clock, acc *access.Service, secrets *secret.Keyring) *Service {
	s := &Service{DB: db, Clock: clk, Access: acc, keys: &keyStore{db: db, secrets: secrets}, eids: newEIDIndex()}
	acc.PhoneTokens = s.ResolvePass
	return s
}

// Code is a rotating token with where to use it.
type Code struct {
	Token     string    `json:"token" doc:"The rotating token (URL-safe)."`
	URL       string    `json:"url,omitempty" doc:"The web route that redeems it (/q/{token}), relative to the server's address: the display prefixes its own origin."`
	ExpiresAt time.Time `json:"expiresAt" doc:"When the next code replaces this one (the end of its 30 s step); it is still accepted for one more step."`
	StepSecs  int       `json:"stepSeconds" doc:"The rotation period (30)."`
}

func (s *Service) sign(ctx context.Context, entityID int64, purpose byte, subject uint64) (*Code, error) {
	now := s.Clock.Now()
	keys, err := s.keys.keys(ctx, entityID, now)
	if err != nil {
		return nil, err
	}
	t := &Token{Purpose: purpose, KeyGen: keys.Current, Subject: subject, Step: StepOf(now)}
	text := t.Sign(keys.Keys[keys.Current], entityID)
	return &Code{Token: text, ExpiresAt: StepStart(t.Step + 1), StepSecs: int(Step / time.Second)}, nil
}

// DoorCode is the current code of a zone's QR display: a QR_DISPLAY device
// bound to that zone, or an administrator.
func (s *Service) DoorCode(ctx context.Context, p *auth.Principal, zoneID int64) (*Code, error) {
	if p.Role == auth.Device && (p.DeviceKind != auth.QRDisplay || p.ZoneID == nil || *p.ZoneID != zoneID) {
		return nil, apperr.Forbidden("this display is not bound to this zone")
	}
	if ok, err := s.Access.ZoneExists(ctx, p.EntityID, zoneID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("zone")
	}
	c, err := s.sign(ctx, p.EntityID, PurposeDoor, uint64(zoneID))
	if err != nil {
		return nil, err
	}
	c.URL = "/q/" + c.Token
	return c, nil
}

// Pass is the member's personal rotating QR pass.
func (s *Service) Pass(ctx context.Context, p *auth.Principal) (*Code, error) {
	if p.MemberID == nil {
		return nil, apperr.Forbidden("this account is not linked to a member")
	}
	return s.sign(ctx, p.EntityID, PurposePass, uint64(*p.MemberID))
}

// RotateKeys makes a new master key current. Tokens of the previous key stay
// valid for one more step.
func (s *Service) RotateKeys(ctx context.Context) (uint64, error) {
	return s.keys.rotate(ctx, s.Clock.Now())
}

// Rotate is RotateKeys with the instant the new generation became current.
func (s *Service) Rotate(ctx context.Context) (uint64, time.Time, error) {
	now := s.Clock.Now()
	gen, err := s.keys.rotate(ctx, now)
	if err != nil {
		return 0, time.Time{}, err
	}
	// Concurrent rotations: one inserted the row, read back its instant.
	mk, err := s.keys.generation(ctx, gen)
	if err != nil {
		return 0, time.Time{}, err
	}
	return gen, mk.createdAt, nil
}

// use records a token's use; false: it was used before (by this member).
// The primary key (token_hash, member_id) settles simultaneous uses.
func (s *Service) use(ctx context.Context, entityID int64, text string, t *Token, memberID int64, zoneID *int64) (bool, error) {
	now := s.Clock.Now()
	if s.prune.Add(1)%64 == 1 {
		if _, err := s.DB.ExecContext(ctx, `DELETE FROM phone_token_uses WHERE expires_at < $1`, now.Add(-time.Hour)); err != nil {
			return false, err
		}
	}
	purpose := "DOOR"
	if t.Purpose == PurposePass {
		purpose = "PASS"
	}
	res, err := s.DB.ExecContext(ctx, `INSERT INTO phone_token_uses (token_hash, member_id, entity_id, purpose, zone_id, used_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, hashToken(text), memberID, entityID, purpose, zoneID, now, Expiry(t.Step))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RedeemRequest is the body of POST /api/qr-door/redeem.
type RedeemRequest struct {
	Token string `json:"token" minLength:"1" maxLength:"200" doc:"The token of the door's QR code (the last segment of its URL)."`
}

// Redeem checks the signed-in member in at the door whose code this is.
func (s *Service) Redeem(ctx context.Context, p *auth.Principal, text string) (*access.CheckIn, error) {
	if p.MemberID == nil {
		return nil, apperr.Forbidden("this account is not linked to a member")
	}
	keys, err := s.keys.keys(ctx, p.EntityID, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	t, err := Verify(text, PurposeDoor, 0, keys, s.Clock.Now())
	if err != nil {
		return nil, tokenError(err)
	}
	zoneID := int64(t.Subject)
	if ok, err := s.Access.ZoneExists(ctx, p.EntityID, zoneID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("zone")
	}
	fresh, err := s.use(ctx, p.EntityID, text, t, *p.MemberID, &zoneID)
	if err != nil {
		return nil, err
	}
	if !fresh {
		return nil, apperr.Conflict("you have already used this code: scan the code on the door display again when it changes").With("code", "REPLAY")
	}
	return s.Access.CheckInVerified(ctx, p, access.CheckInRequest{ZoneID: &zoneID, MethodCd: "QR"}, *p.MemberID)
}

// tokenError maps a verification failure to a clear, non-echoing problem.
func tokenError(err error) error {
	switch {
	case errors.Is(err, ErrExpired), errors.Is(err, ErrRetired):
		return apperr.Invalid("this code has expired: scan the code the door display shows now", apperr.FieldError{Field: "token", Message: err.Error()}).With("code", "EXPIRED")
	case errors.Is(err, ErrFuture):
		return apperr.Invalid("this code is not valid yet", apperr.FieldError{Field: "token", Message: err.Error()}).With("code", "NOT_YET_VALID")
	default:
		return apperr.Invalid("this is not a valid door code", apperr.FieldError{Field: "token", Message: err.Error()}).With("code", "INVALID")
	}
}

// ResolvePass is the access.PhoneTokenResolver of the member pass: a kiosk or
// reader presents it as a QR_CODE credential. Not a pass of this organisation
// (malformed, wrong signature, another purpose): nil, and the fallback chain
// goes on. A genuine pass that expired or was already used names its member
// and is denied CREDENTIAL_INVALID. Otherwise it is consumed (once).
func (s *Service) ResolvePass(ctx context.Context, entityID int64, text string) (*access.PhoneToken, error) {
	if _, err := ParseToken(text); err != nil {
		return nil, nil
	}
	now := s.Clock.Now()
	keys, err := s.keys.keys(ctx, entityID, now)
	if err != nil {
		return nil, err
	}
	t, err := Verify(text, PurposePass, 0, keys, now)
	switch {
	case t == nil || errors.Is(err, ErrPurpose):
		return nil, nil
	case errors.Is(err, ErrExpired), errors.Is(err, ErrRetired):
		return &access.PhoneToken{MemberID: int64(t.Subject), Invalid: "Pass code expired: show the current code on your phone"}, nil
	case err != nil:
		return &access.PhoneToken{MemberID: int64(t.Subject), Invalid: "Pass code not valid yet (check the phone's clock)"}, nil
	}
	fresh, err := s.use(ctx, entityID, text, t, int64(t.Subject), nil)
	if err != nil {
		return nil, err
	}
	if !fresh {
		return &access.PhoneToken{MemberID: int64(t.Subject), Invalid: "Pass code already used: wait for the next code"}, nil
	}
	return &access.PhoneToken{MemberID: int64(t.Subject)}, nil
}
