package osdpdoor_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// secureSite binds a secure reader at address 3 of line "k", served by a
// swappable simulator, and waits until it is provisioned.
func secureSite(t *testing.T, db *store.DB, keysets chan osdp.Key) (*site, *simServer, *pdsim.PD, int64) {
	t.Helper()
	s := newSite(t, db)
	pd := pdsim.New(pdsim.Config{Address: 3, OnKeySet: func(k osdp.Key) { keysets <- k }})
	sim := newSimServer(t, pd)
	s.bind(t, "k:3", map[string]any{"connection": sim.addr, "secure": true})
	waitFor(t, "secure reader provisioned", func() bool {
		r := s.reader(t)
		return r["online"] == true && r["secureChannel"] == true && r["keyStored"] == true &&
			s.count(t, `SELECT COUNT(*) FROM osdp_readers WHERE key_confirmed = TRUE`) == 1
	})
	waitFor(t, "secure channel up", func() bool {
		st := s.h.App.Readers.Adapter.Statuses(0)
		return len(st) == 1 && st[0].Online && st[0].SecureChannel
	})
	<-keysets
	return s, sim, pd, int64(s.reader(t)["id"].(float64))
}

func (s *site) storedKey(t *testing.T, id int64) osdp.Key {
	t.Helper()
	var sealed string
	if err := s.h.App.DB.QueryRowContext(context.Background(), `SELECT scbk_sealed FROM osdp_readers WHERE id = $1`, id).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	raw, err := s.keys.Open(sealed, fmt.Sprintf("osdp_reader:%d", id))
	if err != nil {
		t.Fatal(err)
	}
	var k osdp.Key
	copy(k[:], raw)
	return k
}

// Rotating a reader's key: the new key is stored, sent, and used when the
// reader reconnects.
func TestRekeyReader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		keysets := make(chan osdp.Key, 8)
		s, sim, pd, id := secureSite(t, db, keysets)
		old, _ := pd.Key()
		if r := s.h.Post(fmt.Sprintf("/api/access/readers/%d/rekey", id), s.o.Staff, nil); r.Status != http.StatusForbidden {
			t.Fatalf("staff rekey: %d", r.Status)
		}
		s.h.Must(s.h.Post("/api/access/readers/99999/rekey", s.o.Admin, nil), 404)
		s.h.Must(s.h.Post(fmt.Sprintf("/api/access/readers/%d/rekey", id), s.o.Admin, nil), 200)
		var k osdp.Key
		select {
		case k = <-keysets:
		case <-time.After(patience):
			t.Fatal("no KEYSET")
		}
		if k == old || k == osdp.DefaultKey {
			t.Fatal("the key did not change")
		}
		if got, _ := pd.Key(); got != k || s.storedKey(t, id) != k {
			t.Fatal("the reader and the stored key differ")
		}
		waitFor(t, "new key confirmed", func() bool {
			return s.count(t, `SELECT COUNT(*) FROM osdp_readers WHERE key_confirmed = TRUE AND online = TRUE`) == 1
		})
		if n := s.count(t, `SELECT COUNT(*) FROM outbox WHERE type = 'door.reader_rekeyed'`); n != 1 {
			t.Fatalf("%d door.reader_rekeyed events", n)
		}
		// Reconnect: the reader comes back under the new key, without KEYSET.
		sim.swap(pd)
		waitFor(t, "reconnected", func() bool { return sim.accepted.Load() == 2 })
		waitFor(t, "online under the new key", func() bool {
			st := s.h.App.Readers.Adapter.Statuses(0)
			return len(st) == 1 && st[0].Online && st[0].SecureChannel
		})
		select {
		case <-keysets:
			t.Fatal("the reader was re-keyed at the reconnect")
		default:
		}
	})
}

// Forgetting a reader's key: a replacement reader in install mode is
// provisioned afresh.
func TestClearReaderKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		keysets := make(chan osdp.Key, 8)
		s, sim, _, id := secureSite(t, db, keysets)
		// The reader is replaced by a factory-new one: the stored key fails.
		fresh := pdsim.New(pdsim.Config{Address: 3, OnKeySet: func(k osdp.Key) { keysets <- k }})
		sim.swap(fresh)
		waitFor(t, "replacement refused", func() bool { return sim.accepted.Load() >= 2 && s.reader(t)["online"] == false })
		time.Sleep(300 * time.Millisecond)
		if _, ok := fresh.Key(); ok {
			t.Fatal("the replacement got a key before the old one was cleared")
		}
		s.h.Must(s.h.Do(apptest.Request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/access/readers/%d/key", id), Token: s.o.Admin}), 204)
		if n := s.count(t, `SELECT COUNT(*) FROM outbox WHERE type = 'door.reader_key_cleared'`); n != 1 {
			t.Fatalf("%d door.reader_key_cleared events", n)
		}
		var k osdp.Key
		select {
		case k = <-keysets:
		case <-time.After(patience):
			t.Fatal("the replacement was not provisioned")
		}
		waitFor(t, "replacement online", func() bool {
			r := s.reader(t)
			return r["online"] == true && r["secureChannel"] == true && r["keyStored"] == true
		})
		if s.storedKey(t, id) != k {
			t.Fatal("the stored key is not the replacement's")
		}
		s.h.Must(s.h.Do(apptest.Request{Method: http.MethodDelete, Path: "/api/access/readers/99999/key", Token: s.o.Admin}), 404)
	})
}
