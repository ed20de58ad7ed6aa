package demo_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/demo"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// The demo timetable: courses booking their studios, full courses with wait
// lists, attendance history; no placeholder course bookings left holding rooms.
func TestDemoSeedsCourses(t *testing.T) {
	db := storetest.SQLite(t)
	a, err := app.New(app.Config{DB: db, Hash: auth.TestHashParams})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := db.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM courses WHERE status_cd = 'ACTIVE' AND booking_id IS NOT NULL`); n < 7 {
		t.Fatalf("%d booked active courses", n)
	}
	if n := count(`SELECT COUNT(*) FROM course_registrations WHERE status_cd = 'WAIT_LIST'`); n == 0 {
		t.Fatal("no wait lists")
	}
	if n := count(`SELECT COUNT(*) FROM course_attendance WHERE attended`); n < 50 {
		t.Fatalf("%d attendance marks", n)
	}
	if n := count(`SELECT COUNT(*) FROM resource_bookings WHERE booked_for_type = 'COURSE' AND booked_for_id IS NULL AND status_cd = 'CONFIRMED'`); n != 0 {
		t.Fatalf("%d placeholder course bookings still hold rooms", n)
	}
}
