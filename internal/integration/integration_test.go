package integration_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/hal/kisi/kisitest"
	"github.com/gatehouse/gatehouse/internal/integration"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

const apiKey = "kisi-test-key-7f3a9c1e5b"

func TestMain(m *testing.M) {
	integration.BaseBackoff = 20 * time.Millisecond
	integration.MaxBackoff = 100 * time.Millisecond
	integration.Poll = 20 * time.Millisecond
	integration.CallTimeout = 300 * time.Millisecond
	integration.Lease = 2 * time.Second
	os.Exit(m.Run())
}

func keyring(t *testing.T) *secret.Keyring {
	k, err := secret.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func harness(t *testing.T, db *store.DB) *apptest.Harness {
	k := keyring(t)
	return apptest.New(t, db, func(c *app.Config) { c.Secrets = k })
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func configure(t *testing.T, h *apptest.Harness, token string, f *kisitest.Fake) {
	h.Must(h.Post("/api/integrations/access/configure", token, map[string]any{"provider": "KISI", "apiKey": f.Key, "isEnabled": true,
		"settings": map[string]any{"baseUrl": f.URL, "groupId": 7, "leadMinutes": 15, "lagMinutes": 10}}), 200)
}

func book(t *testing.T, h *apptest.Harness, o *apptest.Org, start time.Time) int64 {
	room := apptest.ID(h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": fmt.Sprintf("Room %d", start.Unix()), "typeCd": "ROOM"}), 201))
	return apptest.ID(h.Must(h.Post("/api/bookings", o.Staff, map[string]any{"resourceId": room, "title": "Desk", "bookedForType": "MEMBER", "bookedForId": o.MemberID,
		"startDateTime": start.Format(time.RFC3339), "endDateTime": start.Add(time.Hour).Format(time.RFC3339)}), 201))
}

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := kisitest.New(apiKey)
		defer f.Close()
		h := harness(t, db)
		o := h.NewOrg("Club")
		configure(t, h, o.Admin, f)

		// 10:00 Berlin on 2 Dec 2026 = 09:00Z; lead 15, lag 10.
		berlin, _ := time.LoadLocation("Europe/Berlin")
		start := time.Date(2026, 12, 2, 10, 0, 0, 0, berlin)
		id := book(t, h, o, start)
		eventually(t, "grant", func() bool { return len(f.Assignments()) == 1 })
		a := f.Assignments()[0]
		if !a.ValidFrom.Equal(time.Date(2026, 12, 2, 8, 45, 0, 0, time.UTC)) || !a.ValidUntil.Equal(time.Date(2026, 12, 2, 10, 10, 0, 0, time.UTC)) {
			t.Fatalf("window %v – %v", a.ValidFrom, a.ValidUntil)
		}
		// The vendor holds the grant a moment before the worker records it.
		eventually(t, "credential record", func() bool {
			creds := h.Must(h.Get(fmt.Sprintf("/api/integrations/access/credentials?memberId=%d", o.MemberID), o.Admin), 200)
			return creds["totalItems"].(float64) == 1
		})

		// Reschedule moves the window (new assignment, old one gone).
		ns := start.Add(2 * time.Hour)
		h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/reschedule", id), o.Staff, map[string]any{"startDateTime": ns.Format(time.RFC3339), "endDateTime": ns.Add(time.Hour).Format(time.RFC3339)}), 200)
		eventually(t, "move", func() bool {
			as := f.Assignments()
			return len(as) == 1 && as[0].ValidFrom.Equal(time.Date(2026, 12, 2, 10, 45, 0, 0, time.UTC))
		})

		// Vendor down (500, then 429 with Retry-After 0) while cancelling: eventually revoked.
		f.Fail(500, 3, "")
		h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/cancel", id), o.Staff, map[string]any{}), 200)
		eventually(t, "revoke", func() bool { return len(f.Assignments()) == 0 })

		// A second booking with 429 + timeouts during grant: exactly one assignment.
		f.Fail(429, 2, "0")
		f.SetLatency(500 * time.Millisecond) // > CallTimeout: the first tries time out
		id2 := book(t, h, o, start.Add(24*time.Hour))
		time.Sleep(700 * time.Millisecond)
		f.SetLatency(0)
		eventually(t, "grant after failures", func() bool { return len(f.Assignments()) == 1 })
		time.Sleep(200 * time.Millisecond)
		if n := len(f.Assignments()); n != 1 {
			t.Fatalf("%d assignments: duplicate grants", n)
		}
		logs := h.Must(h.Get("/api/integrations/access/logs?outcome=RETRY", o.Admin), 200)
		if logs["totalItems"].(float64) < 1 {
			t.Fatalf("no retries logged: %v", logs)
		}

		// Drift: the vendor loses the assignment; reconcile re-grants.
		f.RemoveAssignment(f.Assignments()[0].ID)
		r := h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200)
		if r["missingAtVendor"].(float64) != 1 {
			t.Fatalf("reconcile %v", r)
		}
		eventually(t, "re-grant", func() bool { return len(f.Assignments()) == 1 })

		// Completion revokes.
		if _, err := db.ExecContext(context.Background(), `UPDATE resource_bookings SET status_cd = 'COMPLETED' WHERE id = $1`, id2); err != nil {
			t.Fatal(err)
		}
		h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200)
		eventually(t, "revoke after completion", func() bool { return len(f.Assignments()) == 0 })

		// The key is nowhere in clear: DB row, responses, logs, errors.
		var sealed, settings string
		if err := db.QueryRowContext(context.Background(), `SELECT api_key_sealed, settings FROM access_integrations WHERE entity_id = $1`, o.ID).Scan(&sealed, &settings); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, apiKey) || strings.Contains(settings, apiKey) || !strings.HasPrefix(sealed, "gh1:") {
			t.Fatal("API key stored in clear")
		}
		for _, p := range []string{"/api/integrations/access/status", "/api/integrations/access/logs?size=200", "/api/integrations/access/jobs?size=200", "/api/integrations/access/credentials"} {
			if r := h.Get(p, o.Admin); r.Status != 200 || strings.Contains(string(r.Body), apiKey) {
				t.Fatalf("%s: %d or reveals the key", p, r.Status)
			}
		}
		var leaked int
		_ = db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM access_logs WHERE detail LIKE $1`, "%"+apiKey+"%").Scan(&leaked)
		if leaked > 0 {
			t.Fatal("log reveals the key")
		}
		st := h.Must(h.Get("/api/integrations/access/status", o.Admin), 200)
		if st["configured"] != true || st["provider"] != "KISI" || st["isEnabled"] != true {
			t.Fatal(st)
		}
	})
}

func TestRestartPicksUpPendingJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := kisitest.New(apiKey)
		defer f.Close()
		k := keyring(t)
		h1 := apptest.New(t, db, func(c *app.Config) { c.Secrets = k })
		o := h1.NewOrg("Club")
		configure(t, h1, o.Admin, f)
		f.Fail(503, 1_000_000, "")
		book(t, h1, o, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		eventually(t, "a failed attempt", func() bool {
			var n int
			_ = db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM access_jobs WHERE status = 'PENDING' AND attempts > 0`).Scan(&n)
			return n == 1
		})
		jobs := h1.Must(h1.Get("/api/integrations/access/jobs?status=PENDING", o.Admin), 200)
		if jobs["totalItems"].(float64) != 1 {
			t.Fatal(jobs)
		}
		// A new instance on the same database (the first one keeps failing).
		h2 := apptest.New(t, db, func(c *app.Config) { c.Secrets = k })
		f.Fail(0, 0, "")
		eventually(t, "grant by either instance", func() bool { return len(f.Assignments()) == 1 })
		_ = h2
		time.Sleep(300 * time.Millisecond)
		if f.Creates() != 1 {
			t.Fatalf("%d creates", f.Creates())
		}
	})
}

func TestEndpointsRolesIsolationAndInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := kisitest.New(apiKey)
		defer f.Close()
		h := harness(t, db)
		a := h.NewOrg("A")
		b := h.NewOrg("B")
		for _, tok := range []string{a.Staff, a.Trainer, a.Member} {
			if r := h.Get("/api/integrations/access/status", tok); r.Status != 403 {
				t.Fatalf("status as non-admin: %d", r.Status)
			}
		}
		if r := h.Get("/api/integrations/access/status", ""); r.Status != 401 {
			t.Fatal(r.Status)
		}
		bad := []map[string]any{
			{"provider": "NOPE", "apiKey": apiKey, "settings": map[string]any{"groupId": 1}},
			{"provider": "KISI", "apiKey": "short", "settings": map[string]any{"groupId": 1}},
			{"provider": "KISI", "apiKey": "has spaces in it", "settings": map[string]any{"groupId": 1}},
			{"provider": "KISI", "apiKey": apiKey, "settings": map[string]any{}},
			{"provider": "KISI", "apiKey": apiKey, "settings": map[string]any{"groupId": 1, "baseUrl": "nope"}},
			{"provider": "KISI", "apiKey": apiKey, "settings": map[string]any{"groupId": 1, "leadMinutes": -1}},
		}
		for _, body := range bad {
			if r := h.Post("/api/integrations/access/configure", a.Admin, body); r.Status != 422 || strings.Contains(string(r.Body), apiKey) {
				t.Errorf("%v: %d %s", body, r.Status, r.Body)
			}
		}
		if r := h.Post("/api/integrations/access/reconcile", a.Admin, map[string]any{}); r.Status != 409 {
			t.Fatalf("reconcile unconfigured: %d", r.Status)
		}
		configure(t, h, a.Admin, f)
		if st := h.Must(h.Get("/api/integrations/access/status", b.Admin), 200); st["configured"] != false {
			t.Fatalf("org B sees A's integration: %v", st)
		}
		// Disable: no grants, reconcile 409.
		h.Must(h.Post("/api/integrations/access/configure", a.Admin, map[string]any{"provider": "KISI", "apiKey": apiKey + "2", "isEnabled": false,
			"settings": map[string]any{"baseUrl": f.URL, "groupId": 7}}), 200)
		if r := h.Post("/api/integrations/access/reconcile", a.Admin, map[string]any{}); r.Status != 409 {
			t.Fatalf("reconcile disabled: %d", r.Status)
		}
		book(t, h, a, time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		time.Sleep(200 * time.Millisecond)
		if len(f.Assignments()) != 0 {
			t.Fatal("granted while disabled")
		}
		// B's bookings never reach A's vendor; B's lists are empty.
		book(t, h, b, time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
		if c := h.Must(h.Get("/api/integrations/access/credentials", b.Admin), 200); c["totalItems"].(float64) != 0 {
			t.Fatal(c)
		}
	})
}
