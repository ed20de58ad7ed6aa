// Package salto is the door adapter for Salto KS (the cloud "Connect API",
// v1.1).
//
// Access is modelled the way Salto KS does it: a KS user of the site (found by
// e-mail, created when missing) is added to one access group
// (settings.accessGroupId) whose locks the member may open; revoking removes
// the user from that group again. The external credential id is the KS user id.
// Entries (GET …/entries) are the door's recent events.
//
// Remote unlock is not offered: the KS locking endpoint needs a one-time code
// (OTP) produced by the user's KS app, which a backend cannot generate without a
// Salto partner ("backend server") agreement. UnlockDoor therefore reports
// hal.Unsupported, as does Occupancy (KS keeps no count).
//
// Authentication is OAuth2 client_credentials against the KS identity server
// ({identityUrl}/connect/token, Basic clientId:clientSecret, scope
// user_api.full_access); the bearer token is refreshed shortly before expiry and
// once more when a request is answered 401.
//
// Everything here is built from the public developer notes summarised in
// /work/shared/reference/vendor-apis.md §3a and verified only against the fake
// in this package's tests: field names of entries, the access-group path
// spelling and the absence of a validity window on group membership are
// unverified (see docs/door-adapters.md).
package salto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/vendorhttp"
)

// Provider is the provider name zones and integrations use.
const Provider = "SALTO_KS"

// Scope is the OAuth scope of the Connect API.
const Scope = "user_api.full_access"

const maxBody = 1 << 20

func init() {
	hal.RegisterVendor(Provider, func(cfg hal.VendorConfig, client *http.Client) (hal.Adapter, error) {
		return New(cfg, client)
	})
}

// Settings are the integration's provider settings (JSON object). The API key
// of the integration is the OAuth client secret.
type Settings struct {
	// BaseURL is the Connect API host (per tenant/environment; required).
	BaseURL string `json:"baseUrl"`
	// IdentityURL is the identity server (token endpoint {identityUrl}/connect/token; required).
	IdentityURL string `json:"identityUrl"`
	ClientID    string `json:"clientId"`
	SiteID      string `json:"siteId"`
	// AccessGroupID is the access group members are added to.
	AccessGroupID string `json:"accessGroupId"`
	// Timeout bounds each HTTP request (Go duration, default 10s).
	Timeout string `json:"timeout"`
}

// Adapter is the Salto KS adapter of one organisation. Safe for concurrent use.
type Adapter struct {
	provider string
	s        Settings
	secret   string
	client   *http.Client
	timeout  time.Duration
	now      func() time.Time
	loc      *time.Location

	tokMu   sync.Mutex
	token   string
	expires time.Time
}

// New builds the adapter of one organisation's Salto KS integration. It makes
// no network call.
func New(cfg hal.VendorConfig, client *http.Client) (*Adapter, error) {
	a := &Adapter{provider: Provider, secret: cfg.APIKey, client: client, now: time.Now, loc: cfg.Location}
	if cfg.Provider != "" {
		a.provider = cfg.Provider
	}
	field := func(f, msg string) error { return &hal.FieldError{Field: f, Message: msg} }
	if len(cfg.Settings) > 0 {
		if err := json.Unmarshal(cfg.Settings, &a.s); err != nil {
			return nil, field("settings", "must be a JSON object of the documented fields")
		}
	}
	s := &a.s
	var err error
	if s.BaseURL, err = vendorhttp.BaseURL(s.BaseURL, ""); err != nil {
		return nil, field("settings.baseUrl", "the Connect API host is required (an absolute http(s) URL)")
	}
	if s.IdentityURL, err = vendorhttp.BaseURL(s.IdentityURL, ""); err != nil {
		return nil, field("settings.identityUrl", "the identity server is required (an absolute http(s) URL)")
	}
	for _, f := range []struct{ name, v string }{{"clientId", s.ClientID}, {"siteId", s.SiteID}, {"accessGroupId", s.AccessGroupID}} {
		if !validID(f.v) {
			return nil, field("settings."+f.name, "is required (an id without spaces or slashes)")
		}
	}
	if a.secret == "" {
		return nil, field("apiKey", "the OAuth client secret is required")
	}
	if a.timeout, err = vendorhttp.ParseTimeout(s.Timeout); err != nil {
		return nil, field("settings.timeout", err.Error())
	}
	a.client = vendorhttp.ClientOrDefault(a.client)
	if a.loc == nil {
		a.loc = time.UTC
	}
	return a, nil
}

func validID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || r == '/' || r == '?' || r == '#' || r == '%' || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return a.provider }

// ValidateDoor implements hal.DoorValidator: the external door id is a KS lock id.
func (a *Adapter) ValidateDoor(d hal.Door) error {
	if !validID(strings.TrimSpace(d.ExternalDoorID)) {
		return &hal.FieldError{Field: "externalDoorId", Message: "must be a Salto KS lock id"}
	}
	return nil
}

// ---- users and access groups ----

type user struct {
	ID        string `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email,omitempty"`
}

type page[T any] struct {
	Items             []T             `json:"items"`
	ContinuationToken json.RawMessage `json:"continuation_token,omitempty"`
}

func (a *Adapter) site() string { return "/v1.1/sites/" + url.PathEscape(a.s.SiteID) }

// ProvisionCredential finds or creates the member's KS user (by e-mail) and
// adds it to the access group. Idempotent: the KS user id is returned again.
// KS group membership has no documented validity window: the booking window
// is enforced by the integration's revoke job.
func (a *Adapter) ProvisionCredential(ctx context.Context, c hal.Credential) (string, error) {
	const op = "provision"
	if c.Member == nil || strings.TrimSpace(c.Member.Email) == "" {
		return "", hal.NewError(hal.Rejected, a.provider, op, errors.New("the member has no e-mail, which Salto KS needs to find or invite the user"))
	}
	email := strings.TrimSpace(c.Member.Email)
	var found page[user]
	q := url.Values{"$filter": {"email eq '" + strings.ReplaceAll(email, "'", "''") + "'"}, "$top": {"10"}}
	if _, err := a.do(ctx, op, "find user", http.MethodGet, a.site()+"/users?"+q.Encode(), nil, nil, &found); err != nil {
		return "", err
	}
	var id string
	for _, u := range found.Items {
		if strings.EqualFold(u.Email, email) && u.ID != "" {
			id = u.ID
			break
		}
	}
	if id == "" {
		first, last := c.Member.FirstName, c.Member.LastName
		if first == "" {
			first = "Member"
		}
		var created user
		body := map[string]any{"first_name": first, "last_name": last, "email": email}
		if _, err := a.do(ctx, op, "create user", http.MethodPost, a.site()+"/users", body, nil, &created); err != nil {
			return "", err
		}
		if created.ID == "" {
			return "", hal.NewError(hal.Unreachable, a.provider, op, errors.New("create user: answer without an id"))
		}
		id = created.ID
	}
	if err := a.membership(ctx, op, "add_ids", id); err != nil {
		return "", err
	}
	return id, nil
}

// RevokeCredential removes the KS user from the access group (the user record
// stays: it may hold other keys). A user or membership the site no longer
// knows counts as revoked.
func (a *Adapter) RevokeCredential(ctx context.Context, externalID string) error {
	const op = "revoke"
	if !validID(externalID) {
		return hal.NewError(hal.Rejected, a.provider, op, errors.New("not a Salto KS user id"))
	}
	return a.membership(ctx, op, "remove_ids", externalID)
}

func (a *Adapter) membership(ctx context.Context, op, key, userID string) error {
	path := a.site() + "/access_groups/" + url.PathEscape(a.s.AccessGroupID) + "/users"
	code, err := a.do(ctx, op, "access group", http.MethodPatch, path, map[string]any{key: []string{userID}}, nil, nil)
	if err != nil && key == "remove_ids" && code == http.StatusNotFound {
		return nil
	}
	return err
}

// ---- doors ----

// UnlockDoor is unsupported: see the package documentation.
func (a *Adapter) UnlockDoor(context.Context, hal.Door, time.Duration) (hal.DoorResult, error) {
	return hal.DoorResult{}, hal.NewError(hal.Unsupported, a.provider, "unlock",
		errors.New("remote opening of a Salto KS lock needs a one-time code (OTP) from the user's KS app; a backend cannot open a KS lock without a Salto partner integration"))
}

// Occupancy is unsupported: Salto KS keeps no occupancy count.
func (a *Adapter) Occupancy(context.Context, hal.Door) (hal.Occupancy, error) {
	return hal.Occupancy{}, hal.NewError(hal.Unsupported, a.provider, "occupancy", errors.New("no occupancy count in Salto KS"))
}

type entry struct {
	ID            string `json:"id"`
	LockID        string `json:"lock_id"`
	UTCDateTime   string `json:"utc_date_time"`
	LocalDateTime string `json:"local_date_time"`
	Operation     string `json:"operation"`
	UserName      string `json:"user_name"`
}

// maxPages bounds the entries pages read for one RecentEvents call.
const maxPages = 10

// RecentEvents lists the site's newest entries of the door's lock, newest
// first (filtered here by lock_id; following CLP-Continuation-Token pages).
func (a *Adapter) RecentEvents(ctx context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	const op = "events"
	lock := strings.TrimSpace(d.ExternalDoorID)
	if !validID(lock) {
		return nil, hal.NewError(hal.Rejected, a.provider, op, errors.New("externalDoorId must be a Salto KS lock id"))
	}
	if limit <= 0 {
		return []hal.Event{}, nil
	}
	top := min(max(limit, 50), 250)
	q := url.Values{"$orderby": {"local_date_time desc"}, "$top": {fmt.Sprint(top)}}
	var out []hal.Event
	var cont string
	for range maxPages {
		var p page[entry]
		var hdr map[string]string
		if cont != "" {
			hdr = map[string]string{"CLP-Continuation-Token": cont}
		}
		if _, err := a.do(ctx, op, "entries", http.MethodGet, a.site()+"/entries?"+q.Encode(), nil, hdr, &p); err != nil {
			return nil, err
		}
		for _, e := range p.Items {
			if e.LockID != lock {
				continue
			}
			at, ok := a.entryTime(e)
			if !ok {
				continue
			}
			kind := "ENTRY"
			if op := strings.ToUpper(strings.TrimSpace(e.Operation)); op != "" {
				kind = "ENTRY_" + strings.Map(func(r rune) rune {
					if unicode.IsLetter(r) || unicode.IsDigit(r) {
						return r
					}
					return '_'
				}, op)
			}
			detail := "Salto KS entry"
			if e.UserName != "" {
				detail += " by " + e.UserName
			}
			out = append(out, hal.Event{At: at, Kind: kind, ExternalDoorID: lock, Detail: detail})
		}
		cont = continuation(p.ContinuationToken)
		if len(out) >= limit || cont == "" {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []hal.Event{}
	}
	return out, nil
}

// continuation is the token to send back: the JSON value of the body field,
// unescaped when it is a JSON string.
func continuation(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func (a *Adapter) entryTime(e entry) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, e.UTCDateTime); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, e.LocalDateTime, a.loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ---- HTTP and OAuth ----

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

func (a *Adapter) bearer(ctx context.Context, op, stale string) (string, error) {
	a.tokMu.Lock()
	defer a.tokMu.Unlock()
	if a.token != "" && a.token != stale && a.now().Before(a.expires) {
		return a.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {Scope}}
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, a.s.IdentityURL+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", hal.NewError(hal.Rejected, a.provider, op, errors.New("token: cannot build the request"))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(a.s.ClientID, a.secret)
	resp, err := a.client.Do(req)
	if err != nil {
		return "", hal.NewError(hal.Unreachable, a.provider, op, fmt.Errorf("token: %w", vendorhttp.TransportErr(ctx, rctx, err)))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", hal.NewError(hal.Unreachable, a.provider, op, fmt.Errorf("token: %w", vendorhttp.TransportErr(ctx, rctx, err)))
	}
	if resp.StatusCode != http.StatusOK {
		return "", hal.NewError(vendorhttp.StatusKind(resp.StatusCode), a.provider, op, fmt.Errorf("token: HTTP %d (check clientId and the client secret)", resp.StatusCode))
	}
	var tr tokenResponse
	if json.Unmarshal(raw, &tr) != nil || tr.AccessToken == "" {
		return "", hal.NewError(hal.Unreachable, a.provider, op, errors.New("token: answer without access_token"))
	}
	life := time.Duration(tr.ExpiresIn) * time.Second
	if life <= 0 {
		life = 5 * time.Minute
	}
	a.token, a.expires = tr.AccessToken, a.now().Add(life-min(life/10, 30*time.Second))
	return a.token, nil
}

// do runs one API request (JSON in and out) with the bearer token; a 401 gets
// one retry with a fresh token. It returns the HTTP status with any error.
func (a *Adapter) do(ctx context.Context, op, step, method, path string, body any, hdr map[string]string, out any) (int, error) {
	var stale string
	for attempt := 0; ; attempt++ {
		tok, err := a.bearer(ctx, op, stale)
		if err != nil {
			return 0, err
		}
		code, raw, err := a.exchange(ctx, op, step, method, path, body, hdr, tok)
		if err != nil {
			return code, err
		}
		if code == http.StatusUnauthorized && attempt == 0 {
			stale = tok
			continue
		}
		if code < 200 || code > 299 {
			msg := fmt.Sprintf("%s: %s HTTP %d", step, method, code)
			if m := errorMessage(raw, a.secret, tok); m != "" {
				msg += ": " + m
			}
			return code, hal.NewError(vendorhttp.StatusKind(code), a.provider, op, errors.New(msg))
		}
		if out != nil && len(bytes.TrimSpace(raw)) > 0 {
			if err := json.Unmarshal(raw, out); err != nil {
				return code, hal.NewError(hal.Unreachable, a.provider, op, fmt.Errorf("%s: HTTP %d with an answer that is not the expected JSON", step, code))
			}
		}
		return code, nil
	}
}

func (a *Adapter) exchange(ctx context.Context, op, step, method, path string, body any, hdr map[string]string, tok string) (int, []byte, error) {
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, hal.NewError(hal.Rejected, a.provider, op, fmt.Errorf("%s: cannot encode the request", step))
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(rctx, method, a.s.BaseURL+path, r)
	if err != nil {
		return 0, nil, hal.NewError(hal.Rejected, a.provider, op, fmt.Errorf("%s: cannot build the request", step))
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, hal.NewError(hal.Unreachable, a.provider, op, fmt.Errorf("%s: %w", step, vendorhttp.TransportErr(ctx, rctx, err)))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, hal.NewError(hal.Unreachable, a.provider, op, fmt.Errorf("%s: %w", step, vendorhttp.TransportErr(ctx, rctx, err)))
	}
	return resp.StatusCode, raw, nil
}

// errorMessage is a short excerpt of the API's own message, secrets masked.
func errorMessage(raw []byte, secrets ...string) string {
	c := vendorhttp.Client{ErrorKeys: []string{"message", "error_description", "error", "title"}, Secrets: func() []string { return secrets }}
	return c.ErrorMessage(raw)
}
