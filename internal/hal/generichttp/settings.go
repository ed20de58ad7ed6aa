package generichttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Operation names, as used in the "operations" object of the settings.
const (
	OpUnlock    = "unlock"
	OpProvision = "provision"
	OpRevoke    = "revoke"
	OpOccupancy = "occupancy"
	OpEvents    = "events"
)

var opNames = []string{OpUnlock, OpProvision, OpRevoke, OpOccupancy, OpEvents}

// Settings is the JSON configuration of the adapter (see docs/door-adapters.md).
// The adapter's base settings hold what every door shares (baseUrl, auth,
// credential operations); a zone's door settings are merged over them.
type Settings struct {
	// Profile fills the operations from a built-in API description ("uhppoted").
	// Operations given explicitly replace the profile's operation of that name.
	Profile string `json:"profile,omitempty"`
	// BaseURL is the controller's or service's URL; operation URLs are relative to it.
	BaseURL string `json:"baseUrl"`
	Auth    Auth   `json:"auth"`
	// Timeout caps each HTTP request (Go duration, default 10s); the caller's
	// context deadline still applies when it is shorter.
	Timeout Duration `json:"timeout,omitzero"`
	// TimeZone is the IANA zone the door system's dates are in (default UTC).
	TimeZone string `json:"timeZone,omitempty"`
	// Headers are sent with every request (templates, escaped as header values).
	Headers map[string]string `json:"headers,omitempty"`
	// Vars are free values the templates read as .Vars.name.
	Vars map[string]string `json:"vars,omitempty"`
	// CredentialDoors are the external door ids a provisioned credential opens
	// (ProvisionCredential has no door: this says where credentials go).
	CredentialDoors []string `json:"credentialDoors,omitempty"`
	// Uhppoted holds the options of the "uhppoted" profile.
	Uhppoted *UhppotedOptions `json:"uhppoted,omitempty"`
	// Operations maps unlock, provision, revoke, occupancy and events to requests.
	// An operation that is absent is reported as hal.Unsupported.
	Operations map[string]*Operation `json:"operations,omitempty"`
}

// Auth is how requests authenticate. Secrets are never logged or returned.
type Auth struct {
	Type     string `json:"type,omitempty"` // none (default), bearer, basic, header
	Token    string `json:"token,omitempty"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Header   string `json:"header,omitempty"`
	Value    string `json:"value,omitempty"`
}

// String never shows the secrets.
func (a Auth) String() string {
	switch a.Type {
	case "bearer":
		return "bearer ********"
	case "basic":
		return "basic " + a.Username + ":********"
	case "header":
		return "header " + a.Header + ": ********"
	}
	return "none"
}

// GoString keeps %#v from printing the secrets.
func (a Auth) GoString() string { return "generichttp.Auth{" + a.String() + "}" }

// Operation is one adapter operation: a sequence of HTTP requests ("steps",
// or the single "request"), run in order; every request must succeed.
type Operation struct {
	Request *Step  `json:"request,omitempty"`
	Steps   []Step `json:"steps,omitempty"`
	// ExternalID (provision): text template for the vendor id of the credential;
	// .Prev is the last response. Default: the credential identifier.
	ExternalID string `json:"externalId,omitempty"`
	// Count (occupancy): JSON path of the number in the last response.
	Count string `json:"count,omitempty"`
	// Events (events): how the responses become hal.Events.
	Events *EventMapping `json:"events,omitempty"`
}

// Step is one HTTP request of an operation.
type Step struct {
	Method string `json:"method"`
	// URL is a template relative to baseUrl ("/doors/{{.Door.ExternalID}}/unlock");
	// each action is escaped as one path segment unless it ends in | query.
	URL string `json:"url"`
	// Headers are templates escaped as header values.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is a template in which each action prints a JSON value
	// ({"seconds": {{.HoldOpenSeconds}}, "card": {{.Credential.Identifier}}}).
	Body        string `json:"body,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// If (template) skips the step when it renders "", "false", "0" or "no".
	If string `json:"if,omitempty"`
	// ForEach runs the step once per item with .Item set: "devices" (credential
	// doors grouped by device), "doors" (credential doors) or a template that
	// renders a JSON array.
	ForEach string `json:"forEach,omitempty"`
	// Expect is the success criteria (default: any 2xx status).
	Expect Expect `json:"expect,omitzero"`
	// Ignore lists statuses that are accepted but whose response is skipped
	// (e.g. 404 on a revoke: already gone).
	Ignore []int `json:"ignoreStatus,omitempty"`
}

// Expect is what a successful response looks like.
type Expect struct {
	Status []int       `json:"status,omitempty"`
	JSON   []JSONCheck `json:"json,omitempty"`
}

// JSONCheck requires the value at Path (dot path) to equal Equals.
type JSONCheck struct {
	Path   string          `json:"path"`
	Equals json.RawMessage `json:"equals"`
}

// EventMapping maps response items to events.
type EventMapping struct {
	// Items is the JSON path of the event list (or single event object) in each
	// response of the last step.
	Items string `json:"items"`
	// At is the path of the timestamp; TimeLayout its Go layout (default RFC 3339),
	// read in the settings' time zone when it carries none.
	At         string `json:"at"`
	TimeLayout string `json:"timeLayout,omitempty"`
	// Kind is the path of the event kind, mapped through KindMap (values as text),
	// defaulting to DefaultKind (default "EVENT").
	Kind        string            `json:"kind,omitempty"`
	KindMap     map[string]string `json:"kindMap,omitempty"`
	DefaultKind string            `json:"defaultKind,omitempty"`
	// Door is the path of the event's door; when set, only events of the door
	// asked for are kept (compared with the door number of "device:number" ids,
	// else with the whole external id).
	Door string `json:"door,omitempty"`
	// Detail is a text template with .Item the event.
	Detail string `json:"detail,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("5s").
type Duration time.Duration

// UnmarshalJSON accepts "5s" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("timeout: %q is not a duration like \"5s\"", s)
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return errors.New("timeout: want a duration like \"5s\" or milliseconds")
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

const (
	defaultTimeout = 10 * time.Second
	maxTimeout     = 2 * time.Minute
	maxSteps       = 8
)

// config is validated settings with compiled templates.
type config struct {
	base     *url.URL
	auth     Auth
	timeout  time.Duration
	loc      *time.Location
	headers  map[string]*tmpl
	vars     map[string]string
	credDoor []DoorData
	ops      map[string]*operation
}

type operation struct {
	name       string
	steps      []*step
	externalID *tmpl
	count      string
	events     *eventMapping
}

type step struct {
	method      string
	url         *tmpl
	headers     map[string]*tmpl
	body        *tmpl
	contentType string
	cond        *tmpl
	forEach     string
	forEachT    *tmpl
	status      []int
	checks      []jsonCheck
	ignore      []int
}

type jsonCheck struct {
	path   string
	equals any
}

type eventMapping struct {
	EventMapping
	detail *tmpl
}

// ParseSettings decodes and validates settings JSON (unknown fields are errors).
func ParseSettings(raw []byte) (*Settings, error) {
	var s Settings
	if len(bytes.TrimSpace(raw)) == 0 {
		return &s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	if dec.More() {
		return nil, errors.New("settings: trailing data after the JSON object")
	}
	return &s, nil
}

// mergeSettings lays door settings over base settings: top-level fields of the
// door replace the base's, except vars, headers and operations, which are
// merged by name (a door operation set to null removes the base's).
func mergeSettings(base, door []byte) ([]byte, error) {
	if len(bytes.TrimSpace(door)) == 0 || bytes.Equal(bytes.TrimSpace(door), []byte("null")) {
		return base, nil
	}
	var b, d map[string]json.RawMessage
	if len(bytes.TrimSpace(base)) > 0 {
		if err := json.Unmarshal(base, &b); err != nil {
			return nil, fmt.Errorf("base settings: %w", err)
		}
	}
	if err := json.Unmarshal(door, &d); err != nil {
		return nil, fmt.Errorf("door settings: must be a JSON object: %w", err)
	}
	if b == nil {
		b = map[string]json.RawMessage{}
	}
	for k, v := range d {
		switch k {
		case "vars", "headers", "operations":
			var bm, dm map[string]json.RawMessage
			if raw, ok := b[k]; ok {
				if err := json.Unmarshal(raw, &bm); err != nil {
					return nil, fmt.Errorf("base settings %s: %w", k, err)
				}
			}
			if err := json.Unmarshal(v, &dm); err != nil {
				return nil, fmt.Errorf("door settings %s: must be an object: %w", k, err)
			}
			if bm == nil {
				bm = map[string]json.RawMessage{}
			}
			maps.Copy(bm, dm)
			for name, val := range bm {
				if bytes.Equal(bytes.TrimSpace(val), []byte("null")) {
					delete(bm, name)
				}
			}
			merged, err := json.Marshal(bm)
			if err != nil {
				return nil, err
			}
			b[k] = merged
		default:
			b[k] = v
		}
	}
	return json.Marshal(b)
}

// build validates settings and compiles every template.
func build(s *Settings) (*config, error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	c := &config{timeout: defaultTimeout, loc: time.UTC, vars: map[string]string{}, ops: map[string]*operation{}}
	if s.BaseURL == "" {
		fail("baseUrl: required")
	} else if u, err := url.Parse(s.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("baseUrl: want an absolute http:// or https:// URL")
	} else if u.User != nil {
		fail("baseUrl: put credentials in auth, not in the URL")
	} else if u.RawQuery != "" || u.Fragment != "" {
		fail("baseUrl: must not have a query or fragment")
	} else {
		c.base = u
	}
	switch s.Auth.Type {
	case "", "none":
	case "bearer":
		if s.Auth.Token == "" {
			fail("auth: bearer needs token")
		}
	case "basic":
		if s.Auth.Username == "" {
			fail("auth: basic needs username (and password)")
		}
	case "header":
		if s.Auth.Header == "" || s.Auth.Value == "" {
			fail("auth: header needs header and value")
		} else if !validHeaderName(s.Auth.Header) {
			fail("auth: %q is not a valid header name", s.Auth.Header)
		}
	default:
		fail("auth.type: %q is not one of none, bearer, basic, header", s.Auth.Type)
	}
	if strings.ContainsAny(s.Auth.Token+s.Auth.Username+s.Auth.Password+s.Auth.Value, "\r\n") {
		fail("auth: secrets must not contain line breaks")
	}
	c.auth = s.Auth
	if s.Timeout != 0 {
		if d := time.Duration(s.Timeout); d <= 0 || d > maxTimeout {
			fail("timeout: must be between 1ms and %s", maxTimeout)
		} else {
			c.timeout = d
		}
	}
	if s.TimeZone != "" {
		loc, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			fail("timeZone: %q is not an IANA time zone", s.TimeZone)
		} else {
			c.loc = loc
		}
	}
	maps.Copy(c.vars, s.Vars)
	for _, id := range s.CredentialDoors {
		if strings.TrimSpace(id) == "" {
			fail("credentialDoors: empty door id")
			continue
		}
		c.credDoor = append(c.credDoor, parseDoorID(id))
	}

	ops := map[string]*Operation{}
	switch strings.ToLower(s.Profile) {
	case "":
		if s.Uhppoted != nil {
			fail("uhppoted: options given without \"profile\": \"uhppoted\"")
		}
	case ProfileUhppoted:
		p, err := uhppotedOperations(s)
		if err != nil {
			errs = append(errs, err)
		}
		maps.Copy(ops, p)
		maps.Copy(c.vars, uhppotedVars(s))
	default:
		fail("profile: %q is unknown (known: %s)", s.Profile, ProfileUhppoted)
	}
	for name, op := range s.Operations {
		if !slices.Contains(opNames, name) {
			fail("operations: %q is not one of %s", name, strings.Join(opNames, ", "))
			continue
		}
		if op == nil {
			delete(ops, name)
			continue
		}
		ops[name] = op
	}

	c.headers = map[string]*tmpl{}
	for k, v := range s.Headers {
		if !validHeaderName(k) {
			fail("headers: %q is not a valid header name", k)
			continue
		}
		t, err := compile("headers."+k, v, escHeader, c.loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.headers[k] = t
	}
	for _, name := range opNames {
		op, ok := ops[name]
		if !ok {
			continue
		}
		o, err := buildOperation(name, op, c.loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.ops[name] = o
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func buildOperation(name string, op *Operation, loc *time.Location) (*operation, error) {
	var errs []error
	steps := op.Steps
	if op.Request != nil {
		if len(steps) > 0 {
			return nil, fmt.Errorf("operations.%s: give either request or steps, not both", name)
		}
		steps = []Step{*op.Request}
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("operations.%s: needs a request or steps", name)
	}
	if len(steps) > maxSteps {
		return nil, fmt.Errorf("operations.%s: at most %d steps", name, maxSteps)
	}
	o := &operation{name: name, count: op.Count}
	for i, s := range steps {
		where := fmt.Sprintf("operations.%s.steps[%d]", name, i)
		if len(steps) == 1 && op.Request != nil {
			where = fmt.Sprintf("operations.%s.request", name)
		}
		st, err := buildStep(where, s, loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		o.steps = append(o.steps, st)
	}
	switch name {
	case OpProvision:
		src := op.ExternalID
		if src == "" {
			src = "{{.Credential.Identifier}}"
		}
		t, err := compile("operations.provision.externalId", src, escText, loc)
		if err != nil {
			errs = append(errs, err)
		}
		o.externalID = t
	case OpOccupancy:
		if op.Count == "" {
			errs = append(errs, errors.New("operations.occupancy.count: required (JSON path of the count)"))
		}
	case OpEvents:
		if op.Events == nil || op.Events.At == "" {
			errs = append(errs, errors.New("operations.events.events: required, with at least \"at\" (JSON path of the timestamp)"))
			break
		}
		m := &eventMapping{EventMapping: *op.Events}
		if m.Detail != "" {
			t, err := compile("operations.events.events.detail", m.Detail, escText, loc)
			if err != nil {
				errs = append(errs, err)
			}
			m.detail = t
		}
		o.events = m
	}
	if name != OpProvision && op.ExternalID != "" {
		errs = append(errs, fmt.Errorf("operations.%s.externalId: only provision has one", name))
	}
	if name != OpOccupancy && op.Count != "" {
		errs = append(errs, fmt.Errorf("operations.%s.count: only occupancy has one", name))
	}
	if name != OpEvents && op.Events != nil {
		errs = append(errs, fmt.Errorf("operations.%s.events: only events has one", name))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return o, nil
}

func buildStep(where string, s Step, loc *time.Location) (*step, error) {
	var errs []error
	st := &step{method: strings.ToUpper(s.Method), contentType: s.ContentType, forEach: s.ForEach, ignore: s.Ignore}
	switch st.method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	case "":
		errs = append(errs, fmt.Errorf("%s.method: required", where))
	default:
		errs = append(errs, fmt.Errorf("%s.method: %q is not GET, POST, PUT, PATCH or DELETE", where, s.Method))
	}
	if !strings.HasPrefix(s.URL, "/") && !strings.HasPrefix(s.URL, "?") {
		errs = append(errs, fmt.Errorf("%s.url: must be relative to baseUrl and start with /", where))
	}
	var err error
	if st.url, err = compile(where+".url", s.URL, escPath, loc); err != nil {
		errs = append(errs, err)
	}
	if s.Body != "" {
		if st.body, err = compile(where+".body", s.Body, escJSON, loc); err != nil {
			errs = append(errs, err)
		} else if st.contentType == "" {
			st.contentType = "application/json"
		}
	}
	if st.contentType != "" && strings.ContainsAny(st.contentType, "\r\n") {
		errs = append(errs, fmt.Errorf("%s.contentType: invalid", where))
	}
	st.headers = map[string]*tmpl{}
	for k, v := range s.Headers {
		if !validHeaderName(k) {
			errs = append(errs, fmt.Errorf("%s.headers: %q is not a valid header name", where, k))
			continue
		}
		t, err := compile(where+".headers."+k, v, escHeader, loc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st.headers[k] = t
	}
	if s.If != "" {
		if st.cond, err = compile(where+".if", s.If, escText, loc); err != nil {
			errs = append(errs, err)
		}
	}
	switch s.ForEach {
	case "", "devices", "doors":
	default:
		if st.forEachT, err = compile(where+".forEach", s.ForEach, escJSON, loc); err != nil {
			errs = append(errs, err)
		}
	}
	for _, code := range append(slices.Clone(s.Expect.Status), s.Ignore...) {
		if code < 100 || code > 599 {
			errs = append(errs, fmt.Errorf("%s: %d is not an HTTP status", where, code))
		}
	}
	st.status = s.Expect.Status
	for i, chk := range s.Expect.JSON {
		if chk.Path == "" {
			errs = append(errs, fmt.Errorf("%s.expect.json[%d].path: required", where, i))
			continue
		}
		var v any
		if len(chk.Equals) == 0 {
			errs = append(errs, fmt.Errorf("%s.expect.json[%d].equals: required", where, i))
			continue
		}
		if err := json.Unmarshal(chk.Equals, &v); err != nil {
			errs = append(errs, fmt.Errorf("%s.expect.json[%d].equals: %w", where, i, err))
			continue
		}
		st.checks = append(st.checks, jsonCheck{path: chk.Path, equals: v})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return st, nil
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r > 0x7e || r <= 0x20 || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return true
}

// parseDoorID splits "405419896:1" into device and door number; an id without
// a colon is its own device with no number.
func parseDoorID(id string) DoorData {
	d := DoorData{ExternalID: id, Device: id}
	if i := strings.LastIndexByte(id, ':'); i > 0 && i < len(id)-1 {
		d.Device, d.Number = id[:i], id[i+1:]
	}
	return d
}

// Validate checks settings JSON (base settings merged with a door's) and
// reports every problem at once; the API calls it before saving a zone.
func Validate(base, door json.RawMessage) error {
	merged, err := mergeSettings(base, door)
	if err != nil {
		return err
	}
	s, err := ParseSettings(merged)
	if err != nil {
		return err
	}
	_, err = build(s)
	return err
}

// RedactSettings returns settings JSON with every secret replaced by "********",
// for showing a saved configuration back to an admin.
func RedactSettings(raw json.RawMessage) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	if a, ok := m["auth"].(map[string]any); ok {
		for _, k := range []string{"token", "password", "value"} {
			if _, ok := a[k]; ok {
				a[k] = "********"
			}
		}
	}
	return json.Marshal(m)
}
