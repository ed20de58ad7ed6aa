package course_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/course"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// race registers 30 members at once for 10 seats, then cancels 5 seats at
// once; svcs are the services of one or more app instances on one database.
func race(t *testing.T, f *fixture, svcs []*course.Service) {
	t.Helper()
	ctx := context.Background()
	id := apptest.ID(f.course(map[string]any{"maxParticipants": 10, "waitListEnabled": true}))
	members := make([]int64, 30)
	for i := range members {
		members[i] = f.member()
	}
	sc := course.Scope{EntityID: f.o.ID, Location: berlin, Role: "STAFF", UserID: 1}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svcs[i%len(svcs)].Register(ctx, sc, id, m); err != nil {
				errs <- fmt.Errorf("register %d: %w", m, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	regs, err := svcs[0].Registrations(ctx, sc, id)
	if err != nil {
		t.Fatal(err)
	}
	var registered []int64
	var waiting []course.CourseRegistration
	for _, r := range regs {
		switch r.Status {
		case course.RegRegistered:
			registered = append(registered, r.MemberID)
		case course.RegWaitList:
			waiting = append(waiting, r)
		}
	}
	if len(registered) != 10 || len(waiting) != 20 {
		t.Fatalf("%d registered, %d waiting", len(registered), len(waiting))
	}
	for i, w := range waiting {
		if w.WaitListPosition == nil || *w.WaitListPosition != i+1 {
			t.Fatalf("wait list position %d: %v", i, w.WaitListPosition)
		}
		// Each registration's own answer agrees with the list.
	}
	// 5 seats freed at once: exactly the first 5 on the wait list move up.
	errs = make(chan error, 8)
	for i, m := range registered[:5] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svcs[i%len(svcs)].CancelRegistration(ctx, sc, id, m); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	after, err := svcs[0].Registrations(ctx, sc, id)
	if err != nil {
		t.Fatal(err)
	}
	var nowRegistered []int64
	stillWaiting := 0
	for _, r := range after {
		switch r.Status {
		case course.RegRegistered:
			nowRegistered = append(nowRegistered, r.MemberID)
		case course.RegWaitList:
			stillWaiting++
			if *r.WaitListPosition != stillWaiting {
				t.Fatalf("position after promotion: %d, want %d", *r.WaitListPosition, stillWaiting)
			}
		}
	}
	want := append(slices.Clone(registered[5:]), waiting[0].MemberID, waiting[1].MemberID, waiting[2].MemberID, waiting[3].MemberID, waiting[4].MemberID)
	slices.Sort(want)
	slices.Sort(nowRegistered)
	if !slices.Equal(want, nowRegistered) || stillWaiting != 15 {
		t.Fatalf("registered after cancellations %v, want %v (%d waiting)", nowRegistered, want, stillWaiting)
	}
	var promoted int
	if err := f.h.App.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE type = 'course.promoted' AND entity_id = $1`, f.o.ID).Scan(&promoted); err != nil {
		t.Fatal(err)
	}
	if promoted != 5 {
		t.Fatalf("%d course.promoted events, want 5", promoted)
	}
}

func TestConcurrentRegistrationAndPromotion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		race(t, f, []*course.Service{f.h.App.Courses})
	})
}

// Two app instances (replicas) on one PostgreSQL schema.
func TestPromotionAcrossReplicas(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	f := setup(t, open())
	other := apptest.New(t, open())
	race(t, f, []*course.Service{f.h.App.Courses, other.App.Courses})
}
