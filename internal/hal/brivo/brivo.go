// Package brivo is the door adapter for Brivo Access (the "OnAir" API v1).
//
// Access is modelled the way Brivo does it: a Brivo user (found by our member's
// external id, created when missing) is a member of one group (settings.groupId)
// whose schedule opens the doors, and holds card credentials assigned with an
// effective window. Unlock activates an access point (a momentary pulse), or
// changes its schedule state to UNLOCK until a time for longer hold-open times.
//
// Authentication is OAuth2 against auth.brivo.com (password or
// client_credentials grant, Basic clientId:clientSecret) plus the api-key
// header on every request. Tokens live about a minute: the adapter refreshes
// them shortly before expiry and once more when a request is answered 401.
//
// Everything here is built from the public API documentation notes and the
// recorded API interactions in /work/shared/reference (see
// docs/door-adapters.md): it is verified only against fakes modelled on them.
package brivo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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
const Provider = "BRIVO"

// Defaults of the US region (EU: api.eu.brivo.com / auth.eu.brivo.com).
const (
	DefaultBaseURL = "https://api.brivo.com/v1/api"
	DefaultAuthURL = "https://auth.brivo.com/oauth/token"
)

func init() {
	hal.RegisterVendor(Provider, func(cfg hal.VendorConfig, client *http.Client) (hal.Adapter, error) {
		return New(cfg, client)
	})
}

// Settings are the integration's provider settings (JSON object).
type Settings struct {
	BaseURL      string `json:"baseUrl"`
	AuthURL      string `json:"authUrl"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	// GrantType is "password" (an administrator's username/password) or
	// "client_credentials"; default password when username is set.
	GrantType string `json:"grantType"`
	Username  string `json:"username"`
	Password  string `json:"password"`
	// GroupID is the Brivo group whose members may open the doors.
	GroupID string `json:"groupId"`
	// CredentialFormatID is the Brivo card format (default 100, "Standard 26 Bit").
	CredentialFormatID int64 `json:"credentialFormatId"`
	// FacilityCode fills the format's facility_code field (decimal; 0–255
	// in the 26-bit format).
	FacilityCode string `json:"facilityCode"`
	// CardNumberMax is the largest card_number (or credential_number) the
	// format holds. Default: 65535 for the "Standard 26 Bit" format (id 100,
	// a 16-bit card number), else unbounded. Identifiers above it are folded
	// into 1…CardNumberMax (see cardNumber).
	CardNumberMax int64 `json:"cardNumberMax"`
	// FieldValues fills further format fields by name (e.g. agency_code).
	FieldValues map[string]string `json:"fieldValues"`
	// ValidityPrecision is "date" (default: whole UTC days, as recorded in the
	// reference interactions) or "time" (RFC 3339 timestamps).
	ValidityPrecision string `json:"validityPrecision"`
	// PulseSeconds is how long an activated access point stays unlocked (its
	// configured unlock time, default 5). Longer hold-open times use a
	// schedule change-state until the end time.
	PulseSeconds int `json:"pulseSeconds"`
	// Timeout bounds each HTTP request (Go duration, default 10s).
	Timeout string `json:"timeout"`
}

// Option adjusts an adapter (tests, logging).
type Option func(*Adapter)

// WithLogger sets the logger (default slog.Default()). Lines never carry
// secrets, paths, bodies or credential numbers.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(a *Adapter) { a.now = now } }

// Adapter is the Brivo adapter of one organisation. Safe for concurrent use.
type Adapter struct {
	provider string
	s        Settings
	apiKey   string
	base     string
	auth     string
	client   *http.Client
	log      *slog.Logger
	now      func() time.Time
	timeout  time.Duration
	pulse    time.Duration

	tokMu sync.Mutex // serialises token requests
	tok   token

	secMu     sync.Mutex
	tokenSecs []string // current and previous tokens, masked in errors

	fmtMu   sync.Mutex
	formats map[int64]credentialFormat
}

type token struct {
	access, refresh string
	expires         time.Time
	margin          time.Duration
}

// New builds the adapter of one organisation's Brivo integration.
func New(cfg hal.VendorConfig, client *http.Client, opts ...Option) (*Adapter, error) {
	a := &Adapter{provider: Provider, apiKey: cfg.APIKey, client: client, log: slog.Default(), now: time.Now}
	if cfg.Provider != "" {
		a.provider = cfg.Provider
	}
	for _, o := range opts {
		o(a)
	}
	invalid := func(format string, args ...any) error {
		return hal.NewError(hal.Rejected, a.provider, "configure", fmt.Errorf("invalid settings: "+format, args...))
	}
	if len(cfg.Settings) > 0 {
		if err := json.Unmarshal(cfg.Settings, &a.s); err != nil {
			return nil, invalid("not a JSON object of the documented fields")
		}
	}
	s := &a.s
	if a.apiKey == "" {
		return nil, invalid("the API key is missing")
	}
	if s.ClientID == "" || s.ClientSecret == "" {
		return nil, invalid("clientId and clientSecret are required")
	}
	if s.GrantType == "" {
		s.GrantType = "client_credentials"
		if s.Username != "" {
			s.GrantType = "password"
		}
	}
	switch s.GrantType {
	case "password":
		if s.Username == "" || s.Password == "" {
			return nil, invalid("grantType password needs username and password")
		}
	case "client_credentials":
	default:
		return nil, invalid("grantType must be password or client_credentials")
	}
	var err error
	if a.base, err = vendorhttp.BaseURL(s.BaseURL, DefaultBaseURL); err != nil {
		return nil, invalid("baseUrl: %v", err)
	}
	if a.auth, err = vendorhttp.BaseURL(s.AuthURL, DefaultAuthURL); err != nil {
		return nil, invalid("authUrl: %v", err)
	}
	if s.CredentialFormatID == 0 {
		s.CredentialFormatID = 100
	}
	if s.CardNumberMax < 0 {
		return nil, invalid("cardNumberMax must not be negative")
	}
	if s.FacilityCode != "" {
		if _, err := decimal(s.FacilityCode, 0); err != nil {
			return nil, invalid("facilityCode: %v", err)
		}
	}
	switch s.ValidityPrecision {
	case "":
		s.ValidityPrecision = "date"
	case "date", "time":
	default:
		return nil, invalid("validityPrecision must be date or time")
	}
	if s.PulseSeconds, err = vendorhttp.PulseSeconds(s.PulseSeconds); err != nil {
		return nil, invalid("pulseSeconds %v", err)
	}
	a.pulse = time.Duration(s.PulseSeconds) * time.Second
	if a.timeout, err = vendorhttp.ParseTimeout(s.Timeout); err != nil {
		return nil, invalid("timeout %v", err)
	}
	a.client = vendorhttp.ClientOrDefault(a.client)
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a, nil
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return a.provider }

func (a *Adapter) secrets() []string {
	a.secMu.Lock()
	defer a.secMu.Unlock()
	return append([]string{a.apiKey, a.s.ClientSecret, a.s.Password}, a.tokenSecs...)
}

// ValidateDoor implements hal.DoorValidator: the external door id is a Brivo
// access point id (a positive number).
func (a *Adapter) ValidateDoor(d hal.Door) error {
	_, err := accessPoint(d)
	return vendorhttp.DoorFieldError(err)
}

func accessPoint(d hal.Door) (string, error) {
	return vendorhttp.PositiveDoorID(d, "a Brivo access point id")
}

// ---- OAuth2 ----

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// bearer returns a valid access token. stale is a token the API just refused
// (401): unless another request already replaced it, a new one is fetched.
func (a *Adapter) bearer(ctx context.Context, op, stale string) (string, error) {
	a.tokMu.Lock()
	defer a.tokMu.Unlock()
	t := a.tok
	if t.access != "" && t.access != stale && (stale != "" || a.now().Before(t.expires.Add(-t.margin))) {
		return t.access, nil
	}
	if t.refresh != "" {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.refresh}}
		tok, err := a.requestToken(ctx, op, "token refresh", form)
		if err == nil {
			return tok, nil
		}
		if hal.KindOf(err) != hal.Rejected {
			return "", err
		}
		// The refresh token was refused (expired, revoked): log in again.
	}
	form := url.Values{"grant_type": {a.s.GrantType}}
	if a.s.GrantType == "password" {
		form.Set("username", a.s.Username)
		form.Set("password", a.s.Password)
	}
	return a.requestToken(ctx, op, "token", form)
}

// requestToken runs one token request; the caller holds tokMu.
func (a *Adapter) requestToken(ctx context.Context, op, step string, form url.Values) (string, error) {
	var tr tokenResponse
	_, err := a.send(ctx, call{op: op, step: step, method: http.MethodPost, url: a.auth, form: form, out: &tr}, func(r *http.Request) {
		r.SetBasicAuth(a.s.ClientID, a.s.ClientSecret)
	})
	if err != nil {
		return "", err
	}
	if tr.AccessToken == "" {
		return "", a.fail(hal.Rejected, op, step, errors.New("the token response has no access_token"))
	}
	life := time.Duration(tr.ExpiresIn) * time.Second
	if life <= 0 {
		life = 60 * time.Second
	}
	a.tok = token{access: tr.AccessToken, refresh: tr.RefreshToken, expires: a.now().Add(life), margin: min(10*time.Second, life/2)}
	a.secMu.Lock()
	a.tokenSecs = append(a.tokenSecs, tr.AccessToken, tr.RefreshToken)
	if n := len(a.tokenSecs); n > 6 {
		a.tokenSecs = slices.Clone(a.tokenSecs[n-6:])
	}
	a.secMu.Unlock()
	return tr.AccessToken, nil
}

// api sends an authenticated API request (path relative to the base URL),
// getting a new token and retrying once when the API answers 401.
func (a *Adapter) api(ctx context.Context, c call) (int, error) {
	c.url = a.base + c.url
	tok, err := a.bearer(ctx, c.op, "")
	if err != nil {
		return 0, err
	}
	withToken := func(t string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "bearer "+t) }
	}
	code, err := a.send(ctx, c, withToken(tok))
	if code != http.StatusUnauthorized {
		return code, err
	}
	if tok, err = a.bearer(ctx, c.op, tok); err != nil {
		return 0, err
	}
	return a.send(ctx, c, withToken(tok))
}

// Ping signs in and reads the account's credential formats: a cheap,
// read-only check of the API key, client credentials and base URLs (the
// integration's "test connection").
func (a *Adapter) Ping(ctx context.Context) error {
	var pg page[credentialFormat]
	_, err := a.api(ctx, call{op: "ping", step: "credential formats", method: http.MethodGet, url: "/credentials/formats", out: &pg})
	return err
}

// ---- provisioning ----

type user struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"externalId"`
}

type fieldValue struct {
	ID    int64  `json:"id"`
	Value string `json:"value"`
	Name  string `json:"name,omitempty"`
}

type credential struct {
	ID               int64              `json:"id"`
	CredentialFormat struct{ ID int64 } `json:"credentialFormat"`
	ReferenceID      string             `json:"referenceId"`
	EncodedCred      string             `json:"encodedCredential"`
	FieldValues      []fieldValue       `json:"fieldValues"`
}

type credentialFormat struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Fields []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"credentialFields"`
}

type page[T any] struct {
	Data  []T `json:"data"`
	Count int `json:"count"`
}

const pageSize = 100

// ProvisionCredential finds or creates the member's Brivo user, finds or
// creates the card credential, assigns it with the validity window and adds
// the user to the access group. The external id is "userId:credentialId".
func (a *Adapter) ProvisionCredential(ctx context.Context, c hal.Credential) (string, error) {
	const op = "provision"
	if c.Member == nil || strings.TrimSpace(c.Member.ExternalID) == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("the credential has no member external id"))
	}
	if strings.TrimSpace(c.Identifier) == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("the credential has no identifier"))
	}
	if a.s.GroupID == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("invalid settings: groupId is required to grant access"))
	}
	if c.ValidFrom != nil && c.ExpiresAt != nil && !c.ExpiresAt.After(*c.ValidFrom) {
		return "", a.fail(hal.Rejected, op, "", errors.New("the validity window ends before it starts"))
	}
	u, err := a.findOrCreateUser(ctx, op, c.Member)
	if err != nil {
		return "", err
	}
	cr, err := a.findOrCreateCredential(ctx, op, u.ID, c.Identifier)
	if err != nil {
		return "", err
	}
	uid, cid := strconv.FormatInt(u.ID, 10), strconv.FormatInt(cr.ID, 10)
	if _, err := a.api(ctx, call{op: op, step: "assign credential", method: http.MethodPut, url: "/users/" + uid + "/credentials/" + cid, body: a.window(c)}); err != nil {
		return "", err
	}
	if _, err := a.api(ctx, call{op: op, step: "add to group", method: http.MethodPut, url: "/groups/" + url.PathEscape(a.s.GroupID) + "/users/" + uid, body: struct{}{}}); err != nil {
		return "", err
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "brivo credential provisioned", slog.String("provider", a.provider), slog.String("user", uid), slog.String("credential", cid), slog.String("card", hal.Mask(c.Identifier)))
	return uid + ":" + cid, nil
}

// window is the body of the credential assignment: Brivo's effectiveFrom and
// effectiveTo. With date precision the window is widened to whole UTC days
// (Brivo stores a date as that day's 00:00 UTC).
func (a *Adapter) window(c hal.Credential) map[string]string {
	w := map[string]string{}
	if a.s.ValidityPrecision == "time" {
		if c.ValidFrom != nil {
			w["effectiveFrom"] = c.ValidFrom.UTC().Format(time.RFC3339)
		}
		if c.ExpiresAt != nil {
			w["effectiveTo"] = c.ExpiresAt.UTC().Format(time.RFC3339)
		}
		return w
	}
	if c.ValidFrom != nil {
		w["effectiveFrom"] = c.ValidFrom.UTC().Format(time.DateOnly)
	}
	if c.ExpiresAt != nil {
		end := c.ExpiresAt.UTC()
		day := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
		if end.After(day) {
			day = day.AddDate(0, 0, 1)
		}
		w["effectiveTo"] = day.Format(time.DateOnly)
	}
	return w
}

func (a *Adapter) findOrCreateUser(ctx context.Context, op string, p *hal.Person) (user, error) {
	find := func() (user, bool, error) {
		var u user
		code, err := a.api(ctx, call{op: op, step: "find user", method: http.MethodGet, url: "/users/" + url.PathEscape(p.ExternalID) + "/external", out: &u})
		if code == http.StatusNotFound {
			return user{}, false, nil
		}
		if err != nil {
			return user{}, false, err
		}
		if u.ID == 0 {
			return user{}, false, a.fail(hal.Rejected, op, "find user", errors.New("the user has no id"))
		}
		return u, true, nil
	}
	if u, ok, err := find(); ok || err != nil {
		return u, err
	}
	first, last := strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	if first == "" {
		first = "Member"
	}
	if last == "" {
		last = p.ExternalID
	}
	body := map[string]any{"firstName": first, "lastName": last, "externalId": p.ExternalID, "suspended": false}
	if p.Email != "" {
		body["emails"] = []map[string]string{{"address": p.Email, "type": "Work"}}
	}
	var u user
	code, err := a.api(ctx, call{op: op, step: "create user", method: http.MethodPost, url: "/users", body: body, out: &u})
	if alreadyExists(code, err) {
		// Created concurrently: take the existing user.
		if u, ok, err := find(); ok || err != nil {
			return u, err
		}
	}
	if err != nil {
		return user{}, err
	}
	if u.ID == 0 {
		return user{}, a.fail(hal.Rejected, op, "create user", errors.New("the created user has no id"))
	}
	return u, nil
}

func alreadyExists(code int, err error) bool {
	if err == nil {
		return false
	}
	if code == http.StatusConflict {
		return true
	}
	m := strings.ToLower(err.Error())
	return code == http.StatusBadRequest && (strings.Contains(m, "already exist") || strings.Contains(m, "duplicate"))
}

func (a *Adapter) format(ctx context.Context, op string) (credentialFormat, error) {
	a.fmtMu.Lock()
	f, ok := a.formats[a.s.CredentialFormatID]
	a.fmtMu.Unlock()
	if ok {
		return f, nil
	}
	var pg page[credentialFormat]
	if _, err := a.api(ctx, call{op: op, step: "credential formats", method: http.MethodGet, url: "/credentials/formats", out: &pg}); err != nil {
		return f, err
	}
	a.fmtMu.Lock()
	defer a.fmtMu.Unlock()
	a.formats = map[int64]credentialFormat{}
	for _, f := range pg.Data {
		a.formats[f.ID] = f
	}
	f, ok = a.formats[a.s.CredentialFormatID]
	if !ok {
		return f, a.fail(hal.Rejected, op, "credential formats", fmt.Errorf("invalid settings: credentialFormatId %d is not a format of this account", a.s.CredentialFormatID))
	}
	return f, nil
}

// fieldName strips Brivo's message-key prefix ("acs.cards.format.card_number").
func fieldName(n string) string {
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		return n[i+1:]
	}
	return n
}

// Limits of the "Standard 26 Bit" (HID H10301) format: an 8-bit facility
// code and a 16-bit card number. The recordings only show format 100 with
// small values, so these come from the format's definition, not from Brivo.
const (
	std26FormatID    = 100
	std26CardMax     = 65535
	std26FacilityMax = 255
)

// is26Bit reports whether f is the standard 26-bit Wiegand format.
func is26Bit(f credentialFormat) bool {
	return f.ID == std26FormatID || strings.Contains(strings.ToLower(f.Name), "26 bit")
}

// decimal parses a non-negative decimal number up to limit (0: no limit).
// Brivo's card fields are numbers; a value like "gatehouse-booking-7" is
// refused by the API (400), so it is refused here first, as Rejected.
func decimal(v string, limit int64) (int64, error) {
	if v == "" || strings.TrimLeft(v, "0123456789") != "" || len(v) > 18 {
		return 0, fmt.Errorf("%q is not a decimal number", v)
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	if limit > 0 && n > limit {
		return 0, fmt.Errorf("%d is above the format's maximum %d", n, limit)
	}
	return n, nil
}

// cardNumber is the card_number sent for an identifier: the identifier when it
// fits the format, else folded into 1…max. The integration passes the booking
// id, which grows without bound while a 26-bit card number stops at 65535;
// folding keeps the value deterministic per booking (so look-up-before-create
// finds the card again). Two bookings 65535 ids apart map to the same card: if
// both are active at once the second grant finds the card assigned to another
// Brivo user and fails as Rejected, visibly, instead of sharing a card.
func (a *Adapter) cardNumber(f credentialFormat, identifier string) (string, error) {
	n, err := decimal(identifier, 0)
	if err != nil {
		return "", fmt.Errorf("card_number: %w", err)
	}
	limit := a.s.CardNumberMax
	if limit == 0 && is26Bit(f) {
		limit = std26CardMax
	}
	if limit > 0 && n > limit {
		n = 1 + (n-1)%limit
	}
	return strconv.FormatInt(n, 10), nil
}

// credentialBody builds the POST /credentials body for the configured format:
// the identifier fills card_number (or credential_number, as a decimal number
// in the format's range), settings fill the other fields; a format without
// fields takes the identifier as encodedCredential (hex digits).
func (a *Adapter) credentialBody(f credentialFormat, identifier string) (map[string]any, error) {
	body := map[string]any{"credentialFormat": map[string]int64{"id": f.ID}, "referenceId": identifier}
	if len(f.Fields) == 0 {
		if strings.Trim(strings.ToLower(identifier), "0123456789abcdef") != "" {
			return nil, errors.New("the format takes the identifier as encodedCredential, which must be hex digits")
		}
		body["encodedCredential"] = identifier
		return body, nil
	}
	var vals []fieldValue
	for _, fld := range f.Fields {
		name := fieldName(fld.Name)
		var v string
		switch name {
		case "card_number", "credential_number":
			n, err := a.cardNumber(f, identifier)
			if err != nil {
				return nil, err
			}
			v = n
			// The reference id is what Brivo's console shows; the
			// recordings put the card number there.
			body["referenceId"] = n
		case "facility_code":
			v = a.s.FacilityCode
			if v != "" && is26Bit(f) {
				if _, err := decimal(v, std26FacilityMax); err != nil {
					return nil, fmt.Errorf("invalid settings: facilityCode: %w", err)
				}
			}
		default:
			v = a.s.FieldValues[name]
		}
		if v == "" {
			return nil, fmt.Errorf("invalid settings: format %q needs a value for %s (settings.facilityCode or settings.fieldValues)", f.Name, name)
		}
		vals = append(vals, fieldValue{ID: fld.ID, Value: v})
	}
	body["fieldValues"] = vals
	return body, nil
}

// matches reports whether a Brivo credential is this card in the configured format.
func (a *Adapter) matches(cr credential, f credentialFormat, identifier string) bool {
	if cr.CredentialFormat.ID != f.ID {
		return false
	}
	if len(f.Fields) == 0 {
		return strings.EqualFold(cr.EncodedCred, identifier)
	}
	want, err := a.credentialBody(f, identifier)
	if err != nil {
		return false
	}
	have := map[int64]string{}
	for _, v := range cr.FieldValues {
		have[v.ID] = v.Value
	}
	for _, v := range want["fieldValues"].([]fieldValue) {
		if have[v.ID] != v.Value {
			return false
		}
	}
	return true
}

// scan pages through a credential listing until match finds one.
func (a *Adapter) scan(ctx context.Context, op, step, path string, match func(credential) bool) (credential, bool, int, error) {
	for offset := 0; offset < 100*pageSize; offset += pageSize {
		var pg page[credential]
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		code, err := a.api(ctx, call{op: op, step: step, method: http.MethodGet, url: fmt.Sprintf("%s%soffset=%d&pageSize=%d", path, sep, offset, pageSize), out: &pg})
		if err != nil {
			return credential{}, false, code, err
		}
		for _, cr := range pg.Data {
			if match(cr) {
				return cr, true, code, nil
			}
		}
		if len(pg.Data) < pageSize || (pg.Count > 0 && offset+pageSize >= pg.Count) {
			break
		}
	}
	return credential{}, false, 0, nil
}

func (a *Adapter) findOrCreateCredential(ctx context.Context, op string, userID int64, identifier string) (credential, error) {
	f, err := a.format(ctx, op)
	if err != nil {
		return credential{}, err
	}
	body, err := a.credentialBody(f, identifier)
	if err != nil {
		return credential{}, a.fail(hal.Rejected, op, "credential", err)
	}
	match := func(cr credential) bool { return a.matches(cr, f, identifier) }
	uid := strconv.FormatInt(userID, 10)
	if cr, ok, _, err := a.scan(ctx, op, "user credentials", "/users/"+uid+"/credentials", match); ok || err != nil {
		return cr, err
	}
	var cr credential
	code, err := a.api(ctx, call{op: op, step: "create credential", method: http.MethodPost, url: "/credentials", body: body, out: &cr})
	if alreadyExists(code, err) {
		// The card exists unassigned (or was created concurrently): find it.
		if cr, ok, _, err := a.scan(ctx, op, "find credential", "/credentials", match); ok || err != nil {
			return cr, err
		}
	}
	if err != nil {
		return credential{}, err
	}
	if cr.ID == 0 {
		return credential{}, a.fail(hal.Rejected, op, "create credential", errors.New("the created credential has no id"))
	}
	return cr, nil
}

// RevokeCredential unassigns the credential from the user and deletes it;
// when the user holds no other credential, it also leaves the access group.
// Anything already gone (404) counts as revoked.
func (a *Adapter) RevokeCredential(ctx context.Context, externalID string) error {
	const op = "revoke"
	uidS, cidS, ok := strings.Cut(externalID, ":")
	uid, err1 := strconv.ParseInt(uidS, 10, 64)
	cid, err2 := strconv.ParseInt(cidS, 10, 64)
	if !ok || err1 != nil || err2 != nil || uid <= 0 || cid <= 0 {
		return a.fail(hal.Rejected, op, "", errors.New(`the external id is not a Brivo "userId:credentialId"`))
	}
	u, c := strconv.FormatInt(uid, 10), strconv.FormatInt(cid, 10)
	gone := func(code int, err error) error {
		if code == http.StatusNotFound {
			return nil
		}
		return err
	}
	if err := gone(a.api(ctx, call{op: op, step: "unassign credential", method: http.MethodDelete, url: "/users/" + u + "/credentials/" + c})); err != nil {
		return err
	}
	if err := gone(a.api(ctx, call{op: op, step: "delete credential", method: http.MethodDelete, url: "/credentials/" + c})); err != nil {
		return err
	}
	if a.s.GroupID == "" {
		return nil
	}
	_, found, code, err := a.scan(ctx, op, "user credentials", "/users/"+u+"/credentials", func(credential) bool { return true })
	if code == http.StatusNotFound {
		return nil // the user is gone
	}
	if err != nil || found {
		return err
	}
	if err := gone(a.api(ctx, call{op: op, step: "remove from group", method: http.MethodDelete, url: "/groups/" + url.PathEscape(a.s.GroupID) + "/users/" + u})); err != nil {
		return err
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "brivo credential revoked", slog.String("provider", a.provider), slog.String("user", u), slog.String("credential", c))
	return nil
}

// listAll pages through an offset/pageSize listing to its end.
func listAll[T any](ctx context.Context, a *Adapter, op, step, path string) ([]T, error) {
	all, err := vendorhttp.ListPages(ctx, func(ctx context.Context, p int) ([]T, bool, error) {
		offset := p * pageSize
		var pg page[T]
		if _, err := a.api(ctx, call{op: op, step: step, method: http.MethodGet, url: fmt.Sprintf("%s?offset=%d&pageSize=%d", path, offset, pageSize), out: &pg}); err != nil {
			return nil, false, err
		}
		return pg.Data, len(pg.Data) < pageSize || (pg.Count > 0 && offset+pageSize >= pg.Count), nil
	})
	if errors.Is(err, vendorhttp.ErrTooManyPages) {
		return nil, a.fail(hal.Rejected, op, step, err)
	}
	return all, err
}

// ListCredentials implements integration.Lister for the reconciler: the
// "userId:credentialId" (ProvisionCredential's format) of every card in the
// configured format assigned to a Gatehouse user (external id
// "gatehouse-member-…") who is in the access group. Access needs both the
// card and the group, so a user an administrator took out of the group
// reports nothing and the reconciler grants again (which adds the user back).
func (a *Adapter) ListCredentials(ctx context.Context) ([]string, error) {
	const op = "list"
	if a.s.GroupID == "" {
		return nil, a.fail(hal.Rejected, op, "", errors.New("invalid settings: groupId is required to list grants"))
	}
	users, err := listAll[user](ctx, a, op, "group users", "/groups/"+url.PathEscape(a.s.GroupID)+"/users")
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, u := range users {
		if u.ID <= 0 || !strings.HasPrefix(u.ExternalID, hal.MemberExternalIDPrefix) {
			continue
		}
		uid := strconv.FormatInt(u.ID, 10)
		creds, err := listAll[credential](ctx, a, op, "user credentials", "/users/"+uid+"/credentials")
		if err != nil {
			return nil, err
		}
		for _, cr := range creds {
			if cr.ID > 0 && cr.CredentialFormat.ID == a.s.CredentialFormatID {
				out = append(out, uid+":"+strconv.FormatInt(cr.ID, 10))
			}
		}
	}
	return out, nil
}

// ---- doors ----

// UnlockDoor activates the access point (a pulse of its configured unlock
// time, settings.pulseSeconds) when holdOpen fits in it; longer hold-open
// times change the access point's schedule state to UNLOCK until now+holdOpen.
func (a *Adapter) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	const op = "unlock"
	ap, err := accessPoint(d)
	if err != nil {
		return hal.DoorResult{}, a.fail(hal.Rejected, op, "externalDoorId", err)
	}
	if holdOpen < 0 {
		return hal.DoorResult{}, a.fail(hal.Rejected, op, "", errors.New("negative hold-open time"))
	}
	offline := func(code int, err error) error {
		if code == http.StatusPreconditionFailed { // the panel is offline
			return hal.NewError(hal.Unreachable, a.provider, op, errors.Unwrap(err))
		}
		return err
	}
	if holdOpen <= a.pulse {
		if err := offline(a.api(ctx, call{op: op, step: "activate", method: http.MethodPost, url: "/access-points/" + ap + "/activate"})); err != nil {
			return hal.DoorResult{}, err
		}
		return hal.DoorResult{Success: true, Message: fmt.Sprintf("access point %s activated (unlocked for its configured %ds)", ap, a.s.PulseSeconds)}, nil
	}
	end := a.now().Add(holdOpen).UTC()
	if t := end.Truncate(time.Second); t.Before(end) {
		end = t.Add(time.Second)
	}
	body := map[string]string{"behavior": "UNLOCK", "endTimeMode": "UNTIL_TIME", "endTime": end.Format(time.RFC3339)}
	if err := offline(a.api(ctx, call{op: op, step: "change state", method: http.MethodPost, url: "/schedules/change-state/" + ap, body: body, header: map[string]string{"Accept-version": "2.0"}})); err != nil {
		return hal.DoorResult{}, err
	}
	return hal.DoorResult{Success: true, Message: fmt.Sprintf("access point %s unlocked until %s", ap, end.Format(time.RFC3339))}, nil
}

// Occupancy is not offered by Brivo's API.
func (a *Adapter) Occupancy(context.Context, hal.Door) (hal.Occupancy, error) {
	return hal.Occupancy{}, hal.NewError(hal.Unsupported, a.provider, "occupancy", errors.New("the Brivo API has no occupancy count; derive it from check-ins"))
}

type accessEvent struct {
	UUID           string `json:"uuid"`
	Occurred       string `json:"occurred"`
	SecurityAction struct {
		Action    string `json:"action"`
		Exception bool   `json:"exception"`
	} `json:"securityAction"`
	Actor struct {
		ID int64 `json:"id"`
	} `json:"actor"`
	EventObject struct {
		ID int64 `json:"id"`
	} `json:"eventObject"`
	EventData struct {
		ActionAllowed *bool `json:"actionAllowed"`
	} `json:"eventData"`
}

// maxEventPages bounds how far back RecentEvents pages (the last 24 h).
const maxEventPages = 10

// RecentEvents lists the access events of the access point in the last 24
// hours (Brivo's maximum window), newest first.
func (a *Adapter) RecentEvents(ctx context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	const op = "events"
	ap, err := accessPoint(d)
	if err != nil {
		return nil, a.fail(hal.Rejected, op, "externalDoorId", err)
	}
	if limit <= 0 {
		return []hal.Event{}, nil
	}
	now := a.now().UTC()
	// Brivo takes at most 24 hours, on hour boundaries at the start.
	to := now.Truncate(time.Second).Add(time.Second)
	from := now.Add(-24 * time.Hour).Truncate(time.Hour).Add(time.Hour)
	if to.Sub(from) > 24*time.Hour {
		from = from.Add(time.Hour)
	}
	filter := "occurred__gt:" + from.Format(time.RFC3339) + ";occurred__lt:" + to.Format(time.RFC3339)
	apID, _ := strconv.ParseInt(ap, 10, 64)
	var out []hal.Event
	offset := ""
	for range maxEventPages {
		q := url.Values{"pageSize": {strconv.Itoa(pageSize)}, "filter": {filter}}
		if offset != "" {
			q.Set("offset", offset)
		}
		var pg page[accessEvent]
		if _, err := a.api(ctx, call{op: op, step: "access events", method: http.MethodGet, url: "/events/access?" + q.Encode(), out: &pg}); err != nil {
			return nil, err
		}
		oldest := ""
		var oldestAt time.Time
		for _, e := range pg.Data {
			at, err := time.Parse(time.RFC3339, e.Occurred)
			if err != nil {
				continue
			}
			if oldest == "" || at.Before(oldestAt) {
				oldest, oldestAt = e.Occurred, at
			}
			if e.EventObject.ID != apID {
				continue
			}
			out = append(out, hal.Event{At: at, Kind: eventKind(e), ExternalDoorID: ap, Detail: eventDetail(e)})
		}
		if len(pg.Data) < pageSize || len(out) >= limit || oldest == "" || oldest == offset {
			break
		}
		offset = oldest
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

func eventKind(e accessEvent) string {
	act := strings.ToLower(e.SecurityAction.Action)
	switch {
	case strings.Contains(act, "forced"):
		return "DOOR_FORCED"
	case strings.Contains(act, "held") || strings.Contains(act, "ajar"):
		return "DOOR_HELD_OPEN"
	case e.EventData.ActionAllowed != nil && !*e.EventData.ActionAllowed, strings.Contains(act, "denied") || strings.Contains(act, "failed"):
		return "ACCESS_DENIED"
	case strings.Contains(act, "unlock") || strings.Contains(act, "activat") || strings.Contains(act, "control"):
		return "UNLOCK"
	}
	return "ACCESS"
}

func eventDetail(e accessEvent) string {
	d := vendorhttp.Clip(e.SecurityAction.Action, 120)
	if d == "" {
		d = "access event"
	}
	if e.Actor.ID != 0 {
		d += fmt.Sprintf(" (Brivo user %d)", e.Actor.ID)
	}
	return d
}

var (
	_ hal.Adapter       = (*Adapter)(nil)
	_ hal.DoorValidator = (*Adapter)(nil)
)
