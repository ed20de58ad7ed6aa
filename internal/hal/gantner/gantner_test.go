package gantner_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/gantner"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
)

// fakeTerminal plays a Gen7 terminal as far as the public field names go
// (vendor-apis.md §6): it connects to the host's WebSocket, sends
// App.CardIdent events and answers App.StartUnlockProcess requests with a Rsp
// echoing the TID (State 0). The real terminal's behaviour is unverified.
type fakeTerminal struct {
	conn    gantner.Conn
	mu      sync.Mutex
	latency time.Duration
	unlocks []haltest.Unlock
	denies  []string
	closed  chan struct{}
	done    chan struct{}
}

// hostHandler serves terminals as the app's endpoint does once it has
// authenticated them: under the organisation's key. …/gantner/{entity}/{id};
// no authentication (internal/gantnerhost tests that).
func hostHandler(hub *gantner.Hub) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gantner/{entity}/{id}", func(w http.ResponseWriter, r *http.Request) {
		entity, err := strconv.ParseInt(r.PathValue("entity"), 10, 64)
		if err != nil || !gantner.ValidTerminalID(r.PathValue("id")) {
			http.Error(w, "bad terminal", http.StatusBadRequest)
			return
		}
		hub.Upgrade(w, r, gantner.TerminalKey(entity, r.PathValue("id")), nil)
	})
	return mux
}

// dialTerminal connects terminal id for organisation entity.
func dialTerminal(t *testing.T, srvURL string, entity int64, id string) *fakeTerminal {
	t.Helper()
	c, err := gantner.Dial(context.Background(), "ws"+strings.TrimPrefix(srvURL, "http")+"/gantner/"+strconv.FormatInt(entity, 10)+"/"+id)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeTerminal{conn: c, closed: make(chan struct{}), done: make(chan struct{})}
	go f.run(id)
	return f
}

func (f *fakeTerminal) run(id string) {
	defer close(f.done)
	for {
		raw, err := f.conn.ReadMessage()
		if err != nil {
			return
		}
		var env gantner.Envelope
		if json.Unmarshal(raw, &env) != nil {
			continue
		}
		switch env.Cmd {
		case gantner.CmdStartUnlock:
			var d gantner.StartUnlock
			_ = json.Unmarshal(env.Data, &d)
			f.mu.Lock()
			lat := f.latency
			f.mu.Unlock()
			if lat > 0 {
				select {
				case <-time.After(lat):
				case <-f.closed:
					return
				}
			}
			f.mu.Lock()
			f.unlocks = append(f.unlocks, haltest.Unlock{ExternalDoorID: id, HoldOpen: time.Duration(d.UnlockingTimeMS) * time.Millisecond})
			f.mu.Unlock()
			rsp, _ := json.Marshal(gantner.Envelope{Cmd: env.Cmd, MT: gantner.MTResponse, TID: env.TID, State: json.RawMessage(`0`)})
			if f.conn.WriteMessage(rsp) != nil {
				return
			}
		case gantner.CmdStartDeny:
			var d gantner.StartDeny
			_ = json.Unmarshal(env.Data, &d)
			f.mu.Lock()
			f.denies = append(f.denies, d.DisplayText)
			f.mu.Unlock()
		}
	}
}

func (f *fakeTerminal) card(t *testing.T, uid string) {
	t.Helper()
	data, _ := json.Marshal(gantner.CardIdent{UID: uid, RfStandard: "MIFARE", CardType: "DESFire"})
	b, _ := json.Marshal(gantner.Envelope{Cmd: gantner.CmdCardIdent, MT: gantner.MTEvent, Data: data})
	if err := f.conn.WriteMessage(b); err != nil {
		t.Fatal(err)
	}
}

func (f *fakeTerminal) Unlocks() []haltest.Unlock {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]haltest.Unlock(nil), f.unlocks...)
}

func (f *fakeTerminal) close() {
	close(f.closed)
	_ = f.conn.Close()
	<-f.done
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func setup(t *testing.T, decide gantner.Decider) (*gantner.Hub, *gantner.Adapter, *fakeTerminal, func()) {
	t.Helper()
	hub := gantner.NewHub(decide)
	srv := httptest.NewServer(hostHandler(hub))
	a, err := hub.Adapter(hal.VendorConfig{EntityID: 1, Settings: json.RawMessage(`{"terminalIds":["gt7-entrance","gt7-offline"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	term := dialTerminal(t, srv.URL, 1, "gt7-entrance")
	waitFor(t, "terminal connected", func() bool { return len(hub.Connected()) == 1 })
	return hub, a, term, func() {
		term.close()
		srv.CloseClientConnections()
		srv.Close()
		waitFor(t, "terminal gone", func() bool { return len(hub.Connected()) == 0 })
	}
}

func TestContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		_, a, term, closeAll := setup(t, nil)
		return &haltest.Harness{
			Adapter:          a,
			Door:             hal.Door{EntityID: 1, ZoneID: 2, ExternalDoorID: "gt7-entrance"},
			Credential:       hal.Credential{Identifier: "04A1B2C3D4"},
			Observer:         term,
			SetLatency:       func(d time.Duration) { term.mu.Lock(); term.latency = d; term.mu.Unlock() },
			Unreachable:      func() hal.Door { return hal.Door{ExternalDoorID: "gt7-offline"} },
			UnreachableOps:   []string{haltest.OpUnlock},
			Unsupported:      []string{haltest.OpProvision, haltest.OpRevoke, haltest.OpOccupancy},
			UnlocksAreEvents: true,
			Close:            closeAll,
		}
	})
}

func TestCardIdentDecisionFlow(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	decide := func(_ context.Context, terminal string, c gantner.CardIdent) gantner.Decision {
		mu.Lock()
		seen = append(seen, terminal+":"+c.UID)
		mu.Unlock()
		if c.UID == "04GOOD" {
			return gantner.Decision{Grant: true, HoldOpen: 3 * time.Second, DisplayText: "Welcome"}
		}
		return gantner.Decision{DisplayText: "No access"}
	}
	_, a, term, closeAll := setup(t, decide)
	defer closeAll()
	term.card(t, "04GOOD")
	waitFor(t, "unlock", func() bool { return len(term.Unlocks()) == 1 })
	if u := term.Unlocks()[0]; u.HoldOpen != 3*time.Second {
		t.Fatalf("unlock %+v", u)
	}
	term.card(t, "04BAD")
	waitFor(t, "deny", func() bool { term.mu.Lock(); defer term.mu.Unlock(); return len(term.denies) == 1 })
	ev, err := a.RecentEvents(context.Background(), hal.Door{ExternalDoorID: "gt7-entrance"}, 10)
	if err != nil || len(ev) != 4 || ev[0].Kind != "DENY" || strings.Contains(ev[0].Detail, "04BAD") {
		t.Fatalf("events %+v %v", ev, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != gantner.TerminalKey(1, "gt7-entrance")+":04GOOD" {
		t.Fatal(seen)
	}
}

func TestSettingsAndDoors(t *testing.T) {
	hub := gantner.NewHub(nil)
	for _, s := range []string{`{}`, `{"terminalIds":[]}`, `{"terminalIds":["a/b"]}`, `[1]`} {
		if _, err := hub.Adapter(hal.VendorConfig{EntityID: 1, Settings: json.RawMessage(s)}); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
	// Without the organisation the terminal ids could not be scoped.
	if _, err := hub.Adapter(hal.VendorConfig{Settings: json.RawMessage(`{"terminalIds":["t1"]}`)}); err == nil {
		t.Error("adapter without an organisation accepted")
	}
	a, _ := hub.Adapter(hal.VendorConfig{EntityID: 1, Settings: json.RawMessage(`{"terminalIds":["t1"]}`)})
	if a.ValidateDoor(hal.Door{ExternalDoorID: "t2"}) == nil {
		t.Error("foreign terminal accepted")
	}
	if _, err := a.UnlockDoor(context.Background(), hal.Door{ExternalDoorID: "t2"}, time.Second); !errors.Is(err, hal.ErrRejected) {
		t.Errorf("foreign terminal unlock: %v", err)
	}
	if _, ok := hal.Vendor(gantner.Provider); !ok {
		t.Error("GANTNER not registered")
	}
}

// TestAdapterScopedToOrganisation: terminals are held per organisation, so an
// organisation's integration adapter neither reaches nor lists a terminal
// that connected for another organisation under the same id; Probe names the
// configured terminals that are connected and those that are not.
func TestAdapterScopedToOrganisation(t *testing.T) {
	hub := gantner.NewHub(nil)
	srv := httptest.NewServer(hostHandler(hub))
	defer srv.Close()
	a, err := hub.Adapter(hal.VendorConfig{EntityID: 1, Settings: json.RawMessage(`{"terminalIds":["gt7-shared","gt7-spare"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	door := hal.Door{ExternalDoorID: "gt7-shared"}

	// Only organisation 2's terminal is connected.
	other := dialTerminal(t, srv.URL, 2, "gt7-shared")
	defer other.close()
	waitFor(t, "terminal of org 2", func() bool { return len(hub.Connected()) == 1 })
	if _, err := a.UnlockDoor(ctx, door, time.Second); !errors.Is(err, hal.ErrUnreachable) {
		t.Fatalf("org 1 unlock with only org 2's terminal: %v", err)
	}
	if ev, _ := a.RecentEvents(ctx, door, 10); len(ev) != 0 {
		t.Fatalf("org 1 sees org 2's events: %+v", ev)
	}
	op, msg, err := a.Probe(ctx)
	if !errors.Is(err, hal.ErrUnreachable) || op != "connected terminals" || msg != "" ||
		!strings.Contains(err.Error(), "2 of 2 terminal(s) not connected: gt7-shared, gt7-spare") || strings.Contains(err.Error(), "; connected") {
		t.Fatalf("probe: %q %q %v", op, msg, err)
	}

	// Organisation 1's own terminal connects: now it is reached, org 2's is not.
	own := dialTerminal(t, srv.URL, 1, "gt7-shared")
	defer own.close()
	waitFor(t, "terminal of org 1", func() bool { return len(hub.Connected()) == 2 })
	if r, err := a.UnlockDoor(ctx, door, 2*time.Second); err != nil || !r.Success {
		t.Fatalf("org 1 unlock: %+v %v", r, err)
	}
	if len(own.Unlocks()) != 1 || len(other.Unlocks()) != 0 {
		t.Fatalf("unlocks: own %v, other %v", own.Unlocks(), other.Unlocks())
	}
	if ev, _ := a.RecentEvents(ctx, door, 10); len(ev) != 1 || ev[0].Kind != "UNLOCK" || ev[0].ExternalDoorID != "gt7-shared" {
		t.Fatalf("org 1 events: %+v", ev)
	}
	_, _, err = a.Probe(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 terminal(s) not connected: gt7-spare; connected: gt7-shared") {
		t.Fatalf("probe with one connected: %v", err)
	}
	all, _ := hub.Adapter(hal.VendorConfig{EntityID: 1, Settings: json.RawMessage(`{"terminalIds":["gt7-shared"]}`)})
	if _, msg, err := all.Probe(ctx); err != nil || msg != "all 1 terminal(s) connected: gt7-shared" {
		t.Fatalf("probe, all connected: %q %v", msg, err)
	}
}
