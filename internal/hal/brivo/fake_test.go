package brivo_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

// fakeBrivo is a Brivo API written from the recorded interactions in
// /work/shared/reference/specs/brivo/fixtures and the API notes: the token
// endpoint (Basic client credentials + api-key, password / refresh_token /
// client_credentials grants, expires_in 59), and /v1/api with api-key +
// "bearer" token, {"data","offset","pageSize","count"} pages, {"message","code"}
// errors, 404 for unknown ids. What the recordings do not show (the
// duplicate-credential answer, change-state, access events) follows the notes.
type fakeBrivo struct {
	*httptest.Server
	mu sync.Mutex

	apiKey, clientID, clientSecret, username, password string
	tokenLife                                          int
	access                                             map[string]bool
	refresh                                            map[string]bool
	issued                                             []string
	nextTok                                            int
	tokenGrants                                        map[string]int
	unauthorized                                       int // 401 answers given

	nextID       int64
	users        map[int64]*fUser
	creds        map[int64]*fCred
	groups       map[string]map[int64]bool
	accessPoints map[string]bool
	pulse        time.Duration
	unlocks      []haltest.Unlock
	changeStates []fChange
	events       []fEvent // any order; served newest first
	requests     []string

	latency time.Duration
	inject  vendortest.Failures
}

type fUser struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"externalId,omitempty"`
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Suspended  bool   `json:"suspended"`
	Emails     []struct {
		Address string `json:"address"`
		Type    string `json:"type"`
	} `json:"emails,omitempty"`
}

type fField struct {
	ID    int64  `json:"id"`
	Value string `json:"value"`
	Name  string `json:"name,omitempty"`
}

type fCred struct {
	ID               int64 `json:"id"`
	CredentialFormat struct {
		ID   int64  `json:"id"`
		Name string `json:"name,omitempty"`
	} `json:"credentialFormat"`
	ReferenceID   string   `json:"referenceId"`
	Encoded       string   `json:"encodedCredential,omitempty"`
	FieldValues   []fField `json:"fieldValues"`
	AccountID     int64    `json:"accountId"`
	EffectiveFrom string   `json:"effectiveFrom,omitempty"`
	EffectiveTo   string   `json:"effectiveTo,omitempty"`
	user          int64
}

type fChange struct {
	AccessPoint, Behavior, EndTimeMode, EndTime, AcceptVersion string
}

type fEvent struct {
	AP     int64
	At     time.Time
	Action string
}

var formats = `{"data":[{"id":100,"name":"Standard 26 Bit","credentialFields":[{"id":1,"name":"card_number"},{"id":2,"name":"facility_code"}]},{"id":307,"name":"Brivo Mobile Pass","credentialFields":[]}],"count":2}`

func newFakeBrivo() *fakeBrivo {
	f := &fakeBrivo{
		apiKey: "brivo-API-key-7f3a", clientID: "gatehouse-client", clientSecret: "cs-Secret-9911",
		username: "admin@example.com", password: "pw-Secret-5522", tokenLife: 59,
		access: map[string]bool{}, refresh: map[string]bool{}, tokenGrants: map[string]int{},
		nextID: 15540760, users: map[int64]*fUser{}, creds: map[int64]*fCred{}, groups: map[string]map[int64]bool{"777": {}},
		accessPoints: map[string]bool{"4100": true, "4101": true}, pulse: 5 * time.Second,
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /users/{ext}/external", f.findUser)
	api.HandleFunc("GET /users/{id}", f.getUser)
	api.HandleFunc("POST /users", f.createUser)
	api.HandleFunc("GET /users/{id}/credentials", f.userCredentials)
	api.HandleFunc("PUT /users/{uid}/credentials/{cid}", f.assign)
	api.HandleFunc("DELETE /users/{uid}/credentials/{cid}", f.unassign)
	api.HandleFunc("GET /credentials/formats", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, formats) })
	api.HandleFunc("GET /credentials", f.listCredentials)
	api.HandleFunc("POST /credentials", f.createCredential)
	api.HandleFunc("DELETE /credentials/{id}", f.deleteCredential)
	api.HandleFunc("GET /groups/{gid}/users", f.groupUsers)
	api.HandleFunc("PUT /groups/{gid}/users/{uid}", f.addToGroup)
	api.HandleFunc("DELETE /groups/{gid}/users/{uid}", f.removeFromGroup)
	api.HandleFunc("POST /access-points/{id}/activate", f.activate)
	api.HandleFunc("POST /schedules/change-state/{id}", f.changeState)
	api.HandleFunc("GET /events/access", f.accessEvents)

	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		latency := f.latency
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		inj := f.inject.Next()
		f.mu.Unlock()
		if !vendortest.Delay(r, latency) {
			return
		}
		if inj != nil {
			inj.Write(w, fmt.Sprintf(`{"message":"injected failure","code":%d}`, inj.Status))
			return
		}
		if r.URL.Path == "/oauth/token" {
			f.token(w, r)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, "/v1/api")
		if !ok {
			vendortest.WriteJSON(w, 596, map[string]any{"message": "Service Not Found", "code": 596})
			return
		}
		if r.Header.Get("api-key") != f.apiKey {
			vendortest.WriteJSON(w, 403, map[string]any{"message": "Developer Inactive", "code": 403})
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "bearer ")
		f.mu.Lock()
		valid := ok && f.access[tok]
		if !valid {
			f.unauthorized++
		}
		f.mu.Unlock()
		if !valid {
			vendortest.WriteJSON(w, 401, map[string]any{"error": "invalid_token", "error_description": "Access token expired"})
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		r2.URL.RawPath = ""
		api.ServeHTTP(w, r2)
	}))
	return f
}

func notFound(w http.ResponseWriter, what string) {
	vendortest.WriteJSON(w, 404, map[string]any{"message": "Requested " + what + " not found", "code": 404})
}

func (f *fakeBrivo) token(w http.ResponseWriter, r *http.Request) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(f.clientID+":"+f.clientSecret))
	if r.Header.Get("Authorization") != want || r.Header.Get("api-key") != f.apiKey {
		vendortest.WriteJSON(w, 401, map[string]any{"error": "unauthorized", "error_description": "Bad client credentials"})
		return
	}
	_ = r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	grant := r.Form.Get("grant_type")
	switch grant {
	case "password":
		if r.Form.Get("username") != f.username || r.Form.Get("password") != f.password {
			vendortest.WriteJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "Bad credentials"})
			return
		}
	case "client_credentials":
	case "refresh_token":
		if !f.refresh[r.Form.Get("refresh_token")] {
			vendortest.WriteJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "Invalid refresh token"})
			return
		}
		delete(f.refresh, r.Form.Get("refresh_token"))
	default:
		vendortest.WriteJSON(w, 400, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	f.tokenGrants[grant]++
	f.nextTok++
	at, rt := fmt.Sprintf("acc-TOKEN-%04d", f.nextTok), fmt.Sprintf("ref-TOKEN-%04d", f.nextTok)
	f.access[at], f.refresh[rt] = true, true
	f.issued = append(f.issued, at, rt)
	vendortest.WriteJSON(w, 200, map[string]any{"access_token": at, "token_type": "bearer", "refresh_token": rt, "expires_in": f.tokenLife, "scope": "brivo.api"})
}

// expireAccessTokens makes every issued access token invalid (the API answers 401).
func (f *fakeBrivo) expireAccessTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.access)
}

func (f *fakeBrivo) failNext(status int, retryAfter string, n int) {
	f.inject.AddN(status, retryAfter, n)
}

func (f *fakeBrivo) id(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid id", "code": 400})
		return 0, false
	}
	return n, true
}

func (f *fakeBrivo) findUser(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.ExternalID == r.PathValue("ext") {
			vendortest.WriteJSON(w, 200, u)
			return
		}
	}
	notFound(w, "user")
}

func (f *fakeBrivo) getUser(w http.ResponseWriter, r *http.Request) {
	id, ok := f.id(w, r, "id")
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if u := f.users[id]; u != nil {
		vendortest.WriteJSON(w, 200, u)
		return
	}
	notFound(w, "user")
}

func (f *fakeBrivo) createUser(w http.ResponseWriter, r *http.Request) {
	var u fUser
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil || u.FirstName == "" || u.LastName == "" {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "firstName and lastName are required", "code": 400})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.users {
		if u.ExternalID != "" && o.ExternalID == u.ExternalID {
			vendortest.WriteJSON(w, 400, map[string]any{"message": "User with this externalId already exists", "code": 400})
			return
		}
	}
	f.nextID++
	u.ID = f.nextID
	f.users[u.ID] = &u
	vendortest.WriteJSON(w, 200, u)
}

func pageOf[T any](w http.ResponseWriter, r *http.Request, all []T) {
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	size, err := strconv.Atoi(r.URL.Query().Get("pageSize"))
	if err != nil || size <= 0 {
		size = 20
	}
	size = min(size, 100)
	end := min(off+size, len(all))
	data := []T{}
	if off < len(all) {
		data = all[off:end]
	}
	vendortest.WriteJSON(w, 200, map[string]any{"data": data, "offset": off, "pageSize": size, "count": len(all)})
}

func (f *fakeBrivo) sortedCreds(keep func(*fCred) bool) []fCred {
	var out []fCred
	for _, c := range f.creds {
		if keep(c) {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (f *fakeBrivo) userCredentials(w http.ResponseWriter, r *http.Request) {
	id, ok := f.id(w, r, "id")
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users[id] == nil {
		notFound(w, "user")
		return
	}
	pageOf(w, r, f.sortedCreds(func(c *fCred) bool { return c.user == id }))
}

func (f *fakeBrivo) listCredentials(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pageOf(w, r, f.sortedCreds(func(c *fCred) bool {
		switch r.URL.Query().Get("filter") {
		case "status__eq:assigned":
			return c.user != 0
		case "status__eq:unassigned":
			return c.user == 0
		}
		return true
	}))
}

func (f *fakeBrivo) createCredential(w http.ResponseWriter, r *http.Request) {
	var c fCred
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.CredentialFormat.ID == 0 {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "credentialFormat is required", "code": 400})
		return
	}
	switch c.CredentialFormat.ID {
	case 100:
		vals := map[int64]string{}
		for _, v := range c.FieldValues {
			vals[v.ID] = v.Value
		}
		// 26-bit Wiegand: a 16-bit card number and an 8-bit facility code.
		card, err1 := strconv.Atoi(vals[1])
		fac, err2 := strconv.Atoi(vals[2])
		if err1 != nil || err2 != nil || card < 0 || card > 65535 || fac < 0 || fac > 255 {
			vendortest.WriteJSON(w, 400, map[string]any{"message": "card_number (0-65535) and facility_code (0-255) must be numbers in range", "code": 400})
			return
		}
		c.CredentialFormat.Name = "Standard 26 Bit"
		c.FieldValues = []fField{{ID: 1, Value: vals[1], Name: "card_number"}, {ID: 2, Value: vals[2], Name: "facility_code"}}
	case 307:
		c.CredentialFormat.Name = "Brivo Mobile Pass"
	default:
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Unknown credential format", "code": 400})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.creds {
		if o.CredentialFormat.ID == c.CredentialFormat.ID && slices.Equal(o.FieldValues, c.FieldValues) && o.Encoded == c.Encoded {
			vendortest.WriteJSON(w, 400, map[string]any{"message": "Credential already exists", "code": 400})
			return
		}
	}
	f.nextID++
	c.ID, c.AccountID = f.nextID, 1707325
	f.creds[c.ID] = &c
	vendortest.WriteJSON(w, 201, c)
}

func (f *fakeBrivo) deleteCredential(w http.ResponseWriter, r *http.Request) {
	id, ok := f.id(w, r, "id")
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.creds[id] == nil {
		vendortest.WriteJSON(w, 404, map[string]any{"message": fmt.Sprintf("No credential could be retrieved for credential id: %d", id), "code": 404})
		return
	}
	delete(f.creds, id)
	w.WriteHeader(204)
}

// brivoTime accepts what the recordings send (a date) and RFC 3339.
func brivoTime(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.RFC3339), true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format(time.RFC3339), true
	}
	return "", false
}

func (f *fakeBrivo) assign(w http.ResponseWriter, r *http.Request) {
	uid, ok1 := f.id(w, r, "uid")
	if !ok1 {
		return
	}
	cid, ok2 := f.id(w, r, "cid")
	if !ok2 {
		return
	}
	var body struct{ EffectiveFrom, EffectiveTo string }
	_ = json.NewDecoder(r.Body).Decode(&body)
	from, ok3 := brivoTime(body.EffectiveFrom)
	to, ok4 := brivoTime(body.EffectiveTo)
	if !ok3 || !ok4 {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid date", "code": 400})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.creds[cid]
	if f.users[uid] == nil || c == nil {
		notFound(w, "resource")
		return
	}
	if c.user != 0 && c.user != uid {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Credential is assigned to another user", "code": 400})
		return
	}
	c.user, c.EffectiveFrom, c.EffectiveTo = uid, from, to
	w.WriteHeader(204)
}

func (f *fakeBrivo) unassign(w http.ResponseWriter, r *http.Request) {
	uid, ok1 := f.id(w, r, "uid")
	if !ok1 {
		return
	}
	cid, ok2 := f.id(w, r, "cid")
	if !ok2 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.creds[cid]
	if c == nil || c.user != uid {
		notFound(w, "credential assignment")
		return
	}
	c.user, c.EffectiveFrom, c.EffectiveTo = 0, "", ""
	w.WriteHeader(204)
}

// groupUsers serves GET /groups/{gid}/users as recorded (group_users.yml):
// the members as user objects in an offset/pageSize page.
func (f *fakeBrivo) groupUsers(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.groups[r.PathValue("gid")]
	if g == nil {
		notFound(w, "group")
		return
	}
	var out []fUser
	for uid := range g {
		if u := f.users[uid]; u != nil {
			out = append(out, *u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	pageOf(w, r, out)
}

func (f *fakeBrivo) addToGroup(w http.ResponseWriter, r *http.Request) {
	uid, ok := f.id(w, r, "uid")
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.groups[r.PathValue("gid")]
	if g == nil || f.users[uid] == nil {
		notFound(w, "group or user")
		return
	}
	g[uid] = true
	w.WriteHeader(204)
}

func (f *fakeBrivo) removeFromGroup(w http.ResponseWriter, r *http.Request) {
	uid, ok := f.id(w, r, "uid")
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.groups[r.PathValue("gid")]
	if g == nil || !g[uid] {
		notFound(w, "group member")
		return
	}
	delete(g, uid)
	w.WriteHeader(204)
}

func (f *fakeBrivo) activate(w http.ResponseWriter, r *http.Request) {
	ap := r.PathValue("id")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.accessPoints[ap] {
		notFound(w, "access point")
		return
	}
	f.unlocks = append(f.unlocks, haltest.Unlock{ExternalDoorID: ap, HoldOpen: f.pulse})
	n, _ := strconv.ParseInt(ap, 10, 64)
	f.events = append(f.events, fEvent{AP: n, At: time.Now().UTC(), Action: "Door Unlocked By Control"})
	w.WriteHeader(204)
}

func (f *fakeBrivo) changeState(w http.ResponseWriter, r *http.Request) {
	ap := r.PathValue("id")
	var body struct{ Behavior, EndTimeMode, EndTime string }
	_ = json.NewDecoder(r.Body).Decode(&body)
	end, err := time.Parse(time.RFC3339, body.EndTime)
	if r.Header.Get("Accept-version") != "2.0" || body.Behavior != "UNLOCK" || body.EndTimeMode != "UNTIL_TIME" || err != nil {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid change-state request", "code": 400})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.accessPoints[ap] {
		notFound(w, "access point")
		return
	}
	f.changeStates = append(f.changeStates, fChange{ap, body.Behavior, body.EndTimeMode, body.EndTime, r.Header.Get("Accept-version")})
	f.unlocks = append(f.unlocks, haltest.Unlock{ExternalDoorID: ap, HoldOpen: time.Until(end)})
	w.WriteHeader(204)
}

// accessEvents serves GET /events/access: newest first, filter
// occurred__gt/occurred__lt, offset = the time of the oldest event of the
// previous page (events strictly older), pageSize ≤ 100.
func (f *fakeBrivo) accessEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var gt, lt time.Time
	for _, part := range strings.Split(q.Get("filter"), ";") {
		k, v, _ := strings.Cut(part, ":")
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid filter", "code": 400})
			return
		}
		switch k {
		case "occurred__gt":
			gt = t
		case "occurred__lt":
			lt = t
		}
	}
	if gt.IsZero() || lt.IsZero() || lt.Sub(gt) > 24*time.Hour {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "A time window of at most 24 hours is required", "code": 400})
		return
	}
	var before time.Time
	if o := q.Get("offset"); o != "" {
		t, err := time.Parse(time.RFC3339, o)
		if err != nil {
			vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid offset", "code": 400})
			return
		}
		before = t
	}
	size, _ := strconv.Atoi(q.Get("pageSize"))
	if size < 1 || size > 100 {
		size = 20
	}
	f.mu.Lock()
	evs := slices.Clone(f.events)
	f.mu.Unlock()
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.After(evs[j].At) })
	data := []map[string]any{}
	for i, e := range evs {
		if !e.At.After(gt) || !e.At.Before(lt) || (!before.IsZero() && !e.At.Before(before)) {
			continue
		}
		if len(data) == size {
			break
		}
		data = append(data, map[string]any{
			"uuid":           fmt.Sprintf("ev-%d", i),
			"occurred":       e.At.Format(time.RFC3339Nano),
			"securityAction": map[string]any{"securityActionId": 2004, "action": e.Action, "exception": false},
			"actor":          map[string]any{"id": 15540761, "name": "Some Member"},
			"eventObject":    map[string]any{"id": e.AP, "name": "Door", "deviceType": "Door"},
			"site":           map[string]any{"id": 1, "siteName": "HQ"},
			"eventData":      map[string]any{"actionAllowed": !strings.Contains(e.Action, "Invalid")},
		})
	}
	vendortest.WriteJSON(w, 200, map[string]any{"data": data, "pageSize": size, "count": len(data)})
}

// ---- observer ----

func (f *fakeBrivo) Unlocks() []haltest.Unlock {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.unlocks)
}

// HasCredential: a card with that number is assigned to a user who is in the
// access group.
func (f *fakeBrivo) HasCredential(identifier string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.creds {
		if c.user != 0 && f.groups["777"][c.user] && len(c.FieldValues) > 0 && c.FieldValues[0].Value == identifier {
			return true
		}
	}
	return false
}

func (f *fakeBrivo) setLatency(d time.Duration) { f.mu.Lock(); f.latency = d; f.mu.Unlock() }

func (f *fakeBrivo) secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string{f.apiKey, f.clientSecret, f.password}, f.issued...)
}
