package gantnerhost_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/gantner"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// terminal plays a Gen7 terminal over a real WebSocket (as far as the public
// field names go, see internal/hal/gantner): it sends App.CardIdent and
// collects the host's answers.
type terminal struct {
	conn    gantner.Conn
	mu      sync.Mutex
	answers []gantner.Envelope
	done    chan struct{}
}

func wsURL(srv *httptest.Server, terminalID string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/gantner/terminals/" + terminalID + "/ws"
}

func dial(t *testing.T, srv *httptest.Server, terminalID, key string) *terminal {
	t.Helper()
	cfg, err := websocket.NewConfig(wsURL(srv, terminalID), "http://localhost/")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Header = http.Header{"Authorization": {"Bearer " + key}}
	c, err := gantner.DialConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tm := &terminal{conn: c, done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		for {
			raw, err := c.ReadMessage()
			if err != nil {
				return
			}
			var env gantner.Envelope
			if json.Unmarshal(raw, &env) != nil {
				continue
			}
			tm.mu.Lock()
			tm.answers = append(tm.answers, env)
			tm.mu.Unlock()
			if env.Cmd == gantner.CmdStartUnlock {
				rsp, _ := json.Marshal(gantner.Envelope{Cmd: env.Cmd, MT: gantner.MTResponse, TID: env.TID, State: json.RawMessage(`0`)})
				_ = c.WriteMessage(rsp)
			}
		}
	}()
	t.Cleanup(func() { _ = c.Close(); <-tm.done })
	return tm
}

// card presents a card and waits for the host's answer.
func (tm *terminal) card(t *testing.T, uid string) gantner.Envelope {
	t.Helper()
	tm.mu.Lock()
	n := len(tm.answers)
	tm.mu.Unlock()
	data, _ := json.Marshal(gantner.CardIdent{UID: uid, RfStandard: "MIFARE", CardType: "DESFire"})
	b, _ := json.Marshal(gantner.Envelope{Cmd: gantner.CmdCardIdent, MT: gantner.MTEvent, Data: data})
	if err := tm.conn.WriteMessage(b); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		if len(tm.answers) > n {
			a := tm.answers[n]
			tm.mu.Unlock()
			return a
		}
		tm.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no answer to the card")
	return gantner.Envelope{}
}

// status answers the upgrade request without upgrading (refusals come first).
func status(t *testing.T, srv *httptest.Server, terminalID, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/gantner/terminals/"+terminalID+"/ws", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Content-Type")
}

// TestGen7TerminalCheckIn: a READER device connects as the Gen7 terminal of a
// zone and every card is a real check-in — granted (unlock), denied with the
// reason (no contract; unknown card), recorded with the device; devices of
// another organisation, non-reader keys and unbound terminals are refused
// before the upgrade.
func TestGen7TerminalCheckIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		srv := httptest.NewServer(h.App.Handler())
		defer srv.Close()
		a := h.NewOrg("A")
		b := h.NewOrg("B")

		term := fmt.Sprintf("gt7-%d", a.ID) // the hub is process-wide: ids unique per run
		zone := apptest.ID(h.Must(h.Post("/api/access/zones", a.Admin, map[string]any{"name": "Gym", "typeCd": "ROOM"}), 201))
		if r := h.Put(fmt.Sprintf("/api/access/zones/%d/door", zone), a.Admin, map[string]any{"provider": "GANTNER", "externalDoorId": "bad id!"}); r.Status != 422 {
			t.Fatalf("bad terminal id: %d %s", r.Status, r.Body)
		}
		h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d/door", zone), a.Admin, map[string]any{"provider": "GANTNER", "externalDoorId": term}), 200)
		reader := h.Must(h.Post("/api/devices", a.Admin, map[string]any{"name": "Gym terminal", "kind": "READER"}), 201)
		readerKey, readerID := reader["apiKey"].(string), apptest.ID(reader)
		otherReader := h.Must(h.Post("/api/devices", b.Admin, map[string]any{"name": "B reader", "kind": "READER"}), 201)["apiKey"].(string)

		// A member with a contract and a card; another member with a card but no contract.
		tpl := h.Must(h.Post("/api/contract-templates", a.Admin, map[string]any{"name": "Gold", "tierCd": "GOLD", "tierRank": 1}), 201)
		h.Must(h.Post(fmt.Sprintf("/api/members/%d/contracts", a.MemberID), a.Admin, map[string]any{"templateId": apptest.ID(tpl), "startDate": "2020-01-01"}), 201)
		h.Must(h.Post("/api/access/credentials", a.Admin, map[string]any{"memberId": a.MemberID, "typeCd": "NFC_CARD", "identifier": "04A1B2C3D4"}), 201)
		noContract := apptest.ID(h.Must(h.Post("/api/members", a.Admin, map[string]any{"firstName": "No", "lastName": "Contract", "email": fmt.Sprintf("nc%d@test.dev", a.ID)}), 201))
		h.Must(h.Post("/api/access/credentials", a.Admin, map[string]any{"memberId": noContract, "typeCd": "NFC_CARD", "identifier": "04FFEEDDCC"}), 201)

		// Refused before the upgrade, as problem+json.
		for _, c := range []struct {
			what, terminal, key string
			want                int
		}{
			{"no key", term, "", 401},
			{"unknown key", term, "gh_dev_nope", 401},
			{"kiosk key", term, a.Device, 403},
			{"user session", term, a.Admin, 403},
			{"other organisation's reader", term, otherReader, 404},
			{"terminal without a zone", "gt7-unbound", readerKey, 404},
			{"malformed terminal id", "bad%20id", readerKey, 422},
		} {
			if code, ct := status(t, srv, c.terminal, c.key); code != c.want || ct != "application/problem+json" {
				t.Errorf("%s: %d %s, want %d problem+json", c.what, code, ct, c.want)
			}
		}

		tm := dial(t, srv, term, readerKey)
		// Granted: an unlock with the access service's hold-open time.
		ans := tm.card(t, "04A1B2C3D4")
		var unlock gantner.StartUnlock
		_ = json.Unmarshal(ans.Data, &unlock)
		if ans.Cmd != gantner.CmdStartUnlock || unlock.UnlockingTimeMS != 5000 {
			t.Fatalf("grant answer %s %s", ans.Cmd, ans.Data)
		}
		// Denied: no contract, then an unknown card; the terminal shows the reason.
		for _, c := range []struct{ uid, reason string }{{"04FFEEDDCC", "contract"}, {"0499999999", "Unknown credential"}} {
			ans := tm.card(t, c.uid)
			var deny gantner.StartDeny
			_ = json.Unmarshal(ans.Data, &deny)
			if ans.Cmd != gantner.CmdStartDeny || !strings.Contains(deny.DisplayText, c.reason) {
				t.Fatalf("card %s: %s %q", c.uid, ans.Cmd, deny.DisplayText)
			}
		}

		// Recorded as check-ins of the device at the zone, with the denial codes.
		rows, err := db.QueryContext(context.Background(), `SELECT status_cd, COALESCE(denial_code, ''), method_cd, device_id, zone_id FROM check_ins
			WHERE entity_id = $1 ORDER BY id`, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var st, code, method, dev string
			var z int64
			if err := rows.Scan(&st, &code, &method, &dev, &z); err != nil {
				t.Fatal(err)
			}
			if method != "NFC" || dev != fmt.Sprint(readerID) || z != zone {
				t.Errorf("check-in %s by %s at zone %d via %s", st, dev, z, method)
			}
			got = append(got, st+":"+code)
		}
		rows.Close()
		if want := []string{"GRANTED:", "DENIED:CONTRACT_INACTIVE", "DENIED:UNKNOWN_CREDENTIAL"}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("check-ins %v, want %v", got, want)
		}
		// Published like any check-in.
		var events int
		_ = db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox WHERE entity_id = $1 AND type IN ('checkin.granted', 'checkin.denied')`, a.ID).Scan(&events)
		if events != 3 {
			t.Fatalf("%d check-in events", events)
		}

		// The zone's door is the terminal: a remote unlock reaches it; org B
		// cannot address it (its zones only reach terminals of org B).
		r := h.Must(h.Post(fmt.Sprintf("/api/access/zones/%d/unlock", zone), a.Admin, map[string]any{"durationSeconds": 3}), 200)
		if r["success"] != true {
			t.Fatalf("remote unlock %v", r)
		}
		tm.mu.Lock()
		last := tm.answers[len(tm.answers)-1]
		tm.mu.Unlock()
		_ = json.Unmarshal(last.Data, &unlock)
		if last.Cmd != gantner.CmdStartUnlock || unlock.UnlockingTimeMS != 3000 {
			t.Fatalf("remote unlock sent %s %s", last.Cmd, last.Data)
		}
		zoneB := apptest.ID(h.Must(h.Post("/api/access/zones", b.Admin, map[string]any{"name": "B gym", "typeCd": "ROOM"}), 201))
		h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d/door", zoneB), b.Admin, map[string]any{"provider": "GANTNER", "externalDoorId": term}), 200)
		if r := h.Post(fmt.Sprintf("/api/access/zones/%d/unlock", zoneB), b.Admin, map[string]any{"durationSeconds": 3}); r.Status == 200 && r.Map()["success"] == true {
			t.Fatalf("org B unlocked org A's terminal: %s", r.Body)
		}

		// A revoked device key stops the connected terminal at its next card.
		h.Must(h.Post(fmt.Sprintf("/api/devices/%d/revoke", readerID), a.Admin, map[string]any{}), 200)
		if ans := tm.card(t, "04A1B2C3D4"); ans.Cmd != gantner.CmdStartDeny {
			t.Fatalf("after revocation: %s", ans.Cmd)
		}
	})
}

var termSeq atomic.Int64

// TestGantnerIntegrationIsScopedToItsOrganisation: the GANTNER integration
// (POST /api/integrations/access/configure, settings.terminalIds) addresses
// the terminals that connected for its own organisation. Its connection test
// names the configured terminals connected right now and those missing; a
// terminal of another organisation with the same id counts as missing and
// cannot be unlocked through the integration's adapter.
func TestGantnerIntegrationIsScopedToItsOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		keys, err := secret.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		h := apptest.New(t, db, func(c *app.Config) { c.Secrets = keys })
		srv := httptest.NewServer(h.App.Handler())
		defer srv.Close()
		a := h.NewOrg("A")
		b := h.NewOrg("B")
		// The hub is process-wide and organisation ids repeat across databases.
		n := termSeq.Add(1)
		shared, spare := fmt.Sprintf("gt7-shared-%d", n), fmt.Sprintf("gt7-spare-%d", n)

		// Both organisations bind a zone to a terminal with the same id.
		bindReader := func(o *apptest.Org) string {
			zone := apptest.ID(h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Gym", "typeCd": "ROOM"}), 201))
			h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d/door", zone), o.Admin, map[string]any{"provider": "GANTNER", "externalDoorId": shared}), 200)
			return h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym terminal", "kind": "READER"}), 201)["apiKey"].(string)
		}
		keyA, keyB := bindReader(a), bindReader(b)

		h.Must(h.Post("/api/integrations/access/configure", a.Admin, map[string]any{"provider": "GANTNER", "apiKey": "unused-placeholder",
			"settings": map[string]any{"terminalIds": []string{shared, spare}}}), 200)
		test := func() map[string]any {
			t.Helper()
			return h.Must(h.Post("/api/integrations/access/test", a.Admin, map[string]any{}), 200)
		}
		adapterA := func() hal.Adapter {
			t.Helper()
			f, _ := hal.Vendor(gantner.Provider)
			ad, err := f(hal.VendorConfig{Provider: gantner.Provider, EntityID: a.ID, Settings: json.RawMessage(fmt.Sprintf(`{"terminalIds":[%q,%q]}`, shared, spare))}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return ad
		}
		connected := func(o *apptest.Org) bool {
			return slices.Contains(gantner.Default.Connected(), gantner.TerminalKey(o.ID, shared))
		}

		// Only B's terminal is connected: A's integration does not see it.
		tmB := dial(t, srv, shared, keyB)
		waitFor(t, func() bool { return connected(b) })
		r := test()
		if r["ok"] != false || r["provider"] != "GANTNER" || r["operation"] != "connected terminals" ||
			!strings.Contains(r["message"].(string), "2 of 2 terminal(s) not connected: "+shared+", "+spare) {
			t.Fatalf("test with only B's terminal: %v", r)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := adapterA().UnlockDoor(ctx, hal.Door{EntityID: a.ID, ExternalDoorID: shared}, time.Second); !errors.Is(err, hal.ErrUnreachable) {
			t.Fatalf("A's integration unlock with only B's terminal: %v", err)
		}
		if n := tmB.count(gantner.CmdStartUnlock); n != 0 {
			t.Fatalf("B's terminal got %d unlock(s) from A's integration", n)
		}

		// A's own terminal connects: the test lists it, the unlock reaches it (not B's).
		tmA := dial(t, srv, shared, keyA)
		waitFor(t, func() bool { return connected(a) })
		r = test()
		if r["ok"] != false || !strings.Contains(r["message"].(string), "1 of 2 terminal(s) not connected: "+spare+"; connected: "+shared) {
			t.Fatalf("test with A's terminal: %v", r)
		}
		if res, err := adapterA().UnlockDoor(ctx, hal.Door{EntityID: a.ID, ExternalDoorID: shared}, time.Second); err != nil || !res.Success {
			t.Fatalf("A's integration unlock: %+v %v", res, err)
		}
		if tmA.count(gantner.CmdStartUnlock) != 1 || tmB.count(gantner.CmdStartUnlock) != 0 {
			t.Fatalf("unlocks: A %d, B %d", tmA.count(gantner.CmdStartUnlock), tmB.count(gantner.CmdStartUnlock))
		}

		// Every configured terminal connected: ok.
		h.Must(h.Post("/api/integrations/access/configure", a.Admin, map[string]any{"provider": "GANTNER", "apiKey": "unused-placeholder",
			"settings": map[string]any{"terminalIds": []string{shared}}}), 200)
		if r := test(); r["ok"] != true || r["message"] != "all 1 terminal(s) connected: "+shared {
			t.Fatalf("test, all connected: %v", r)
		}
	})
}

// count is how many host requests with cmd the terminal received.
func (tm *terminal) count(cmd string) int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	n := 0
	for _, a := range tm.answers {
		if a.Cmd == cmd {
			n++
		}
	}
	return n
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestGen7CardNotations: Gen7 terminals send the UID as hex; a card entered
// as the decimal printed on it (either byte order) or as lower-case hex with
// separators is the same card: the check-in names that credential.
func TestGen7CardNotations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		srv := httptest.NewServer(h.App.Handler())
		defer srv.Close()
		o := h.NewOrg("A")
		term := fmt.Sprintf("gt7-cards-%d", termSeq.Add(1))
		zone := apptest.ID(h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Gym", "typeCd": "ROOM"}), 201))
		h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d/door", zone), o.Admin, map[string]any{"provider": "GANTNER", "externalDoorId": term}), 200)
		key := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym terminal", "kind": "READER"}), 201)["apiKey"].(string)
		tm := dial(t, srv, term, key)
		for _, c := range []struct{ entered, uid string }{
			{"0077705923", "04A1B2C3"},                    // decimal as printed, first byte most significant
			{"218893066", "0A0B0C0D"},                     // decimal of a reader that reads the UID backwards (0D0C0B0A)
			{"04:a1:b2:c3:d4:e5:f6", "04A1B2C3D4E5F6"},    // 7-byte UID, lower case with separators
			{"4A1B2C3D4E5F60", "04:A1:B2:C3:D4:E5:F6:00"}, // not the same card: no match
		} {
			cred := apptest.ID(h.Must(h.Post("/api/access/credentials", o.Admin, map[string]any{"memberId": o.MemberID, "typeCd": "NFC_CARD", "identifier": c.entered}), 201))
			tm.card(t, c.uid)
			var got *int64
			if err := db.QueryRowContext(context.Background(), `SELECT credential_id FROM check_ins WHERE entity_id = $1 ORDER BY id DESC LIMIT 1`, o.ID).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if match := got != nil && *got == cred; match != (c.entered != "4A1B2C3D4E5F60") {
				t.Errorf("entered %q, presented %q: check-in credential %v, want match %v", c.entered, c.uid, got, !match)
			}
		}
	})
}
