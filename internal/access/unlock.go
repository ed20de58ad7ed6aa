package access

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Unlock is an audited remote unlock.
type Unlock struct {
	ID              int64     `json:"id"`
	EntityID        int64     `json:"entityId"`
	ZoneID          int64     `json:"zoneId"`
	UserID          *int64    `json:"userId" required:"true" nullable:"true"`
	Actor           string    `json:"actor" doc:"Who asked (the user's e-mail)."`
	DurationSeconds int       `json:"durationSeconds"`
	Provider        string    `json:"provider"`
	ExternalDoorID  string    `json:"externalDoorId"`
	Success         bool      `json:"success"`
	Message         string    `json:"message"`
	RequestedAt     time.Time `json:"requestedAt"`
}

// UnlockZone opens a zone's door for a while through its adapter and records
// who asked, when and what happened — also when the door did not open. The door
// command runs outside any transaction, within the door budget.
func (s *Service) UnlockZone(ctx context.Context, p *auth.Principal, zoneID int64, seconds int) (*DoorResult, error) {
	if seconds == 0 {
		seconds = 5
	}
	if seconds < 1 || seconds > 3600 {
		return nil, apperr.Field("durationSeconds", "must be 1–3600")
	}
	sc := Scope{EntityID: p.EntityID, Location: p.Location}
	chain, err := s.loadChain(ctx, sc, zoneID)
	if err != nil {
		return nil, err
	}
	z := &chain[0]
	requested := s.Clock.Now()
	res := s.openDoor(ctx, p.EntityID, z, time.Duration(seconds)*time.Second)
	actor := p.Email
	var userID *int64
	if p.UserID != 0 {
		userID = &p.UserID
	} else {
		actor = fmt.Sprintf("device %d", p.DeviceID)
	}
	u := Unlock{EntityID: p.EntityID, ZoneID: zoneID, UserID: userID, Actor: actor, DurationSeconds: seconds,
		Provider: res.Adapter, ExternalDoorID: z.door.ExternalDoorID, Success: res.Success, Message: res.Message, RequestedAt: requested}
	// The door has acted: record it even if the caller has gone.
	ctx = context.WithoutCancel(ctx)
	err = s.inTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO door_unlocks (entity_id, zone_id, user_id, actor, duration_seconds, provider,
			external_door_id, success, message, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			u.EntityID, u.ZoneID, u.UserID, u.Actor, u.DurationSeconds, u.Provider, u.ExternalDoorID, u.Success, truncate(u.Message, 500), u.RequestedAt).Scan(&u.ID); err != nil {
			return err
		}
		if !u.Success {
			return nil
		}
		return s.Events.Emit(ctx, tx, p.EntityID, "door.unlocked", requested, u)
	})
	if err != nil {
		// The door has already acted; losing its audit line must be loud.
		slog.Error("access: remote unlock done but not audited", "zone", zoneID, "actor", actor, "err", err)
		return nil, err
	}
	return res, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ListUnlocks pages through the remote-unlock audit, newest first.
func (s *Service) ListUnlocks(ctx context.Context, sc Scope, zoneID *int64, limit, offset int) ([]Unlock, int, error) {
	where, args := `entity_id = $1`, []any{sc.EntityID}
	if zoneID != nil {
		if ok, err := s.ZoneExists(ctx, sc.EntityID, *zoneID); err != nil {
			return nil, 0, err
		} else if !ok {
			return nil, 0, apperr.NotFound("zone")
		}
		where, args = where+` AND zone_id = $2`, append(args, *zoneID)
	}
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM door_unlocks WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT id, entity_id, zone_id, user_id, actor, duration_seconds, provider,
		external_door_id, success, message, requested_at FROM door_unlocks WHERE `+where+
		` ORDER BY requested_at DESC, id DESC LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Unlock
	for rows.Next() {
		var u Unlock
		if err := rows.Scan(&u.ID, &u.EntityID, &u.ZoneID, &u.UserID, &u.Actor, &u.DurationSeconds, &u.Provider,
			&u.ExternalDoorID, &u.Success, &u.Message, store.Time(&u.RequestedAt)); err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// DoorEvents lists what a zone's door system reports (for the simulated door:
// the commands it received).
func (s *Service) DoorEvents(ctx context.Context, sc Scope, zoneID int64, limit int) ([]hal.Event, error) {
	chain, err := s.loadChain(ctx, sc, zoneID)
	if err != nil {
		return nil, err
	}
	a, err := s.Doors.Get(chain[0].provider)
	if err != nil {
		return nil, apperr.Conflict("%s", err.Error())
	}
	dctx, cancel := context.WithTimeout(ctx, s.DoorTimeout)
	defer cancel()
	evs, err := a.RecentEvents(dctx, chain[0].door, limit)
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.KindUnavailable, Detail: fmt.Sprintf("door system %s: %s", chain[0].provider, hal.KindOf(err))}
	}
	if evs == nil {
		evs = []hal.Event{}
	}
	return evs, nil
}
