package booking_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// race sends n identical booking requests at once, spread over the handlers,
// and counts the answers.
func race(t *testing.T, hs []*apptest.Harness, token string, body map[string]any, n int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			r := hs[i%len(hs)].Post("/api/bookings", token, body)
			mu.Lock()
			got[r.Status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return got
}

func TestFiftySimultaneousRequestsForOneSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() == store.Postgres {
			db.SQL().SetMaxOpenConns(16) // the test server is shared with other suites
		}
		f := setup(t, db)
		body := withDefaults(f, f.single("2026-11-23 10:00", "2026-11-23 11:00"))
		got := race(t, []*apptest.Harness{f.h}, f.o.Staff, body, 50)
		if got[201] != 1 || got[409] != 49 {
			t.Fatalf("answers %v, want one 201 and 49 × 409", got)
		}
		if n := f.h.Count("booking_slots"); n != 1 {
			t.Fatalf("%d slots held", n)
		}
		// Overlapping series race the same way.
		body = withDefaults(f, series("2026-11-24 09:00", "2026-11-24 10:00", "FREQ=DAILY;COUNT=30"))
		got = race(t, []*apptest.Harness{f.h}, f.o.Staff, body, 20)
		if got[201] != 1 || got[409] != 19 {
			t.Fatalf("series answers %v", got)
		}
	})
}

// Two app instances with their own connection pools on one PostgreSQL schema:
// the exclusion constraint, not process memory, decides.
func TestFiftyRequestsAcrossTwoInstances(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		// Separate, smaller pools: the test server is shared with other suites.
		db.SQL().SetMaxOpenConns(12)
		return db
	}
	db1, db2 := open(), open()
	f := setup(t, db1)
	h2 := apptest.New(t, db2)
	body := withDefaults(f, f.single("2026-11-23 10:00", "2026-11-23 11:00"))
	got := race(t, []*apptest.Harness{f.h, h2}, f.o.Staff, body, 50)
	if got[201] != 1 || got[409] != 49 {
		t.Fatalf("answers %v, want one 201 and 49 × 409", got)
	}
	var n int
	if err := db1.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM booking_slots`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d slots (%v)", n, err)
	}
}

// The database itself refuses overlapping slots, even when a writer skips the
// service's pre-check.
func TestDatabaseRefusesOverlapDirectly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.h.Must(f.book(f.o.Staff, f.single("2026-11-23 10:00", "2026-11-23 11:00")), 201)
		ctx := context.Background()
		ins := func(from, to string, active bool) error {
			_, err := db.ExecContext(ctx, `INSERT INTO booking_slots (entity_id, resource_id, kind, occurrence_start, start_at, end_at, active)
				VALUES ($1, $2, 'MAINTENANCE', $3, $3, $4, $5)`, f.o.ID, f.room, inst(from), inst(to), active)
			return err
		}
		if err := ins("2026-11-23 10:59", "2026-11-23 12:00", true); err == nil {
			t.Fatal("overlapping insert accepted")
		}
		if err := ins("2026-11-23 09:00", "2026-11-23 12:00", true); err == nil {
			t.Fatal("containing insert accepted")
		}
		if err := ins("2026-11-23 11:00", "2026-11-23 12:00", true); err != nil {
			t.Fatalf("adjacent insert refused: %v", err)
		}
		if err := ins("2026-11-23 10:30", "2026-11-23 11:30", false); err != nil {
			t.Fatalf("inactive insert refused: %v", err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE booking_slots SET active = TRUE WHERE NOT active`); err == nil {
			t.Fatal("activating an overlapping slot accepted")
		}
	})
}
