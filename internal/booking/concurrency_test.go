package booking_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/booking"

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

// Two real `gatehouse serve` processes on one PostgreSQL schema, 50 requests
// for one slot spread over both: exactly one wins.
func TestFiftyRequestsAcrossTwoServeProcesses(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(app.Config{DB: db, Hash: auth.TestHashParams})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ent, _, err := a.Auth.Init(ctx, "Replica Club", "Europe/Berlin", "owner@replica.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	room, err := a.Booking.CreateResource(ctx, booking.Scope{EntityID: ent.ID, Location: loc}, booking.ResourceInput{Name: "Court 1", TypeCd: "AREA"})
	if err != nil {
		t.Fatal(err)
	}
	urls := apptest.ServeProcesses(t, dsn, 2)
	status, body := apptest.HTTP(t, "POST", urls[0]+"/api/auth/login", "", map[string]string{"email": "owner@replica.test", "password": "correct horse battery"})
	if status != 200 {
		t.Fatalf("login: %d %s", status, body)
	}
	var login struct{ Token string }
	_ = json.Unmarshal(body, &login)
	// The processes run on the real clock: book a slot the day after tomorrow.
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Hour)
	req := map[string]any{"resourceId": room.ID, "title": "Final", "bookedForType": "EVENT",
		"startDateTime": start.Format(time.RFC3339), "endDateTime": start.Add(time.Hour).Format(time.RFC3339)}
	got := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, b := apptest.HTTP(t, "POST", urls[i%2]+"/api/bookings", login.Token, req)
			mu.Lock()
			got[s]++
			mu.Unlock()
			if s != 201 && s != 409 {
				t.Errorf("unexpected %d: %s", s, b)
			}
		}()
	}
	wg.Wait()
	if got[201] != 1 || got[409] != 49 {
		t.Fatalf("answers %v, want one 201 and 49 × 409", got)
	}
}
