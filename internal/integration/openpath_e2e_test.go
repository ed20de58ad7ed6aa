package integration_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal/openpath/openpathtest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// TestOpenpathEndToEnd: configure OPENPATH → a member booking is confirmed →
// the member's Alta user is in the access group and holds a mobile
// credential with the booking's window → rescheduled (a new credential, the
// old one revoked) → cancelled → revoked and out of the group; plus "test
// connection" and the settings the API refuses.
func TestOpenpathEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := openpathtest.New()
		defer f.Close()
		h := harness(t, db)
		o := h.NewOrg("Openpath club")

		settings := f.Settings()
		// Ids as text, the way the web form sends them.
		settings["orgId"], settings["groupId"] = fmt.Sprint(openpathtest.OrgID), fmt.Sprint(openpathtest.GroupID)
		settings["leadMinutes"], settings["lagMinutes"] = 30, 5
		for _, missing := range []string{"orgId", "email", "groupId"} {
			s := map[string]any{}
			for k, v := range settings {
				if k != missing {
					s[k] = v
				}
			}
			r := h.Post("/api/integrations/access/configure", o.Admin, map[string]any{"provider": "OPENPATH", "apiKey": f.Password, "settings": s})
			if r.Status != 422 || !strings.Contains(string(r.Body), "settings."+missing) || strings.Contains(string(r.Body), f.Password) {
				t.Fatalf("without %s: %d %s", missing, r.Status, r.Body)
			}
		}
		st := h.Must(h.Post("/api/integrations/access/configure", o.Admin, map[string]any{"provider": "openpath", "apiKey": f.Password, "isEnabled": true, "settings": settings}), 200)
		if st["provider"] != "OPENPATH" || st["isEnabled"] != true {
			t.Fatal(st)
		}
		tr := h.Must(h.Post("/api/integrations/access/test", o.Admin, map[string]any{}), 200)
		if tr["ok"] != true || tr["provider"] != "OPENPATH" {
			t.Fatalf("test connection: %v", tr)
		}

		// 10:00–11:00 Berlin on 2 Dec 2026 = 09:00–10:00Z; lead 30, lag 5.
		berlin, _ := time.LoadLocation("Europe/Berlin")
		id := book(t, h, o, time.Date(2026, 12, 2, 10, 0, 0, 0, berlin))
		name := fmt.Sprintf("gatehouse-%d", id)
		eventually(t, "openpath grant", func() bool { ok, _, _ := f.HasMobileCredential(name); return ok })
		if _, start, end := f.HasMobileCredential(name); start != "2026-12-02T08:30:00.000Z" || end != "2026-12-02T10:05:00.000Z" {
			t.Fatalf("window %s – %s", start, end)
		}
		ext := fmt.Sprintf("gatehouse-member-%d", o.MemberID)
		if !f.InGroup(ext) {
			t.Fatalf("%s is not in the group", ext)
		}
		var first string
		eventually(t, "credential recorded", func() bool {
			cr := h.Must(h.Get(fmt.Sprintf("/api/integrations/access/credentials?memberId=%d", o.MemberID), o.Admin), 200)
			items := cr["items"].([]any)
			if len(items) != 1 {
				return false
			}
			it := items[0].(map[string]any)
			first, _ = it["externalCredentialId"].(string)
			return it["provider"] == "OPENPATH" && it["isActive"] == true
		})

		// Reschedule: a new credential with the new window; the old one is
		// revoked by its external id.
		ns := time.Date(2026, 12, 2, 14, 0, 0, 0, berlin)
		h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/reschedule", id), o.Staff, map[string]any{"startDateTime": ns.Format(time.RFC3339), "endDateTime": ns.Add(time.Hour).Format(time.RFC3339)}), 200)
		eventually(t, "openpath move", func() bool {
			_, start, end := f.HasMobileCredential(name)
			return start == "2026-12-02T12:30:00.000Z" && end == "2026-12-02T14:05:00.000Z" && f.CredentialCount() == 1
		})
		eventually(t, "one active record", func() bool {
			var n int
			var ext string
			_ = db.QueryRowContext(context.Background(), `SELECT COUNT(*), MAX(external_credential_id) FROM access_credentials WHERE booking_id = $1 AND is_active = TRUE`, id).Scan(&n, &ext)
			return n == 1 && ext != first
		})

		h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/cancel", id), o.Staff, map[string]any{}), 200)
		eventually(t, "openpath revoke", func() bool { return f.CredentialCount() == 0 && !f.InGroup(ext) })
		eventually(t, "credentials inactive", func() bool {
			cr := h.Must(h.Get(fmt.Sprintf("/api/integrations/access/credentials?memberId=%d", o.MemberID), o.Admin), 200)
			for _, it := range cr["items"].([]any) {
				if it.(map[string]any)["isActive"] != false || it.(map[string]any)["revokedAt"] == nil {
					return false
				}
			}
			return true
		})
		logs := h.Must(h.Get(fmt.Sprintf("/api/integrations/access/logs?bookingId=%d&outcome=SUCCESS", id), o.Admin), 200)
		var actions []string
		for _, it := range logs["items"].([]any) {
			actions = append(actions, it.(map[string]any)["action"].(string))
		}
		if !slices.Equal(actions, []string{"REVOKE", "REVOKE", "GRANT", "GRANT"}) { // grant, move (grant + revoke old), cancel
			t.Fatalf("log actions %v", actions)
		}

		// Service down: the test says so, without the password.
		f.Down(true)
		tr = h.Must(h.Post("/api/integrations/access/test", o.Admin, map[string]any{}), 200)
		if tr["ok"] != false || !strings.Contains(tr["message"].(string), "503") || strings.Contains(tr["message"].(string), f.Password) {
			t.Fatalf("test while down: %v", tr)
		}
	})
}
