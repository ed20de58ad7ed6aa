// Package exivo is the door adapter for dormakaba exivo (cloud), written
// against the public Swagger 2.0 description of the exivo API (v1.1.0, host
// api.exivo.io, basePath /v1, HTTP Basic API_KEY:API_SECRET; every path under
// /{siteId}).
//
// A Gatehouse member is an exivo person (found by our external id, which the
// adapter keeps in the person's "info" field; created when missing) assigned
// to one access group (settings.accessGroupId). A card is an exivo medium
// (matched by uid or cid, registered when missing) assigned to that person
// with an expiry; the person's entryDate/exitDate carry the start and end of
// access. Unlock releases a component; longer hold-open times switch the
// component to mode "open" and back to "normal" when the time is up.
//
// It is verified only against a fake built from that Swagger (see
// docs/door-adapters.md).
package exivo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/vendorhttp"
)

// Provider is the provider name zones and integrations use.
const Provider = "EXIVO"

// DefaultBaseURL is the Swagger's https://api.exivo.io/v1.
const DefaultBaseURL = "https://api.exivo.io/v1"

func init() {
	hal.RegisterVendor(Provider, func(cfg hal.VendorConfig, client *http.Client) (hal.Adapter, error) {
		return New(cfg, client)
	})
}

// Settings are the integration's provider settings (JSON object).
type Settings struct {
	BaseURL string `json:"baseUrl"`
	SiteID  string `json:"siteId"`
	// APIKeyID is the exivo API_KEY (the Basic user name); the integration's
	// API key is the API_SECRET. Without it, the API key must be "API_KEY:API_SECRET".
	APIKeyID      string `json:"apiKeyId"`
	AccessGroupID string `json:"accessGroupId"`
	// MediumField is the medium property the credential identifier is
	// matched to and registered as: "uid" (default) or "cid".
	MediumField string `json:"mediumField"`
	// RegisterMedia registers an unknown identifier as a new medium (default true).
	RegisterMedia *bool `json:"registerMedia"`
	// FormFactor of registered media (default "badge").
	FormFactor string `json:"formFactor"`
	// PulseSeconds is the components' configured release time (default 5);
	// longer hold-open times use the component mode.
	PulseSeconds int `json:"pulseSeconds"`
	// HoldOpenMode enables mode "open" for longer hold-open times (default true).
	HoldOpenMode *bool `json:"holdOpenMode"`
	// NormalMode is the mode restored after a hold-open (default "normal").
	NormalMode string `json:"normalMode"`
	// DelegatedUser is sent with unlocks (the Swagger's unlockPayload).
	DelegatedUser string `json:"delegatedUser"`
	// Timeout bounds each HTTP request (Go duration, default 10s).
	Timeout string `json:"timeout"`
}

// Option adjusts an adapter.
type Option func(*Adapter)

// WithLogger sets the logger (default slog.Default()). Lines never carry
// secrets, paths, bodies or credential numbers.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// Adapter is the exivo adapter of one organisation. Safe for concurrent use.
// Close it to end pending hold-opens (their components go back to normal).
type Adapter struct {
	provider      string
	s             Settings
	keyID, secret string
	base          string
	client        *http.Client
	log           *slog.Logger
	timeout       time.Duration
	pulse         time.Duration

	mu      sync.Mutex
	holds   map[string]*hold // component → pending revert
	closed  bool
	reverts sync.WaitGroup
}

type hold struct {
	timer *time.Timer
	until time.Time
}

// New builds the adapter of one organisation's exivo integration.
func New(cfg hal.VendorConfig, client *http.Client, opts ...Option) (*Adapter, error) {
	a := &Adapter{provider: Provider, client: client, log: slog.Default(), holds: map[string]*hold{}}
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
	a.keyID, a.secret = s.APIKeyID, cfg.APIKey
	if a.keyID == "" {
		a.keyID, a.secret, _ = strings.Cut(cfg.APIKey, ":")
	}
	if a.keyID == "" || a.secret == "" {
		return nil, invalid(`the API key must be the API_SECRET with settings.apiKeyId, or "API_KEY:API_SECRET"`)
	}
	if s.SiteID == "" || strings.ContainsAny(s.SiteID, "/?#") {
		return nil, invalid("siteId is required")
	}
	base, err := vendorhttp.BaseURL(s.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, invalid("baseUrl %v", err)
	}
	a.base = base + "/" + url.PathEscape(s.SiteID)
	switch s.MediumField {
	case "":
		s.MediumField = "uid"
	case "uid", "cid":
	default:
		return nil, invalid("mediumField must be uid or cid")
	}
	if s.FormFactor == "" {
		s.FormFactor = "badge"
	}
	switch s.FormFactor {
	case "badge", "keyfob", "smartkey", "insecure":
	default:
		return nil, invalid("formFactor must be badge, keyfob, smartkey or insecure")
	}
	switch s.NormalMode {
	case "":
		s.NormalMode = "normal"
	case "normal", "accessControl":
	default:
		return nil, invalid("normalMode must be normal or accessControl")
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

func (a *Adapter) secrets() []string { return []string{a.secret, a.keyID} }

// ValidateDoor implements hal.DoorValidator: the external door id is an exivo component id.
func (a *Adapter) ValidateDoor(d hal.Door) error {
	_, err := component(d)
	return vendorhttp.DoorFieldError(err)
}

func component(d hal.Door) (string, error) {
	id := strings.TrimSpace(d.ExternalDoorID)
	if id == "" || strings.ContainsAny(id, "/?#: ") {
		return "", errors.New("must be an exivo component id")
	}
	return url.PathEscape(id), nil
}

// ---- provisioning ----

type person struct {
	ID            string   `json:"id"`
	FirstName     string   `json:"firstName"`
	LastName      string   `json:"lastName"`
	Email         *string  `json:"email"`
	Info          string   `json:"info"`
	EntryDate     *string  `json:"entryDate"`
	ExitDate      *string  `json:"exitDate"`
	Revoked       bool     `json:"revoked"`
	AccessGroupID string   `json:"accessGroupId"`
	Media         []string `json:"media"`
}

type medium struct {
	ID       string `json:"id"`
	CID      string `json:"cid"`
	UID      string `json:"uid"`
	State    string `json:"state"`
	PersonID string `json:"personId"`
}

const pageSize = 100

// list pages through a collection (skip/limit) until match finds an item.
func list[T any](ctx context.Context, a *Adapter, op, step, path string, match func(T) bool) (T, bool, error) {
	var zero T
	for skip := 0; skip < 100*pageSize; skip += pageSize {
		var items []T
		if _, err := a.send(ctx, call{op: op, step: step, method: http.MethodGet, url: fmt.Sprintf("%s?skip=%d&limit=%d", path, skip, pageSize), out: &items}); err != nil {
			return zero, false, err
		}
		for _, it := range items {
			if match(it) {
				return it, true, nil
			}
		}
		if len(items) < pageSize {
			break
		}
	}
	return zero, false, nil
}

func stamp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func parseStamp(s *string) (time.Time, bool) {
	if s == nil || *s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, *s)
	return t, err == nil
}

// ProvisionCredential finds or creates the person, widens the person's
// entry/exit window to cover the credential's, assigns the access group and
// assigns the medium with the credential's expiry. The external id is
// "personId:mediumId".
func (a *Adapter) ProvisionCredential(ctx context.Context, c hal.Credential) (string, error) {
	const op = "provision"
	if c.Member == nil || strings.TrimSpace(c.Member.ExternalID) == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("the credential has no member external id"))
	}
	if strings.TrimSpace(c.Identifier) == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("the credential has no identifier"))
	}
	if a.s.AccessGroupID == "" {
		return "", a.fail(hal.Rejected, op, "", errors.New("invalid settings: accessGroupId is required to grant access"))
	}
	if c.ValidFrom != nil && c.ExpiresAt != nil && !c.ExpiresAt.After(*c.ValidFrom) {
		return "", a.fail(hal.Rejected, op, "", errors.New("the validity window ends before it starts"))
	}
	p, err := a.upsertPerson(ctx, op, c)
	if err != nil {
		return "", err
	}
	pid := url.PathEscape(p.ID)
	if p.AccessGroupID != a.s.AccessGroupID {
		if _, err := a.send(ctx, call{op: op, step: "assign access group", method: http.MethodPost, url: "/person/" + pid + "/assign/accessgroup/" + url.PathEscape(a.s.AccessGroupID), body: struct{}{}}); err != nil {
			return "", err
		}
	}
	m, err := a.findOrRegisterMedium(ctx, op, c.Identifier)
	if err != nil {
		return "", err
	}
	mid := url.PathEscape(m.ID)
	switch {
	case m.State == "blocked" || m.State == "damaged" || m.State == "lost":
		return "", a.fail(hal.Rejected, op, "medium", fmt.Errorf("the medium is %s", m.State))
	case m.PersonID != "" && m.PersonID != p.ID:
		return "", a.fail(hal.Rejected, op, "medium", errors.New("the medium is assigned to another person"))
	case m.PersonID == p.ID && c.ExpiresAt != nil:
		// Assigned already: assign again to set the new expiry.
		if code, err := a.send(ctx, call{op: op, step: "unassign medium", method: http.MethodPost, url: "/person/" + pid + "/unassign/medium/" + mid, body: struct{}{}}); err != nil && code != http.StatusNotFound {
			return "", err
		}
		fallthrough
	case m.PersonID == "":
		body := map[string]any{}
		if c.ExpiresAt != nil {
			body["expireDate"] = *stamp(c.ExpiresAt)
		}
		if _, err := a.send(ctx, call{op: op, step: "assign medium", method: http.MethodPost, url: "/person/" + pid + "/assign/medium/" + mid, body: body}); err != nil {
			return "", err
		}
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "exivo credential provisioned", slog.String("provider", a.provider), slog.String("person", p.ID), slog.String("medium", m.ID), slog.String("card", hal.Mask(c.Identifier)))
	return p.ID + ":" + m.ID, nil
}

func (a *Adapter) upsertPerson(ctx context.Context, op string, c hal.Credential) (person, error) {
	ext := c.Member.ExternalID
	p, found, err := list(ctx, a, op, "find person", "/person", func(p person) bool { return p.Info == ext })
	if err != nil {
		return person{}, err
	}
	if found && strings.Contains(p.ID, ":") {
		return person{}, a.fail(hal.Rejected, op, "find person", errors.New("unexpected person id"))
	}
	entry, exit := stamp(c.ValidFrom), stamp(c.ExpiresAt)
	if found {
		// Widen the person's window to cover this credential (other cards of
		// the member keep theirs); nil means unbounded.
		entry, exit = widen(p.EntryDate, c.ValidFrom, entry, time.Time.Before), widen(p.ExitDate, c.ExpiresAt, exit, time.Time.After)
		if same(entry, p.EntryDate) && same(exit, p.ExitDate) {
			return p, nil
		}
	}
	body := map[string]any{"firstName": nonEmpty(c.Member.FirstName, "Member"), "lastName": nonEmpty(c.Member.LastName, ext), "info": ext, "entryDate": entry, "exitDate": exit}
	if c.Member.Email != "" {
		body["email"] = c.Member.Email
	}
	step, path := "create person", "/person"
	if found {
		step, path = "update person", "/person/"+url.PathEscape(p.ID)
		body["firstName"], body["lastName"], body["email"] = nonEmpty(p.FirstName, "Member"), nonEmpty(p.LastName, ext), p.Email
	}
	var out person
	if _, err := a.send(ctx, call{op: op, step: step, method: http.MethodPost, url: path, body: body, out: &out}); err != nil {
		return person{}, err
	}
	if out.ID == "" || strings.Contains(out.ID, ":") {
		return person{}, a.fail(hal.Rejected, op, step, errors.New("the person has no usable id"))
	}
	if found && out.AccessGroupID == "" {
		out.AccessGroupID = p.AccessGroupID
	}
	return out, nil
}

// widen picks the bound of the union of the person's window and the
// credential's: unbounded when either is, else the wider one.
func widen(have *string, want *time.Time, wantStamp *string, wider func(time.Time, time.Time) bool) *string {
	t, ok := parseStamp(have)
	switch {
	case !ok || want == nil:
		return nil
	case wider(*want, t):
		return wantStamp
	}
	return have
}

func same(x, y *string) bool {
	tx, okx := parseStamp(x)
	ty, oky := parseStamp(y)
	return okx == oky && tx.Equal(ty)
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func (a *Adapter) findOrRegisterMedium(ctx context.Context, op, identifier string) (medium, error) {
	key := func(m medium) string {
		if a.s.MediumField == "cid" {
			return m.CID
		}
		return m.UID
	}
	m, found, err := list(ctx, a, op, "find medium", "/medium", func(m medium) bool { return strings.EqualFold(key(m), identifier) })
	if err != nil {
		return medium{}, err
	}
	if !found {
		if a.s.RegisterMedia != nil && !*a.s.RegisterMedia {
			return medium{}, a.fail(hal.Rejected, op, "find medium", errors.New("no exivo medium has this identifier (registerMedia is off)"))
		}
		body := map[string]string{a.s.MediumField: identifier, "formFactor": a.s.FormFactor}
		if _, err := a.send(ctx, call{op: op, step: "register medium", method: http.MethodPost, url: "/medium", body: body, out: &m}); err != nil {
			return medium{}, err
		}
	}
	if m.ID == "" || strings.Contains(m.ID, ":") {
		return medium{}, a.fail(hal.Rejected, op, "medium", errors.New("the medium has no usable id"))
	}
	return m, nil
}

// RevokeCredential unassigns the medium from the person (it stays
// registered, "assignable"); when the person holds no other medium it also
// leaves the access group. Anything already gone (404) counts as revoked.
func (a *Adapter) RevokeCredential(ctx context.Context, externalID string) error {
	const op = "revoke"
	pid, mid, ok := strings.Cut(externalID, ":")
	if !ok || pid == "" || mid == "" || strings.ContainsAny(externalID, "/?#") {
		return a.fail(hal.Rejected, op, "", errors.New(`the external id is not an exivo "personId:mediumId"`))
	}
	p, m := url.PathEscape(pid), url.PathEscape(mid)
	if code, err := a.send(ctx, call{op: op, step: "unassign medium", method: http.MethodPost, url: "/person/" + p + "/unassign/medium/" + m, body: struct{}{}}); err != nil && code != http.StatusNotFound {
		return err
	}
	if a.s.AccessGroupID == "" {
		return nil
	}
	var per person
	code, err := a.send(ctx, call{op: op, step: "get person", method: http.MethodGet, url: "/person/" + p, out: &per})
	if code == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if len(per.Media) > 0 || per.AccessGroupID != a.s.AccessGroupID {
		return nil
	}
	if code, err := a.send(ctx, call{op: op, step: "unassign access group", method: http.MethodPost, url: "/person/" + p + "/unassign/accessgroup", body: struct{}{}}); err != nil && code != http.StatusNotFound {
		return err
	}
	a.log.LogAttrs(ctx, slog.LevelInfo, "exivo credential revoked", slog.String("provider", a.provider), slog.String("person", pid), slog.String("medium", mid))
	return nil
}

// ListCredentials implements integration.Lister for the reconciler: the
// "personId:mediumId" (ProvisionCredential's format) of every medium assigned
// to a Gatehouse person (info "gatehouse-member-…") in the access group. A
// person an administrator moved to another group opens none of our doors, so
// reports nothing, and the reconciler grants again (which assigns the group).
func (a *Adapter) ListCredentials(ctx context.Context) ([]string, error) {
	const op = "list"
	if a.s.AccessGroupID == "" {
		return nil, a.fail(hal.Rejected, op, "", errors.New("invalid settings: accessGroupId is required to list grants"))
	}
	persons, err := vendorhttp.ListPages(ctx, func(ctx context.Context, p int) ([]person, bool, error) {
		var items []person
		if _, err := a.send(ctx, call{op: op, step: "persons", method: http.MethodGet, url: fmt.Sprintf("/person?skip=%d&limit=%d", p*pageSize, pageSize), out: &items}); err != nil {
			return nil, false, err
		}
		return items, len(items) < pageSize, nil
	})
	if errors.Is(err, vendorhttp.ErrTooManyPages) {
		return nil, a.fail(hal.Rejected, op, "persons", err)
	}
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, per := range persons {
		if per.ID == "" || strings.Contains(per.ID, ":") || !strings.HasPrefix(per.Info, hal.MemberExternalIDPrefix) || per.AccessGroupID != a.s.AccessGroupID {
			continue
		}
		for _, mid := range per.Media {
			if mid != "" && !strings.Contains(mid, ":") {
				out = append(out, per.ID+":"+mid)
			}
		}
	}
	return out, nil
}

// ---- doors ----

// UnlockDoor releases the component (for its configured release time,
// settings.pulseSeconds) when holdOpen fits in it. Longer hold-open times set
// the component's mode to "open" and back to settings.normalMode afterwards
// (the API has no timed mode, so the adapter keeps the timer: see Close).
func (a *Adapter) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	const op = "unlock"
	comp, err := component(d)
	if err != nil {
		return hal.DoorResult{}, a.fail(hal.Rejected, op, "externalDoorId", err)
	}
	if holdOpen < 0 {
		return hal.DoorResult{}, a.fail(hal.Rejected, op, "", errors.New("negative hold-open time"))
	}
	if holdOpen <= a.pulse {
		body := map[string]string{}
		if a.s.DelegatedUser != "" {
			body["delegatedUser"] = a.s.DelegatedUser
		}
		if _, err := a.send(ctx, call{op: op, step: "unlock", method: http.MethodPost, url: "/component/" + comp + "/unlock", body: body}); err != nil {
			return hal.DoorResult{}, err
		}
		return hal.DoorResult{Success: true, Message: fmt.Sprintf("component released (its configured %ds); exivo accepted the request", a.s.PulseSeconds)}, nil
	}
	if a.s.HoldOpenMode != nil && !*a.s.HoldOpenMode {
		return hal.DoorResult{}, a.fail(hal.Rejected, op, "", fmt.Errorf("hold-open longer than pulseSeconds (%ds) needs settings.holdOpenMode", a.s.PulseSeconds))
	}
	a.mu.Lock()
	closed := a.closed
	a.mu.Unlock()
	if closed {
		return hal.DoorResult{}, a.fail(hal.Unreachable, op, "", errors.New("the adapter is closed"))
	}
	if _, err := a.send(ctx, call{op: op, step: "mode open", method: http.MethodPost, url: "/component/" + comp + "/mode", body: map[string]string{"mode": "open"}}); err != nil {
		return hal.DoorResult{}, err
	}
	until := time.Now().Add(holdOpen)
	a.mu.Lock()
	defer a.mu.Unlock()
	if h := a.holds[comp]; h != nil {
		if h.until.After(until) {
			until = h.until // an earlier, longer hold-open wins
		}
		if h.timer.Stop() {
			a.reverts.Done() // replaced by the new timer
		}
	}
	if a.closed {
		// Closed meanwhile: restore at once.
		a.reverts.Add(1)
		go a.revert(comp)
		return hal.DoorResult{}, a.fail(hal.Unreachable, op, "", errors.New("the adapter is closed"))
	}
	a.reverts.Add(1)
	h := &hold{until: until}
	h.timer = time.AfterFunc(time.Until(until), func() { a.revertIf(comp, h) })
	a.holds[comp] = h
	return hal.DoorResult{Success: true, Message: fmt.Sprintf("component in mode open until %s", until.UTC().Format(time.RFC3339))}, nil
}

func (a *Adapter) revertIf(comp string, h *hold) {
	a.mu.Lock()
	if a.holds[comp] == h {
		delete(a.holds, comp)
	}
	a.mu.Unlock()
	a.revert(comp)
}

// revert sets the component back to the normal mode (three attempts).
func (a *Adapter) revert(comp string) {
	defer a.reverts.Done()
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * time.Second)
		}
		ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
		_, err = a.send(ctx, call{op: "unlock", step: "mode " + a.s.NormalMode, method: http.MethodPost, url: "/component/" + comp + "/mode", body: map[string]string{"mode": a.s.NormalMode}})
		cancel()
		if err == nil || hal.KindOf(err) == hal.Rejected {
			break
		}
	}
	if err != nil {
		a.log.LogAttrs(context.Background(), slog.LevelError, "exivo: component left in mode open", slog.String("provider", a.provider), slog.String("component", comp), slog.String("error", err.Error()))
	}
}

// Close ends pending hold-opens now (their components go back to the normal
// mode) and waits for that; later long hold-opens fail.
func (a *Adapter) Close() {
	a.mu.Lock()
	a.closed = true
	for comp, h := range a.holds {
		if h.timer.Stop() {
			go a.revert(comp) // the timer's reverts.Add(1) is handed over
		}
		delete(a.holds, comp)
	}
	a.mu.Unlock()
	a.reverts.Wait()
}

// Occupancy is not offered by the exivo API.
func (a *Adapter) Occupancy(context.Context, hal.Door) (hal.Occupancy, error) {
	return hal.Occupancy{}, hal.NewError(hal.Unsupported, a.provider, "occupancy", errors.New("exivo has no occupancy count; derive it from check-ins"))
}

type logEntry struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Data       json.RawMessage `json:"data"`
	OccurredAt string          `json:"occurredAt"`
}

// RecentEvents reads the component's access log (newest first, asked for
// with sort=occurredAt&sortDir=desc and sorted again here).
func (a *Adapter) RecentEvents(ctx context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	const op = "events"
	comp, err := component(d)
	if err != nil {
		return nil, a.fail(hal.Rejected, op, "externalDoorId", err)
	}
	if limit <= 0 {
		return []hal.Event{}, nil
	}
	out := []hal.Event{}
	for skip := 0; len(out) < limit && skip < 10*pageSize; skip += pageSize {
		n := min(pageSize, limit-len(out))
		q := url.Values{"skip": {strconv.Itoa(skip)}, "limit": {strconv.Itoa(n)}, "sort": {"occurredAt"}, "sortDir": {"desc"}}
		var items []logEntry
		if _, err := a.send(ctx, call{op: op, step: "access log", method: http.MethodGet, url: "/accesslog/component/" + comp + "?" + q.Encode(), out: &items}); err != nil {
			return nil, err
		}
		for _, e := range items {
			at, err := time.Parse(time.RFC3339, e.OccurredAt)
			if err != nil {
				continue
			}
			out = append(out, hal.Event{At: at, Kind: eventKind(e.Name), ExternalDoorID: d.ExternalDoorID, Detail: nonEmpty(vendorhttp.Clip(e.Name, 120), "access log entry")})
		}
		if len(items) < n {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// eventKind maps an access-log entry name (its vocabulary is not in the
// Swagger) to Gatehouse kinds by keywords; anything else is ACCESS.
func eventKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "denied") || strings.Contains(n, "rejected") || strings.Contains(n, "refused"):
		return "ACCESS_DENIED"
	case strings.Contains(n, "forced") || strings.Contains(n, "break"):
		return "DOOR_FORCED"
	case strings.Contains(n, "unlock") || strings.Contains(n, "remote") || strings.Contains(n, "open"):
		return "UNLOCK"
	}
	return "ACCESS"
}

var (
	_ hal.Adapter       = (*Adapter)(nil)
	_ hal.DoorValidator = (*Adapter)(nil)
)
