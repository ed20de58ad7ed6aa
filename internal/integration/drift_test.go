package integration_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal/openpath/openpathtest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// TestReconcileFindsOpenpathDrift: the reconciler lists what Openpath holds
// (integration.Lister): a credential an administrator deleted in the Alta
// console is granted again, and one we revoked that Openpath still holds is
// revoked again.
func TestReconcileFindsOpenpathDrift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := openpathtest.New()
		defer f.Close()
		h := harness(t, db)
		o := h.NewOrg("Openpath drift club")
		settings := f.Settings()
		settings["leadMinutes"], settings["lagMinutes"] = 15, 10
		h.Must(h.Post("/api/integrations/access/configure", o.Admin, map[string]any{"provider": "OPENPATH", "apiKey": f.Password, "isEnabled": true, "settings": settings}), 200)

		berlin, _ := time.LoadLocation("Europe/Berlin")
		lost := book(t, h, o, time.Date(2026, 12, 2, 10, 0, 0, 0, berlin))
		stale := book(t, h, o, time.Date(2026, 12, 3, 10, 0, 0, 0, berlin))
		active := func(booking int64) string {
			var ext string
			_ = db.QueryRowContext(ctx, `SELECT external_credential_id FROM access_credentials WHERE booking_id = $1 AND is_active = TRUE`, booking).Scan(&ext)
			return ext
		}
		var lostExt, staleExt string
		eventually(t, "both grants recorded", func() bool {
			lostExt, staleExt = active(lost), active(stale)
			return lostExt != "" && staleExt != "" && f.CredentialCount() == 2
		})
		// The vendor down: a 503 problem naming it, not a 500.
		f.Down(true)
		if p := h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 503); !strings.Contains(p["detail"].(string), "OPENPATH") {
			t.Fatalf("reconcile with the vendor down: %v", p)
		}
		f.Down(false)
		// Nothing drifted yet: the reconciler agrees with the vendor.
		r := h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200)
		if r["missingAtVendor"].(float64) != 0 || r["revokedAtVendor"].(float64) != 0 {
			t.Fatalf("reconcile without drift %v", r)
		}

		// Drift 1: deleted in the console. Drift 2: our records say revoked
		// (the booking cancelled, say, while the revoke was lost), the
		// vendor still holds it.
		if !f.DeleteCredential(lostExt) {
			t.Fatalf("fake has no %s", lostExt)
		}
		if _, err := db.ExecContext(ctx, `UPDATE resource_bookings SET status_cd = 'CANCELLED' WHERE id = $1`, stale); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE access_credentials SET is_active = FALSE, revoked_at = $1 WHERE booking_id = $2`, h.Clock.Now(), stale); err != nil {
			t.Fatal(err)
		}
		r = h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200)
		if r["missingAtVendor"].(float64) != 1 || r["revokedAtVendor"].(float64) != 1 {
			t.Fatalf("reconcile %v", r)
		}
		if ok, _, _ := f.HasMobileCredential(fmt.Sprintf("gatehouse-%d", stale)); ok {
			t.Fatal("the stale credential is still held")
		}
		eventually(t, "re-grant", func() bool {
			ok, _, _ := f.HasMobileCredential(fmt.Sprintf("gatehouse-%d", lost))
			ext := active(lost)
			return ok && ext != "" && ext != lostExt && f.CredentialCount() == 1
		})
		logs := h.Must(h.Get(fmt.Sprintf("/api/integrations/access/logs?bookingId=%d", lost), o.Admin), 200)
		missing := false
		for _, it := range logs["items"].([]any) {
			if m := it.(map[string]any); m["action"] == "RECONCILE" && m["outcome"] == "MISSING" {
				missing = true
			}
		}
		if !missing {
			t.Fatalf("no RECONCILE MISSING log: %v", logs)
		}

		// Repaired: a further run finds nothing.
		r = h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200)
		if r["missingAtVendor"].(float64) != 0 || r["revokedAtVendor"].(float64) != 0 || r["grantsQueued"].(float64) != 0 {
			t.Fatalf("reconcile after repair %v", r)
		}
	})
}
