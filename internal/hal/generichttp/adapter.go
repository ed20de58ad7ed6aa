// Package generichttp is the generic HTTP door adapter: every operation of
// hal.Adapter is a short sequence of HTTP requests described by JSON settings
// (method, URL, headers and body templates, success criteria), so a door
// controller with a REST API can be connected without code. A built-in profile
// fills the requests for the uhppoted-REST API (UHPPOTE controllers).
//
// Secrets in the settings and response bodies are never logged; errors name
// the operation, step and status, and at most a short, masked excerpt of the
// door system's own error message.
package generichttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/vendorhttp"
)

// DefaultProvider is the provider name used when Config.Provider is empty.
const DefaultProvider = "GENERIC_HTTP"

const maxBody = 1 << 20

// Config configures an adapter instance.
type Config struct {
	// Provider is the name zones select the adapter by (default GENERIC_HTTP).
	Provider string
	// Settings are the base settings JSON; each door's settings are merged over
	// them. Provisioning and revocation use the base settings only (they have no door).
	Settings json.RawMessage
	// Client is the HTTP client (default: a client with its own transport).
	// Redirects are never followed.
	Client *http.Client
	// Logger receives one debug line per request (never bodies or secrets).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Adapter is the generic HTTP door adapter. It is safe for concurrent use.
type Adapter struct {
	provider string
	base     json.RawMessage
	client   *http.Client
	own      *http.Transport
	log      *slog.Logger
	now      func() time.Time
	baseCfg  *config

	mu    sync.Mutex
	cache map[string]*config
}

// New validates the base settings and returns the adapter. Base settings may
// leave out what every door provides (e.g. baseUrl); then only the door
// operations work, and only with doors that complete them.
func New(cfg Config) (*Adapter, error) {
	a := &Adapter{provider: cfg.Provider, base: cfg.Settings, client: cfg.Client, log: cfg.Logger, now: cfg.Now, cache: map[string]*config{}}
	if a.provider == "" {
		a.provider = DefaultProvider
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.client == nil {
		a.own = http.DefaultTransport.(*http.Transport).Clone()
		a.client = &http.Client{Transport: a.own}
	}
	c := *a.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 0 // the context carries the budget
	a.client = &c

	s, err := ParseSettings(cfg.Settings)
	if err != nil {
		return nil, err
	}
	if s.BaseURL != "" || s.Profile != "" || len(s.Operations) > 0 {
		if a.baseCfg, err = build(s); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Close releases idle connections of the adapter's own transport.
func (a *Adapter) Close() {
	if a.own != nil {
		a.own.CloseIdleConnections()
	}
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return a.provider }

// ValidateDoor reports whether a door's settings (merged over the base) are usable.
func (a *Adapter) ValidateDoor(d hal.Door) error {
	_, err := a.config(d.Settings)
	return err
}

func (a *Adapter) config(door json.RawMessage) (*config, error) {
	if len(bytes.TrimSpace(door)) == 0 || string(bytes.TrimSpace(door)) == "null" || string(bytes.TrimSpace(door)) == "{}" {
		if a.baseCfg == nil {
			return nil, errors.New("settings: baseUrl: required")
		}
		return a.baseCfg, nil
	}
	key := string(door)
	a.mu.Lock()
	c, ok := a.cache[key]
	a.mu.Unlock()
	if ok {
		return c, nil
	}
	merged, err := mergeSettings(a.base, door)
	if err != nil {
		return nil, err
	}
	s, err := ParseSettings(merged)
	if err != nil {
		return nil, err
	}
	if c, err = build(s); err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.cache) >= 256 {
		clear(a.cache)
	}
	a.cache[key] = c
	a.mu.Unlock()
	return c, nil
}

// Data is what templates see.
type Data struct {
	Door            DoorData
	Credential      CredentialData
	ExternalID      string
	HoldOpen        time.Duration
	HoldOpenSeconds int64
	Limit           int
	Now             time.Time
	Vars            map[string]string
	// Doors are the credential doors; Devices groups them by device.
	Doors   []DoorData
	Devices []DeviceData
	// Item is the current forEach item; Prev the decoded JSON of the previous
	// response (nil when it had none).
	Item any
	Prev any
}

// DoorData is a door id split into device and number ("405419896:1").
type DoorData struct {
	ExternalID string
	Device     string
	Number     string
	ZoneID     int64
	EntityID   int64
}

// DeviceData is one device and the numbers of its credential doors.
type DeviceData struct {
	ID    string
	Doors []string
}

// CredentialData is the credential being provisioned.
type CredentialData struct {
	ID         int64
	MemberID   int64
	Type       string
	Identifier string
	ExpiresAt  *time.Time
	ValidFrom  time.Time
}

func devices(doors []DoorData) []DeviceData {
	var out []DeviceData
	for _, d := range doors {
		i := slices.IndexFunc(out, func(x DeviceData) bool { return x.ID == d.Device })
		if i < 0 {
			out = append(out, DeviceData{ID: d.Device})
			i = len(out) - 1
		}
		if d.Number != "" && !slices.Contains(out[i].Doors, d.Number) {
			out[i].Doors = append(out[i].Doors, d.Number)
		}
	}
	return out
}

func (a *Adapter) data(c *config) *Data {
	return &Data{Now: a.now(), Vars: c.vars, Doors: c.credDoor, Devices: devices(c.credDoor)}
}

func doorData(d hal.Door) DoorData {
	dd := parseDoorID(d.ExternalDoorID)
	dd.ZoneID, dd.EntityID = d.ZoneID, d.EntityID
	return dd
}

// opFor finds the operation or reports why it cannot run.
func (a *Adapter) opFor(door json.RawMessage, name string) (*config, *operation, error) {
	c, err := a.config(door)
	if err != nil {
		return nil, nil, hal.NewError(hal.Rejected, a.provider, name, fmt.Errorf("invalid settings: %w", err))
	}
	op, ok := c.ops[name]
	if !ok {
		return nil, nil, hal.NewError(hal.Unsupported, a.provider, name, errors.New("no request is configured for this operation"))
	}
	return c, op, nil
}

// ProvisionCredential implements hal.Adapter using the base settings.
func (a *Adapter) ProvisionCredential(ctx context.Context, cr hal.Credential) (string, error) {
	c, op, err := a.opFor(nil, OpProvision)
	if err != nil {
		return "", err
	}
	d := a.data(c)
	d.Credential = CredentialData{ID: cr.ID, MemberID: cr.MemberID, Type: cr.TypeCd, Identifier: cr.Identifier, ExpiresAt: cr.ExpiresAt, ValidFrom: d.Now}
	res, err := a.run(ctx, c, op, d, "", cr.Identifier)
	if err != nil {
		return "", err
	}
	d.Prev = res.last
	id, err := op.externalID.render(d)
	if err != nil {
		return "", a.fail(hal.Rejected, op.name, "externalId", err, cr.Identifier)
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return "", a.fail(hal.Rejected, op.name, "externalId", errors.New("rendered empty"), cr.Identifier)
	}
	return id, nil
}

// RevokeCredential implements hal.Adapter using the base settings.
func (a *Adapter) RevokeCredential(ctx context.Context, externalID string) error {
	c, op, err := a.opFor(nil, OpRevoke)
	if err != nil {
		return err
	}
	d := a.data(c)
	d.ExternalID = externalID
	_, err = a.run(ctx, c, op, d, "", externalID)
	return err
}

// UnlockDoor implements hal.Adapter.
func (a *Adapter) UnlockDoor(ctx context.Context, door hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	c, op, err := a.opFor(door.Settings, OpUnlock)
	if err != nil {
		return hal.DoorResult{}, err
	}
	if holdOpen < 0 {
		return hal.DoorResult{}, hal.NewError(hal.Rejected, a.provider, OpUnlock, errors.New("negative hold-open time"))
	}
	d := a.data(c)
	d.Door = doorData(door)
	d.HoldOpen = holdOpen
	d.HoldOpenSeconds = int64((holdOpen + time.Second - 1) / time.Second)
	if _, err := a.run(ctx, c, op, d, door.ExternalDoorID, ""); err != nil {
		return hal.DoorResult{}, err
	}
	return hal.DoorResult{Success: true, Message: fmt.Sprintf("door %s opened (hold-open %s requested)", door.ExternalDoorID, holdOpen)}, nil
}

// Occupancy implements hal.Adapter.
func (a *Adapter) Occupancy(ctx context.Context, door hal.Door) (hal.Occupancy, error) {
	c, op, err := a.opFor(door.Settings, OpOccupancy)
	if err != nil {
		return hal.Occupancy{}, err
	}
	d := a.data(c)
	d.Door = doorData(door)
	res, err := a.run(ctx, c, op, d, door.ExternalDoorID, "")
	if err != nil {
		return hal.Occupancy{}, err
	}
	v, ok := lookup(res.last, op.count)
	n, convErr := toInt(v)
	if !ok || convErr != nil || n < 0 {
		return hal.Occupancy{}, a.fail(hal.Rejected, op.name, "count", fmt.Errorf("no count at %q in the response", op.count), "")
	}
	return hal.Occupancy{Known: true, Current: int(n), At: a.now().UTC()}, nil
}

// RecentEvents implements hal.Adapter: newest first, at most limit.
func (a *Adapter) RecentEvents(ctx context.Context, door hal.Door, limit int) ([]hal.Event, error) {
	c, op, err := a.opFor(door.Settings, OpEvents)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return []hal.Event{}, nil
	}
	d := a.data(c)
	d.Door = doorData(door)
	d.Limit = limit
	res, err := a.run(ctx, c, op, d, door.ExternalDoorID, "")
	if err != nil {
		return nil, err
	}
	m := op.events
	out := []hal.Event{}
	for _, body := range res.lastAll {
		items, ok := lookup(body, m.Items)
		if !ok {
			continue
		}
		list, isList := items.([]any)
		if !isList {
			list = []any{items}
		}
		for _, it := range list {
			ev, keep, err := a.event(c, m, d, it)
			if err != nil {
				return nil, a.fail(hal.Rejected, op.name, "events", err, "")
			}
			if keep {
				out = append(out, ev)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (a *Adapter) event(c *config, m *eventMapping, d *Data, item any) (hal.Event, bool, error) {
	if _, ok := item.(map[string]any); !ok {
		return hal.Event{}, false, nil
	}
	ev := hal.Event{ExternalDoorID: d.Door.ExternalID}
	if m.Door != "" {
		v, _ := lookup(item, m.Door)
		want := d.Door.ExternalID
		if d.Door.Number != "" {
			want = d.Door.Number
		}
		if textValue(v) != want {
			return hal.Event{}, false, nil
		}
	}
	v, _ := lookup(item, m.At)
	s := textValue(v)
	layout := m.TimeLayout
	if layout == "" {
		layout = time.RFC3339Nano
	}
	at, err := time.ParseInLocation(layout, s, c.loc)
	if err != nil {
		return hal.Event{}, false, fmt.Errorf("event time at %q does not match the layout", m.At)
	}
	ev.At = at.UTC()
	ev.Kind = m.DefaultKind
	if ev.Kind == "" {
		ev.Kind = "EVENT"
	}
	if m.Kind != "" {
		if k, ok := lookup(item, m.Kind); ok && k != nil {
			ks := textValue(k)
			if mapped, ok := m.KindMap[ks]; ok {
				ev.Kind = mapped
			} else if len(m.KindMap) == 0 && ks != "" {
				ev.Kind = ks
			}
		}
	}
	ev.Kind = vendorhttp.Clip(ev.Kind, 64)
	if m.detail != nil {
		dd := *d
		dd.Item = item
		detail, err := m.detail.render(&dd)
		if err != nil {
			return hal.Event{}, false, err
		}
		ev.Detail = vendorhttp.Clip(detail, 500)
	}
	return ev, true, nil
}

// result is what a run of an operation produced.
type result struct {
	last    any   // decoded JSON of the last response
	lastAll []any // decoded JSON of every response of the last step that ran
	sent    int
}

// run executes an operation's steps. secret is a value that must not appear in
// error messages (the credential identifier), door the door id for logs.
func (a *Adapter) run(ctx context.Context, c *config, op *operation, d *Data, door, secret string) (*result, error) {
	res := &result{}
	for i, st := range op.steps {
		if st.cond != nil {
			s, err := st.cond.render(d)
			if err != nil {
				return nil, a.fail(hal.Rejected, op.name, fmt.Sprintf("step %d", i+1), err, secret)
			}
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "", "false", "0", "no", "<no value>":
				continue
			}
		}
		items, err := a.items(st, d)
		if err != nil {
			return nil, a.fail(hal.Rejected, op.name, fmt.Sprintf("step %d forEach", i+1), err, secret)
		}
		res.lastAll = res.lastAll[:0]
		for _, item := range items {
			d.Item = item
			body, err := a.do(ctx, c, op.name, i+1, st, d, door, secret)
			if err != nil {
				return nil, err
			}
			res.sent++
			res.last = body
			res.lastAll = append(res.lastAll, body)
		}
		d.Item = nil
		d.Prev = res.last
	}
	if res.sent == 0 && op.name != OpEvents {
		return nil, a.fail(hal.Rejected, op.name, "", errors.New("no request was sent (forEach had no items: are credentialDoors configured?)"), secret)
	}
	return res, nil
}

func (a *Adapter) items(st *step, d *Data) ([]any, error) {
	switch st.forEach {
	case "":
		return []any{nil}, nil
	case "devices":
		out := make([]any, len(d.Devices))
		for i, v := range d.Devices {
			out[i] = v
		}
		return out, nil
	case "doors":
		out := make([]any, len(d.Doors))
		for i, v := range d.Doors {
			out[i] = v
		}
		return out, nil
	}
	s, err := st.forEachT.render(d)
	if err != nil {
		return nil, err
	}
	var out []any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, errors.New("did not render a JSON array")
	}
	if len(out) > maxFanout {
		return nil, fmt.Errorf("more than %d items", maxFanout)
	}
	return out, nil
}

// do sends one request and checks the response.
func (a *Adapter) do(ctx context.Context, c *config, opName string, n int, st *step, d *Data, door, secret string) (any, error) {
	where := fmt.Sprintf("step %d (%s)", n, st.method)
	if err := ctx.Err(); err != nil {
		return nil, a.fail(hal.Unreachable, opName, where, err, secret)
	}
	if c.base == nil {
		return nil, a.fail(hal.Rejected, opName, where, errors.New("invalid settings: baseUrl: required"), secret)
	}
	path, err := st.url.render(d)
	if err != nil {
		return nil, a.fail(hal.Rejected, opName, where+" url", err, secret)
	}
	u, err := joinURL(c.base, path)
	if err != nil {
		return nil, a.fail(hal.Rejected, opName, where+" url", err, secret)
	}
	var body io.Reader
	if st.body != nil {
		b, err := st.body.render(d)
		if err != nil {
			return nil, a.fail(hal.Rejected, opName, where+" body", err, secret)
		}
		if strings.Contains(st.contentType, "json") && !json.Valid([]byte(b)) {
			return nil, a.fail(hal.Rejected, opName, where+" body", errors.New("rendered body is not valid JSON"), secret)
		}
		body = strings.NewReader(b)
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, st.method, u, body)
	if err != nil {
		return nil, a.fail(hal.Rejected, opName, where, errors.New("cannot build the request"), secret)
	}
	req.Header.Set("Accept", "application/json")
	if st.contentType != "" {
		req.Header.Set("Content-Type", st.contentType)
	}
	for _, hs := range []map[string]*tmpl{c.headers, st.headers} {
		for k, t := range hs {
			v, err := t.render(d)
			if err != nil {
				return nil, a.fail(hal.Rejected, opName, where+" header "+k, err, secret)
			}
			req.Header.Set(k, v)
		}
	}
	switch c.auth.Type {
	case "bearer":
		req.Header.Set("Authorization", "Bearer "+c.auth.Token)
	case "basic":
		req.SetBasicAuth(c.auth.Username, c.auth.Password)
	case "header":
		req.Header.Set(c.auth.Header, c.auth.Value)
	}

	start := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelDebug, "door request failed", slog.String("provider", a.provider), slog.String("op", opName), slog.Int("step", n), slog.String("method", st.method), slog.String("door", door), slog.Duration("took", time.Since(start)))
		return nil, a.fail(hal.Unreachable, opName, where, vendorhttp.TransportErr(ctx, rctx, err), secret)
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	a.log.LogAttrs(ctx, slog.LevelDebug, "door request", slog.String("provider", a.provider), slog.String("op", opName), slog.Int("step", n), slog.String("method", st.method), slog.String("door", door), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if readErr != nil {
		return nil, a.fail(hal.Unreachable, opName, where, vendorhttp.TransportErr(ctx, rctx, readErr), secret)
	}
	if len(raw) > maxBody {
		return nil, a.fail(hal.Rejected, opName, where, errors.New("response larger than 1 MiB"), secret)
	}
	var decoded any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &decoded); err != nil {
			decoded = nil
		}
	}
	code := resp.StatusCode
	if slices.Contains(st.ignore, code) {
		return nil, nil
	}
	ok := code >= 200 && code < 300
	if len(st.status) > 0 {
		ok = slices.Contains(st.status, code)
	}
	if !ok {
		kind := hal.Rejected
		var hint error
		switch {
		case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout:
			kind = hal.Unreachable
		case code >= 500:
			kind = hal.Unreachable
		}
		if ra := vendorhttp.RetryAfter(resp.Header.Get("Retry-After"), a.now()); ra > 0 {
			hint = &RetryAfterError{After: ra}
		} else if code == http.StatusTooManyRequests {
			hint = &RetryAfterError{}
		}
		msg := fmt.Sprintf("HTTP %d", code)
		if m := errorMessage(decoded, secret); m != "" {
			msg += ": " + m
		}
		err := errors.New(msg)
		if hint != nil {
			err = fmt.Errorf("%s (%w)", msg, hint)
		}
		return nil, a.fail(kind, opName, where, err, secret)
	}
	for _, chk := range st.checks {
		got, found := lookup(decoded, chk.path)
		if !found || !jsonEqual(got, chk.equals) {
			return nil, a.fail(hal.Rejected, opName, where, fmt.Errorf("HTTP %d but %s is not %s", code, chk.path, mustJSON(chk.equals)), secret)
		}
	}
	return decoded, nil
}

// RetryAfterError says when a rate-limited or overloaded door system may be
// tried again; it is the hint every HTTP adapter shares (the job queue honours it).
type RetryAfterError = vendorhttp.RetryAfterError

func joinURL(base *url.URL, rel string) (string, error) {
	if strings.ContainsAny(rel, "\r\n\t #") {
		return "", errors.New("rendered URL contains spaces, control characters or a fragment")
	}
	path, query, _ := strings.Cut(rel, "?")
	if !strings.HasPrefix(path, "/") && path != "" {
		return "", errors.New("rendered URL must start with /")
	}
	u := *base
	u.RawPath = ""
	full := strings.TrimSuffix(base.EscapedPath(), "/") + path
	p, err := url.PathUnescape(full)
	if err != nil {
		return "", errors.New("rendered URL path is not valid")
	}
	u.Path, u.RawPath = p, full
	u.RawQuery = query
	s := u.String()
	if check, err := url.Parse(s); err != nil || check.Host != base.Host || check.Scheme != base.Scheme {
		return "", errors.New("rendered URL leaves baseUrl")
	}
	return s, nil
}

// fail builds the typed error, masking the secret wherever it appears.
func (a *Adapter) fail(kind hal.ErrorKind, op, where string, err error, secret string) error {
	if where != "" {
		err = vendorhttp.Masked(mask(where+": "+err.Error(), secret), err)
	} else {
		err = vendorhttp.Masked(mask(err.Error(), secret), err)
	}
	return hal.NewError(kind, a.provider, op, err)
}

func mask(s, secret string) string {
	if len(secret) >= 4 {
		s = strings.ReplaceAll(s, secret, hal.Mask(secret))
	}
	return s
}

// errorMessage takes a short excerpt of the door system's own error message
// ({"message": …} or {"error": …}); the body itself is never reported.
func errorMessage(body any, secret string) string {
	m, ok := body.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range []string{"message", "error", "detail", "title"} {
		if s, ok := m[k].(string); ok && s != "" {
			return vendorhttp.Clip(mask(s, secret), 120)
		}
	}
	return ""
}

func jsonEqual(got, want any) bool {
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	case string, bool, nil:
		return got == want
	}
	return reflect.DeepEqual(got, want)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var _ hal.Adapter = (*Adapter)(nil)
