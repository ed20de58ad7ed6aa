package bleradio_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/phone"
	"github.com/gatehouse/gatehouse/internal/phone/bleradio"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// A phone running the reference broadcaster (protocol v2), a gateway running
// the scanner, both on the fake air, the real server on loopback: far → 202
// and nothing recorded, nearer → one GRANTED check-in, repeats never reach
// the server, the next step brings a new ephemeral id.
func TestBroadcasterToServer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		o := h.NewOrg("BLE club")
		tmpl := apptest.ID(h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 10}), 201))
		zone := apptest.ID(h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Gym", "typeCd": "BUILDING"}), 201))
		loc, _ := clock.Location("Europe/Berlin")
		start, _ := clock.ParseDate("2026-01-01")
		if _, err := h.App.Members.CreateContract(context.Background(), member.Scope{EntityID: o.ID, Location: loc}, o.MemberID,
			member.ContractInput{TemplateID: tmpl, StartDate: start}); err != nil {
			t.Fatal(err)
		}
		gw := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym gateway", "kind": "GATEWAY", "zoneId": zone}), 201)["apiKey"].(string)
		var key phone.BLEKey
		h.Must(h.Post("/api/me/ble-key", o.Member, nil), 200)
		h.Post("/api/me/ble-key", o.Member, nil).JSON(&key) // the phone keeps the latest

		var posts atomic.Int64
		app := h.App.Handler()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/ble/reports" {
				posts.Add(1)
			}
			app.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)

		air := bleradio.NewAir()
		rx := air.Receiver(-80) // ≈ 10 m with the default calibration
		results := make(chan bleradio.Result, 16)
		sc, err := bleradio.NewScanner(bleradio.ScannerConfig{Server: srv.URL, DeviceKey: gw, ReaderID: "door-1", Clock: h.Clock,
			OnResult: func(r bleradio.Result) { results <- r }})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := sc.Run(ctx, rx); err != nil {
				t.Error(err)
			}
		})
		t.Cleanup(func() { cancel(); wg.Wait() })
		<-rx.Started()
		next := func() bleradio.Result {
			t.Helper()
			select {
			case r := <-results:
				return r
			case <-time.After(10 * time.Second):
				t.Fatal("no report result within 10 s")
				return bleradio.Result{}
			}
		}

		b, err := bleradio.NewBroadcaster(air.Advertiser("phone-1"), h.Clock, key, bleradio.Offset(key.ServerTime, h.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if changed, err := b.Update(); err != nil || !changed {
			t.Fatalf("first update: %v %v", changed, err)
		}
		if r := next(); r.Status != 202 || r.Outcome != "OUT_OF_RANGE" {
			t.Fatalf("far: %+v", r)
		}
		// The phone keeps advertising the same payload: not sent again within Resend.
		for range 5 {
			air.Pulse()
		}
		if n := posts.Load(); n != 1 {
			t.Fatalf("%d posts after repeats of an out-of-range payload", n)
		}
		// The member walks up to the door (same step): reported again, granted.
		rx.SetRSSI(-60)
		h.Clock.Advance(2 * time.Second)
		air.Pulse()
		r := next()
		if r.Status != 200 || r.Outcome != "GRANTED" || len(r.Token) != 2*phone.BLEPayloadLenV2 || r.Token[:2] != "02" {
			t.Fatalf("near: %+v", r)
		}
		var method string
		if err := h.App.DB.QueryRowContext(context.Background(), `SELECT method_cd FROM check_ins WHERE member_id = $1`, o.MemberID).Scan(&method); err != nil || method != "BLE" {
			t.Fatalf("check-in: %q %v", method, err)
		}
		// Decided: no more posts for this payload, however often it is heard.
		for range 5 {
			h.Clock.Advance(2 * time.Second)
			air.Pulse()
		}
		if n := posts.Load(); n != 2 {
			t.Fatalf("%d posts, want 2", n)
		}
		if h.Count("check_ins") != 1 {
			t.Fatal("a repeated advertisement made a second check-in")
		}
		// Next step: the broadcaster re-advertises a new payload, which is reported.
		h.Clock.Set(phone.StepStart(phone.StepOf(h.Clock.Now()) + 1))
		if changed, err := b.Update(); err != nil || !changed {
			t.Fatalf("step change: %v %v", changed, err)
		}
		r2 := next()
		if r2.Token[2:2+2*phone.BLEEIDLen] == r.Token[2:2+2*phone.BLEEIDLen] || r2.Status != 200 {
			t.Fatalf("next step (a new eid): %+v", r2)
		}
		if sc.Dropped() != 0 {
			t.Fatalf("dropped %d", sc.Dropped())
		}
	})
}
