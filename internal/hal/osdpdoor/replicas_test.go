package osdpdoor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/hal/osdpdoor"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

type replica struct {
	app  *app.App
	url  string
	stop func()
}

// Two app instances (their own pools) on one PostgreSQL schema both run the
// reader manager: only the holder of the line's advisory lock opens the
// line; when it stops, the other takes over. Both answer the status API.
func TestOneReplicaDrivesALine(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	key := make([]byte, secret.KeySize)
	keys, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	open := func(t testing.TB) *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	var admin, staff string
	var zoneID, entityID int64
	t.Run("setup", func(t *testing.T) { // its app stops when the subtest ends
		s := newSite(t, open(t))
		s.member(t, 0, "WIEGAND", "H10301:12:3456")
		admin, staff, zoneID, entityID = s.o.Admin, s.o.Staff, s.zoneID, s.o.ID
	})
	if admin == "" {
		t.FailNow()
	}
	start := func() *replica {
		a, err := app.New(app.Config{DB: open(t), Clock: clock.NewFixed(apptest.Start), Hash: auth.TestHashParams, Secrets: keys, OSDPTimings: fastBus()})
		if err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		a.Start(rctx)
		srv := httptest.NewServer(a.Handler())
		r := &replica{app: a, url: srv.URL, stop: sync.OnceFunc(func() { srv.Close(); cancel(); a.Wait() })}
		t.Cleanup(r.stop)
		return r
	}
	pd := pdsim.New(pdsim.Config{Address: 1})
	sim := newSimServer(t, pd)
	reps := []*replica{start(), start()}
	if code, body := apptest.HTTP(t, http.MethodPut, fmt.Sprintf("%s/api/access/zones/%d/door", reps[0].url, zoneID), admin,
		map[string]any{"provider": "OSDP", "externalDoorId": "front:1", "settings": map[string]any{"connection": sim.addr}}); code != 200 {
		t.Fatalf("bind: %d %s", code, body)
	}
	online := func(r *replica) bool {
		code, body := apptest.HTTP(t, http.MethodGet, r.url+"/api/access/readers", staff, nil)
		var list []map[string]any
		_ = json.Unmarshal(body, &list)
		return code == 200 && len(list) == 1 && list[0]["online"] == true
	}
	driving := func() []int {
		var out []int
		for i, r := range reps {
			if d, _, _ := r.app.Readers.Adapter.ReaderLink(osdpdoor.LineKey{EntityID: entityID, Name: "front"}, 1); d {
				out = append(out, i)
			}
		}
		return out
	}
	waitFor(t, "reader online (seen on both replicas)", func() bool { return online(reps[0]) && online(reps[1]) })
	time.Sleep(2500 * time.Millisecond) // more than two lock retries of the other replica
	d := driving()
	if n := sim.accepted.Load(); n != 1 || len(d) != 1 {
		t.Fatalf("%d connections to the line, replicas driving it: %v", n, d)
	}
	holder, other := reps[d[0]], reps[1-d[0]]
	if err := pd.PresentWiegand(osdp.FormatH10301, 12, 3456); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "relay pulse", func() bool { return len(pd.OutputCommands()) == 1 })

	holder.stop()
	took := time.Now()
	waitFor(t, "the other replica takes the line over", func() bool { return sim.accepted.Load() == 2 && online(other) })
	if s := time.Since(took); s > 5*time.Second {
		t.Fatalf("fail-over took %s", s)
	}
	if err := pd.PresentWiegand(osdp.FormatH10301, 12, 3456); err != nil {
		t.Fatal(err)
	}
	// Checked in already: the decision does not matter, only that the new
	// holder turns the read into a check-in.
	waitFor(t, "check-in after fail-over", func() bool {
		var n int
		_ = other.app.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM check_ins`).Scan(&n)
		return n == 2
	})
	if n := sim.accepted.Load(); n != 2 {
		t.Fatalf("%d connections", n)
	}
}
