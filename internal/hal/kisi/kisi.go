// Package kisi is the hal adapter for the Kisi cloud (https://api.kisi.io),
// written against Kisi's public OpenAPI documents. A Gatehouse credential is a
// Kisi role assignment ("group_basic") of the member's Kisi user on the
// configured group, bounded by valid_from/valid_until; revoking deletes it.
// Auth is "Authorization: KISI-LOGIN <api key>"; the key never appears in logs
// or errors.
package kisi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/vendorhttp"
)

// Provider is the name the adapter registers under.
const Provider = "KISI"

// DefaultBaseURL is Kisi's production API.
const DefaultBaseURL = "https://api.kisi.io"

func init() { hal.RegisterVendor(Provider, New) }

// Settings are the integration settings the adapter reads.
type Settings struct {
	BaseURL string `json:"baseUrl"`
	GroupID int64  `json:"-"`
	PlaceID int64  `json:"-"`
}

// ParseSettings reads baseUrl, groupId (required) and placeId (optional) from
// the integration settings; ids may be JSON numbers or numeric strings.
func ParseSettings(raw json.RawMessage) (Settings, error) {
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			return Settings{}, &hal.FieldError{Field: "settings", Message: "must be a JSON object"}
		}
	}
	s := Settings{BaseURL: DefaultBaseURL}
	if v, ok := m["baseUrl"].(string); ok && v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Settings{}, &hal.FieldError{Field: "settings.baseUrl", Message: "must be an http(s) URL"}
		}
		s.BaseURL = strings.TrimRight(v, "/")
	}
	var err error
	if s.GroupID, err = idOf(m["groupId"]); err != nil || s.GroupID <= 0 {
		return Settings{}, &hal.FieldError{Field: "settings.groupId", Message: "the Kisi group id (a positive integer) is required"}
	}
	if v, ok := m["placeId"]; ok {
		if s.PlaceID, err = idOf(v); err != nil || s.PlaceID <= 0 {
			return Settings{}, &hal.FieldError{Field: "settings.placeId", Message: "must be a positive integer"}
		}
	}
	return s, nil
}

func idOf(v any) (int64, error) {
	switch x := v.(type) {
	case float64:
		if x != float64(int64(x)) {
			return 0, errors.New("not an integer")
		}
		return int64(x), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, errors.New("missing")
}

// Adapter talks to one organisation's Kisi account.
type Adapter struct {
	key      string
	settings Settings
	client   *http.Client
}

// New is the hal.VendorFactory of Kisi.
func New(cfg hal.VendorConfig, client *http.Client) (hal.Adapter, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, &hal.FieldError{Field: "apiKey", Message: "is required"}
	}
	s, err := ParseSettings(cfg.Settings)
	if err != nil {
		return nil, err
	}
	return &Adapter{key: cfg.APIKey, settings: s, client: vendorhttp.ClientOrDefault(client)}, nil
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return Provider }

// RetryAfterError is an Unreachable failure where Kisi said when to come back
// (429 with Retry-After). Callers find it with errors.As and an interface
// { RetryAfter() time.Duration }.
type RetryAfterError struct {
	Status int
	After  time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("HTTP %d, retry after %s", e.Status, e.After)
}

// RetryAfter is how long Kisi asked us to wait.
func (e *RetryAfterError) RetryAfter() time.Duration { return e.After }

// StatusError is an HTTP failure with Kisi's error message (never the key).
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

// do sends one request and decodes a JSON answer into out (when non-nil).
func (a *Adapter) do(ctx context.Context, op, method, path string, q url.Values, body, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, hal.NewError(hal.Rejected, Provider, op, err)
		}
		rd = bytes.NewReader(b)
	}
	u := a.settings.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, hal.NewError(hal.Rejected, Provider, op, errors.New("bad request URL"))
	}
	req.Header.Set("Authorization", "KISI-LOGIN "+a.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		// *url.Error carries the URL, never the header: safe to wrap.
		return nil, hal.NewError(hal.Unreachable, Provider, op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, hal.NewError(hal.Unreachable, Provider, op, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		after := time.Second
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			after = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(resp.Header.Get("Retry-After")); err == nil {
			after = max(time.Until(t), 0)
		}
		return nil, hal.NewError(hal.Unreachable, Provider, op, &RetryAfterError{Status: resp.StatusCode, After: after})
	case resp.StatusCode >= 500:
		return nil, hal.NewError(hal.Unreachable, Provider, op, &StatusError{Status: resp.StatusCode, Message: message(raw)})
	case resp.StatusCode >= 400:
		return nil, hal.NewError(hal.Rejected, Provider, op, &StatusError{Status: resp.StatusCode, Message: message(raw)})
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, hal.NewError(hal.Unreachable, Provider, op, fmt.Errorf("unexpected answer: %w", err))
		}
	}
	return resp.Header, nil
}

// message extracts Kisi's {"error": "..."} or {"errors": {...}}, bounded.
func message(raw []byte) string {
	var e struct {
		Error  string          `json:"error"`
		Errors json.RawMessage `json:"errors"`
	}
	_ = json.Unmarshal(raw, &e)
	m := e.Error
	if m == "" && len(e.Errors) > 0 {
		m = string(e.Errors)
	}
	if len(m) > 200 {
		m = m[:200]
	}
	return m
}

// StatusOf returns the HTTP status of a Kisi failure (0 if none).
func StatusOf(err error) int {
	var s *StatusError
	if errors.As(err, &s) {
		return s.Status
	}
	return 0
}

type user struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type roleAssignment struct {
	ID            int64      `json:"id"`
	RoleID        string     `json:"role_id"`
	AssigneeType  string     `json:"assignee_type,omitempty"`
	AssigneeID    int64      `json:"assignee_id,omitempty"`
	AppliesToType string     `json:"applies_to_type"`
	AppliesToID   int64      `json:"applies_to_id"`
	ValidFrom     *time.Time `json:"valid_from"`
	ValidUntil    *time.Time `json:"valid_until"`
}

func (a *Adapter) findOrCreateUser(ctx context.Context, p *hal.Person) (int64, error) {
	var found []user
	if _, err := a.do(ctx, "provision", http.MethodGet, "/users", url.Values{"email": {p.Email}, "limit": {"10"}}, nil, &found); err != nil {
		return 0, err
	}
	for _, u := range found {
		if strings.EqualFold(u.Email, p.Email) {
			return u.ID, nil
		}
	}
	name := strings.TrimSpace(p.FirstName + " " + p.LastName)
	body := map[string]any{"user": map[string]any{"email": p.Email, "name": name, "send_emails": false, "confirm": true}}
	var created user
	if _, err := a.do(ctx, "provision", http.MethodPost, "/users", nil, body, &created); err != nil {
		return 0, err
	}
	if created.ID == 0 {
		return 0, hal.NewError(hal.Unreachable, Provider, "provision", errors.New("user created without id"))
	}
	return created.ID, nil
}

// assignments lists the group's role assignments (of one user when userID > 0),
// following limit/offset paging.
func (a *Adapter) assignments(ctx context.Context, op string, userID int64) ([]roleAssignment, error) {
	var all []roleAssignment
	const limit = 250
	for offset := 0; offset <= 20000; offset += limit {
		q := url.Values{"applies_to_type": {"Group"}, "applies_to_id": {strconv.FormatInt(a.settings.GroupID, 10)},
			"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
		if userID > 0 {
			q.Set("assignee_type", "User")
			q.Set("assignee_id", strconv.FormatInt(userID, 10))
		}
		var page []roleAssignment
		if _, err := a.do(ctx, op, http.MethodGet, "/role_assignments", q, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < limit {
			break
		}
	}
	return all, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Truncate(time.Second).Equal(b.Truncate(time.Second))
}

// ProvisionCredential finds or creates the member's Kisi user and gives it a
// role assignment on the group for [ValidFrom, ExpiresAt]. Check-then-create:
// an existing assignment with the same window is returned, not duplicated.
func (a *Adapter) ProvisionCredential(ctx context.Context, c hal.Credential) (string, error) {
	if c.Member == nil || strings.TrimSpace(c.Member.Email) == "" {
		return "", hal.NewError(hal.Rejected, Provider, "provision", errors.New("the member has no email, which Kisi needs"))
	}
	uid, err := a.findOrCreateUser(ctx, c.Member)
	if err != nil {
		return "", err
	}
	from, until := utc(c.ValidFrom), utc(c.ExpiresAt)
	existing, err := a.assignments(ctx, "provision", uid)
	if err != nil {
		return "", err
	}
	for _, ra := range existing {
		if ra.AssigneeID == uid && sameTime(ra.ValidFrom, from) && sameTime(ra.ValidUntil, until) {
			return strconv.FormatInt(ra.ID, 10), nil
		}
	}
	ra := map[string]any{"assignee_type": "User", "assignee_id": uid, "role_id": "group_basic",
		"applies_to_type": "Group", "applies_to_id": a.settings.GroupID, "notify": false,
		"valid_from": from, "valid_until": until}
	var created roleAssignment
	if _, err := a.do(ctx, "provision", http.MethodPost, "/role_assignments", nil, map[string]any{"role_assignment": ra}, &created); err != nil {
		return "", err
	}
	if created.ID == 0 {
		return "", hal.NewError(hal.Unreachable, Provider, "provision", errors.New("role assignment created without id"))
	}
	return strconv.FormatInt(created.ID, 10), nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

// RevokeCredential deletes the role assignment; one that is already gone (404)
// counts as revoked.
func (a *Adapter) RevokeCredential(ctx context.Context, externalID string) error {
	id, err := strconv.ParseInt(externalID, 10, 64)
	if err != nil || id <= 0 {
		return hal.NewError(hal.Rejected, Provider, "revoke", errors.New("not a Kisi role assignment id"))
	}
	_, err = a.do(ctx, "revoke", http.MethodDelete, "/role_assignments/"+strconv.FormatInt(id, 10), nil, nil, nil)
	if err != nil && StatusOf(err) == http.StatusNotFound {
		return nil
	}
	return err
}

// ListCredentials lists the external ids of the group's role assignments
// (for the reconciler).
func (a *Adapter) ListCredentials(ctx context.Context) ([]string, error) {
	all, err := a.assignments(ctx, "list", 0)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(all))
	for _, ra := range all {
		out = append(out, strconv.FormatInt(ra.ID, 10))
	}
	return out, nil
}

// UnlockDoor sends POST /locks/{id}/unlock. Kisi has no hold-open parameter
// (the pulse is configured on the lock), so any holdOpen > 0 is Unsupported
// rather than silently shortened.
func (a *Adapter) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	if holdOpen > 0 {
		return hal.DoorResult{}, hal.NewError(hal.Unsupported, Provider, "unlock", errors.New("no hold-open in the Kisi API (the pulse is set on the lock); use holdOpen 0"))
	}
	id, err := strconv.ParseInt(d.ExternalDoorID, 10, 64)
	if err != nil {
		return hal.DoorResult{}, hal.NewError(hal.Rejected, Provider, "unlock", errors.New("externalDoorId must be a Kisi lock id"))
	}
	var out struct {
		Message string `json:"message"`
	}
	if _, err := a.do(ctx, "unlock", http.MethodPost, "/locks/"+strconv.FormatInt(id, 10)+"/unlock", nil, map[string]any{}, &out); err != nil {
		return hal.DoorResult{}, err
	}
	return hal.DoorResult{Success: true, Message: out.Message}, nil
}

// Occupancy counts the place's presences that are on site today (GET
// /presences?place_id=&date=); it needs settings.placeId.
func (a *Adapter) Occupancy(ctx context.Context, d hal.Door) (hal.Occupancy, error) {
	if a.settings.PlaceID == 0 {
		return hal.Occupancy{}, hal.NewError(hal.Unsupported, Provider, "occupancy", errors.New("settings.placeId is not configured"))
	}
	now := time.Now().UTC()
	n := 0
	const limit = 250
	for offset := 0; offset <= 20000; offset += limit {
		q := url.Values{"place_id": {strconv.FormatInt(a.settings.PlaceID, 10)}, "date": {now.Format(time.RFC3339)},
			"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(offset)}}
		var page []struct {
			Status string `json:"status"`
		}
		if _, err := a.do(ctx, "occupancy", http.MethodGet, "/presences", q, nil, &page); err != nil {
			return hal.Occupancy{}, err
		}
		for _, p := range page {
			if p.Status == "on_site" {
				n++
			}
		}
		if len(page) < limit {
			break
		}
	}
	return hal.Occupancy{Known: true, Current: n, At: now}, nil
}

type eventSet struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Events []struct {
		ActorName  string    `json:"actor_name"`
		Action     string    `json:"action"`
		ObjectType string    `json:"object_type"`
		ObjectID   int64     `json:"object_id"`
		CreatedAt  time.Time `json:"created_at"`
		Success    bool      `json:"success"`
		Message    *string   `json:"message"`
	} `json:"events"`
}

// RecentEvents creates an event set for the lock over the last 90 days
// (POST /event_sets), polls it until finished and returns the newest events.
func (a *Adapter) RecentEvents(ctx context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	if limit <= 0 {
		return []hal.Event{}, nil
	}
	id, err := strconv.ParseInt(d.ExternalDoorID, 10, 64)
	if err != nil {
		return nil, hal.NewError(hal.Rejected, Provider, "events", errors.New("externalDoorId must be a Kisi lock id"))
	}
	now := time.Now().UTC()
	body := map[string]any{"event_set": map[string]any{
		"interval":          now.Add(-90*24*time.Hour).Format(time.RFC3339) + "/" + now.Format(time.RFC3339),
		"event_object_type": "Lock", "event_object_id": id}}
	var set eventSet
	if _, err := a.do(ctx, "events", http.MethodPost, "/event_sets", nil, body, &set); err != nil {
		return nil, err
	}
	for wait := 50 * time.Millisecond; set.Status == "in_progress"; wait = min(wait*2, time.Second) {
		select {
		case <-ctx.Done():
			return nil, hal.NewError(hal.Unreachable, Provider, "events", ctx.Err())
		case <-time.After(wait):
		}
		if _, err := a.do(ctx, "events", http.MethodGet, "/event_sets/"+strconv.FormatInt(set.ID, 10), url.Values{"limit": {strconv.Itoa(min(limit, 250))}}, nil, &set); err != nil {
			return nil, err
		}
	}
	if set.Status == "failed" {
		return nil, hal.NewError(hal.Unreachable, Provider, "events", errors.New("the event set failed at Kisi"))
	}
	out := make([]hal.Event, 0, len(set.Events))
	for _, e := range set.Events {
		kind := strings.ToUpper(strings.ReplaceAll(e.Action, ".", "_"))
		if kind == "" {
			kind = "EVENT"
		}
		detail := e.ActorName
		if e.Message != nil && *e.Message != "" {
			detail = strings.TrimSpace(detail + " " + *e.Message)
		}
		out = append(out, hal.Event{At: e.CreatedAt.UTC(), Kind: kind, ExternalDoorID: d.ExternalDoorID, Detail: detail})
	}
	sortNewestFirst(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func sortNewestFirst(ev []hal.Event) {
	for i := 1; i < len(ev); i++ {
		for j := i; j > 0 && ev[j].At.After(ev[j-1].At); j-- {
			ev[j], ev[j-1] = ev[j-1], ev[j]
		}
	}
}
