package booking

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/recur"
	"github.com/gatehouse/gatehouse/internal/store"
)

// DefaultHorizon is how far ahead series without an end are checked and held.
const DefaultHorizon = 2 * 365 * 24 * time.Hour

// MaxOccurrences bounds the occurrences of one bounded series (all of which
// are checked and held at once).
const MaxOccurrences = 10000

// MemberChecker tells whether a member belongs to an organisation
// (member.Service implements it).
type MemberChecker interface {
	Exists(ctx context.Context, entityID, id int64) (bool, error)
}

// Service manages resources and bookings of one database.
type Service struct {
	DB      *store.DB
	Clock   clock.Clock
	Events  *events.Emitter
	Members MemberChecker
	// Horizon is how far ahead of now unbounded series (and maintenance
	// windows) are materialised and checked; the worker moves it on daily.
	Horizon time.Duration
}

// NewService builds the service with the default horizon.
func NewService(db *store.DB, clk clock.Clock, em *events.Emitter, members MemberChecker) *Service {
	return &Service{DB: db, Clock: clk, Events: em, Members: members, Horizon: DefaultHorizon}
}

func (s *Service) horizon() time.Time {
	h := s.Horizon
	if h <= 0 {
		h = DefaultHorizon
	}
	return s.Clock.Now().Add(h).UTC()
}

// Scope is who is asking: organisation, its time zone, and the caller.
type Scope struct {
	EntityID int64
	Location *time.Location
	UserID   int64
	Role     auth.Role
	MemberID *int64
}

// ScopeOf builds the scope of an authenticated principal.
func ScopeOf(p *auth.Principal) Scope {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	return Scope{EntityID: p.EntityID, Location: loc, UserID: p.UserID, Role: p.Role, MemberID: p.MemberID}
}

// isMember reports whether the caller is a MEMBER (who sees only its own bookings).
func (sc Scope) isMember() bool { return sc.Role == auth.Member }

// ResourceInput is the editable part of a resource.
type ResourceInput struct {
	Name                string               `json:"name" minLength:"1" maxLength:"200"`
	TypeCd              string               `json:"typeCd" enum:"ROOM,AREA,EQUIPMENT,VEHICLE,PERSONNEL"`
	Description         *string              `json:"description,omitempty" maxLength:"1000"`
	Capacity            *int                 `json:"capacity,omitempty" minimum:"0" maximum:"100000" doc:"Max people/users; absent = not limited."`
	LocationDescription *string              `json:"locationDescription,omitempty" maxLength:"500"`
	ZoneID              *int64               `json:"zoneId,omitempty" minimum:"1" doc:"The access zone the resource is in (optional)."`
	ImageURL            *string              `json:"imageUrl,omitempty" maxLength:"500"`
	MaintenanceSchedule *MaintenanceSchedule `json:"maintenanceSchedule,omitempty"`
	StatusCd            string               `json:"statusCd,omitempty" enum:"AVAILABLE,MAINTENANCE" doc:"Default AVAILABLE. MAINTENANCE takes the resource out of service (no new bookings). Retire with DELETE."`
	SortOrder           int                  `json:"sortOrder,omitempty" minimum:"-100000" maximum:"100000"`
}

func trimOpt(p *string) *string {
	if p == nil {
		return nil
	}
	v := strings.TrimSpace(*p)
	if v == "" {
		return nil
	}
	return &v
}

func (in *ResourceInput) normalise() error {
	var errs []apperr.FieldError
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		errs = append(errs, apperr.FieldError{Field: "name", Message: "must be 1–200 characters"})
	}
	if !slices.Contains(ResourceTypes, in.TypeCd) {
		errs = append(errs, apperr.FieldError{Field: "typeCd", Message: "must be one of " + strings.Join(ResourceTypes, ", "), Value: in.TypeCd})
	}
	in.Description, in.LocationDescription, in.ImageURL = trimOpt(in.Description), trimOpt(in.LocationDescription), trimOpt(in.ImageURL)
	if in.ImageURL != nil {
		u, err := url.Parse(*in.ImageURL)
		if err != nil || !(u.Scheme == "https" || u.Scheme == "http") && !(u.Scheme == "" && strings.HasPrefix(*in.ImageURL, "/")) {
			errs = append(errs, apperr.FieldError{Field: "imageUrl", Message: "must be an http(s) URL or a path starting with /", Value: *in.ImageURL})
		}
	}
	if in.Capacity != nil && *in.Capacity < 0 {
		errs = append(errs, apperr.FieldError{Field: "capacity", Message: "must not be negative"})
	}
	switch in.StatusCd {
	case "":
		in.StatusCd = StatusAvailable
	case StatusAvailable, StatusMaintenance:
	case StatusRetired:
		errs = append(errs, apperr.FieldError{Field: "statusCd", Message: "retire a resource with DELETE", Value: in.StatusCd})
	default:
		errs = append(errs, apperr.FieldError{Field: "statusCd", Message: "must be AVAILABLE or MAINTENANCE", Value: in.StatusCd})
	}
	if len(errs) > 0 {
		return apperr.Invalid("invalid resource: "+describe(errs), errs...)
	}
	return nil
}

const resourceCols = `id, entity_id, name, type_cd, description, capacity, location_description, zone_id, image_url,
	maintenance_schedule, maintenance_until, status_cd, sort_order, created_at, updated_at, version`

func scanResource(sc interface{ Scan(...any) error }) (*Resource, error) {
	var r Resource
	var sched string
	err := sc.Scan(&r.ID, &r.EntityID, &r.Name, &r.TypeCd, &r.Description, &r.Capacity, &r.LocationDescription, &r.ZoneID, &r.ImageURL,
		&sched, store.NullTime(&r.maintenanceUntil), &r.StatusCd, &r.SortOrder, store.Time(&r.CreatedAt), store.Time(&r.UpdatedAt), &r.Version)
	if err != nil {
		return nil, err
	}
	// Stored schedules were validated when written; read them leniently.
	_ = json.Unmarshal([]byte(sched), &r.MaintenanceSchedule)
	if r.MaintenanceSchedule.Windows == nil {
		r.MaintenanceSchedule.Windows = []MaintenanceWindow{}
	}
	return &r, nil
}

func (s *Service) getResource(ctx context.Context, q store.Querier, sc Scope, id int64) (*Resource, error) {
	r, err := scanResource(q.QueryRowContext(ctx, `SELECT `+resourceCols+` FROM resources WHERE id = $1 AND entity_id = $2`, id, sc.EntityID))
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("resource")
	}
	return r, err
}

// CreateResource adds a resource and holds its maintenance windows.
func (s *Service) CreateResource(ctx context.Context, sc Scope, in ResourceInput) (*Resource, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	sched := MaintenanceSchedule{Windows: []MaintenanceWindow{}}
	if in.MaintenanceSchedule != nil {
		sched = *in.MaintenanceSchedule
	}
	now := s.Clock.Now()
	series, err := sched.normalise(sc.Location, clock.Today(now, sc.Location))
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(sched)
	var r *Resource
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO resources (entity_id, name, type_cd, description, capacity, location_description, zone_id,
			image_url, maintenance_schedule, status_cd, sort_order, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
			sc.EntityID, in.Name, in.TypeCd, in.Description, in.Capacity, in.LocationDescription, in.ZoneID, in.ImageURL, string(raw),
			in.StatusCd, in.SortOrder, now).Scan(&id); err != nil {
			return err
		}
		if err := s.holdMaintenance(ctx, tx, sc.EntityID, id, series, now); err != nil {
			return err
		}
		var err error
		if r, err = s.getResource(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "resource.created", now, r)
	})
	return r, err
}

// holdMaintenance replaces the resource's future maintenance slots by the
// occurrences of series from now to the horizon. A window that collides with
// a held booking is a conflict (409): move or cancel the booking first.
func (s *Service) holdMaintenance(ctx context.Context, tx *store.Tx, entityID, resourceID int64, series []*recur.Series, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE resource_id = $1 AND kind = $2 AND booking_id IS NULL AND start_at >= $3`,
		resourceID, ForMaintenance, now); err != nil {
		return err
	}
	until := s.horizon()
	rows, wanted := maintenanceRows(series, now, until)
	if _, _, overlap := SelfOverlap(wanted); overlap {
		return apperr.Field("maintenanceSchedule.windows", "maintenance windows overlap each other")
	}
	cs, err := conflictsWith(ctx, tx, resourceID, wanted)
	if err != nil {
		return err
	}
	if len(cs) > 0 {
		return conflictError("maintenance windows collide with existing bookings; move or cancel them first", cs)
	}
	if err := insertSlots(ctx, tx, entityID, resourceID, rows); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE resources SET maintenance_until = $1 WHERE id = $2`, until, resourceID)
	return err
}

// maintenanceRows expands maintenance windows to slots starting in [from, to).
func maintenanceRows(series []*recur.Series, from, to time.Time) ([]slotRow, []Interval) {
	var rows []slotRow
	var wanted []Interval
	for i, ser := range series {
		if ser == nil {
			continue
		}
		for _, o := range ser.Between(from, to) {
			if o.Start.Before(from) {
				continue // under way: its slot was kept
			}
			n := i
			rows = append(rows, slotRow{Kind: ForMaintenance, WindowNo: &n, OccurrenceStart: o.Start, Interval: Interval(o), Active: true})
			wanted = append(wanted, Interval(o))
		}
	}
	return rows, wanted
}

func conflictError(detail string, cs []Conflict) *apperr.Error {
	const maxListed = 100
	items := conflictItems(cs)
	e := apperr.Conflict("%s (%d conflicting occurrence(s))", detail, len(cs))
	e.Type = "booking-conflict"
	if len(items) > maxListed {
		items = items[:maxListed]
		e.With("conflictsTruncated", true)
	}
	return e.With("conflicts", items)
}

// ListResources lists the organisation's resources, optionally by type and status.
func (s *Service) ListResources(ctx context.Context, sc Scope, typeCd, statusCd string, limit, offset int) ([]Resource, int, error) {
	where := `entity_id = $1`
	args := []any{sc.EntityID}
	if typeCd != "" {
		args = append(args, typeCd)
		where += ` AND type_cd = $2`
	}
	if statusCd != "" {
		args = append(args, statusCd)
		where += ` AND status_cd = $` + itoa(len(args))
	}
	var total int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM resources WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	args = append(args, limit, offset)
	rows, err := s.DB.QueryContext(ctx, `SELECT `+resourceCols+` FROM resources WHERE `+where+
		` ORDER BY sort_order, name, id LIMIT $`+itoa(len(args)-1)+` OFFSET $`+itoa(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *r)
	}
	return out, total, rows.Err()
}

// GetResource returns a resource with its running and upcoming occurrences. A
// MEMBER caller sees only its own bookings among them.
func (s *Service) GetResource(ctx context.Context, sc Scope, id int64) (*ResourceDetail, error) {
	r, err := s.getResource(ctx, s.DB, sc, id)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	d := &ResourceDetail{Resource: *r, CurrentBookings: []Occurrence{}, UpcomingBookings: []Occurrence{}}
	occ, err := s.occurrences(ctx, sc, occQuery{resourceID: &id, from: now, to: now.Add(14 * 24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	for _, o := range occ {
		if o.StatusCd == StatusTentative {
			continue
		}
		if !o.Start.After(now) {
			d.CurrentBookings = append(d.CurrentBookings, o)
			d.InUse = true
		} else if len(d.UpcomingBookings) < 20 {
			d.UpcomingBookings = append(d.UpcomingBookings, o)
		}
	}
	if !d.InUse {
		var n int
		if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM booking_slots WHERE resource_id = $1 AND active AND start_at <= $2 AND end_at > $2`,
			id, now).Scan(&n); err != nil {
			return nil, err
		}
		d.InUse = n > 0
	}
	if sc.isMember() {
		d.CurrentBookings = filterOwn(d.CurrentBookings, sc)
		d.UpcomingBookings = filterOwn(d.UpcomingBookings, sc)
	}
	return d, nil
}

func filterOwn(occ []Occurrence, sc Scope) []Occurrence {
	out := []Occurrence{}
	for _, o := range occ {
		if o.BookedForType == ForMember && o.BookedForID != nil && sc.MemberID != nil && *o.BookedForID == *sc.MemberID {
			out = append(out, o)
		}
	}
	return out
}

// UpdateResource replaces a resource's fields if version is current. A changed
// maintenance schedule is held again from now on (409 if it collides).
func (s *Service) UpdateResource(ctx context.Context, sc Scope, id, version int64, in ResourceInput) (*Resource, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var r *Resource
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := s.getResource(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return apperr.StaleVersion("the resource")
		}
		if cur.StatusCd == StatusRetired {
			return apperr.Conflict("the resource is retired and cannot be changed")
		}
		sched := cur.MaintenanceSchedule
		if in.MaintenanceSchedule != nil {
			sched = *in.MaintenanceSchedule
		}
		series, err := sched.normalise(sc.Location, clock.Today(now, sc.Location))
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(sched)
		old, _ := json.Marshal(cur.MaintenanceSchedule)
		res, err := tx.ExecContext(ctx, `UPDATE resources SET name = $1, type_cd = $2, description = $3, capacity = $4, location_description = $5,
			zone_id = $6, image_url = $7, maintenance_schedule = $8, status_cd = $9, sort_order = $10, updated_at = $11, version = version + 1
			WHERE id = $12 AND entity_id = $13 AND version = $14`,
			in.Name, in.TypeCd, in.Description, in.Capacity, in.LocationDescription, in.ZoneID, in.ImageURL, string(raw), in.StatusCd, in.SortOrder,
			now, id, sc.EntityID, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.StaleVersion("the resource")
		}
		if string(raw) != string(old) {
			if err := s.holdMaintenance(ctx, tx, sc.EntityID, id, series, now); err != nil {
				return err
			}
		}
		if r, err = s.getResource(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "resource.updated", now, r)
	})
	return r, err
}

// RetireResource retires a resource: it takes no new bookings and keeps its
// history. Future bookings must be cancelled first (409 lists them), or with
// cancelFuture they are cancelled in the same transaction (events included).
func (s *Service) RetireResource(ctx context.Context, sc Scope, id int64, cancelFuture bool) (*Resource, error) {
	now := s.Clock.Now()
	var r *Resource
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := s.getResource(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.StatusCd == StatusRetired {
			return apperr.Conflict("the resource is already retired")
		}
		ids, err := queryIDs(ctx, tx, `SELECT id FROM resource_bookings WHERE resource_id = $1 AND status_cd IN ('CONFIRMED', 'TENTATIVE')
			AND (series_end IS NULL OR series_end > $2) ORDER BY id`, id, now)
		if err != nil {
			return err
		}
		if len(ids) > 0 && !cancelFuture {
			return apperr.Conflict("the resource has %d booking(s) with future occurrences; cancel them first or retire with ?cancelFutureBookings=true", len(ids)).
				With("bookingIds", ids)
		}
		for _, bid := range ids {
			if _, err := s.cancelWhole(ctx, tx, sc, bid, now, "RESOURCE_RETIRED"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM booking_slots WHERE resource_id = $1 AND booking_id IS NULL AND start_at >= $2`, id, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET status_cd = $1, maintenance_until = NULL, updated_at = $2, version = version + 1 WHERE id = $3`,
			StatusRetired, now, id); err != nil {
			return err
		}
		if r, err = s.getResource(ctx, tx, sc, id); err != nil {
			return err
		}
		return s.Events.Emit(ctx, tx, sc.EntityID, "resource.retired", now, r)
	})
	return r, err
}

// FeedToken is a calendar feed secret, shown once.
type FeedToken struct {
	Token string `json:"token" doc:"Shown once. Append as ?token=… to the feed URL; rotating it revokes the old one."`
	URL   string `json:"url" doc:"The feed path with the token, for calendar apps that cannot send headers."`
}

// RotateFeedToken makes a new feed token for the resource's .ics feed; the
// old one stops working. Only its SHA-256 is stored.
func (s *Service) RotateFeedToken(ctx context.Context, sc Scope, id int64) (*FeedToken, error) {
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	tok := "ghf_" + hex.EncodeToString(raw[:])
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.getResource(ctx, tx, sc, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE resources SET feed_token_hash = $1 WHERE id = $2 AND entity_id = $3`, hashToken(tok), id, sc.EntityID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &FeedToken{Token: tok, URL: "/api/resources/" + itoa(int(id)) + "/calendar.ics?token=" + tok}, nil
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// resourceByFeedToken returns the organisation and time zone of the resource
// whose feed token is tok.
func (s *Service) resourceByFeedToken(ctx context.Context, id int64, tok string) (Scope, error) {
	var sc Scope
	var tz string
	if !strings.HasPrefix(tok, "ghf_") || len(tok) > 100 {
		return sc, apperr.Unauthorized("invalid feed token")
	}
	err := s.DB.QueryRowContext(ctx, `SELECT r.entity_id, e.timezone FROM resources r JOIN entities e ON e.id = r.entity_id
		WHERE r.id = $1 AND r.feed_token_hash = $2`, id, hashToken(tok)).Scan(&sc.EntityID, &tz)
	if store.IsNoRows(err) {
		return sc, apperr.Unauthorized("invalid feed token")
	}
	if err != nil {
		return sc, err
	}
	sc.Location, err = clock.Location(tz)
	sc.Role = auth.Staff // the feed shows what staff see
	return sc, err
}

func queryIDs(ctx context.Context, q store.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func itoa(n int) string { return strconv.Itoa(n) }
