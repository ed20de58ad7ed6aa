package access

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Credential types and statuses.
const (
	TypeNFC     = "NFC_CARD"
	TypeBLE     = "BLE_TOKEN"
	TypeQR      = "QR_CODE"
	TypeRFID    = "RFID"
	TypeWiegand = "WIEGAND"
	TypePIN     = "PIN"

	StatusProvisioned = "PROVISIONED"
	StatusActive      = "ACTIVE"
	StatusSuspended   = "SUSPENDED"
	StatusRevoked     = "REVOKED"
)

// CredentialTypes lists the credential types.
var CredentialTypes = []string{TypeNFC, TypeBLE, TypeQR, TypeRFID, TypeWiegand, TypePIN}

// fallbackOrder is the credential fallback chain: when no credential of the
// presented type carries the identifier, these types are tried in turn. PINs
// never take part: a typed number must not open a door as somebody's card.
var fallbackOrder = []string{TypeNFC, TypeBLE, TypeQR, TypeRFID, TypeWiegand}

var (
	cardPattern  = regexp.MustCompile(`^[0-9A-Z]{2,64}$`)
	tokenPattern = regexp.MustCompile(`^[A-Za-z0-9._~+/=:-]{8,255}$`)
	pinPattern   = regexp.MustCompile(`^[0-9]{4,12}$`)
	cardSeps     = strings.NewReplacer(" ", "", ":", "", "-", "")
)

// cardForm is an identifier as card readers disagree on writing it: without
// separators, upper case ("04:a2:3b" and "04A23B" are the same card).
func cardForm(s string) string { return strings.ToUpper(cardSeps.Replace(strings.TrimSpace(s))) }

// normaliseIdentifier validates an identifier for its type and returns the form
// it is stored in. Errors never repeat the identifier.
func normaliseIdentifier(typeCd, id string) (string, error) {
	id = strings.TrimSpace(id)
	switch typeCd {
	case TypeNFC, TypeRFID, TypeWiegand:
		c := cardForm(id)
		if !cardPattern.MatchString(c) {
			return "", apperr.Field("identifier", "a card number must be 2–64 letters or digits (':', '-' and spaces are ignored)")
		}
		return c, nil
	case TypePIN:
		if !pinPattern.MatchString(id) {
			return "", apperr.Field("identifier", "a PIN must be 4–12 digits")
		}
		return id, nil
	case TypeBLE, TypeQR:
		if !tokenPattern.MatchString(id) {
			return "", apperr.Field("identifier", "a token must be 8–255 characters: letters, digits and . _ ~ + / = : -")
		}
		return id, nil
	}
	return "", apperr.Field("typeCd", "must be one of %s", strings.Join(CredentialTypes, ", "))
}

// NewCredential is the input of CreateCredential.
type NewCredential struct {
	MemberID   int64      `json:"memberId" minimum:"1"`
	TypeCd     string     `json:"typeCd" enum:"NFC_CARD,BLE_TOKEN,QR_CODE,RFID,WIEGAND,PIN"`
	Identifier string     `json:"identifier,omitempty" doc:"Card number, token or PIN. For QR_CODE it may be omitted: the server generates a random one."`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	StatusCd   string     `json:"statusCd,omitempty" enum:"ACTIVE,PROVISIONED" doc:"Default ACTIVE."`
	ExternalID *string    `json:"externalId,omitempty" maxLength:"255"`
}

const credentialCols = `c.id, c.entity_id, c.member_id, c.type_cd, c.identifier, c.status_cd, c.external_id,
	c.issued_at, c.expires_at, c.last_used_at, c.updated_at, c.version`

func scanCredential(sc interface{ Scan(...any) error }, extra ...any) (*Credential, error) {
	var c Credential
	dest := []any{&c.ID, &c.EntityID, &c.MemberID, &c.TypeCd, &c.Identifier, &c.StatusCd, &c.ExternalID,
		store.Time(&c.IssuedAt), store.NullTime(&c.ExpiresAt), store.NullTime(&c.LastUsedAt), store.Time(&c.UpdatedAt), &c.Version}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return &c, nil
}

// CredentialEvent is a credential as events carry it: the identifier masked,
// because events travel to brokers and webhooks.
type CredentialEvent struct {
	Credential
	Identifier string `json:"identifier"`
}

func redacted(c *Credential) CredentialEvent {
	return CredentialEvent{Credential: *c, Identifier: hal.Mask(c.Identifier)}
}

func (s *Service) getCredential(ctx context.Context, q store.Querier, sc Scope, id int64) (*Credential, error) {
	c, err := scanCredential(q.QueryRowContext(ctx, `SELECT `+credentialCols+` FROM credentials c WHERE c.id = $1 AND c.entity_id = $2`, id, sc.EntityID))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("credential")
	}
	return c, err
}

func newQRPayload() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "GHQ" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

// CreateCredential issues a credential to a member.
func (s *Service) CreateCredential(ctx context.Context, sc Scope, in NewCredential) (*Credential, error) {
	if in.StatusCd == "" {
		in.StatusCd = StatusActive
	}
	if in.StatusCd != StatusActive && in.StatusCd != StatusProvisioned {
		return nil, apperr.Field("statusCd", "a new credential is ACTIVE or PROVISIONED")
	}
	now := s.Clock.Now()
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return nil, apperr.Field("expiresAt", "must be in the future")
	}
	generated := false
	if strings.TrimSpace(in.Identifier) == "" && in.TypeCd == TypeQR {
		in.Identifier, generated = newQRPayload(), true
	}
	if strings.TrimSpace(in.Identifier) == "" {
		return nil, apperr.Field("identifier", "is required (only a QR_CODE identifier can be generated)")
	}
	ident, err := normaliseIdentifier(in.TypeCd, in.Identifier)
	if err != nil {
		return nil, err
	}
	var c *Credential
	err = s.inTx(ctx, func(tx *store.Tx) error {
		if ok, err := memberExists(ctx, tx, sc.EntityID, in.MemberID); err != nil {
			return err
		} else if !ok {
			return apperr.NotFound("member")
		}
		var id int64
		for attempt := 0; ; attempt++ {
			err := tx.QueryRowContext(ctx, `INSERT INTO credentials (entity_id, member_id, type_cd, identifier, status_cd, external_id,
				issued_at, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)
				ON CONFLICT DO NOTHING RETURNING id`,
				sc.EntityID, in.MemberID, in.TypeCd, ident, in.StatusCd, in.ExternalID, now, in.ExpiresAt).Scan(&id)
			if store.IsNoRows(err) {
				if generated && attempt < 3 {
					ident = newQRPayload()
					continue
				}
				// Never name the identifier: the problem document may be logged.
				return apperr.Duplicate("identifier", "another credential of this organisation (not revoked) already uses this identifier")
			}
			if err != nil {
				return err
			}
			break
		}
		var err error
		if c, err = s.getCredential(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "credential.created", now, redacted(c))
	})
	return c, err
}

func memberExists(ctx context.Context, q store.Querier, entityID, id int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = $1 AND entity_id = $2`, id, entityID).Scan(&n)
	return n > 0, err
}

// ListCredentials returns a member's credentials, newest first.
func (s *Service) ListCredentials(ctx context.Context, sc Scope, memberID int64) ([]Credential, error) {
	if ok, err := memberExists(ctx, s.DB, sc.EntityID, memberID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("member")
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+credentialCols+` FROM credentials c WHERE c.member_id = $1 AND c.entity_id = $2
		ORDER BY c.id DESC`, memberID, sc.EntityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// Lifecycle actions.
const (
	ActionActivate = "activate"
	ActionSuspend  = "suspend"
	ActionRevoke   = "revoke"
)

// transition is the credential lifecycle: PROVISIONED → ACTIVE ⇄ SUSPENDED, and
// any of them → REVOKED, which is final. It returns the new status or "".
func transition(from, action string) string {
	switch action {
	case ActionActivate:
		if from == StatusProvisioned || from == StatusSuspended {
			return StatusActive
		}
	case ActionSuspend:
		if from == StatusActive {
			return StatusSuspended
		}
	case ActionRevoke:
		if from != StatusRevoked {
			return StatusRevoked
		}
	}
	return ""
}

var pastTense = map[string]string{ActionActivate: "activated", ActionSuspend: "suspended", ActionRevoke: "revoked"}

var actionEvent = map[string]string{ActionActivate: "credential.activated", ActionSuspend: "credential.suspended", ActionRevoke: "credential.revoked"}

// TransitionCredential moves a credential through its lifecycle; an invalid
// move is a conflict (409).
func (s *Service) TransitionCredential(ctx context.Context, sc Scope, id int64, action string) (*Credential, error) {
	if !slices.Contains([]string{ActionActivate, ActionSuspend, ActionRevoke}, action) {
		return nil, apperr.Field("action", "must be activate, suspend or revoke")
	}
	var c *Credential
	err := s.inTx(ctx, func(tx *store.Tx) error {
		cur, err := s.getCredential(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		to := transition(cur.StatusCd, action)
		if to == "" {
			return apperr.Conflict("a %s credential cannot be %s", cur.StatusCd, pastTense[action]).With("statusCd", cur.StatusCd)
		}
		now := s.Clock.Now()
		n, err := rowsAffected(tx.ExecContext(ctx, `UPDATE credentials SET status_cd = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND entity_id = $4 AND status_cd = $5`, to, now, id, sc.EntityID, cur.StatusCd))
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.StaleVersion("the credential")
		}
		if c, err = s.getCredential(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, actionEvent[action], now, redacted(c))
	})
	return c, err
}
