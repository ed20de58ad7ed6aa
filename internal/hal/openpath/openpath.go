// Package openpath is the door adapter for Openpath / Avigilon Alta (the
// api.openpath.com REST API, public Swagger 2.0 document; see
// docs/door-adapters.md).
//
// Access is modelled the way Alta does it: an Alta user (found by our
// member's external id, created when missing) is a member of one group
// (settings.groupId) whose schedules open the entries, and holds one mobile
// credential per booking whose startDate/endDate is the booking's window.
// The external id is "userId:credentialId". Unlock sets a temporary entry
// state (an unlocked state) for exactly the hold-open time.
//
// Authentication: POST /auth/login with the service account's email
// (settings.email) and password (the integration's API key) returns a JWT
// with an expiry; it is sent raw in the Authorization header. The adapter
// refreshes it shortly before expiry (POST /auth/accessTokens/refresh, else a
// new login) and logs in again once when a request is answered 401.
//
// Everything here is built from the public Swagger document and research
// notes: it is verified only against the fake in openpathtest, never against
// the real service.
package openpath

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/vendorhttp"
)

// Provider is the provider name zones and integrations use.
const Provider = "OPENPATH"

// DefaultBaseURL is Alta's US API host.
const DefaultBaseURL = "https://api.openpath.com"

// credPrefix names the mobile credentials this adapter creates (the
// identifier follows), so revocation can tell them from credentials an
// administrator gave the same user.
const credPrefix = "gatehouse-"

func init() {
	hal.RegisterVendor(Provider, func(cfg hal.VendorConfig, client *http.Client) (hal.Adapter, error) {
		return New(cfg, client)
	})
}

// Settings are the integration's provider settings (JSON object).
type Settings struct {
	BaseURL string `json:"baseUrl"`
	// OrgID is the Alta organisation (required).
	OrgID ID `json:"orgId"`
	// Email is the service account's login; the password is the API key.
	Email string `json:"email"`
	// GroupID is the Alta group whose members may open the doors.
	GroupID ID `json:"groupId"`
	// CredentialTypeID is the credential type of the per-booking credential;
	// default: the org's credential type whose modelName is "mobile".
	CredentialTypeID ID `json:"credentialTypeId"`
	// UnlockEntryStateID is the entry state set for the hold-open time;
	// default: the first state (by ordinal) that is not locked, not a toggle
	// and not multi-factor.
	UnlockEntryStateID ID `json:"unlockEntryStateId"`
	// Timeout bounds each HTTP request (Go duration, default 10s).
	Timeout string `json:"timeout"`
}

// ID is an Alta id in the settings: a JSON number or a string of digits (the
// web UI sends every setting as text).
type ID int64

// UnmarshalJSON accepts 42 and "42".
func (id *ID) UnmarshalJSON(b []byte) error {
	v := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if v == "" || v == "null" {
		*id = 0
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("not an id: %w", err)
	}
	*id = ID(n)
	return nil
}

// Option adjusts an adapter (tests, logging).
type Option func(*Adapter)

// WithLogger sets the logger (default slog.Default()). Lines never carry
// secrets, paths or bodies.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(a *Adapter) { a.now = now } }

// Adapter is the Openpath adapter of one organisation. Safe for concurrent use.
type Adapter struct {
	provider string
	s        Settings
	password string
	base     string
	org      string
	client   *http.Client
	log      *slog.Logger
	now      func() time.Time
	timeout  time.Duration

	tokMu sync.Mutex // serialises logins and refreshes
	tok   token

	secMu     sync.Mutex
	tokenSecs []string // recent tokens, masked in errors

	idMu      sync.Mutex
	credType  int64
	unlockSID int64
}

type token struct {
	value   string
	expires time.Time
	margin  time.Duration // refreshed this long before expiry
}

// fieldErr is a settings error naming the field, so the integration API can
// point at it (422 on settings.<field>).
func (a *Adapter) fieldErr(field, format string, args ...any) error {
	return hal.NewError(hal.Rejected, a.provider, "configure", &hal.FieldError{Field: "settings." + field, Message: fmt.Sprintf(format, args...)})
}

// New builds the adapter of one organisation's Openpath integration. It
// checks the settings only; it makes no request.
func New(cfg hal.VendorConfig, client *http.Client, opts ...Option) (*Adapter, error) {
	a := &Adapter{provider: Provider, password: cfg.APIKey, client: client, log: slog.Default(), now: time.Now}
	if cfg.Provider != "" {
		a.provider = cfg.Provider
	}
	for _, o := range opts {
		o(a)
	}
	if len(cfg.Settings) > 0 {
		if err := json.Unmarshal(cfg.Settings, &a.s); err != nil {
			return nil, hal.NewError(hal.Rejected, a.provider, "configure", errors.New("invalid settings: not a JSON object of the documented fields"))
		}
	}
	s := &a.s
	if a.password == "" {
		return nil, hal.NewError(hal.Rejected, a.provider, "configure", errors.New("invalid settings: the API key (service account password) is missing"))
	}
	if s.OrgID <= 0 {
		return nil, a.fieldErr("orgId", "is required: the Alta organisation id (a positive number)")
	}
	if s.Email = strings.TrimSpace(s.Email); s.Email == "" || !strings.Contains(s.Email, "@") {
		return nil, a.fieldErr("email", "is required: the service account's login email")
	}
	if s.GroupID <= 0 {
		return nil, a.fieldErr("groupId", "is required: the Alta group that opens the doors (a positive number)")
	}
	if s.CredentialTypeID < 0 {
		return nil, a.fieldErr("credentialTypeId", "must be a positive number")
	}
	if s.UnlockEntryStateID < 0 {
		return nil, a.fieldErr("unlockEntryStateId", "must be a positive number")
	}
	var err error
	if a.base, err = vendorhttp.BaseURL(s.BaseURL, DefaultBaseURL); err != nil {
		return nil, a.fieldErr("baseUrl", "must be an http(s) URL without query")
	}
	a.org = "/orgs/" + strconv.FormatInt(int64(s.OrgID), 10)
	if a.timeout, err = vendorhttp.ParseTimeout(s.Timeout); err != nil {
		return nil, a.fieldErr("timeout", "%v", err)
	}
	a.credType, a.unlockSID = int64(s.CredentialTypeID), int64(s.UnlockEntryStateID)
	a.client = vendorhttp.ClientOrDefault(a.client)
	return a, nil
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return a.provider }

func (a *Adapter) secrets() []string {
	a.secMu.Lock()
	defer a.secMu.Unlock()
	return append([]string{a.password}, a.tokenSecs...)
}

// ValidateDoor implements hal.DoorValidator: the external door id is an Alta
// entry id (a positive number).
func (a *Adapter) ValidateDoor(d hal.Door) error {
	_, err := entryID(d)
	return vendorhttp.DoorFieldError(err)
}

func entryID(d hal.Door) (string, error) {
	return vendorhttp.PositiveDoorID(d, "an Alta entry id")
}

// ---- HTTP ----

// call is one API request; url is relative to the base URL.
type call struct {
	op, step, method, url string
	body                  any
	out                   any
}

func (a *Adapter) vendor() *vendorhttp.Client {
	return &vendorhttp.Client{Provider: a.provider, HTTP: a.client, Timeout: a.timeout, Log: a.log,
		Secrets: a.secrets, ErrorKeys: []string{"message", "error", "name"}, BuildHint: " (check settings.baseUrl)"}
}

func (a *Adapter) send(ctx context.Context, c call, tok string) (int, error) {
	vc := vendorhttp.Call{Op: c.op, Step: c.step, Method: c.method, URL: a.base + c.url, Body: c.body, Out: c.out}
	if tok != "" {
		// The spec's "jwt" security scheme is an apiKey header: the raw token.
		vc.Auth = func(r *http.Request) { r.Header.Set("Authorization", tok) }
	}
	return a.vendor().Send(ctx, vc)
}

func (a *Adapter) fail(kind hal.ErrorKind, op, step string, err error) error {
	return a.vendor().Fail(kind, op, step, err)
}

type loginData struct {
	Data struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expiresAt"`
	} `json:"data"`
}

// bearer returns a usable token. stale is a token the API just refused (401):
// unless another request already replaced it, the adapter logs in again.
func (a *Adapter) bearer(ctx context.Context, op, stale string) (string, error) {
	a.tokMu.Lock()
	defer a.tokMu.Unlock()
	t := a.tok
	if t.value != "" && t.value != stale {
		if stale != "" || a.now().Before(t.expires.Add(-t.margin)) {
			return t.value, nil
		}
		// About to expire: refresh while it is still valid, so a busy
		// integration never sends an expired token.
		if t.expires.After(a.now()) {
			tok, err := a.storeToken(ctx, op, "token refresh", call{method: http.MethodPost, url: "/auth/accessTokens/refresh"}, t.value)
			if err == nil || hal.KindOf(err) != hal.Rejected {
				return tok, err
			}
			// Refused (revoked, scopes changed): log in again.
		}
	}
	body := map[string]any{"email": a.s.Email, "password": a.password}
	return a.storeToken(ctx, op, "login", call{method: http.MethodPost, url: "/auth/login", body: body}, "")
}

// storeToken runs a login or refresh; the caller holds tokMu.
func (a *Adapter) storeToken(ctx context.Context, op, step string, c call, auth string) (string, error) {
	var ld loginData
	c.op, c.step, c.out = op, step, &ld
	if _, err := a.send(ctx, c, auth); err != nil {
		return "", err
	}
	if ld.Data.Token == "" {
		return "", a.fail(hal.Rejected, op, step, errors.New("the answer has no token"))
	}
	exp, err := time.Parse(time.RFC3339, ld.Data.ExpiresAt)
	if err != nil {
		// No (or an unreadable) expiry: assume a short life and rely on
		// the 401 retry.
		exp = a.now().Add(10 * time.Minute)
	}
	// Refresh a minute before expiry, or halfway through a short life.
	a.tok = token{value: ld.Data.Token, expires: exp, margin: min(time.Minute, max(exp.Sub(a.now())/2, 0))}
	a.secMu.Lock()
	a.tokenSecs = append(a.tokenSecs, ld.Data.Token)
	if n := len(a.tokenSecs); n > 4 {
		a.tokenSecs = slices.Clone(a.tokenSecs[n-4:])
	}
	a.secMu.Unlock()
	return ld.Data.Token, nil
}

// api sends an authenticated request, logging in again and retrying once
// when the API answers 401 (token expired or revoked early).
func (a *Adapter) api(ctx context.Context, c call) (int, error) {
	tok, err := a.bearer(ctx, c.op, "")
	if err != nil {
		return 0, err
	}
	code, err := a.send(ctx, c, tok)
	if code != http.StatusUnauthorized {
		return code, err
	}
	if tok, err = a.bearer(ctx, c.op, tok); err != nil {
		return 0, err
	}
	return a.send(ctx, c, tok)
}

// Ping logs in and lists the org's credential types: a cheap, read-only
// check of the login, the org id and the base URL ("test connection").
func (a *Adapter) Ping(ctx context.Context) error {
	_, err := a.credentialType(ctx, "ping", true)
	return err
}

// ---- lists ----

// page is Alta's list envelope.
type page[T any] struct {
	Data    []T `json:"data"`
	Cursors struct {
		NextCursor  any  `json:"nextCursor"`
		HasNextPage bool `json:"hasNextPage"`
	} `json:"cursors"`
}

const pageLimit = 100

// each pages through an offset-paged list (at most maxPages pages) until fn
// returns true.
func each[T any](ctx context.Context, a *Adapter, op, step, path string, q url.Values, fn func(T) bool) (int, error) {
	for p := range maxPages {
		q.Set("limit", strconv.Itoa(pageLimit))
		q.Set("offset", strconv.Itoa(p*pageLimit))
		var pg page[T]
		code, err := a.api(ctx, call{op: op, step: step, method: http.MethodGet, url: path + "?" + q.Encode(), out: &pg})
		if err != nil {
			return code, err
		}
		for _, it := range pg.Data {
			if fn(it) {
				return code, nil
			}
		}
		if len(pg.Data) < pageLimit && !pg.Cursors.HasNextPage {
			return code, nil
		}
	}
	return http.StatusOK, nil
}

const maxPages = 20

// credentialType is the credential type of per-booking credentials.
func (a *Adapter) credentialType(ctx context.Context, op string, force bool) (int64, error) {
	a.idMu.Lock()
	id := a.credType
	a.idMu.Unlock()
	if id != 0 && !force {
		return id, nil
	}
	var found int64
	_, err := each(ctx, a, op, "credential types", a.org+"/credentialTypes", url.Values{}, func(t struct {
		ID        int64  `json:"id"`
		ModelName string `json:"modelName"`
	}) bool {
		if strings.EqualFold(t.ModelName, "mobile") {
			found = t.ID
			return true
		}
		return false
	})
	if err != nil {
		return 0, err
	}
	if id != 0 {
		return id, nil
	}
	if found == 0 {
		return 0, a.fail(hal.Rejected, op, "credential types", errors.New("the org has no mobile credential type; set settings.credentialTypeId"))
	}
	a.idMu.Lock()
	a.credType = found
	a.idMu.Unlock()
	return found, nil
}

// unlockState is the entry state set while a door is held open.
func (a *Adapter) unlockState(ctx context.Context, op string) (int64, error) {
	a.idMu.Lock()
	id := a.unlockSID
	a.idMu.Unlock()
	if id != 0 {
		return id, nil
	}
	type state struct {
		ID            int64   `json:"id"`
		Ordinal       float64 `json:"ordinal"`
		IsLocked      bool    `json:"isLocked"`
		IsToggle      bool    `json:"isToggle"`
		IsMultiFactor bool    `json:"isMultiFactor"`
	}
	var open []state
	_, err := each(ctx, a, op, "entry states", a.org+"/entryStates", url.Values{}, func(s state) bool {
		if !s.IsLocked && !s.IsToggle && !s.IsMultiFactor && s.ID > 0 {
			open = append(open, s)
		}
		return false
	})
	if err != nil {
		return 0, err
	}
	if len(open) == 0 {
		return 0, a.fail(hal.Rejected, op, "entry states", errors.New("the org has no unlocked entry state; set settings.unlockEntryStateId"))
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].Ordinal < open[j].Ordinal })
	a.idMu.Lock()
	a.unlockSID = open[0].ID
	a.idMu.Unlock()
	return open[0].ID, nil
}

// ---- provisioning ----

type user struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"externalId"`
}

type credential struct {
	ID               int64  `json:"id"`
	CredentialTypeID int64  `json:"credentialTypeId"`
	StartDate        string `json:"startDate"`
	EndDate          string `json:"endDate"`
	Mobile           *struct {
		Name string `json:"name"`
	} `json:"mobile"`
}

func (c credential) name() string {
	if c.Mobile == nil {
		return ""
	}
	return c.Mobile.Name
}

// ProvisionCredential finds or creates the member's Alta user, adds it to the
// access group, and finds or creates the booking's mobile credential with the
// validity window. Retrying with the same window finds the same credential;
// a new window creates a new credential (the integration then revokes the
// old one by its external id).
func (a *Adapter) ProvisionCredential(ctx context.Context, c hal.Credential) (string, error) {
	const op = "provision"
	if c.Member == nil || strings.TrimSpace(c.Member.ExternalID) == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("the credential has no member external id"))
	}
	if strings.TrimSpace(c.Identifier) == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("the credential has no identifier"))
	}
	if c.ValidFrom != nil && c.ExpiresAt != nil && !c.ExpiresAt.After(*c.ValidFrom) {
		return "", a.fail(hal.Rejected, op, "", errors.New("the validity window ends before it starts"))
	}
	ctype, err := a.credentialType(ctx, op, false)
	if err != nil {
		return "", err
	}
	u, err := a.findOrCreateUser(ctx, op, c.Member)
	if err != nil {
		return "", err
	}
	uid := strconv.FormatInt(u.ID, 10)
	if _, err := a.api(ctx, call{op: op, step: "add to group", method: http.MethodPatch, url: a.org + "/users/" + uid + "/groupIds",
		body: map[string][]int64{"add": {int64(a.s.GroupID)}}}); err != nil {
		return "", err
	}
	cr, err := a.findOrCreateCredential(ctx, op, uid, ctype, c)
	if err != nil {
		return "", err
	}
	cid := strconv.FormatInt(cr.ID, 10)
	a.log.LogAttrs(ctx, slog.LevelInfo, "openpath credential provisioned", slog.String("provider", a.provider), slog.String("user", uid), slog.String("credential", cid))
	return uid + ":" + cid, nil
}

func (a *Adapter) findUser(ctx context.Context, op, ext string) (user, bool, error) {
	var found user
	// The filter narrows the list server-side; the exact comparison keeps
	// us correct should the service match loosely or ignore it.
	q := url.Values{"filter": {"externalId:(" + ext + ")"}}
	_, err := each(ctx, a, op, "find user", a.org+"/users", q, func(u user) bool {
		if u.ExternalID == ext && u.ID > 0 {
			found = u
			return true
		}
		return false
	})
	return found, found.ID > 0, err
}

func (a *Adapter) findOrCreateUser(ctx context.Context, op string, p *hal.Person) (user, error) {
	if u, ok, err := a.findUser(ctx, op, p.ExternalID); ok || err != nil {
		return u, err
	}
	first, last := strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	if first == "" {
		first = "Member"
	}
	if last == "" {
		last = p.ExternalID
	}
	identity := map[string]string{"firstName": first, "lastName": last}
	if p.Email != "" {
		identity["email"] = p.Email
	}
	var out struct {
		Data user `json:"data"`
	}
	code, err := a.api(ctx, call{op: op, step: "create user", method: http.MethodPost, url: a.org + "/users",
		body: map[string]any{"identity": identity, "externalId": p.ExternalID}, out: &out})
	if code == http.StatusConflict || (code == http.StatusBadRequest && err != nil && strings.Contains(strings.ToLower(err.Error()), "already")) {
		// Created concurrently (or by an earlier attempt whose answer was lost).
		if u, ok, ferr := a.findUser(ctx, op, p.ExternalID); ok || ferr != nil {
			return u, ferr
		}
	}
	if err != nil {
		return user{}, err
	}
	if out.Data.ID <= 0 {
		return user{}, a.fail(hal.Rejected, op, "create user", errors.New("the created user has no id"))
	}
	return out.Data, nil
}

// stamp formats a window bound as the API's date-time (UTC, seconds).
func stamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// sameInstant compares a stored bound with the wanted one by instant, so a
// service that reformats timestamps (milliseconds, offsets) still matches.
func sameInstant(have string, want *time.Time) bool {
	if want == nil {
		return have == ""
	}
	t, err := time.Parse(time.RFC3339, have)
	return err == nil && t.Equal(want.UTC().Truncate(time.Second))
}

func (a *Adapter) findOrCreateCredential(ctx context.Context, op, uid string, ctype int64, c hal.Credential) (credential, error) {
	name := credPrefix + c.Identifier
	var found credential
	_, err := each(ctx, a, op, "user credentials", a.org+"/users/"+uid+"/credentials", url.Values{}, func(cr credential) bool {
		if cr.name() == name && sameInstant(cr.StartDate, c.ValidFrom) && sameInstant(cr.EndDate, c.ExpiresAt) && cr.ID > 0 {
			found = cr
			return true
		}
		return false
	})
	if err != nil || found.ID > 0 {
		return found, err
	}
	body := map[string]any{"credentialTypeId": ctype, "mobile": map[string]string{"name": name}}
	if c.ValidFrom != nil {
		body["startDate"] = stamp(c.ValidFrom)
	}
	if c.ExpiresAt != nil {
		body["endDate"] = stamp(c.ExpiresAt)
	}
	var out struct {
		Data credential `json:"data"`
	}
	if _, err := a.api(ctx, call{op: op, step: "create credential", method: http.MethodPost, url: a.org + "/users/" + uid + "/credentials", body: body, out: &out}); err != nil {
		return credential{}, err
	}
	if out.Data.ID <= 0 {
		return credential{}, a.fail(hal.Rejected, op, "create credential", errors.New("the created credential has no id"))
	}
	return out.Data, nil
}

// RevokeCredential deletes the booking's credential; when the user holds no
// other credential of ours, it also leaves the access group. Anything
// already gone (404) counts as revoked.
func (a *Adapter) RevokeCredential(ctx context.Context, externalID string) error {
	const op = "revoke"
	uidS, cidS, ok := strings.Cut(externalID, ":")
	uid, err1 := strconv.ParseInt(uidS, 10, 64)
	cid, err2 := strconv.ParseInt(cidS, 10, 64)
	if !ok || err1 != nil || err2 != nil || uid <= 0 || cid <= 0 {
		return a.fail(hal.Rejected, op, "", errors.New(`the external id is not an Openpath "userId:credentialId"`))
	}
	u, c := strconv.FormatInt(uid, 10), strconv.FormatInt(cid, 10)
	if code, err := a.api(ctx, call{op: op, step: "delete credential", method: http.MethodDelete, url: a.org + "/users/" + u + "/credentials/" + c}); err != nil && code != http.StatusNotFound {
		return err
	}
	others := false
	code, err := each(ctx, a, op, "user credentials", a.org+"/users/"+u+"/credentials", url.Values{}, func(cr credential) bool {
		others = cr.ID != cid && strings.HasPrefix(cr.name(), credPrefix)
		return others
	})
	if code == http.StatusNotFound {
		return nil // the user is gone
	}
	if err != nil || others {
		return err
	}
	if code, err := a.api(ctx, call{op: op, step: "remove from group", method: http.MethodPatch, url: a.org + "/users/" + u + "/groupIds",
		body: map[string][]int64{"remove": {int64(a.s.GroupID)}}}); err != nil && code != http.StatusNotFound {
		return err
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "openpath credential revoked", slog.String("provider", a.provider), slog.String("user", u), slog.String("credential", c))
	return nil
}

// listAll pages through an offset/limit listing to its end.
func listAll[T any](ctx context.Context, a *Adapter, op, step, path string) ([]T, error) {
	all, err := vendorhttp.ListPages(ctx, func(ctx context.Context, p int) ([]T, bool, error) {
		q := url.Values{"limit": {strconv.Itoa(pageLimit)}, "offset": {strconv.Itoa(p * pageLimit)}}
		var pg page[T]
		if _, err := a.api(ctx, call{op: op, step: step, method: http.MethodGet, url: path + "?" + q.Encode(), out: &pg}); err != nil {
			return nil, false, err
		}
		return pg.Data, len(pg.Data) < pageLimit && !pg.Cursors.HasNextPage, nil
	})
	if errors.Is(err, vendorhttp.ErrTooManyPages) {
		return nil, a.fail(hal.Rejected, op, step, err)
	}
	return all, err
}

// ListCredentials implements integration.Lister for the reconciler: the
// "userId:credentialId" (ProvisionCredential's format) of every mobile
// credential named "gatehouse-…" held by a user whose external id is
// Gatehouse's ("gatehouse-member-…"). Users are listed unfiltered: the
// documented filter matches a whole external id, not a prefix.
func (a *Adapter) ListCredentials(ctx context.Context) ([]string, error) {
	const op = "list"
	users, err := listAll[user](ctx, a, op, "users", a.org+"/users")
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, u := range users {
		if u.ID <= 0 || !strings.HasPrefix(u.ExternalID, hal.MemberExternalIDPrefix) {
			continue
		}
		uid := strconv.FormatInt(u.ID, 10)
		creds, err := listAll[credential](ctx, a, op, "user credentials", a.org+"/users/"+uid+"/credentials")
		if err != nil {
			return nil, err
		}
		for _, cr := range creds {
			if cr.ID > 0 && strings.HasPrefix(cr.name(), credPrefix) {
				out = append(out, uid+":"+strconv.FormatInt(cr.ID, 10))
			}
		}
	}
	return out, nil
}

// ---- doors ----

// maxHold is the API's limit on durationSeconds (ten years).
const maxHold = 315360000 * time.Second

// UnlockDoor sets the entry to the unlocked entry state for holdOpen (whole
// seconds, rounded up, at least one) with setTempState; the entry returns to
// its schedule afterwards by itself.
func (a *Adapter) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	const op = "unlock"
	e, err := entryID(d)
	if err != nil {
		return hal.DoorResult{}, a.fail(hal.Rejected, op, "externalDoorId", err)
	}
	if holdOpen < 0 || holdOpen > maxHold {
		return hal.DoorResult{}, a.fail(hal.Rejected, op, "", errors.New("hold-open time out of range"))
	}
	secs := max(int64(math.Ceil(holdOpen.Seconds())), 1)
	state, err := a.unlockState(ctx, op)
	if err != nil {
		return hal.DoorResult{}, err
	}
	body := map[string]int64{"entryStateId": state, "durationSeconds": secs}
	if _, err := a.api(ctx, call{op: op, step: "set temp state", method: http.MethodPost, url: a.org + "/entries/" + e + "/setTempState", body: body}); err != nil {
		return hal.DoorResult{}, err
	}
	return hal.DoorResult{Success: true, Message: fmt.Sprintf("entry %s unlocked for %ds", e, secs)}, nil
}

type presence struct {
	Data struct {
		ColumnLabelsMs []int64 `json:"columnLabelsMs"`
		Rows           []struct {
			Name   string    `json:"name"`
			Counts []float64 `json:"counts"`
		} `json:"rows"`
	} `json:"data"`
}

// Occupancy reads the entry's presence buckets of the last hour: the number
// of people Alta saw at the entry in the newest hourly bucket. It is a
// presence count, not a head count of people inside.
func (a *Adapter) Occupancy(ctx context.Context, d hal.Door) (hal.Occupancy, error) {
	const op = "occupancy"
	e, err := entryID(d)
	if err != nil {
		return hal.Occupancy{}, a.fail(hal.Rejected, op, "externalDoorId", err)
	}
	now := a.now().UTC()
	q := url.Values{"category": {"entries"}, "timeScale": {"hour"}, "entryIds": {e}, "timeZone": {"UTC"},
		"startDate": {now.Add(-time.Hour).Truncate(time.Second).Format(time.RFC3339)}, "endDate": {now.Truncate(time.Second).Format(time.RFC3339)}}
	var p presence
	if _, err := a.api(ctx, call{op: op, step: "presence buckets", method: http.MethodGet, url: a.org + "/reports/presence/buckets?" + q.Encode(), out: &p}); err != nil {
		return hal.Occupancy{}, err
	}
	if len(p.Data.Rows) == 0 || len(p.Data.Rows[0].Counts) == 0 {
		return hal.Occupancy{Known: true, Current: 0, At: now}, nil
	}
	counts := p.Data.Rows[0].Counts
	n := counts[len(counts)-1]
	at := now
	if l := p.Data.ColumnLabelsMs; len(l) == len(counts) && l[len(l)-1] > 0 {
		at = time.UnixMilli(l[len(l)-1]).UTC()
	}
	if n < 0 || math.IsNaN(n) {
		n = 0
	}
	return hal.Occupancy{Known: true, Current: int(n), At: at}, nil
}

type activity struct {
	UIData struct {
		Time              float64 `json:"time"`
		UserID            *int64  `json:"userId"`
		EntryID           *int64  `json:"entryId"`
		RequestType       string  `json:"requestType"`
		Result            string  `json:"result"`
		ResultDescription string  `json:"resultDescription"`
		DeniedReason      *string `json:"deniedReason"`
	} `json:"uiData"`
}

// maxEventPages bounds how many cursor pages RecentEvents reads.
const maxEventPages = 10

// RecentEvents lists the entry's activity events of the last 24 hours,
// newest first. The time range is the spec's uiData.time filter; the entry
// is picked out client-side (the filter syntax for combining fields is not
// documented).
func (a *Adapter) RecentEvents(ctx context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	const op = "events"
	e, err := entryID(d)
	if err != nil {
		return nil, a.fail(hal.Rejected, op, "externalDoorId", err)
	}
	if limit <= 0 {
		return []hal.Event{}, nil
	}
	eid, _ := strconv.ParseInt(e, 10, 64)
	now := a.now().UTC()
	filter := fmt.Sprintf("uiData.time:(%d-<%d)", now.Add(-24*time.Hour).Unix(), now.Unix()+1)
	out := []hal.Event{}
	cursor := ""
	for range maxEventPages {
		q := url.Values{"filter": {filter}, "limit": {"1000"}, "options": {"uiDataOnly"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var pg page[activity]
		if _, err := a.api(ctx, call{op: op, step: "activity events", method: http.MethodGet, url: a.org + "/reports/activity/events?" + q.Encode(), out: &pg}); err != nil {
			return nil, err
		}
		for _, ev := range pg.Data {
			u := ev.UIData
			if u.EntryID == nil || *u.EntryID != eid || u.Time <= 0 {
				continue
			}
			sec, frac := math.Modf(u.Time)
			out = append(out, hal.Event{At: time.Unix(int64(sec), int64(frac*1e9)).UTC(), Kind: eventKind(ev), ExternalDoorID: e, Detail: eventDetail(ev)})
		}
		next := cursorString(pg.Cursors.NextCursor)
		if !pg.Cursors.HasNextPage || next == "" || next == cursor {
			break
		}
		cursor = next
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// cursorString reads nextCursor, which the spec allows as a number or a string.
func cursorString(v any) string {
	switch c := v.(type) {
	case string:
		return c
	case float64:
		return strconv.FormatFloat(c, 'f', -1, 64)
	}
	return ""
}

func eventKind(ev activity) string {
	u := ev.UIData
	res := strings.ToLower(u.Result + " " + u.ResultDescription)
	req := strings.ToLower(u.RequestType)
	switch {
	case strings.Contains(res, "forced"):
		return "DOOR_FORCED"
	case strings.Contains(res, "held") || strings.Contains(res, "ajar"):
		return "DOOR_HELD_OPEN"
	case (u.DeniedReason != nil && *u.DeniedReason != "") || strings.Contains(res, "denied") || strings.Contains(res, "fail"):
		return "ACCESS_DENIED"
	case strings.Contains(req, "unlock") || strings.Contains(req, "remote") || strings.Contains(req, "temp"):
		return "UNLOCK"
	}
	return "ACCESS"
}

func eventDetail(ev activity) string {
	u := ev.UIData
	d := u.ResultDescription
	if d == "" {
		d = strings.TrimSpace(u.RequestType + " " + u.Result)
	}
	d = vendorhttp.Clip(d, 120)
	if d == "" {
		d = "activity event"
	}
	if u.UserID != nil && *u.UserID != 0 {
		d += fmt.Sprintf(" (Alta user %d)", *u.UserID)
	}
	return d
}

var (
	_ hal.Adapter       = (*Adapter)(nil)
	_ hal.DoorValidator = (*Adapter)(nil)
)
