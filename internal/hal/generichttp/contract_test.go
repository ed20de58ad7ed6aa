package generichttp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/generichttp"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

func uhppotedSettings(baseURL string) string {
	return fmt.Sprintf(`{
		"profile": "uhppoted",
		"baseUrl": %q,
		"auth": {"type": "basic", "username": "gatehouse", "password": "s3cret-pass"},
		"timeout": "2s",
		"timeZone": "Europe/Berlin",
		"uhppoted": {"card": "10058400"},
		"credentialDoors": ["405419896:1", "405419896:2", "303986753:1"]
	}`, baseURL+"/uhppote")
}

func newUhppotedAdapter(t *testing.T, f *fakeUhppoted) *generichttp.Adapter {
	t.Helper()
	a, err := generichttp.New(generichttp.Config{Provider: "UHPPOTED", Settings: json.RawMessage(uhppotedSettings(f.URL))})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestUhppotedProfileContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		f := newFakeUhppoted(405419896, 303986753)
		a := newUhppotedAdapter(t, f)
		expires := time.Now().Add(30 * 24 * time.Hour)
		return &haltest.Harness{
			Adapter:    a,
			Door:       hal.Door{EntityID: 1, ZoneID: 3, ExternalDoorID: "405419896:1"},
			Credential: hal.Credential{ID: 5, EntityID: 1, MemberID: 42, TypeCd: "CARD", Identifier: "192837465", ExpiresAt: &expires},
			Observer:   f,
			SetLatency: f.setLatency,
			Unreachable: func() hal.Door {
				return hal.Door{EntityID: 1, ZoneID: 4, ExternalDoorID: "405419896:2",
					Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl": %q}`, vendortest.ClosedURL(t)+"/uhppote"))}
			},
			Unsupported:         []string{haltest.OpOccupancy},
			IdempotentProvision: true,
			UnlocksAreEvents:    true,
			HoldOpenResolution:  time.Second,
			Close:               func() { a.Close(); f.Close() },
		}
	})
}

// fakeCustom is a tiny made-up door API (bearer token) that the custom
// template configuration below talks to.
type fakeCustom struct {
	*httptest.Server
	mu      sync.Mutex
	token   string
	latency time.Duration
	creds   map[string]string // id → number
	next    int
	unlocks []haltest.Unlock
	events  map[string][]map[string]any // door → events, oldest first
}

func newFakeCustom() *fakeCustom {
	f := &fakeCustom{token: "tok-Secret-123", creds: map[string]string{}, events: map[string][]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/doors/{door}/unlock", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			HoldOpenSeconds *float64 `json:"holdOpenSeconds"`
			Zone            int64    `json:"zone"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.HoldOpenSeconds == nil {
			vendortest.WriteJSON(w, 400, map[string]string{"error": "holdOpenSeconds required"})
			return
		}
		door := r.PathValue("door")
		f.mu.Lock()
		f.unlocks = append(f.unlocks, haltest.Unlock{ExternalDoorID: door, HoldOpen: time.Duration(*body.HoldOpenSeconds * float64(time.Second))})
		f.events[door] = append(f.events[door], map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "type": "unlock", "message": fmt.Sprintf("held %vs", *body.HoldOpenSeconds)})
		f.mu.Unlock()
		vendortest.WriteJSON(w, 202, map[string]any{"result": "accepted"})
	})
	mux.HandleFunc("POST /api/v1/credentials", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Number     string  `json:"number"`
			Member     int64   `json:"member"`
			ValidUntil *string `json:"validUntil"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Number == "" {
			vendortest.WriteJSON(w, 422, map[string]string{"error": "number required"})
			return
		}
		f.mu.Lock()
		f.next++
		id := "cred-" + strconv.Itoa(f.next)
		f.creds[id] = body.Number
		f.mu.Unlock()
		vendortest.WriteJSON(w, 201, map[string]any{"credential": map[string]any{"id": id}})
	})
	mux.HandleFunc("DELETE /api/v1/credentials/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.creds[r.PathValue("id")]; !ok {
			vendortest.WriteJSON(w, 404, map[string]string{"error": "no such credential"})
			return
		}
		delete(f.creds, r.PathValue("id"))
		w.WriteHeader(204)
	})
	mux.HandleFunc("GET /api/v1/doors/{door}/events", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		ev := f.events[r.PathValue("door")]
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n < len(ev) {
			ev = ev[len(ev)-n:]
		}
		vendortest.WriteJSON(w, 200, map[string]any{"data": ev})
	})
	mux.HandleFunc("GET /api/v1/doors/{door}/occupancy", func(w http.ResponseWriter, r *http.Request) {
		vendortest.WriteJSON(w, 200, map[string]any{"occupancy": map[string]any{"count": 3}})
	})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		latency := f.latency
		f.mu.Unlock()
		if !vendortest.Delay(r, latency) {
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			vendortest.WriteJSON(w, 401, map[string]string{"error": "bad token"})
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return f
}

func (f *fakeCustom) Unlocks() []haltest.Unlock {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]haltest.Unlock(nil), f.unlocks...)
}

func (f *fakeCustom) HasCredential(identifier string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.creds {
		if n == identifier {
			return true
		}
	}
	return false
}

func (f *fakeCustom) setLatency(d time.Duration) { f.mu.Lock(); f.latency = d; f.mu.Unlock() }

// customSettings is the example of docs/door-adapters.md (with the test's URL).
func customSettings(baseURL string) string {
	return fmt.Sprintf(`{
  "baseUrl": %q,
  "auth": {"type": "bearer", "token": "tok-Secret-123"},
  "timeout": "3s",
  "headers": {"X-Client": "gatehouse"},
  "operations": {
    "unlock": {"request": {
      "method": "POST",
      "url": "/doors/{{.Door.ExternalID}}/unlock",
      "body": "{\"holdOpenSeconds\": {{.HoldOpenSeconds}}, \"zone\": {{.Door.ZoneID}}}",
      "expect": {"status": [200, 202], "json": [{"path": "result", "equals": "accepted"}]}
    }},
    "provision": {
      "request": {
        "method": "POST",
        "url": "/credentials",
        "body": "{\"number\": {{.Credential.Identifier}}, \"member\": {{.Credential.MemberID}}, \"validUntil\": {{.Credential.ExpiresAt}}}",
        "expect": {"status": [201]}
      },
      "externalId": "{{get .Prev \"credential.id\"}}"
    },
    "revoke": {"request": {"method": "DELETE", "url": "/credentials/{{.ExternalID}}", "expect": {"status": [204]}}},
    "occupancy": {
      "request": {"method": "GET", "url": "/doors/{{.Door.ExternalID}}/occupancy"},
      "count": "occupancy.count"
    },
    "events": {
      "request": {"method": "GET", "url": "/doors/{{.Door.ExternalID}}/events?limit={{.Limit | query}}"},
      "events": {"items": "data", "at": "time", "kind": "type",
                 "kindMap": {"unlock": "UNLOCK", "forced": "DOOR_FORCED"}, "defaultKind": "EVENT",
                 "detail": "{{get .Item \"message\"}}"}
    }
  }
}`, baseURL+"/api/v1")
}

func TestCustomTemplatesContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		f := newFakeCustom()
		a, err := generichttp.New(generichttp.Config{Settings: json.RawMessage(customSettings(f.URL))})
		if err != nil {
			t.Fatal(err)
		}
		return &haltest.Harness{
			Adapter:    a,
			Door:       hal.Door{EntityID: 1, ZoneID: 8, ExternalDoorID: "front door"},
			Credential: hal.Credential{ID: 6, MemberID: 43, TypeCd: "CARD", Identifier: "04A1B2C3D4"},
			Observer:   f,
			SetLatency: f.setLatency,
			Unreachable: func() hal.Door {
				return hal.Door{ExternalDoorID: "back", Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl": %q}`, vendortest.ClosedURL(t)))}
			},
			UnlocksAreEvents: true,
			Close:            func() { a.Close(); f.Close() },
		}
	})
}

// An adapter with no operations at all passes the contract too: everything is Unsupported.
func TestNoOperationsContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		a, err := generichttp.New(generichttp.Config{Settings: json.RawMessage(`{"baseUrl": "http://127.0.0.1:1"}`)})
		if err != nil {
			t.Fatal(err)
		}
		return &haltest.Harness{
			Adapter:     a,
			Door:        hal.Door{ExternalDoorID: "d1"},
			Credential:  hal.Credential{Identifier: "123456"},
			Unsupported: []string{haltest.OpProvision, haltest.OpRevoke, haltest.OpUnlock, haltest.OpOccupancy, haltest.OpEvents},
			Close:       a.Close,
		}
	})
}

func TestCustomSettingsAreTheDocumentedExample(t *testing.T) {
	// Keeps docs/door-adapters.md honest: the documented example must validate.
	if err := generichttp.Validate(json.RawMessage(customSettings("https://doors.example.com")), nil); err != nil {
		t.Fatal(err)
	}
	if err := generichttp.Validate(json.RawMessage(uhppotedSettings("http://192.168.1.100:8080")), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(customSettings(""), "{{.HoldOpenSeconds}}") {
		t.Fatal("example lost its template")
	}
}
