package course

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/store"
)

// feedTokenPrefix marks a member's course feed token.
const feedTokenPrefix = "ghm_"

// CourseFeedToken is a member's course feed secret, shown once.
type CourseFeedToken struct {
	Token string `json:"token" doc:"Shown once. Append as ?token=… to /api/me/courses.ics; issuing a new one revokes the old one."`
	URL   string `json:"url" doc:"The feed path with the token, for calendar apps that cannot send headers."`
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// RotateFeedToken makes a new feed token for the member's own courses
// (GET /api/me/courses.ics?token=…); the member's previous token stops
// working. Only its SHA-256 is stored.
func (s *Service) RotateFeedToken(ctx context.Context, sc Scope, memberID int64) (*CourseFeedToken, error) {
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	tok := feedTokenPrefix + hex.EncodeToString(raw[:])
	now := s.Clock.Now()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = $1 AND entity_id = $2`, memberID, sc.EntityID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFound("member")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM course_feed_tokens WHERE member_id = $1`, memberID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO course_feed_tokens (member_id, entity_id, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
			memberID, sc.EntityID, hashToken(tok), now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CourseFeedToken{Token: tok, URL: "/api/me/courses.ics?token=" + tok}, nil
}

// memberByFeedToken returns the scope (organisation, time zone, member) of
// the member whose course feed token is tok.
func (s *Service) memberByFeedToken(ctx context.Context, tok string) (Scope, error) {
	if !strings.HasPrefix(tok, feedTokenPrefix) || len(tok) > 100 {
		return Scope{}, apperr.Unauthorized("invalid feed token")
	}
	var entityID, memberID int64
	err := s.DB.QueryRowContext(ctx, `SELECT entity_id, member_id FROM course_feed_tokens WHERE token_hash = $1`, hashToken(tok)).Scan(&entityID, &memberID)
	if store.IsNoRows(err) {
		return Scope{}, apperr.Unauthorized("invalid feed token")
	}
	if err != nil {
		return Scope{}, err
	}
	sc, _, err := s.orgScope(ctx, entityID)
	if err != nil {
		return Scope{}, err
	}
	sc.Role, sc.MemberID = auth.Member, &memberID
	return sc, nil
}
