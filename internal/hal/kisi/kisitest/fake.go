// Package kisitest is a fake Kisi API for tests, written from Kisi's public
// OpenAPI documents (users, role assignments, locks unlock, presences, event
// sets): same paths, bodies, status codes and limit/offset paging, with
// failure injection (HTTP status for the next N calls, 429 + Retry-After,
// latency).
package kisitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

// Assignment is a role assignment the fake holds.
type Assignment struct {
	ID         int64
	UserID     int64
	GroupID    int64
	RoleID     string
	ValidFrom  *time.Time
	ValidUntil *time.Time
}

// User is a Kisi user the fake holds.
type User struct {
	ID    int64
	Email string
	Name  string
}

// Fake is the fake Kisi server.
type Fake struct {
	*httptest.Server
	Key string // the API key it accepts

	mu          sync.Mutex
	nextID      int64
	users       map[int64]*User
	assignments map[int64]*Assignment
	unlocks     []string
	events      []map[string]any
	failStatus  int
	failN       int
	retryAfter  string
	latency     time.Duration
	creates     int // POST /role_assignments that succeeded
	calls       int
	AuthHeaders []string
}

// New starts a fake accepting key.
func New(key string) *Fake {
	f := &Fake{Key: key, nextID: 100, users: map[int64]*User{}, assignments: map[int64]*Assignment{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// Fail makes the next n API calls answer status (429 with Retry-After seconds
// retryAfter when non-empty).
func (f *Fake) Fail(status, n int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failStatus, f.failN, f.retryAfter = status, n, retryAfter
}

// SetLatency delays every answer.
func (f *Fake) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// Assignments returns a copy of the role assignments.
func (f *Fake) Assignments() []Assignment {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Assignment, 0, len(f.assignments))
	for _, a := range f.assignments {
		out = append(out, *a)
	}
	return out
}

// RemoveAssignment deletes an assignment behind the adapter's back (drift).
func (f *Fake) RemoveAssignment(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.assignments, id)
}

// Creates is how many role assignments were created in total.
func (f *Fake) Creates() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.creates
}

// Calls is how many requests were served.
func (f *Fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// Unlocks lists the lock ids unlocked, oldest first.
func (f *Fake) Unlocks() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.unlocks...)
}

// HasAssignmentFor reports whether the user with email holds an assignment.
func (f *Fake) HasAssignmentFor(email string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.assignments {
		if u := f.users[a.UserID]; u != nil && strings.EqualFold(u.Email, email) {
			return true
		}
	}
	return false
}

func kisiError(w http.ResponseWriter, status int, msg string) {
	vendortest.WriteJSON(w, status, map[string]string{"error": msg, "code": "afc516"})
}

func page[T any](w http.ResponseWriter, r *http.Request, items []T) {
	limit, offset := 10, 0
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil {
		limit = min(max(v, 0), 250)
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("offset")); err == nil {
		offset = min(max(v, 0), 20000)
	}
	total := len(items)
	end := min(offset+limit, total)
	if offset > total {
		offset = total
	}
	w.Header().Set("X-Collection-Range", strconv.Itoa(offset)+"-"+strconv.Itoa(max(end-1, 0))+"/"+strconv.Itoa(total))
	vendortest.WriteJSON(w, 200, items[offset:end])
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	lat := f.latency
	f.calls++
	f.AuthHeaders = append(f.AuthHeaders, r.Header.Get("Authorization"))
	if f.failN > 0 {
		f.failN--
		st, ra := f.failStatus, f.retryAfter
		f.mu.Unlock()
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		kisiError(w, st, http.StatusText(st))
		return
	}
	f.mu.Unlock()
	if !vendortest.Delay(r, lat) {
		return
	}
	if r.Header.Get("Authorization") != "KISI-LOGIN "+f.Key {
		kisiError(w, 401, "Unauthorized")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	switch {
	case r.Method == "GET" && r.URL.Path == "/users":
		var out []map[string]any
		for id := int64(0); id <= f.nextID; id++ {
			u := f.users[id]
			if u == nil {
				continue
			}
			if e := q.Get("email"); e != "" && !strings.EqualFold(e, u.Email) {
				continue
			}
			out = append(out, map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "confirmed": true})
		}
		page(w, r, out)
	case r.Method == "POST" && r.URL.Path == "/users":
		var body struct {
			User struct {
				Email string `json:"email"`
				Name  string `json:"name"`
			} `json:"user"`
		}
		if json.NewDecoder(r.Body).Decode(&body) != nil || body.User.Email == "" {
			vendortest.WriteJSON(w, 422, map[string]any{"errors": map[string][]string{"email": {"can't be blank"}}})
			return
		}
		for _, u := range f.users {
			if strings.EqualFold(u.Email, body.User.Email) {
				vendortest.WriteJSON(w, 422, map[string]any{"errors": map[string][]string{"email": {"has already been taken"}}})
				return
			}
		}
		f.nextID++
		u := &User{ID: f.nextID, Email: body.User.Email, Name: body.User.Name}
		f.users[u.ID] = u
		vendortest.WriteJSON(w, 200, map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "confirmed": true})
	case r.Method == "GET" && r.URL.Path == "/role_assignments":
		var out []map[string]any
		for id := int64(0); id <= f.nextID; id++ {
			a := f.assignments[id]
			if a == nil {
				continue
			}
			if v := q.Get("assignee_id"); v != "" && v != strconv.FormatInt(a.UserID, 10) {
				continue
			}
			if v := q.Get("applies_to_id"); v != "" && v != strconv.FormatInt(a.GroupID, 10) {
				continue
			}
			out = append(out, assignmentJSON(a))
		}
		page(w, r, out)
	case r.Method == "POST" && r.URL.Path == "/role_assignments":
		var body struct {
			RA struct {
				AssigneeType  string     `json:"assignee_type"`
				AssigneeID    int64      `json:"assignee_id"`
				RoleID        string     `json:"role_id"`
				AppliesToType string     `json:"applies_to_type"`
				AppliesToID   int64      `json:"applies_to_id"`
				ValidFrom     *time.Time `json:"valid_from"`
				ValidUntil    *time.Time `json:"valid_until"`
			} `json:"role_assignment"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RA.AssigneeType != "User" || body.RA.AppliesToType != "Group" || body.RA.RoleID == "" {
			vendortest.WriteJSON(w, 422, map[string]any{"errors": map[string][]string{"role_assignment": {"is invalid"}}})
			return
		}
		if f.users[body.RA.AssigneeID] == nil {
			kisiError(w, 404, "Not Found")
			return
		}
		f.nextID++
		a := &Assignment{ID: f.nextID, UserID: body.RA.AssigneeID, GroupID: body.RA.AppliesToID, RoleID: body.RA.RoleID, ValidFrom: body.RA.ValidFrom, ValidUntil: body.RA.ValidUntil}
		f.assignments[a.ID] = a
		f.creates++
		vendortest.WriteJSON(w, 200, assignmentJSON(a))
	case r.Method == "DELETE" && len(parts) == 2 && parts[0] == "role_assignments":
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		if f.assignments[id] == nil {
			kisiError(w, 404, "Not Found")
			return
		}
		delete(f.assignments, id)
		w.WriteHeader(204)
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "locks" && parts[2] == "unlock":
		if _, err := strconv.ParseInt(parts[1], 10, 64); err != nil {
			kisiError(w, 404, "Not Found")
			return
		}
		f.unlocks = append(f.unlocks, parts[1])
		f.events = append(f.events, map[string]any{"id": len(f.events) + 1, "action": "lock.unlock", "object_type": "Lock",
			"object_id": parts[1], "actor_name": "API", "success": true, "created_at": time.Now().UTC().Format(time.RFC3339Nano)})
		vendortest.WriteJSON(w, 200, map[string]string{"message": "Unlocked!"})
	case r.Method == "GET" && r.URL.Path == "/presences":
		if q.Get("place_id") == "" || q.Get("date") == "" {
			kisiError(w, 400, "place_id and date are required")
			return
		}
		page(w, r, []map[string]any{{"actor_type": "User", "actor_id": 1, "actor_name": "A", "actor_email": "a@x", "status": "on_site"}})
	case r.Method == "POST" && r.URL.Path == "/event_sets":
		var body struct {
			ES struct {
				ObjectID int64 `json:"event_object_id"`
			} `json:"event_set"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		var evs []map[string]any
		for i := len(f.events) - 1; i >= 0; i-- {
			if f.events[i]["object_id"] == strconv.FormatInt(body.ES.ObjectID, 10) {
				e := map[string]any{}
				for k, v := range f.events[i] {
					e[k] = v
				}
				e["object_id"] = body.ES.ObjectID
				evs = append(evs, e)
			}
		}
		if evs == nil {
			evs = []map[string]any{}
		}
		vendortest.WriteJSON(w, 200, map[string]any{"id": 1, "status": "finished", "events": evs, "cursor": nil})
	default:
		kisiError(w, 404, "Not Found")
	}
}

func assignmentJSON(a *Assignment) map[string]any {
	return map[string]any{"id": a.ID, "resource_type": "RoleAssignment", "role_id": a.RoleID, "assignee_type": "User", "assignee_id": a.UserID,
		"applies_to_type": "Group", "applies_to_id": a.GroupID, "valid_from": a.ValidFrom, "valid_until": a.ValidUntil}
}
