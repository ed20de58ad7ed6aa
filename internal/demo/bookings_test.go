package demo_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/demo"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// The demo club has resources, maintenance windows, series and a week of bookings.
func TestDemoSeedsBookings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
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
		if n := count(`SELECT COUNT(*) FROM resources`); n < 8 {
			t.Errorf("%d resources", n)
		}
		if n := count(`SELECT COUNT(*) FROM resource_bookings WHERE recurrence_rule IS NOT NULL`); n < 5 {
			t.Errorf("%d series", n)
		}
		if n := count(`SELECT COUNT(*) FROM resource_bookings WHERE booked_for_type = 'MEMBER'`); n < 50 {
			t.Errorf("%d member bookings", n)
		}
		if n := count(`SELECT COUNT(*) FROM booking_slots WHERE kind = 'MAINTENANCE'`); n < 50 {
			t.Errorf("%d maintenance slots", n)
		}
	})
}
