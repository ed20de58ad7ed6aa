package access

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/sim"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ZoneInput is the editable part of a zone.
type ZoneInput struct {
	Name                 string  `json:"name" minLength:"1" maxLength:"200"`
	TypeCd               string  `json:"typeCd" enum:"BUILDING,FLOOR,ROOM,AREA,LOCKER"`
	ParentZoneID         *int64  `json:"parentZoneId,omitempty" minimum:"1" doc:"The enclosing zone; absent = a top-level zone."`
	MaxOccupancy         *int    `json:"maxOccupancy,omitempty" minimum:"1" maximum:"100000" doc:"Absent = unlimited."`
	RequiresContractTier *string `json:"requiresContractTier,omitempty" maxLength:"50" doc:"A tier code of one of the organisation's contract templates."`
	ResetTime            *string `json:"resetTime,omitempty" pattern:"^[0-2][0-9]:[0-5][0-9]$" doc:"HH:MM local; default 00:00."`
	Active               *bool   `json:"active,omitempty" doc:"Default true."`
}

// occupancyExpr is a zone's current occupancy. The counter current_occupancy
// is kept only for zones with a limit, where its row lock enforces the limit;
// an unlimited zone's check-ins take no lock on the zone (every door of it
// would queue on that row through each commit), and its occupancy is counted
// from the open check-ins (index check_ins_open_zone).
const occupancyExpr = `CASE WHEN z.max_occupancy IS NULL THEN (SELECT COUNT(*) FROM check_ins oc
	WHERE oc.zone_id = z.id AND oc.status_cd = 'GRANTED' AND oc.checked_out_at IS NULL) ELSE z.current_occupancy END`

const zoneCols = `z.id, z.entity_id, z.name, z.type_cd, z.parent_zone_id, z.max_occupancy, ` + occupancyExpr + `,
	z.requires_contract_tier, z.reset_time, z.door_provider, z.door_external_id, z.door_settings, z.active,
	z.created_at, z.updated_at, z.version`

func scanZone(sc interface{ Scan(...any) error }, extra ...any) (*Zone, error) {
	var z Zone
	var ext *string
	var settings []byte
	dest := []any{&z.ID, &z.EntityID, &z.Name, &z.TypeCd, &z.ParentZoneID, &z.MaxOccupancy, &z.CurrentOccupancy,
		&z.RequiresContractTier, &z.ResetTime, &z.Door.Provider, &ext, &settings, &z.Active,
		store.Time(&z.CreatedAt), store.Time(&z.UpdatedAt), &z.Version}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	z.Door.ExternalDoorID = defaultDoorID(z.ID, ext)
	z.Door.Settings = json.RawMessage(settings)
	return &z, nil
}

func defaultDoorID(zoneID int64, ext *string) string {
	if ext != nil && *ext != "" {
		return *ext
	}
	return fmt.Sprintf("zone-%d", zoneID)
}

// ZoneExists tells whether a zone belongs to an organisation (auth's ZoneChecker:
// devices may be bound to zones).
func (s *Service) ZoneExists(ctx context.Context, entityID, zoneID int64) (bool, error) {
	var n int
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_zones WHERE id = $1 AND entity_id = $2`, zoneID, entityID).Scan(&n)
	return n > 0, err
}

func (s *Service) getZone(ctx context.Context, q store.Querier, sc Scope, id int64) (*Zone, error) {
	z, err := scanZone(q.QueryRowContext(ctx, `SELECT `+zoneCols+` FROM access_zones z WHERE z.id = $1 AND z.entity_id = $2`, id, sc.EntityID))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("zone")
	}
	return z, err
}

// GetZone returns one zone.
func (s *Service) GetZone(ctx context.Context, sc Scope, id int64) (*Zone, error) {
	return s.getZone(ctx, s.DB, sc, id)
}

func (s *Service) allZones(ctx context.Context, q store.Querier, entityID int64) ([]*Zone, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+zoneCols+` FROM access_zones z WHERE z.entity_id = $1 ORDER BY z.name, z.id`, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Zone
	for rows.Next() {
		z, err := scanZone(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, rows.Err()
}

// ZoneTree returns the organisation's zones as a forest: top-level zones with
// their children, each level sorted by name.
func (s *Service) ZoneTree(ctx context.Context, sc Scope) ([]*Zone, int, error) {
	all, err := s.allZones(ctx, s.DB, sc.EntityID)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[int64]*Zone, len(all))
	for _, z := range all {
		byID[z.ID] = z
	}
	roots := []*Zone{}
	for _, z := range all { // already in name order, so children are too
		if z.ParentZoneID != nil && byID[*z.ParentZoneID] != nil {
			p := byID[*z.ParentZoneID]
			p.Children = append(p.Children, z)
		} else {
			roots = append(roots, z)
		}
	}
	return roots, len(all), nil
}

// normalise trims and validates a zone input against the organisation.
func (s *Service) normaliseZone(ctx context.Context, q store.Querier, sc Scope, id int64, in *ZoneInput) (reset string, err error) {
	var errs []apperr.FieldError
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		errs = append(errs, apperr.FieldError{Field: "name", Message: "must be 1–200 characters"})
	}
	if !slices.Contains(ZoneTypes, in.TypeCd) {
		errs = append(errs, apperr.FieldError{Field: "typeCd", Message: "must be one of BUILDING, FLOOR, ROOM, AREA, LOCKER", Value: in.TypeCd})
	}
	if in.MaxOccupancy != nil && (*in.MaxOccupancy < 1 || *in.MaxOccupancy > 100000) {
		errs = append(errs, apperr.FieldError{Field: "maxOccupancy", Message: "must be 1–100000, or absent for unlimited"})
	}
	reset = "00:00"
	if in.ResetTime != nil {
		c, perr := ParseClockTime(*in.ResetTime, false)
		if perr != nil {
			errs = append(errs, apperr.FieldError{Field: "resetTime", Message: perr.Error(), Value: *in.ResetTime})
		}
		reset = c.String()
	}
	if in.RequiresContractTier != nil {
		tier := strings.ToUpper(strings.TrimSpace(*in.RequiresContractTier))
		if tier == "" {
			in.RequiresContractTier = nil
		} else {
			in.RequiresContractTier = &tier
			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM contract_templates WHERE entity_id = $1 AND tier_cd = $2`, sc.EntityID, tier).Scan(&n); err != nil {
				return "", err
			}
			if n == 0 {
				errs = append(errs, apperr.FieldError{Field: "requiresContractTier", Message: "no contract template has this tier code", Value: tier})
			}
		}
	}
	if len(errs) > 0 {
		return "", apperr.Invalid("invalid zone", errs...)
	}
	// Hierarchy: the organisation's zones are few; check against all of them.
	rows, err := q.QueryContext(ctx, `SELECT id, type_cd, parent_zone_id FROM access_zones WHERE entity_id = $1`, sc.EntityID)
	if err != nil {
		return "", err
	}
	all := map[int64]zoneNode{}
	for rows.Next() {
		var n zoneNode
		if err := rows.Scan(&n.ID, &n.TypeCd, &n.Parent); err != nil {
			rows.Close()
			return "", err
		}
		all[n.ID] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if field, msg := checkHierarchy(id, in.TypeCd, in.ParentZoneID, all); field != "" {
		return "", apperr.Invalid(field+": "+msg, apperr.FieldError{Field: field, Message: msg})
	}
	return reset, nil
}

// CreateZone adds a zone.
func (s *Service) CreateZone(ctx context.Context, sc Scope, in ZoneInput) (*Zone, error) {
	var z *Zone
	err := s.inTx(ctx, func(tx *store.Tx) error {
		reset, err := s.normaliseZone(ctx, tx, sc, 0, &in)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		active := in.Active == nil || *in.Active
		rc, _ := ParseClockTime(reset, false)
		// A new zone has nothing to reset: its last reset is the latest boundary.
		last := LastReset(now, sc.Location, rc)
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO access_zones (entity_id, name, type_cd, parent_zone_id, max_occupancy,
			requires_contract_tier, reset_time, last_reset_at, door_provider, door_settings, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}', $10, $11, $11) RETURNING id`,
			sc.EntityID, in.Name, in.TypeCd, in.ParentZoneID, in.MaxOccupancy, in.RequiresContractTier, reset, last,
			sim.Provider, active, now).Scan(&id); err != nil {
			return err
		}
		if z, err = s.getZone(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "zone.created", now, z)
	})
	return z, err
}

// UpdateZone changes a zone if version is current.
func (s *Service) UpdateZone(ctx context.Context, sc Scope, id, version int64, in ZoneInput) (*Zone, error) {
	var z *Zone
	err := s.inTx(ctx, func(tx *store.Tx) error {
		cur, err := s.getZone(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return apperr.StaleVersion("the zone")
		}
		reset, err := s.normaliseZone(ctx, tx, sc, id, &in)
		if err != nil {
			return err
		}
		active := in.Active == nil || *in.Active
		now := s.Clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE access_zones SET name = $1, type_cd = $2, parent_zone_id = $3, max_occupancy = $4,
			requires_contract_tier = $5, reset_time = $6, active = $7, updated_at = $8, version = version + 1
			WHERE id = $9 AND entity_id = $10 AND version = $11`,
			in.Name, in.TypeCd, in.ParentZoneID, in.MaxOccupancy, in.RequiresContractTier, reset, active, now, id, sc.EntityID, version); err != nil {
			return err
		}
		if cur.MaxOccupancy == nil && in.MaxOccupancy != nil {
			// The zone gets a limit: its counter starts from the open check-ins
			// (nobody kept it while the zone was unlimited). A check-in decided
			// at this very moment is not counted yet; the next reset recounts.
			if _, err := tx.ExecContext(ctx, `UPDATE access_zones SET current_occupancy = (SELECT COUNT(*) FROM check_ins
				WHERE zone_id = $1 AND status_cd = 'GRANTED' AND checked_out_at IS NULL) WHERE id = $1`, id); err != nil {
				return err
			}
		}
		if z, err = s.getZone(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "zone.updated", now, z)
	})
	return z, err
}

// DeactivateZone closes a zone (DELETE): check-ins to it, and to zones inside
// it, are then denied ZONE_INACTIVE. Its history stays.
func (s *Service) DeactivateZone(ctx context.Context, sc Scope, id int64) error {
	return s.inTx(ctx, func(tx *store.Tx) error {
		if _, err := s.getZone(ctx, tx, sc, id); err != nil {
			return err
		}
		now := s.Clock.Now()
		n, err := rowsAffected(tx.ExecContext(ctx, `UPDATE access_zones SET active = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND entity_id = $4 AND active = $5`, false, now, id, sc.EntityID, true))
		if err != nil || n == 0 {
			return err
		}
		z, err := s.getZone(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "zone.deactivated", now, z)
	})
}

// DoorInput binds a zone to a door adapter.
type DoorInput struct {
	Provider       string          `json:"provider" minLength:"1" maxLength:"50" doc:"A registered door adapter, e.g. SIMULATED."`
	ExternalDoorID string          `json:"externalDoorId,omitempty" maxLength:"200" doc:"The adapter's id of the door; default zone-<id>."`
	Settings       json.RawMessage `json:"settings,omitempty" doc:"Adapter-specific settings (a JSON object)."`
}

// BindDoor sets the zone's door adapter.
func (s *Service) BindDoor(ctx context.Context, sc Scope, id int64, in DoorInput) (*Zone, error) {
	provider := strings.ToUpper(strings.TrimSpace(in.Provider))
	if s.Doors == nil || !s.Doors.Has(provider) {
		return nil, apperr.Field("provider", "no door adapter %q is available (have: %s)", provider, strings.Join(s.Doors.Providers(), ", "))
	}
	settings := bytes.TrimSpace(in.Settings)
	if len(settings) == 0 || string(settings) == "null" {
		settings = []byte("{}")
	}
	var obj map[string]any
	if err := json.Unmarshal(settings, &obj); err != nil {
		return nil, apperr.Field("settings", "must be a JSON object")
	}
	settings, _ = json.Marshal(obj)
	var ext *string
	if e := strings.TrimSpace(in.ExternalDoorID); e != "" {
		ext = &e
	}
	if err := s.Doors.ValidateDoor(provider, hal.Door{EntityID: sc.EntityID, ZoneID: id,
		ExternalDoorID: defaultDoorID(id, ext), Settings: settings}); err != nil {
		return nil, doorFieldError(err)
	}
	var z *Zone
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if _, err := s.getZone(ctx, tx, sc, id); err != nil {
			return err
		}
		now := s.Clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE access_zones SET door_provider = $1, door_external_id = $2, door_settings = $3,
			updated_at = $4, version = version + 1 WHERE id = $5 AND entity_id = $6`, provider, ext, string(settings), now, id, sc.EntityID); err != nil {
			return err
		}
		var err error
		if z, err = s.getZone(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "zone.door_bound", now, z)
	})
	return z, err
}

// doorFieldError turns an adapter's verdict on a binding into a 422 naming
// the field (settings, when the adapter does not say).
func doorFieldError(err error) error {
	var fe *hal.FieldError
	if errors.As(err, &fe) {
		return apperr.Field(fe.Field, "%s", fe.Message)
	}
	var he *hal.Error
	if errors.As(err, &he) && he.Kind == hal.Unsupported {
		return apperr.Field("provider", "%s", err.Error())
	}
	return apperr.Field("settings", "%s", err.Error())
}

// Occupancy is a zone's live count.
type Occupancy struct {
	ZoneID     int64    `json:"zoneId"`
	Current    int      `json:"current"`
	Max        *int     `json:"max" required:"true" nullable:"true" doc:"Null = unlimited."`
	Percentage *float64 `json:"percentage" required:"true" nullable:"true" doc:"current/max × 100, one decimal; null when unlimited."`
}

// GetOccupancy reads a zone's occupancy. A zone past its reset whose sweep has
// not run yet is swept first, so the count never includes forgotten check-outs.
func (s *Service) GetOccupancy(ctx context.Context, sc Scope, id int64) (*Occupancy, error) {
	z, err := s.GetZone(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	if swept, err := s.sweepZoneIfDue(ctx, sc, z.ID, time.Time{}); err != nil {
		return nil, err
	} else if swept {
		if z, err = s.GetZone(ctx, sc, id); err != nil {
			return nil, err
		}
	}
	o := &Occupancy{ZoneID: z.ID, Current: z.CurrentOccupancy, Max: z.MaxOccupancy}
	if z.MaxOccupancy != nil {
		p := math.Round(float64(z.CurrentOccupancy)*1000/float64(*z.MaxOccupancy)) / 10
		o.Percentage = &p
	}
	return o, nil
}
