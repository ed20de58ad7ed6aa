package osdpdoor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal/generichttp"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// simServer serves simulated PDs on a loopback listener, counting accepted
// connections; the PDs on the line can be swapped (a replaced reader) and
// the current connection dropped.
type simServer struct {
	addr     string
	accepted atomic.Int64
	mu       sync.Mutex
	pds      []*pdsim.PD
	conn     net.Conn
}

func newSimServer(t testing.TB, pds ...*pdsim.PD) *simServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &simServer{addr: "tcp://" + ln.Addr().String(), pds: pds}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.mu.Lock()
			s.conn = c
			pds := append([]*pdsim.PD(nil), s.pds...)
			s.mu.Unlock()
			wg.Go(func() { _ = pdsim.Serve(ctx, c, pds...); _ = c.Close() })
		}
	})
	t.Cleanup(func() {
		cancel()
		_ = ln.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the simulator did not stop")
		}
	})
	return s
}

// swap replaces the PDs served on the next connection and drops the current one.
func (s *simServer) swap(pds ...*pdsim.PD) {
	s.mu.Lock()
	s.pds = pds
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// A door binding is checked by its adapter when it is saved: 422 naming the
// field, and nothing saved.
func TestDoorBindingIsValidated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		g, err := generichttp.New(generichttp.Config{Settings: json.RawMessage(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		s.h.App.Doors.Register(g)
		path := fmt.Sprintf("/api/access/zones/%d/door", s.zoneID)
		for _, c := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown provider", map[string]any{"provider": "NOPE"}, "provider"},
			{"bad connection", map[string]any{"provider": "OSDP", "externalDoorId": "front:1", "settings": map[string]any{"connection": "ftp://x"}}, "settings.connection"},
			{"connection without port", map[string]any{"provider": "OSDP", "externalDoorId": "front:1", "settings": map[string]any{"connection": "tcp://10.0.0.5"}}, "settings.connection"},
			{"no connection", map[string]any{"provider": "OSDP", "externalDoorId": "front:1"}, "settings.connection"},
			{"bad baud", map[string]any{"provider": "OSDP", "externalDoorId": "front:1", "settings": map[string]any{"connection": "tcp://127.0.0.1:4001", "baud": 1234}}, "settings.baud"},
			{"bad address", map[string]any{"provider": "OSDP", "externalDoorId": "front:200", "settings": map[string]any{"connection": "tcp://127.0.0.1:4001"}}, "externalDoorId"},
			{"no address", map[string]any{"provider": "OSDP", "settings": map[string]any{"connection": "tcp://127.0.0.1:4001"}}, "externalDoorId"},
			{"bad direction", map[string]any{"provider": "OSDP", "externalDoorId": "front:1", "settings": map[string]any{"connection": "tcp://127.0.0.1:4001", "direction": "UP"}}, "settings.direction"},
			{"main reader not listed", map[string]any{"provider": "OSDP", "externalDoorId": "front:1", "settings": map[string]any{"connection": "tcp://127.0.0.1:4001",
				"readers": []any{map[string]any{"address": 2, "direction": "OUT"}}}}, "externalDoorId"},
			{"reader twice", map[string]any{"provider": "OSDP", "externalDoorId": "front:1", "settings": map[string]any{"connection": "tcp://127.0.0.1:4001",
				"readers": []any{map[string]any{"address": 1}, map[string]any{"address": 1, "direction": "OUT"}}}}, "settings.readers[1].address"},
			{"generic http without base URL", map[string]any{"provider": "GENERIC_HTTP"}, "settings"},
		} {
			r := s.h.Put(path, s.o.Admin, c.body)
			if r.Status != 422 || !strings.Contains(string(r.Body), `"body.`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 422 naming %s", c.name, r.Status, r.Body, c.field)
			}
		}
		var provider string
		var ext *string
		if err := db.QueryRowContext(context.Background(), `SELECT door_provider, door_external_id FROM access_zones WHERE id = $1`, s.zoneID).Scan(&provider, &ext); err != nil {
			t.Fatal(err)
		}
		if provider != "SIMULATED" || ext != nil {
			t.Fatalf("an invalid binding was saved: %s %v", provider, ext)
		}
		if n := s.count(t, `SELECT COUNT(*) FROM outbox WHERE type = 'zone.door_bound'`); n != 0 {
			t.Fatalf("%d zone.door_bound events for invalid bindings", n)
		}
		// Valid forms are accepted.
		s.h.Must(s.h.Put(path, s.o.Admin, map[string]any{"provider": "OSDP", "externalDoorId": "front:1",
			"settings": map[string]any{"connection": "serial:///dev/ttyUSB0", "readers": []any{map[string]any{"address": 1}, map[string]any{"address": 2, "direction": "out"}}}}), 200)
	})
}

// An entry and an exit reader on one door (one multi-drop line): the entry
// read checks in, the exit read checks out.
func TestEntryAndExitReaderOnOneDoor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.member(t, 0, "WIEGAND", "H10301:12:3456")
		in, out := pdsim.New(pdsim.Config{Address: 1}), pdsim.New(pdsim.Config{Address: 2})
		sim := newSimServer(t, in, out)
		s.bind(t, "hall:1", map[string]any{"connection": sim.addr,
			"readers": []any{map[string]any{"address": 1, "direction": "IN"}, map[string]any{"address": 2, "direction": "OUT", "output": 1}}})
		waitFor(t, "both readers online", func() bool {
			var list []map[string]any
			s.h.Get("/api/access/readers", s.o.Staff).JSON(&list)
			return len(list) == 2 && list[0]["online"] == true && list[1]["online"] == true
		})
		occupancy := func() float64 {
			return s.h.Must(s.h.Get(fmt.Sprintf("/api/access/zones/%d/occupancy", s.zoneID), s.o.Staff), 200)["current"].(float64)
		}
		if err := in.PresentWiegand(osdp.FormatH10301, 12, 3456); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "entry relay", func() bool { return len(in.OutputCommands()) == 1 })
		if n := s.count(t, `SELECT COUNT(*) FROM check_ins WHERE status_cd = 'GRANTED' AND direction_cd = 'IN'`); n != 1 {
			t.Fatalf("%d granted check-ins", n)
		}
		if o := occupancy(); o != 1 {
			t.Fatalf("occupancy %v after the entry read", o)
		}
		if err := out.PresentWiegand(osdp.FormatH10301, 12, 3456); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "exit relay", func() bool { return len(out.OutputCommands()) == 1 })
		if o := out.OutputCommands()[0]; o.Output != 1 {
			t.Fatalf("exit relay %+v, want output 1", o)
		}
		if n := s.count(t, `SELECT COUNT(*) FROM check_ins WHERE checked_out_at IS NOT NULL`); n != 1 {
			t.Fatalf("%d check-outs", n)
		}
		if o := occupancy(); o != 0 {
			t.Fatalf("occupancy %v after the exit read", o)
		}
		if len(in.OutputCommands()) != 1 {
			t.Fatal("the exit read pulsed the entry reader")
		}
		if n := sim.accepted.Load(); n != 1 {
			t.Fatalf("%d connections for one line", n)
		}
	})
}
