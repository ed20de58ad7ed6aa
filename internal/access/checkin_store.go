package access

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// checkInCols reads a check-in with the member's and zone's names.
const checkInCols = `ci.id, ci.entity_id, ci.member_id, m.first_name || ' ' || m.last_name, ci.zone_id, z.name,
	ci.method_cd, ci.direction_cd, ci.status_cd, ci.denial_code, ci.denial_reason, ci.credential_id, ci.credential_hint,
	ci.device_id, ci.event_id, ci.checked_in_at, ci.checked_out_at, ci.checkout_reason_cd, ci.created_at, ci.version`

const checkInFrom = ` FROM check_ins ci LEFT JOIN members m ON m.id = ci.member_id LEFT JOIN access_zones z ON z.id = ci.zone_id `

// checkInReturning is checkInCols for a RETURNING clause of check_ins alone:
// the member's and zone's names (joined in checkInCols) come back NULL.
const checkInReturning = `id, entity_id, member_id, NULL, zone_id, NULL,
	method_cd, direction_cd, status_cd, denial_code, denial_reason, credential_id, credential_hint,
	device_id, event_id, checked_in_at, checked_out_at, checkout_reason_cd, created_at, version`

func scanCheckIn(sc interface{ Scan(...any) error }) (*CheckIn, error) {
	var c CheckIn
	err := sc.Scan(&c.ID, &c.EntityID, &c.MemberID, &c.MemberName, &c.ZoneID, &c.ZoneName,
		&c.MethodCd, &c.DirectionCd, &c.StatusCd, &c.DenialCode, &c.DenialReason, &c.CredentialID, &c.CredentialHint,
		&c.DeviceID, &c.EventID, store.Time(&c.CheckedInAt), store.NullTime(&c.CheckedOutAt), &c.CheckoutReasonCd,
		store.Time(&c.CreatedAt), &c.Version)
	return &c, err
}

func queryCheckIns(ctx context.Context, q store.Querier, where string, args ...any) ([]CheckIn, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+checkInCols+checkInFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CheckIn
	for rows.Next() {
		c, err := scanCheckIn(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

func getCheckIn(ctx context.Context, q store.Querier, entityID, id int64) (*CheckIn, error) {
	return scanCheckIn(q.QueryRowContext(ctx, `SELECT `+checkInCols+checkInFrom+`WHERE ci.id = $1 AND ci.entity_id = $2`, id, entityID))
}

func checkInsByID(ctx context.Context, q store.Querier, entityID int64, ids []int64) ([]CheckIn, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{entityID}
	var in strings.Builder
	for i, id := range ids {
		if i > 0 {
			in.WriteByte(',')
		}
		args = append(args, id)
		fmt.Fprintf(&in, "$%d", len(args))
	}
	return queryCheckIns(ctx, q, `WHERE ci.entity_id = $1 AND ci.id IN (`+in.String()+`) ORDER BY ci.id`, args...)
}

// NewCheckIn is a check-in row to record directly, bypassing the decision: demo
// history and imports from other systems. The caller is trusted.
type NewCheckIn struct {
	MemberID     *int64
	ZoneID       *int64
	MethodCd     string
	DirectionCd  string
	StatusCd     string
	DenialCode   *string
	DenialReason *string
	CredentialID *int64
	DeviceID     *string
	CheckedInAt  time.Time
	CheckedOutAt *time.Time
	CheckoutCd   *string
}

// InsertHistory writes historical check-ins in one transaction (no events, no
// occupancy change: they are in the past). Open GRANTED rows are refused by the
// anti-passback index like any other.
func (s *Service) InsertHistory(ctx context.Context, entityID int64, rows []NewCheckIn) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO check_ins (entity_id, member_id, zone_id, method_cd, direction_cd, status_cd,
				denial_code, denial_reason, credential_id, device_id, checked_in_at, checked_out_at, checkout_reason_cd, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $11)`,
				entityID, r.MemberID, r.ZoneID, r.MethodCd, r.DirectionCd, r.StatusCd, r.DenialCode, r.DenialReason,
				r.CredentialID, r.DeviceID, r.CheckedInAt, r.CheckedOutAt, r.CheckoutCd); err != nil {
				return err
			}
		}
		return nil
	})
}
