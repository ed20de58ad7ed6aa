package demo_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/demo"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// The demo club seeds quickly on both engines and has access data to show.
func TestDemoSeedsAccessData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, err := app.New(app.Config{DB: db, Hash: auth.TestHashParams})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := demo.Seed(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		// Seeding takes ~1–2 s on this machine; the bound only catches a pathological
		// slowdown (a tight one fails under -race on a loaded CI runner).
		d := time.Since(start)
		t.Logf("demo seeding took %v", d)
		if d > 60*time.Second {
			t.Errorf("demo seeding took %v", d)
		}
		counts := map[string]int{}
		for _, tb := range []string{"access_zones", "access_rules", "credentials", "check_ins"} {
			var n int
			if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+tb).Scan(&n); err != nil {
				t.Fatal(err)
			}
			counts[tb] = n
		}
		var denied int
		_ = db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM check_ins WHERE status_cd = 'DENIED'`).Scan(&denied)
		if counts["access_zones"] < 8 || counts["access_rules"] < 4 || counts["credentials"] < 200 || counts["check_ins"] < 1000 || denied == 0 {
			t.Fatalf("demo access data: %v, %d denials", counts, denied)
		}
		if _, err := demo.Seed(t.Context(), a); err != demo.ErrNotEmpty {
			t.Fatalf("second seed: %v", err)
		}
	})
}
