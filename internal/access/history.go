package access

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

// ParseRangeBound reads a history bound: a date (YYYY-MM-DD, the organisation's
// local day; "to" includes the whole day) or an RFC 3339 instant.
func ParseRangeBound(field, v string, loc *time.Location, end bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if d, err := clock.ParseDate(v); err == nil {
		if end {
			d = d.AddDays(1)
		}
		t := LocalInstant(d.Year, d.Month, d.Day, ClockTime{}, loc).UTC()
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, fmt.Errorf("must be a date (YYYY-MM-DD) or an RFC 3339 instant")
	}
	t = t.UTC()
	return &t, nil
}

// queryProblem is a 422 naming a query parameter (apperr field errors name body
// fields).
func queryProblem(param, msg, value string) error {
	p := httpapi.NewProblem(http.StatusUnprocessableEntity, param+": "+msg)
	d := &huma.ErrorDetail{Location: "query." + param, Message: msg}
	if value != "" {
		d.Value = value
	}
	p.Errors = []*huma.ErrorDetail{d}
	return p
}

// History returns a member's check-ins in [from, to), newest first.
func (s *Service) History(ctx context.Context, sc Scope, memberID int64, from, to *time.Time, limit, offset int) ([]CheckIn, int, error) {
	if ok, err := memberExists(ctx, s.DB, sc.EntityID, memberID); err != nil {
		return nil, 0, err
	} else if !ok {
		return nil, 0, apperr.NotFound("member")
	}
	if from != nil && to != nil && !from.Before(*to) {
		return nil, 0, queryProblem("to", "must be after from", "")
	}
	where, args := `ci.entity_id = $1 AND ci.member_id = $2`, []any{sc.EntityID, memberID}
	if from != nil {
		args = append(args, *from)
		where += fmt.Sprintf(` AND ci.checked_in_at >= $%d`, len(args))
	}
	if to != nil {
		args = append(args, *to)
		where += fmt.Sprintf(` AND ci.checked_in_at < $%d`, len(args))
	}
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM check_ins ci WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	items, err := queryCheckIns(ctx, s.DB, fmt.Sprintf(`WHERE `+where+` ORDER BY ci.checked_in_at DESC, ci.id DESC LIMIT $%d OFFSET $%d`, n+1, n+2),
		append(args, limit, offset)...)
	return items, total, err
}

// LiveFeedSize is how many recent check-ins the live feed shows.
const LiveFeedSize = 50

// LiveFeed is the JSON form of the live feed.
type LiveFeed struct {
	Items []CheckIn `json:"items" nullable:"false" doc:"The newest check-ins, newest first."`
}

// RecentCheckIns returns the organisation's newest check-ins (of one zone when
// zoneID is set), newest first.
func (s *Service) RecentCheckIns(ctx context.Context, sc Scope, zoneID *int64, limit int) ([]CheckIn, error) {
	where, args := `WHERE ci.entity_id = $1`, []any{sc.EntityID}
	if zoneID != nil {
		if ok, err := s.ZoneExists(ctx, sc.EntityID, *zoneID); err != nil {
			return nil, err
		} else if !ok {
			return nil, apperr.NotFound("zone")
		}
		where, args = where+` AND ci.zone_id = $2`, append(args, *zoneID)
	}
	args = append(args, limit)
	items, err := queryCheckIns(ctx, s.DB, fmt.Sprintf(where+` ORDER BY ci.checked_in_at DESC, ci.id DESC LIMIT $%d`, len(args)), args...)
	if items == nil {
		items = []CheckIn{}
	}
	return items, err
}
