package osdpdoor_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// fastBus scales the protocol timings down so that offline detection and
// reconnects happen within a test's patience.
func fastBus() osdp.Config {
	return osdp.Config{
		Baud:           115200,
		ReplyTimeout:   40 * time.Millisecond,
		PollInterval:   5 * time.Millisecond,
		RetryInterval:  10 * time.Millisecond,
		BusyRetry:      10 * time.Millisecond,
		OfflineTimeout: 300 * time.Millisecond,
		ReconnectMin:   20 * time.Millisecond,
		ReconnectMax:   80 * time.Millisecond,
	}
}

const patience = 10 * time.Second

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// serveSim serves PDs on a loopback TCP listener until the test ends.
func serveSim(t testing.TB, pds ...*pdsim.PD) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = pdsim.ServeListener(ctx, ln, pds...) })
	t.Cleanup(func() {
		cancel()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the simulator did not stop")
		}
	})
	return "tcp://" + ln.Addr().String()
}

type site struct {
	h      *apptest.Harness
	o      *apptest.Org
	zoneID int64
	keys   *secret.Keyring
}

func newSite(t testing.TB, db *store.DB, timings ...func(*osdp.Config)) *site {
	t.Helper()
	key := make([]byte, secret.KeySize)
	for i := range key {
		key[i] = byte(i + 1)
	}
	keys, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	bus := fastBus()
	for _, f := range timings {
		f(&bus)
	}
	h := apptest.New(t, db, func(c *app.Config) { c.Secrets = keys; c.OSDPTimings = bus })
	o := h.NewOrg("OSDP club")
	z := h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Gym floor", "typeCd": "AREA"}), 201)
	return &site{h: h, o: o, zoneID: apptest.ID(z), keys: keys}
}

// member creates a member with an active contract and a credential.
func (s *site) member(t testing.TB, n int, typeCd, ident string) int64 {
	t.Helper()
	h, o := s.h, s.o
	if n == 0 {
		tpl := h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 1}), 201)
		_ = tpl
	}
	var tplID int64
	if err := h.App.DB.QueryRowContext(context.Background(), `SELECT id FROM contract_templates WHERE entity_id = $1 ORDER BY id LIMIT 1`, o.ID).Scan(&tplID); err != nil {
		t.Fatal(err)
	}
	m := h.Must(h.Post("/api/members", o.Staff, map[string]any{"firstName": "Card", "lastName": fmt.Sprint("Holder", n), "email": fmt.Sprintf("card%d@x.test", n)}), 201)
	id := apptest.ID(m)
	h.Must(h.Post(fmt.Sprintf("/api/members/%d/contracts", id), o.Staff, map[string]any{"templateId": tplID, "startDate": "2026-11-01", "endDate": "2027-11-20"}), 201)
	h.Must(h.Post("/api/access/credentials", o.Staff, map[string]any{"memberId": id, "typeCd": typeCd, "identifier": ident}), 201)
	return id
}

func (s *site) bind(t testing.TB, door string, settings map[string]any) {
	t.Helper()
	s.h.Must(s.h.Put(fmt.Sprintf("/api/access/zones/%d/door", s.zoneID), s.o.Admin,
		map[string]any{"provider": "OSDP", "externalDoorId": door, "settings": settings}), 200)
	if err := s.h.App.Readers.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (s *site) reader(t testing.TB) map[string]any {
	t.Helper()
	var list []map[string]any
	s.h.Must(s.h.Get("/api/access/readers", s.o.Staff), 200)
	s.h.Get("/api/access/readers", s.o.Staff).JSON(&list)
	if len(list) != 1 {
		t.Fatalf("readers: %v", list)
	}
	return list[0]
}

func (s *site) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.h.App.DB.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func lastLED(pd *pdsim.PD) (byte, bool) {
	l := pd.LEDs()
	if len(l) == 0 {
		return 0, false
	}
	return l[len(l)-1].TempOnColor, true
}

// A card read on a simulated reader over TCP becomes a check-in as the
// reader's device; granted opens the relay for the hold-open time and shows
// green, an unknown card is denied and shows red. Tamper and a silent reader
// become events and reader status.
func TestCardReadsBecomeCheckIns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		memberID := s.member(t, 0, "WIEGAND", "H10301:12:3456")
		s.member(t, 1, "PIN", "4711")
		pd := pdsim.New(pdsim.Config{Address: 1})
		s.bind(t, "front:1", map[string]any{"connection": serveSim(t, pd), "direction": "IN", "output": 1})
		waitFor(t, "reader online", func() bool { return s.reader(t)["online"] == true })
		if s.count(t, `SELECT COUNT(*) FROM outbox WHERE type = 'door.reader_online'`) != 1 {
			t.Fatal("no door.reader_online event")
		}

		if err := pd.PresentWiegand(osdp.FormatH10301, 12, 3456); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "relay pulse", func() bool { return len(pd.OutputCommands()) == 1 })
		out := pd.OutputCommands()[0]
		if out.Output != 1 || out.Control != osdp.OutputTempOn || out.Timer != 50 {
			t.Fatalf("relay command %+v, want output 1 on for 50×100 ms", out)
		}
		waitFor(t, "green LED and beep", func() bool { c, ok := lastLED(pd); return ok && c == osdp.ColorGreen && len(pd.Buzzes()) == 1 })
		var status, method, typ string
		var device *string
		if err := db.QueryRowContext(context.Background(), `SELECT c.status_cd, c.method_cd, c.device_id, d.kind FROM check_ins c
			JOIN devices d ON CAST(d.id AS TEXT) = c.device_id WHERE c.member_id = $1`, memberID).Scan(&status, &method, &device, &typ); err != nil {
			t.Fatal(err)
		}
		if status != "GRANTED" || method != "CARD" || device == nil || typ != "READER" {
			t.Fatalf("check-in %s %s device %v kind %s", status, method, device, typ)
		}

		// Unknown card: denied, red LED, long beep, no relay.
		_ = pd.PresentWiegand(osdp.FormatH10301, 12, 9999)
		waitFor(t, "red LED", func() bool { c, ok := lastLED(pd); return ok && c == osdp.ColorRed && len(pd.Buzzes()) == 2 })
		if n := s.count(t, `SELECT COUNT(*) FROM check_ins WHERE status_cd = 'DENIED' AND member_id IS NULL`); n != 1 {
			t.Fatalf("%d denied unknown-card check-ins", n)
		}
		if b := pd.Buzzes()[1]; b.On < 10 {
			t.Fatalf("denied beep %+v is not long", b)
		}
		if len(pd.OutputCommands()) != 1 {
			t.Fatal("a denied card opened the door")
		}

		// PIN entry: digits then '#'.
		pd.TypeKeys("47")
		pd.TypeKeys("11#")
		waitFor(t, "PIN relay pulse", func() bool { return len(pd.OutputCommands()) == 2 })
		if n := s.count(t, `SELECT COUNT(*) FROM check_ins WHERE status_cd = 'GRANTED' AND method_cd = 'PIN'`); n != 1 {
			t.Fatalf("%d PIN check-ins", n)
		}
		if r := s.reader(t); r["lastCardAt"] == nil || r["lastSeenAt"] == nil {
			t.Fatalf("reader status %v", r)
		}

		pd.SetTamper(true)
		waitFor(t, "tamper", func() bool { return s.reader(t)["tamper"] == true })
		if s.count(t, `SELECT COUNT(*) FROM outbox WHERE type = 'door.reader_tamper'`) != 1 {
			t.Fatal("no door.reader_tamper event")
		}

		pd.SetSilent(true)
		waitFor(t, "offline", func() bool { return s.reader(t)["online"] == false })
		if s.count(t, `SELECT COUNT(*) FROM outbox WHERE type = 'door.reader_offline'`) != 1 {
			t.Fatal("no door.reader_offline event")
		}
		pd.SetSilent(false)
		waitFor(t, "online again", func() bool { return s.reader(t)["online"] == true })
		if s.count(t, `SELECT COUNT(*) FROM outbox WHERE type = 'door.reader_online'`) != 2 {
			t.Fatal("no second door.reader_online event")
		}

		// Remote unlock ("Test door") pulses the relay.
		r := s.h.Must(s.h.Post(fmt.Sprintf("/api/access/zones/%d/unlock", s.zoneID), s.o.Admin, map[string]any{"durationSeconds": 3}), 200)
		if r["success"] != true {
			t.Fatalf("unlock %v", r)
		}
		if o := pd.OutputCommands(); len(o) != 3 || o[2].Timer != 30 {
			t.Fatalf("remote unlock: %+v", o)
		}
	})
}

// A secure reader in install mode gets a fresh key; the key is stored sealed
// before KEYSET and used again after the line restarts.
func TestSecureReaderKeyIsStoredSealedAndReused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		provisioned := make(chan osdp.Key, 4)
		pd := pdsim.New(pdsim.Config{Address: 3, OnKeySet: func(k osdp.Key) { provisioned <- k }})
		addr := serveSim(t, pd)
		settings := map[string]any{"connection": addr, "secure": true}
		s.bind(t, "line-a:3", settings)
		waitFor(t, "secure reader online", func() bool {
			r := s.reader(t)
			return r["online"] == true && r["secureChannel"] == true && r["keyStored"] == true
		})
		var key osdp.Key
		select {
		case key = <-provisioned:
		case <-time.After(patience):
			t.Fatal("no KEYSET")
		}
		if key == osdp.DefaultKey {
			t.Fatal("reader kept the install-mode key")
		}
		var sealed string
		var id int64
		var confirmed bool
		if err := db.QueryRowContext(context.Background(), `SELECT id, scbk_sealed, key_confirmed FROM osdp_readers`).Scan(&id, &sealed, &confirmed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(sealed), hex.EncodeToString(key[:])) || strings.Contains(sealed, string(key[:])) {
			t.Fatal("the key is stored in clear")
		}
		plain, err := s.keys.Open(sealed, fmt.Sprintf("osdp_reader:%d", id))
		if err != nil || string(plain) != string(key[:]) {
			t.Fatalf("sealed key does not open to the reader's key: %v", err)
		}
		if _, err := s.keys.Open(sealed, "osdp_reader:999"); err == nil {
			t.Fatal("the sealed key is not bound to its reader row")
		}
		waitFor(t, "key confirmed", func() bool {
			_ = db.QueryRowContext(context.Background(), `SELECT key_confirmed FROM osdp_readers`).Scan(&confirmed)
			return confirmed
		})

		// Restart: unbinding stops the line; binding again reloads the key
		// from the database (no second KEYSET).
		s.h.Must(s.h.Put(fmt.Sprintf("/api/access/zones/%d/door", s.zoneID), s.o.Admin, map[string]any{"provider": "SIMULATED"}), 200)
		if err := s.h.App.Readers.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "line stopped", func() bool { return !pd.Secure() || len(s.h.App.Readers.Adapter.Statuses(0)) == 0 })
		s.bind(t, "line-a:3", settings)
		waitFor(t, "online again under the stored key", func() bool {
			st := s.h.App.Readers.Adapter.Statuses(0)
			return len(st) == 1 && st[0].Online && st[0].SecureChannel
		})
		select {
		case <-provisioned:
			t.Fatal("the reader was re-keyed after the restart")
		default:
		}
		if k, _ := pd.Key(); k != key {
			t.Fatal("the reader's key changed")
		}
	})
}

// Without a keyring a secure reader stays offline with a clear error, and
// never runs in plaintext.
func TestSecureReaderWithoutKeyringStaysOffline(t *testing.T) {
	db := storetest.SQLite(t)
	h := apptest.New(t, db, func(c *app.Config) { c.OSDPTimings = fastBus() })
	o := h.NewOrg("No keys")
	z := h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Door", "typeCd": "AREA"}), 201)
	pd := pdsim.New(pdsim.Config{Address: 1})
	h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d/door", apptest.ID(z)), o.Admin,
		map[string]any{"provider": "OSDP", "externalDoorId": "l:1", "settings": map[string]any{"connection": serveSim(t, pd), "secure": true}}), 200)
	if err := h.App.Readers.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	st := h.App.Readers.Adapter.Statuses(0)
	if len(st) != 1 || st[0].Online {
		t.Fatalf("status %+v", st)
	}
	if _, ok := pd.Key(); ok {
		t.Fatal("the reader got a key without a keyring")
	}
	_ = pd.PresentWiegand(osdp.FormatH10301, 1, 1)
	time.Sleep(100 * time.Millisecond)
	if n := h.Count("check_ins"); n != 0 {
		t.Fatalf("%d check-ins from an unauthenticated reader", n)
	}
}
