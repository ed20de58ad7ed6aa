package exivo_test

import (
	"encoding/json"
	"fmt"
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

// fakeExivo is the exivo API as its public Swagger 2.0 (api.json, v1.1.0)
// describes it: basePath /v1, basicAuth, every path under /{siteId}, arrays
// with skip/limit/sort/sortDir, person/medium/accessgroup/component/accesslog
// schemas, 200 with the object or 204 as the Swagger says. Errors (not in the
// Swagger) are {"message"} with 4xx.
type fakeExivo struct {
	*httptest.Server
	mu sync.Mutex

	keyID, secret, site string
	nextID              int
	persons             map[string]*fPerson
	media               map[string]*fMedium
	groups              map[string]bool
	components          map[string]bool
	pulse               time.Duration
	openSince           map[string]time.Time
	modes               []string // "component=mode"
	unlocks             []haltest.Unlock
	unlockBodies        []map[string]any
	log                 map[string][]fLog
	requests            []string

	latency time.Duration
	inject  vendortest.Failures
}

type fPerson struct {
	ID            string   `json:"id"`
	FirstName     string   `json:"firstName"`
	LastName      string   `json:"lastName"`
	Email         *string  `json:"email"`
	Info          string   `json:"info"`
	EntryDate     *string  `json:"entryDate"`
	ExitDate      *string  `json:"exitDate"`
	Gender        string   `json:"gender"`
	Language      string   `json:"language"`
	Revoked       bool     `json:"revoked"`
	AccessGroupID string   `json:"accessGroupId"`
	HasPinCode    bool     `json:"hasPinCode"`
	Media         []string `json:"media"`
}

type fMedium struct {
	ID         string `json:"id"`
	CID        string `json:"cid"`
	UID        string `json:"uid"`
	FormFactor string `json:"formFactor"`
	State      string `json:"state"`
	PersonID   string `json:"personId"`
	expire     string
}

type fLog struct {
	Name string
	At   time.Time
}

func newFakeExivo() *fakeExivo {
	f := &fakeExivo{keyID: "exivo-KEY-1234", secret: "exivo-SECRET-5678", site: "site-1",
		persons: map[string]*fPerson{}, media: map[string]*fMedium{}, groups: map[string]bool{"ag-1": true, "ag-2": true},
		components: map[string]bool{"comp-a": true, "comp-b": true}, pulse: 5 * time.Second,
		openSince: map[string]time.Time{}, log: map[string][]fLog{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /person", f.listPersons)
	mux.HandleFunc("POST /person", f.savePerson)
	mux.HandleFunc("GET /person/{pid}", f.getPerson)
	mux.HandleFunc("POST /person/{pid}", f.savePerson)
	mux.HandleFunc("POST /person/{pid}/assign/accessgroup/{gid}", f.assignGroup)
	mux.HandleFunc("POST /person/{pid}/unassign/accessgroup", f.unassignGroup)
	mux.HandleFunc("GET /medium", f.listMedia)
	mux.HandleFunc("POST /medium", f.createMedium)
	mux.HandleFunc("POST /person/{pid}/assign/medium/{mid}", f.assignMedium)
	mux.HandleFunc("POST /person/{pid}/unassign/medium/{mid}", f.unassignMedium)
	mux.HandleFunc("POST /component/{cid}/unlock", f.unlock)
	mux.HandleFunc("POST /component/{cid}/mode", f.mode)
	mux.HandleFunc("GET /accesslog/component/{cid}", f.accessLog)
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
			inj.Write(w, fmt.Sprintf(`{"message":"injected failure %d"}`, inj.Status))
			return
		}
		if u, p, ok := r.BasicAuth(); !ok || u != f.keyID || p != f.secret {
			vendortest.WriteJSON(w, 401, map[string]any{"message": "Unauthorized"})
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, "/v1/"+f.site)
		if !ok {
			vendortest.WriteJSON(w, 404, map[string]any{"message": "Site not found"})
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = rest, ""
		mux.ServeHTTP(w, r2)
	}))
	return f
}

func notFound(w http.ResponseWriter) {
	vendortest.WriteJSON(w, 404, map[string]any{"message": "Not found"})
}

func (f *fakeExivo) newID(prefix string) string {
	f.nextID++
	return fmt.Sprintf("%s-%04d", prefix, f.nextID)
}

func page[T any](w http.ResponseWriter, r *http.Request, all []T) {
	skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 {
		limit = 50
	}
	out := []T{}
	if skip < len(all) {
		out = all[skip:min(len(all), skip+limit)]
	}
	vendortest.WriteJSON(w, 200, out)
}

func (f *fakeExivo) listPersons(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []fPerson
	for _, p := range f.persons {
		all = append(all, *p)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	page(w, r, all)
}

func (f *fakeExivo) getPerson(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.persons[r.PathValue("pid")]; p != nil {
		vendortest.WriteJSON(w, 200, p)
		return
	}
	notFound(w)
}

func validStamp(s *string) bool {
	if s == nil {
		return true
	}
	_, err := time.Parse(time.RFC3339, *s)
	return err == nil
}

// savePerson is POST /person (create) and POST /person/{id} (update) with a personPayload.
func (f *fakeExivo) savePerson(w http.ResponseWriter, r *http.Request) {
	var in fPerson
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.FirstName == "" || in.LastName == "" || !validStamp(in.EntryDate) || !validStamp(in.ExitDate) {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid personPayload"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pid := r.PathValue("pid")
	p := f.persons[pid]
	if pid != "" && p == nil {
		notFound(w)
		return
	}
	if p == nil {
		p = &fPerson{ID: f.newID("person"), Gender: "notspecified", Language: "en", Media: []string{}}
		f.persons[p.ID] = p
	}
	p.FirstName, p.LastName, p.Email, p.Info, p.EntryDate, p.ExitDate = in.FirstName, in.LastName, in.Email, in.Info, in.EntryDate, in.ExitDate
	vendortest.WriteJSON(w, 200, p)
}

func (f *fakeExivo) assignGroup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.persons[r.PathValue("pid")]
	if p == nil || !f.groups[r.PathValue("gid")] {
		notFound(w)
		return
	}
	p.AccessGroupID = r.PathValue("gid")
	w.WriteHeader(204)
}

func (f *fakeExivo) unassignGroup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.persons[r.PathValue("pid")]
	if p == nil {
		notFound(w)
		return
	}
	p.AccessGroupID = ""
	w.WriteHeader(204)
}

func (f *fakeExivo) listMedia(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []fMedium
	for _, m := range f.media {
		all = append(all, *m)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	page(w, r, all)
}

func (f *fakeExivo) createMedium(w http.ResponseWriter, r *http.Request) {
	var in fMedium
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || (in.UID == "" && in.CID == "") || !slices.Contains([]string{"badge", "keyfob", "smartkey", "insecure"}, in.FormFactor) {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid mediumPayload"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.media {
		if (in.UID != "" && m.UID == in.UID) || (in.CID != "" && m.CID == in.CID) {
			vendortest.WriteJSON(w, 400, map[string]any{"message": "Medium already exists"})
			return
		}
	}
	m := &fMedium{ID: f.newID("medium"), CID: in.CID, UID: in.UID, FormFactor: in.FormFactor, State: "assignable"}
	f.media[m.ID] = m
	vendortest.WriteJSON(w, 200, m)
}

func (f *fakeExivo) assignMedium(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ExpireDate *string `json:"expireDate"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !validStamp(body.ExpireDate) {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid assignMediumPayload"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p, m := f.persons[r.PathValue("pid")], f.media[r.PathValue("mid")]
	if p == nil || m == nil {
		notFound(w)
		return
	}
	if m.PersonID != "" || m.State != "assignable" {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Medium is not assignable"})
		return
	}
	m.PersonID, m.State = p.ID, "active"
	if body.ExpireDate != nil {
		m.expire = *body.ExpireDate
	}
	p.Media = append(p.Media, m.ID)
	w.WriteHeader(204)
}

func (f *fakeExivo) unassignMedium(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, m := f.persons[r.PathValue("pid")], f.media[r.PathValue("mid")]
	if p == nil || m == nil || m.PersonID != p.ID {
		notFound(w)
		return
	}
	m.PersonID, m.State, m.expire = "", "assignable", ""
	p.Media = slices.DeleteFunc(p.Media, func(id string) bool { return id == m.ID })
	w.WriteHeader(204)
}

func (f *fakeExivo) unlock(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid unlockPayload"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := r.PathValue("cid")
	if !f.components[c] {
		notFound(w)
		return
	}
	f.unlocks = append(f.unlocks, haltest.Unlock{ExternalDoorID: c, HoldOpen: f.pulse})
	f.unlockBodies = append(f.unlockBodies, body)
	f.log[c] = append(f.log[c], fLog{Name: "Remote unlock", At: time.Now().UTC()})
	w.WriteHeader(204)
}

func (f *fakeExivo) mode(w http.ResponseWriter, r *http.Request) {
	var body struct{ Mode string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !slices.Contains([]string{"normal", "closed", "open", "accessControl"}, body.Mode) {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid setOperatingModePayload"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := r.PathValue("cid")
	if !f.components[c] {
		notFound(w)
		return
	}
	f.modes = append(f.modes, c+"="+body.Mode)
	if body.Mode == "open" {
		if _, open := f.openSince[c]; !open {
			f.openSince[c] = time.Now()
		}
	} else if since, open := f.openSince[c]; open {
		f.unlocks = append(f.unlocks, haltest.Unlock{ExternalDoorID: c, HoldOpen: time.Since(since)})
		delete(f.openSince, c)
	}
	w.WriteHeader(204)
}

func (f *fakeExivo) accessLog(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	c := r.PathValue("cid")
	known := f.components[c]
	entries := slices.Clone(f.log[c])
	f.mu.Unlock()
	if !known {
		notFound(w)
		return
	}
	q := r.URL.Query()
	if s := q.Get("sort"); s != "" && s != "occurredAt" {
		vendortest.WriteJSON(w, 400, map[string]any{"message": "Invalid sort"})
		return
	}
	desc := q.Get("sortDir") == "desc"
	sort.SliceStable(entries, func(i, j int) bool {
		if desc {
			return entries[i].At.After(entries[j].At)
		}
		return entries[i].At.Before(entries[j].At)
	})
	out := make([]map[string]any, 0, len(entries))
	for i, e := range entries {
		out = append(out, map[string]any{"id": fmt.Sprintf("log-%d", i), "name": e.Name, "data": map[string]any{"component": c}, "occurredAt": e.At.Format(time.RFC3339Nano)})
	}
	page(w, r, out)
}

// ---- observer ----

func (f *fakeExivo) Unlocks() []haltest.Unlock {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.unlocks)
}

// HasCredential: a medium with that uid is assigned to a non-revoked person in access group ag-1.
func (f *fakeExivo) HasCredential(identifier string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.media {
		if p := f.persons[m.PersonID]; m.UID == identifier && p != nil && !p.Revoked && p.AccessGroupID == "ag-1" {
			return true
		}
	}
	return false
}

func (f *fakeExivo) setLatency(d time.Duration) { f.mu.Lock(); f.latency = d; f.mu.Unlock() }

func (f *fakeExivo) failNext(status int, retryAfter string, n int) {
	f.inject.AddN(status, retryAfter, n)
}

func (f *fakeExivo) seedLog(comp string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC()
	for i := range n {
		f.log[comp] = append(f.log[comp], fLog{Name: []string{"Access granted", "Access denied", "Door forced open"}[i%3], At: now.Add(-time.Duration(n-i) * time.Minute)})
	}
}
