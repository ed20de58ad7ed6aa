package gantner_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
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

func dialTerminal(t *testing.T, srvURL, id string) *fakeTerminal {
	t.Helper()
	c, err := gantner.Dial(context.Background(), "ws"+strings.TrimPrefix(srvURL, "http")+"/gantner/"+id)
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
	srv := httptest.NewServer(hub.Handler())
	a, err := hub.Adapter(hal.VendorConfig{Settings: json.RawMessage(`{"terminalIds":["gt7-entrance","gt7-offline"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	term := dialTerminal(t, srv.URL, "gt7-entrance")
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
	if len(seen) != 2 || seen[0] != "gt7-entrance:04GOOD" {
		t.Fatal(seen)
	}
}

func TestSettingsAndDoors(t *testing.T) {
	hub := gantner.NewHub(nil)
	for _, s := range []string{`{}`, `{"terminalIds":[]}`, `{"terminalIds":["a/b"]}`, `[1]`} {
		if _, err := hub.Adapter(hal.VendorConfig{Settings: json.RawMessage(s)}); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
	a, _ := hub.Adapter(hal.VendorConfig{Settings: json.RawMessage(`{"terminalIds":["t1"]}`)})
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
