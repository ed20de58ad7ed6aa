// Package openpathtest is a fake Openpath / Avigilon Alta API for tests,
// written from the public Swagger 2.0 document (api.openpath.com): the paths,
// methods, required body fields and success codes below are the spec's
// (login and refresh 201 with data{token, expiresAt}; create user and
// credential 201 with data{id,…}; groupIds, delete credential and
// setTempState 204; lists as {totalCount, filteredCount, cursors, data}).
// The spec documents success answers only: the error answers (401 for a
// missing or expired JWT, 404 for unknown ids, 400 for a body the spec
// would refuse, 409 for a duplicate externalId) and the error envelope
// {"message", "name"} are assumptions, as is the filter syntax
// "externalId:(…)" for users.
package openpathtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

// Defaults of a new fake.
const (
	OrgID       = 4242
	GroupID     = 777
	Email       = "svc-gatehouse@example.com"
	Password    = "op-Password-7f3a9c"
	MobileType  = 3  // credential type id of modelName "mobile"
	UnlockState = 12 // the unlocked entry state
)

// Unlock is a setTempState the fake received.
type Unlock struct {
	EntryID  string
	StateID  int64
	HoldOpen time.Duration
}

// User is an Alta user of the fake.
type User struct {
	ID         int64          `json:"id"`
	ExternalID string         `json:"externalId,omitempty"`
	Status     string         `json:"status"`
	Identity   map[string]any `json:"identity"`
	groups     map[int64]bool
}

// Credential is a user's credential of the fake.
type Credential struct {
	ID               int64  `json:"id"`
	CredentialTypeID int64  `json:"credentialTypeId"`
	StartDate        string `json:"startDate,omitempty"`
	EndDate          string `json:"endDate,omitempty"`
	Mobile           *struct {
		Name string `json:"name"`
	} `json:"mobile,omitempty"`
	user int64
}

// Event is an activity event the fake serves.
type Event struct {
	At       time.Time
	EntryID  int64
	UserID   int64
	Request  string // requestType
	Result   string // result
	Denied   string // deniedReason
	Describe string // resultDescription
}

// Fake is the API. Exported counters and maps are guarded by Mu.
type Fake struct {
	*httptest.Server
	Mu sync.Mutex

	Email, Password string
	OrgID           int64
	// TokenLife is how long issued tokens are valid (default 1h).
	TokenLife time.Duration
	// Now is the fake's clock for token expiry (default time.Now).
	Now func() time.Time
	// EventPage is how many events one page of activity events holds.
	EventPage int
	// PresenceCount is what the presence buckets report for an entry.
	PresenceCount map[string]int

	tokens       map[string]time.Time // token → expiry
	nextTok      int
	Logins       int
	Refreshes    int
	Unauthorized int // 401 answers given
	Issued       []string

	nextID   int64
	Users    map[int64]*User
	Creds    map[int64]*Credential
	Groups   map[int64]bool
	Entries  map[string]bool
	States   map[int64]bool
	unlocks  []Unlock
	Events   []Event
	Requests []string // "METHOD /path"

	down    bool
	latency time.Duration
	inject  vendortest.Failures
}

// New starts a fake with one org, group 777, entries 101 and 102, the
// credential types card (2) and mobile (3) and the entry states locked (11)
// and unlocked (12).
func New() *Fake {
	f := &Fake{Email: Email, Password: Password, OrgID: OrgID, TokenLife: time.Hour, Now: time.Now, EventPage: 50,
		PresenceCount: map[string]int{}, tokens: map[string]time.Time{}, nextID: 9000,
		Users: map[int64]*User{}, Creds: map[int64]*Credential{}, Groups: map[int64]bool{GroupID: true},
		Entries: map[string]bool{"101": true, "102": true}, States: map[int64]bool{11: true, UnlockState: true}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/login", f.login)
	mux.HandleFunc("POST /auth/accessTokens/refresh", f.authed(f.refresh))
	mux.HandleFunc("GET /orgs/{org}/credentialTypes", f.authed(f.credentialTypes))
	mux.HandleFunc("GET /orgs/{org}/entryStates", f.authed(f.entryStates))
	mux.HandleFunc("GET /orgs/{org}/users", f.authed(f.listUsers))
	mux.HandleFunc("POST /orgs/{org}/users", f.authed(f.createUser))
	mux.HandleFunc("PATCH /orgs/{org}/users/{uid}/groupIds", f.authed(f.groupIDs))
	mux.HandleFunc("GET /orgs/{org}/users/{uid}/credentials", f.authed(f.listCreds))
	mux.HandleFunc("POST /orgs/{org}/users/{uid}/credentials", f.authed(f.createCred))
	mux.HandleFunc("DELETE /orgs/{org}/users/{uid}/credentials/{cid}", f.authed(f.deleteCred))
	mux.HandleFunc("POST /orgs/{org}/entries/{eid}/setTempState", f.authed(f.setTempState))
	mux.HandleFunc("GET /orgs/{org}/reports/presence/buckets", f.authed(f.presence))
	mux.HandleFunc("GET /orgs/{org}/reports/activity/events", f.authed(f.activity))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		vendortest.WriteJSON(w, 404, map[string]any{"message": "Not Found", "name": "NotFoundError"})
	})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		f.Requests = append(f.Requests, r.Method+" "+r.URL.Path)
		latency, down := f.latency, f.down
		inj := f.inject.Next()
		f.Mu.Unlock()
		if !vendortest.Delay(r, latency) {
			return
		}
		if down {
			vendortest.WriteJSON(w, 503, map[string]any{"message": "Service Unavailable"})
			return
		}
		if inj != nil {
			inj.Write(w, fmt.Sprintf(`{"message":"injected failure %d"}`, inj.Status))
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return f
}

// Settings are integration settings pointing at the fake.
func (f *Fake) Settings() map[string]any {
	return map[string]any{"baseUrl": f.URL, "orgId": f.OrgID, "email": f.Email, "groupId": GroupID}
}

func bad(w http.ResponseWriter, msg string) {
	vendortest.WriteJSON(w, 400, map[string]any{"message": msg, "name": "ValidationError"})
}

func notFound(w http.ResponseWriter, what string) {
	vendortest.WriteJSON(w, 404, map[string]any{"message": what + " not found", "name": "NotFoundError"})
}

// issue makes a token; the caller holds Mu.
func (f *Fake) issue(w http.ResponseWriter) {
	f.nextTok++
	tok := fmt.Sprintf("eyJhbGciOi.op-JWT-%04d.sig", f.nextTok)
	exp := f.Now().Add(f.TokenLife).UTC()
	f.tokens[tok] = exp
	f.Issued = append(f.Issued, tok)
	vendortest.WriteJSON(w, 201, map[string]any{"data": map[string]any{"token": tok, "expiresAt": exp.Format(time.RFC3339Nano), "createdAt": f.Now().UTC().Format(time.RFC3339Nano),
		"identityId": 1, "tokenScopeList": []map[string]any{{"org": map[string]any{"id": f.OrgID}, "scope": []string{"o:w"}}}}})
}

func (f *Fake) login(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Email    *string `json:"email"`
		Password *string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Email == nil || b.Password == nil {
		bad(w, "email and password are required")
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if *b.Email != f.Email || *b.Password != f.Password {
		vendortest.WriteJSON(w, 401, map[string]any{"message": "Invalid email or password", "name": "UnauthorizedError"})
		return
	}
	f.Logins++
	f.issue(w)
}

// authed checks the raw JWT in Authorization (the spec's apiKey header) and
// the org of the path.
func (f *Fake) authed(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("Authorization")
		f.Mu.Lock()
		exp, ok := f.tokens[tok]
		valid := ok && f.Now().Before(exp)
		if !valid {
			f.Unauthorized++
		}
		f.Mu.Unlock()
		if !valid {
			name := "TokenNotFoundError"
			if ok {
				name = "TokenExpiredError"
			}
			vendortest.WriteJSON(w, 401, map[string]any{"message": "jwt is missing, invalid or expired", "name": name})
			return
		}
		if org := r.PathValue("org"); org != "" && org != strconv.FormatInt(f.OrgID, 10) {
			vendortest.WriteJSON(w, 403, map[string]any{"message": "Forbidden", "name": "ForbiddenError"})
			return
		}
		h(w, r)
	}
}

func (f *Fake) refresh(w http.ResponseWriter, r *http.Request) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	delete(f.tokens, r.Header.Get("Authorization")) // "invalidate old token"
	f.Refreshes++
	f.issue(w)
}

// ExpireTokens makes every issued token invalid (the API answers 401).
func (f *Fake) ExpireTokens() {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	clear(f.tokens)
}

// FailNext makes the next n requests answer status (with Retry-After when set).
func (f *Fake) FailNext(status int, retryAfter string, n int) {
	f.inject.AddN(status, retryAfter, n)
}

// FailNextWith makes the next request answer status with body.
func (f *Fake) FailNextWith(status int, body string) {
	f.inject.Add(vendortest.Failure{Status: status, Body: body})
}

// SetLatency delays every answer by d.
func (f *Fake) SetLatency(d time.Duration) { f.Mu.Lock(); f.latency = d; f.Mu.Unlock() }

// Down makes every request answer 503.
func (f *Fake) Down(d bool) { f.Mu.Lock(); f.down = d; f.Mu.Unlock() }

// list answers a list query with offset/limit (limit 1..max, else 400).
func list[T any](w http.ResponseWriter, r *http.Request, all []T, maxLimit int) {
	q := r.URL.Query()
	limit, off := maxLimit, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			bad(w, fmt.Sprintf("limit must be 1..%d", maxLimit))
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad(w, "offset must be >= 0")
			return
		}
		off = n
	}
	data := []T{}
	if off < len(all) {
		data = all[off:min(off+limit, len(all))]
	}
	vendortest.WriteJSON(w, 200, map[string]any{"totalCount": len(all), "filteredCount": len(all), "data": data,
		"cursors": map[string]any{"nextCursor": nil, "hasNextPage": off+limit < len(all)}})
}

func (f *Fake) credentialTypes(w http.ResponseWriter, r *http.Request) {
	list(w, r, []map[string]any{{"id": 2, "name": "Card", "modelName": "card"}, {"id": MobileType, "name": "Mobile", "modelName": "mobile"}}, 1000)
}

func (f *Fake) entryStates(w http.ResponseWriter, r *http.Request) {
	list(w, r, []map[string]any{
		{"id": 11, "ordinal": 1, "name": "Locked", "code": "locked", "isLocked": true, "isToggle": false, "isMultiFactor": false},
		{"id": 13, "ordinal": 2, "name": "Toggle", "code": "toggle", "isLocked": false, "isToggle": true, "isMultiFactor": false},
		{"id": UnlockState, "ordinal": 3, "name": "Unlocked", "code": "unlocked", "isLocked": false, "isToggle": false, "isMultiFactor": false},
	}, 1000)
}

var filterRE = regexp.MustCompile(`^externalId:\((.*)\)$`)

func (f *Fake) listUsers(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("filter")
	var ext *string
	if filter != "" {
		m := filterRE.FindStringSubmatch(filter)
		if m == nil {
			bad(w, "unsupported filter")
			return
		}
		ext = &m[1]
	}
	f.Mu.Lock()
	var out []User
	for _, u := range f.Users {
		if ext == nil || u.ExternalID == *ext {
			out = append(out, *u)
		}
	}
	f.Mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	list(w, r, out, 1000)
}

func (f *Fake) createUser(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Identity   map[string]any `json:"identity"`
		ExternalID string         `json:"externalId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Identity == nil {
		bad(w, "identity is required")
		return
	}
	if fn, _ := b.Identity["firstName"].(string); fn == "" {
		bad(w, "identity.firstName is required")
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, u := range f.Users {
		if b.ExternalID != "" && u.ExternalID == b.ExternalID {
			vendortest.WriteJSON(w, 409, map[string]any{"message": "A user with this externalId already exists", "name": "ConflictError"})
			return
		}
	}
	f.nextID++
	u := &User{ID: f.nextID, ExternalID: b.ExternalID, Status: "A", Identity: b.Identity, groups: map[int64]bool{}}
	f.Users[u.ID] = u
	vendortest.WriteJSON(w, 201, map[string]any{"data": u})
}

func (f *Fake) user(w http.ResponseWriter, r *http.Request) *User {
	id, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	u := f.Users[id]
	if u == nil {
		notFound(w, "User")
	}
	return u
}

func (f *Fake) groupIDs(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Add    []int64 `json:"add"`
		Remove []int64 `json:"remove"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || (b.Add == nil && b.Remove == nil) {
		bad(w, "add or remove is required")
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	u := f.user(w, r)
	if u == nil {
		return
	}
	for _, g := range append(slices.Clone(b.Add), b.Remove...) {
		if !f.Groups[g] {
			bad(w, fmt.Sprintf("group %d does not exist", g))
			return
		}
	}
	for _, g := range b.Add {
		u.groups[g] = true
	}
	for _, g := range b.Remove {
		delete(u.groups, g)
	}
	w.WriteHeader(204)
}

func (f *Fake) userCreds(uid int64) []Credential {
	var out []Credential
	for _, c := range f.Creds {
		if c.user == uid {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (f *Fake) listCreds(w http.ResponseWriter, r *http.Request) {
	f.Mu.Lock()
	u := f.user(w, r)
	if u == nil {
		f.Mu.Unlock()
		return
	}
	out := f.userCreds(u.ID)
	f.Mu.Unlock()
	list(w, r, out, 1000)
}

func (f *Fake) createCred(w http.ResponseWriter, r *http.Request) {
	var c Credential
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.CredentialTypeID == 0 {
		bad(w, "credentialTypeId is required")
		return
	}
	if c.CredentialTypeID != MobileType && c.CredentialTypeID != 2 {
		bad(w, "unknown credentialTypeId")
		return
	}
	if c.CredentialTypeID == MobileType && (c.Mobile == nil || c.Mobile.Name == "") {
		bad(w, "mobile.name is required for a mobile credential")
		return
	}
	var from, to time.Time
	for _, d := range []struct {
		s string
		t *time.Time
	}{{c.StartDate, &from}, {c.EndDate, &to}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, d.s)
		if err != nil {
			bad(w, "startDate/endDate must be ISO 8601 date-times")
			return
		}
		*d.t = t
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		bad(w, "endDate must be after startDate")
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	u := f.user(w, r)
	if u == nil {
		return
	}
	f.nextID++
	c.ID, c.user = f.nextID, u.ID
	// The service keeps its own timestamp format; the adapter must match
	// by instant, not by string.
	if !from.IsZero() {
		c.StartDate = from.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if !to.IsZero() {
		c.EndDate = to.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	f.Creds[c.ID] = &c
	vendortest.WriteJSON(w, 201, map[string]any{"data": c})
}

func (f *Fake) deleteCred(w http.ResponseWriter, r *http.Request) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	u := f.user(w, r)
	if u == nil {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if c := f.Creds[id]; c == nil || c.user != u.ID {
		notFound(w, "Credential")
		return
	}
	delete(f.Creds, id)
	w.WriteHeader(204)
}

func (f *Fake) setTempState(w http.ResponseWriter, r *http.Request) {
	var b struct {
		EntryStateID    *int64 `json:"entryStateId"`
		DurationSeconds *int64 `json:"durationSeconds"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.EntryStateID == nil || b.DurationSeconds == nil {
		bad(w, "entryStateId and durationSeconds are required")
		return
	}
	if *b.DurationSeconds < 1 || *b.DurationSeconds > 315360000 {
		bad(w, "durationSeconds must be 1..315360000")
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	eid := r.PathValue("eid")
	if !f.Entries[eid] {
		notFound(w, "Entry")
		return
	}
	if !f.States[*b.EntryStateID] {
		bad(w, "unknown entryStateId")
		return
	}
	f.unlocks = append(f.unlocks, Unlock{EntryID: eid, StateID: *b.EntryStateID, HoldOpen: time.Duration(*b.DurationSeconds) * time.Second})
	w.WriteHeader(204)
}

func (f *Fake) presence(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err1 := time.Parse(time.RFC3339, q.Get("startDate"))
	end, err2 := time.Parse(time.RFC3339, q.Get("endDate"))
	if err1 != nil || err2 != nil || !end.After(start) {
		bad(w, "startDate and endDate are required")
		return
	}
	if c := q.Get("category"); c != "" && !slices.Contains([]string{"org", "sites", "zones", "entries", "readers", "groups", "users"}, c) {
		bad(w, "invalid category")
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	var rows []map[string]any
	for _, e := range q["entryIds"] {
		if f.Entries[e] {
			rows = append(rows, map[string]any{"resourceOpal": "opal:entry:" + e, "name": "Entry " + e, "counts": []float64{1, float64(f.PresenceCount[e])}})
		}
	}
	h := end.Truncate(time.Hour)
	vendortest.WriteJSON(w, 200, map[string]any{"data": map[string]any{"columnLabelsMs": []int64{h.Add(-time.Hour).UnixMilli(), h.UnixMilli()},
		"columnLabels": []string{h.Add(-time.Hour).Format(time.RFC3339), h.Format(time.RFC3339)}, "rows": rows, "request": map[string]any{}}})
}

var timeFilterRE = regexp.MustCompile(`^uiData\.time:\((\d+)-<(\d+)\)$`)

// activity serves events in the uiData.time range, oldest first, a page of
// EventPage at a time; the cursor is the offset of the next page.
func (f *Fake) activity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var from, to int64 = 0, 1 << 62
	if v := q.Get("filter"); v != "" {
		m := timeFilterRE.FindStringSubmatch(v)
		if m == nil {
			bad(w, "unsupported filter")
			return
		}
		from, _ = strconv.ParseInt(m[1], 10, 64)
		to, _ = strconv.ParseInt(m[2], 10, 64)
	}
	off := 0
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			bad(w, "invalid cursor")
			return
		}
		off = n
	}
	f.Mu.Lock()
	var in []Event
	for _, e := range f.Events {
		if s := e.At.Unix(); s >= from && s < to {
			in = append(in, e)
		}
	}
	size := f.EventPage
	f.Mu.Unlock()
	sort.SliceStable(in, func(i, j int) bool { return in[i].At.Before(in[j].At) })
	data := []map[string]any{}
	for _, e := range in[min(off, len(in)):min(off+size, len(in))] {
		ui := map[string]any{"time": float64(e.At.UnixMilli()) / 1000, "timeIsoString": e.At.UTC().Format(time.RFC3339Nano), "entryId": e.EntryID,
			"requestType": e.Request, "result": e.Result, "resultDescription": e.Describe, "sourceName": "fake"}
		if e.UserID != 0 {
			ui["userId"] = e.UserID
		}
		if e.Denied != "" {
			ui["deniedReason"] = e.Denied
		}
		data = append(data, map[string]any{"uiData": ui})
	}
	next := off + size
	cur := map[string]any{"hasNextPage": next < len(in), "nextCursor": nil}
	if next < len(in) {
		cur["nextCursor"] = strconv.Itoa(next)
	}
	vendortest.WriteJSON(w, 200, map[string]any{"totalCount": len(in), "filteredCount": len(in), "cursors": cur, "data": data})
}

// Unlocks lists the setTempState calls received, oldest first.
func (f *Fake) Unlocks() []Unlock {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return slices.Clone(f.unlocks)
}

// HasMobileCredential reports whether a user in the group holds a mobile
// credential of that name, and its window.
func (f *Fake) HasMobileCredential(name string) (ok bool, start, end string) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, c := range f.Creds {
		if c.Mobile != nil && c.Mobile.Name == name {
			if u := f.Users[c.user]; u != nil && u.groups[GroupID] {
				return true, c.StartDate, c.EndDate
			}
		}
	}
	return false, "", ""
}

// InGroup reports whether the user of an external id is in the group.
func (f *Fake) InGroup(externalID string) bool {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, u := range f.Users {
		if u.ExternalID == externalID {
			return u.groups[GroupID]
		}
	}
	return false
}

// CredentialCount is the number of credentials the fake holds.
func (f *Fake) CredentialCount() int {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return len(f.Creds)
}

// Secrets are the values that must never appear in logs or errors.
func (f *Fake) Secrets() []string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return append([]string{f.Password}, f.Issued...)
}

// AddUser creates a user the way an administrator would in the Alta
// console (tests seed lists and drift with it) and returns its id.
func (f *Fake) AddUser(externalID string, inGroup bool) int64 {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.nextID++
	u := &User{ID: f.nextID, ExternalID: externalID, Status: "A", Identity: map[string]any{"firstName": "Seeded"}, groups: map[int64]bool{}}
	if inGroup {
		u.groups[GroupID] = true
	}
	f.Users[u.ID] = u
	return u.ID
}

// AddMobileCredential gives a user a mobile credential of that name, as an
// administrator could, and returns its id (0 for an unknown user).
func (f *Fake) AddMobileCredential(userID int64, name string) int64 {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Users[userID] == nil {
		return 0
	}
	f.nextID++
	c := &Credential{ID: f.nextID, CredentialTypeID: MobileType, Mobile: &struct {
		Name string `json:"name"`
	}{name}, user: userID}
	f.Creds[c.ID] = c
	return c.ID
}

// DeleteCredential removes the credential of an external id
// ("userId:credentialId") behind the adapter's back, as an administrator
// would in the console; false when the fake has no such credential.
func (f *Fake) DeleteCredential(externalID string) bool {
	var uid, cid int64
	if _, err := fmt.Sscanf(externalID, "%d:%d", &uid, &cid); err != nil {
		return false
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if c := f.Creds[cid]; c == nil || c.user != uid {
		return false
	}
	delete(f.Creds, cid)
	return true
}
