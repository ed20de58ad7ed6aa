package auth

import (
	"context"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/store"
)

// DeviceInfo is a reader, kiosk, QR display or BLE gateway with its own API key.
type DeviceInfo struct {
	ID         int64      `json:"id"`
	EntityID   int64      `json:"entityId"`
	Name       string     `json:"name"`
	Kind       DeviceKind `json:"kind" enum:"KIOSK,READER,QR_DISPLAY,GATEWAY"`
	ZoneID     *int64     `json:"zoneId" required:"true" nullable:"true"`
	KeyPrefix  string     `json:"keyPrefix" doc:"The first characters of the key, to recognise it."`
	CreatedAt  time.Time  `json:"createdAt"`
	RevokedAt  *time.Time `json:"revokedAt" required:"true" nullable:"true"`
	LastSeenAt *time.Time `json:"lastSeenAt" required:"true" nullable:"true"`
	Version    int64      `json:"version"`
}

// NewDeviceKey is a device with its key, returned once at creation.
type NewDeviceKey struct {
	DeviceInfo
	APIKey string `json:"apiKey" doc:"Shown only once; store it on the device."`
}

// ZoneChecker tells whether a zone exists in an organisation. Zones belong to the
// access package, which plugs this in; until then devices cannot name a zone.
type ZoneChecker func(ctx context.Context, entityID, zoneID int64) (bool, error)

// CreateDevice registers a device and returns its key once.
func (s *Service) CreateDevice(ctx context.Context, entityID int64, name string, kind DeviceKind, zoneID *int64) (*NewDeviceKey, error) {
	if !slices.Contains(DeviceKinds, kind) {
		return nil, apperr.Field("kind", "must be one of KIOSK, READER, QR_DISPLAY, GATEWAY")
	}
	if zoneID != nil {
		if s.Zones == nil {
			return nil, apperr.Field("zoneId", "no zones exist yet")
		}
		ok, err := s.Zones(ctx, entityID, *zoneID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.Field("zoneId", "no such zone in this organisation")
		}
	}
	key := newToken(devicePrefix)
	d := NewDeviceKey{APIKey: key, DeviceInfo: DeviceInfo{EntityID: entityID, Name: name, Kind: kind, ZoneID: zoneID,
		KeyPrefix: key[:len(devicePrefix)+6], CreatedAt: s.Clock.Now().Truncate(time.Microsecond), Version: 1}}
	err := s.DB.QueryRowContext(ctx, `INSERT INTO devices (entity_id, name, kind, zone_id, key_hash, key_prefix, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, entityID, name, string(kind), zoneID, hashToken(key), d.KeyPrefix, d.CreatedAt).Scan(&d.ID)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

const deviceCols = `id, entity_id, name, kind, zone_id, key_prefix, created_at, revoked_at, last_seen_at, version`

func scanDevice(sc interface{ Scan(...any) error }) (*DeviceInfo, error) {
	var d DeviceInfo
	err := sc.Scan(&d.ID, &d.EntityID, &d.Name, &d.Kind, &d.ZoneID, &d.KeyPrefix, store.Time(&d.CreatedAt),
		store.NullTime(&d.RevokedAt), store.NullTime(&d.LastSeenAt), &d.Version)
	return &d, err
}

// ListDevices pages through the organisation's devices.
func (s *Service) ListDevices(ctx context.Context, entityID int64, limit, offset int) ([]DeviceInfo, int, error) {
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices WHERE entity_id = $1`, entityID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+deviceCols+` FROM devices WHERE entity_id = $1 ORDER BY id LIMIT $2 OFFSET $3`, entityID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []DeviceInfo
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *d)
	}
	return out, total, rows.Err()
}

// RevokeDevice disables a device key at once.
func (s *Service) RevokeDevice(ctx context.Context, entityID, id int64) (*DeviceInfo, error) {
	_, err := s.DB.ExecContext(ctx, `UPDATE devices SET revoked_at = $1, version = version + 1
		WHERE id = $2 AND entity_id = $3 AND revoked_at IS NULL`, s.Clock.Now(), id, entityID)
	if err != nil {
		return nil, err
	}
	d, err := scanDevice(s.DB.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM devices WHERE id = $1 AND entity_id = $2`, id, entityID))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("device")
	}
	return d, err
}

// ListUsers pages through the organisation's logins.
func (s *Service) ListUsers(ctx context.Context, entityID int64, limit, offset int) ([]User, int, error) {
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE entity_id = $1`, entityID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, entity_id, email, role, member_id, created_at, version
		FROM users WHERE entity_id = $1 ORDER BY id LIMIT $2 OFFSET $3`, entityID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.EntityID, &u.Email, &u.Role, &u.MemberID, store.Time(&u.CreatedAt), &u.Version); err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}
