package salto_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/salto"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

const (
	clientID = "gatehouse-backend"
	secret   = "ks-Secret-8841-abcdef"
	site     = "site-1"
	group    = "ag-7"
)

// fakeKS is a Salto KS Connect API written from the public developer notes
// (vendor-apis.md §3a): /connect/token (client_credentials, Basic auth),
// /v1.1/sites/{site}/users (OData $filter on email), PATCH
// …/access_groups/{ag}/users {add_ids, remove_ids}, GET …/entries with
// {"items", "continuation_token"} pages and the CLP-Continuation-Token header.
// Entry field names are our assumption (unverified).
type fakeKS struct {
	*httptest.Server
	mu       sync.Mutex
	tokens   map[string]bool
	nextTok  int
	nextID   int
	users    map[string]map[string]string // id → fields
	members  map[string]bool              // user ids in the access group
	entries  []map[string]any
	pageSize int
	latency  time.Duration
	requests []string
}

func newFake() *fakeKS {
	f := &fakeKS{tokens: map[string]bool{}, users: map[string]map[string]string{}, members: map[string]bool{}, pageSize: 3}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *fakeKS) Unlocks() []haltest.Unlock { return nil }

func (f *fakeKS) inGroup(email string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, u := range f.users {
		if u["email"] == email && f.members[id] {
			return true
		}
	}
	return false
}

func (f *fakeKS) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	lat := f.latency
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	if !vendortest.Delay(r, lat) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/connect/token" {
		id, sec, ok := r.BasicAuth()
		if r.Method != http.MethodPost || !ok || id != clientID || sec != secret || r.FormValue("grant_type") != "client_credentials" || !strings.Contains(r.FormValue("scope"), salto.Scope) {
			vendortest.WriteJSON(w, 400, map[string]string{"error": "invalid_client"})
			return
		}
		f.nextTok++
		tok := fmt.Sprintf("tok-%d", f.nextTok)
		f.tokens[tok] = true
		vendortest.WriteJSON(w, 200, map[string]any{"access_token": tok, "expires_in": 3600, "token_type": "Bearer"})
		return
	}
	if !f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		vendortest.WriteJSON(w, 401, map[string]string{"message": "unauthorized"})
		return
	}
	prefix := "/v1.1/sites/" + site
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		vendortest.WriteJSON(w, 404, map[string]string{"message": "site not found"})
		return
	}
	switch {
	case path == "/users" && r.Method == http.MethodGet:
		filter := r.URL.Query().Get("$filter")
		email, _ := strings.CutPrefix(filter, "email eq '")
		email = strings.ReplaceAll(strings.TrimSuffix(email, "'"), "''", "'")
		items := []map[string]string{}
		for _, u := range f.users {
			if u["email"] == email {
				items = append(items, u)
			}
		}
		vendortest.WriteJSON(w, 200, map[string]any{"items": items})
	case path == "/users" && r.Method == http.MethodPost:
		var u map[string]string
		if json.NewDecoder(r.Body).Decode(&u) != nil || u["first_name"] == "" {
			vendortest.WriteJSON(w, 400, map[string]string{"message": "first_name is required"})
			return
		}
		f.nextID++
		u["id"] = fmt.Sprintf("user-%04d", f.nextID)
		f.users[u["id"]] = u
		vendortest.WriteJSON(w, 201, u)
	case path == "/access_groups/"+group+"/users" && r.Method == http.MethodPatch:
		var b struct {
			Add    []string `json:"add_ids"`
			Remove []string `json:"remove_ids"`
		}
		if json.NewDecoder(r.Body).Decode(&b) != nil {
			vendortest.WriteJSON(w, 400, map[string]string{"message": "bad body"})
			return
		}
		for _, id := range append(slices.Clone(b.Add), b.Remove...) {
			if f.users[id] == nil {
				vendortest.WriteJSON(w, 404, map[string]string{"message": "user not found"})
				return
			}
		}
		for _, id := range b.Add {
			f.members[id] = true
		}
		for _, id := range b.Remove {
			delete(f.members, id)
		}
		w.WriteHeader(200)
	case path == "/entries" && r.Method == http.MethodGet:
		sorted := slices.Clone(f.entries)
		sort.SliceStable(sorted, func(i, j int) bool {
			return sorted[i]["local_date_time"].(string) > sorted[j]["local_date_time"].(string)
		})
		start := 0
		if c := r.Header.Get("CLP-Continuation-Token"); c != "" {
			var tok struct{ Skip int }
			if json.Unmarshal([]byte(c), &tok) != nil {
				vendortest.WriteJSON(w, 400, map[string]string{"message": "bad continuation token"})
				return
			}
			start = tok.Skip
		}
		end := min(start+f.pageSize, len(sorted))
		body := map[string]any{"items": sorted[start:end]}
		if end < len(sorted) {
			next, _ := json.Marshal(map[string]int{"Skip": end})
			body["continuation_token"] = string(next)
		}
		vendortest.WriteJSON(w, 200, body)
	default:
		vendortest.WriteJSON(w, 404, map[string]string{"message": "not found"})
	}
}

func (f *fakeKS) seedEntries(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	base := time.Now().UTC().Truncate(time.Second)
	for i := range n {
		for _, lock := range []string{"lock-a", "lock-b"} {
			at := base.Add(-time.Duration(i+1) * time.Minute)
			f.entries = append(f.entries, map[string]any{"id": fmt.Sprintf("e-%s-%d", lock, i), "lock_id": lock,
				"local_date_time": at.Format("2006-01-02T15:04:05"), "utc_date_time": at.Format(time.RFC3339), "operation": "Opening by key", "user_name": "Ada"})
		}
	}
}

func settings(f *fakeKS) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"baseUrl":%q,"identityUrl":%q,"clientId":%q,"siteId":%q,"accessGroupId":%q,"timeout":"2s"}`, f.URL, f.URL, clientID, site, group))
}

func newAdapter(t *testing.T, f *fakeKS) *salto.Adapter {
	t.Helper()
	a, err := salto.New(hal.VendorConfig{Provider: salto.Provider, APIKey: secret, Settings: settings(f), Location: time.UTC}, f.Client())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func cred() hal.Credential {
	return hal.Credential{ID: 1, EntityID: 1, MemberID: 42, TypeCd: "CARD", Identifier: "99887766",
		Member: &hal.Person{ExternalID: "gatehouse-member-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}}
}

func TestContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		f := newFake()
		f.seedEntries(5)
		return &haltest.Harness{
			Adapter:             newAdapter(t, f),
			Door:                hal.Door{EntityID: 1, ZoneID: 2, ExternalDoorID: "lock-a"},
			Credential:          cred(),
			Observer:            f,
			Unsupported:         []string{haltest.OpUnlock, haltest.OpOccupancy},
			IdempotentProvision: true,
			Close:               func() { f.CloseClientConnections(); f.Close() },
		}
	})
}

func TestRegistered(t *testing.T) {
	factory, ok := hal.Vendor(salto.Provider)
	if !ok {
		t.Fatal("SALTO_KS is not registered")
	}
	f := newFake()
	defer f.Close()
	if a, err := factory(hal.VendorConfig{APIKey: secret, Settings: settings(f)}, f.Client()); err != nil || a.Provider() != salto.Provider {
		t.Fatal(a, err)
	}
}

func TestProvisionAddsToGroupAndRevokeRemoves(t *testing.T) {
	f := newFake()
	defer f.Close()
	a := newAdapter(t, f)
	ctx := context.Background()
	id, err := a.ProvisionCredential(ctx, cred())
	if err != nil {
		t.Fatal(err)
	}
	if !f.inGroup("ada@example.com") {
		t.Fatal("user not in the access group")
	}
	again, err := a.ProvisionCredential(ctx, cred())
	if err != nil || again != id || len(f.users) != 1 {
		t.Fatalf("second provision: %q (first %q) %v, %d users", again, id, err, len(f.users))
	}
	if err := a.RevokeCredential(ctx, id); err != nil {
		t.Fatal(err)
	}
	if f.inGroup("ada@example.com") {
		t.Fatal("user still in the access group")
	}
	if err := a.RevokeCredential(ctx, "user-9999"); err != nil {
		t.Fatalf("unknown user: %v", err)
	}
	if err := a.RevokeCredential(ctx, "a/b"); hal.KindOf(err) != hal.Rejected {
		t.Fatalf("malformed id: %v", err)
	}
	noMail := cred()
	noMail.Member.Email = ""
	if _, err := a.ProvisionCredential(ctx, noMail); hal.KindOf(err) != hal.Rejected {
		t.Fatalf("no e-mail: %v", err)
	}
}

func TestUnlockIsUnsupportedWithReason(t *testing.T) {
	f := newFake()
	defer f.Close()
	_, err := newAdapter(t, f).UnlockDoor(context.Background(), hal.Door{ExternalDoorID: "lock-a"}, time.Second)
	if !errors.Is(err, hal.ErrUnsupported) || !strings.Contains(err.Error(), "one-time code") {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) != 0 {
		t.Fatalf("unlock made requests: %v", f.requests)
	}
}

func TestEventsFollowContinuationAndFilterByLock(t *testing.T) {
	f := newFake()
	defer f.Close()
	f.seedEntries(6) // 12 entries, pages of 3
	a := newAdapter(t, f)
	ev, err := a.RecentEvents(context.Background(), hal.Door{ExternalDoorID: "lock-b"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 5 {
		t.Fatalf("%d events, want 5", len(ev))
	}
	for i, e := range ev {
		if e.ExternalDoorID != "lock-b" || e.Kind != "ENTRY_OPENING_BY_KEY" || (i > 0 && e.At.After(ev[i-1].At)) {
			t.Fatalf("event %d: %+v", i, e)
		}
	}
}

func TestTokenRefreshOn401AndErrorsTyped(t *testing.T) {
	f := newFake()
	defer f.Close()
	a := newAdapter(t, f)
	ctx := context.Background()
	if _, err := a.RecentEvents(ctx, hal.Door{ExternalDoorID: "lock-a"}, 1); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.tokens = map[string]bool{} // every token revoked
	f.mu.Unlock()
	if _, err := a.RecentEvents(ctx, hal.Door{ExternalDoorID: "lock-a"}, 1); err != nil {
		t.Fatalf("after token revocation: %v", err)
	}
	bad, _ := salto.New(hal.VendorConfig{APIKey: "wrong-secret-1234", Settings: settings(f)}, f.Client())
	_, err := bad.ProvisionCredential(ctx, cred())
	if hal.KindOf(err) != hal.Rejected || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("bad secret: %v", err)
	}
	f.mu.Lock()
	f.latency = time.Second
	f.mu.Unlock()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := a.RecentEvents(short, hal.Door{ExternalDoorID: "lock-a"}, 1); hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("slow: %v", err)
	}
	f.mu.Lock()
	f.latency = 0
	f.mu.Unlock()

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := "http://" + l.Addr().String()
	l.Close()
	down, _ := salto.New(hal.VendorConfig{APIKey: secret, Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl":%q,"identityUrl":%q,"clientId":"c","siteId":"s","accessGroupId":"g"}`, addr, addr))}, nil)
	if _, err := down.RecentEvents(ctx, hal.Door{ExternalDoorID: "lock-a"}, 1); hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("down: %v", err)
	}
}

func TestSettings(t *testing.T) {
	for _, s := range []string{`{}`, `[1]`, `{"baseUrl":"http://x","identityUrl":"http://y","clientId":"c","siteId":"s"}`,
		`{"baseUrl":"ftp://x","identityUrl":"http://y","clientId":"c","siteId":"s","accessGroupId":"g"}`,
		`{"baseUrl":"http://x","identityUrl":"http://y","clientId":"c","siteId":"a/b","accessGroupId":"g"}`} {
		if _, err := salto.New(hal.VendorConfig{APIKey: secret, Settings: json.RawMessage(s)}, nil); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
	if _, err := salto.New(hal.VendorConfig{Settings: json.RawMessage(`{"baseUrl":"http://x","identityUrl":"http://y","clientId":"c","siteId":"s","accessGroupId":"g"}`)}, nil); err == nil {
		t.Error("no client secret accepted")
	}
}
