// Package apptest runs the real router against a real database for API tests:
// requests go through every middleware, auth and validation, as in production.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Start is the instant the test clock starts at: a Saturday noon in Berlin.
var Start = time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)

// Harness is an app under test.
type Harness struct {
	T     testing.TB
	App   *app.App
	Clock *clock.Fixed
	h     http.Handler
}

// New builds the app on db with a fixed clock and cheap password hashing;
// configure, if given, adjusts the configuration (secrets, OSDP timings).
func New(t testing.TB, db *store.DB, configure ...func(*app.Config)) *Harness {
	t.Helper()
	// Request logs would drown the test output; warnings and errors still show.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	clk := clock.NewFixed(Start)
	cfg := app.Config{DB: db, Clock: clk, Hash: auth.TestHashParams}
	for _, c := range configure {
		c(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.Start(ctx)
	t.Cleanup(func() { cancel(); a.Wait() })
	return &Harness{T: t, App: a, Clock: clk, h: a.Handler()}
}

// Response is a recorded response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) {
	if err := json.Unmarshal(r.Body, v); err != nil {
		panic(fmt.Sprintf("decode %s: %v", r.Body, err))
	}
}

// Map decodes the body into a map.
func (r *Response) Map() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Request is a request under construction.
type Request struct {
	Method, Path, Token, ContentType string
	Body                             any // string/[]byte sent raw, anything else as JSON
}

// Do sends a request through the full handler.
func (h *Harness) Do(r Request) *Response {
	h.T.Helper()
	var body io.Reader
	ct := r.ContentType
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.T.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	if body != nil && ct == "" {
		ct = "application/json"
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	req.RemoteAddr = "192.0.2.1:1234"
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// Get is a GET with a token.
func (h *Harness) Get(path, token string) *Response {
	return h.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post is a POST of a JSON body with a token.
func (h *Harness) Post(path, token string, body any) *Response {
	return h.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Put is a PUT of a JSON body with a token.
func (h *Harness) Put(path, token string, body any) *Response {
	return h.Do(Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}

// Must fails the test unless the response has the status; it returns the body map.
func (h *Harness) Must(r *Response, status int) map[string]any {
	h.T.Helper()
	if r.Status != status {
		h.T.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r.Map()
}

// Org is an organisation set up for a test, with a token per role.
type Org struct {
	ID       int64
	Admin    string // CLUB_ADMIN token
	Platform string // PLATFORM_ADMIN token (only for the first org)
	Staff    string
	Trainer  string
	Member   string // MEMBER token, linked to MemberID
	MemberID int64
	Device   string // KIOSK device key
	// Emails of the users by role; they all use Password.
	Emails map[string]string
}

// Password is the password of every user NewOrg creates.
const Password = "correct horse battery"

var orgSeq atomic.Int64

// Login logs in and returns the token.
func (h *Harness) Login(email, password string) string {
	h.T.Helper()
	m := h.Must(h.Post("/api/auth/login", "", map[string]string{"email": email, "password": password}), 200)
	return m["token"].(string)
}

// NewOrg creates an organisation with users of every role. The first call
// initialises the database (platform admin in organisation 1).
func (h *Harness) NewOrg(name string) *Org {
	h.T.Helper()
	ctx := context.Background()
	n := orgSeq.Add(1)
	pw := Password
	o := Org{Emails: map[string]string{}}
	var count int
	_ = h.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM entities`).Scan(&count)
	var platform *auth.Principal
	if count == 0 {
		ent, u, err := h.App.Auth.Init(ctx, name, "Europe/Berlin", fmt.Sprintf("platform%d@test.dev", n), pw)
		if err != nil {
			h.T.Fatal(err)
		}
		o.ID = ent.ID
		o.Platform = h.Login(u.Email, pw)
		platform = &auth.Principal{Role: auth.PlatformAdmin, EntityID: ent.ID, UserID: u.ID}
	} else {
		var pid, peid int64
		if err := h.App.DB.QueryRowContext(ctx, `SELECT id, entity_id FROM users WHERE role = 'PLATFORM_ADMIN' ORDER BY id LIMIT 1`).Scan(&pid, &peid); err != nil {
			h.T.Fatal(err)
		}
		platform = &auth.Principal{Role: auth.PlatformAdmin, EntityID: peid, UserID: pid}
		ent, err := h.App.Auth.CreateEntity(ctx, name, "Europe/Berlin")
		if err != nil {
			h.T.Fatal(err)
		}
		o.ID = ent.ID
	}
	mk := func(role auth.Role, memberID *int64) string {
		email := fmt.Sprintf("%s%d@test.dev", strings.ToLower(string(role)), n)
		o.Emails[string(role)] = email
		if _, err := h.App.Auth.CreateUser(ctx, platform, auth.NewUser{Email: email, Password: pw, Role: role, MemberID: memberID, EntityID: &o.ID}); err != nil {
			h.T.Fatal(err)
		}
		return h.Login(email, pw)
	}
	o.Admin = mk(auth.ClubAdmin, nil)
	o.Staff = mk(auth.Staff, nil)
	o.Trainer = mk(auth.Trainer, nil)
	m := h.Must(h.Post("/api/members", o.Admin, map[string]any{"firstName": "Self", "lastName": "Member", "email": fmt.Sprintf("self%d@test.dev", n)}), 201)
	o.MemberID = int64(m["id"].(float64))
	o.Member = mk(auth.Member, &o.MemberID)
	d := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Front kiosk", "kind": "KIOSK"}), 201)
	o.Device = d["apiKey"].(string)
	return &o
}

// ID reads the "id" of a response map.
func ID(m map[string]any) int64 { return int64(m["id"].(float64)) }

// Count returns the number of rows in a table (to prove a failed request wrote nothing).
func (h *Harness) Count(table string) int {
	h.T.Helper()
	var n int
	if err := h.App.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		h.T.Fatal(err)
	}
	return n
}
