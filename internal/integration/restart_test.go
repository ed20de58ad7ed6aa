package integration_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/hal/kisi/kisitest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func jobState(t *testing.T, db *store.DB, bookingID int64) (status string, attempts int) {
	t.Helper()
	err := db.QueryRowContext(context.Background(), `SELECT status, attempts FROM access_jobs WHERE booking_id = $1 AND kind = 'GRANT'`, bookingID).
		Scan(&status, &attempts)
	if err != nil && !store.IsNoRows(err) {
		t.Fatal(err)
	}
	return status, attempts
}

// TestRestartAfterFullStop: grant jobs fail while the vendor is down; the
// first instance is stopped completely (context cancelled, Wait returned); a
// new instance on the same database picks the job up once the vendor is back,
// and the vendor sees exactly one grant.
func TestRestartAfterFullStop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := kisitest.New(apiKey)
		defer f.Close()
		k := keyring(t)
		f.Fail(503, 1_000_000, "")
		var o *apptest.Org
		var bookingID int64
		t.Run("first instance", func(t *testing.T) {
			h1 := apptest.New(t, db, func(c *app.Config) { c.Secrets = k })
			o = h1.NewOrg("Club")
			configure(t, h1, o.Admin, f)
			bookingID = book(t, h1, o, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
			// Wait for two finished, logged attempts (the attempt counter rises
			// when a job is claimed, before its outcome is logged).
			eventually(t, "failed attempts", func() bool {
				st, _ := jobState(t, db, bookingID)
				var retries int
				_ = db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM access_logs WHERE booking_id = $1 AND outcome = 'RETRY'`, bookingID).Scan(&retries)
				return st == "PENDING" && retries >= 2
			})
			// apptest's cleanup cancels the app's context and waits for it.
		})
		if t.Failed() {
			return
		}
		// Nobody works on the job any more.
		_, before := jobState(t, db, bookingID)
		calls := f.Calls()
		time.Sleep(300 * time.Millisecond)
		if _, after := jobState(t, db, bookingID); after != before || f.Calls() != calls {
			t.Fatalf("the stopped instance still runs the job: attempts %d → %d, vendor calls %d → %d", before, after, calls, f.Calls())
		}
		if f.Creates() != 0 {
			t.Fatal("granted while the vendor was down")
		}

		f.Fail(0, 0, "")
		h2 := apptest.New(t, db, func(c *app.Config) { c.Secrets = k })
		eventually(t, "grant by the new instance", func() bool {
			st, _ := jobState(t, db, bookingID)
			return st == "DONE"
		})
		time.Sleep(300 * time.Millisecond)
		if f.Creates() != 1 || len(f.Assignments()) != 1 {
			t.Fatalf("%d creates, %d assignments", f.Creates(), len(f.Assignments()))
		}
		admin := h2.Login(o.Emails["CLUB_ADMIN"], apptest.Password)
		creds := h2.Must(h2.Get(fmt.Sprintf("/api/integrations/access/credentials?memberId=%d", o.MemberID), admin), 200)
		if creds["totalItems"].(float64) != 1 {
			t.Fatalf("credentials %v", creds)
		}
		ok := h2.Must(h2.Get(fmt.Sprintf("/api/integrations/access/logs?bookingId=%d&action=GRANT&outcome=SUCCESS", bookingID), admin), 200)
		retries := h2.Must(h2.Get(fmt.Sprintf("/api/integrations/access/logs?bookingId=%d&action=GRANT&outcome=RETRY", bookingID), admin), 200)
		if ok["totalItems"].(float64) != 1 || retries["totalItems"].(float64) < 2 {
			t.Fatalf("log: %v successes, %v retries", ok["totalItems"], retries["totalItems"])
		}
		if st := h2.Must(h2.Get("/api/integrations/access/status", admin), 200); st["pendingJobs"].(float64) != 0 {
			t.Fatal(st)
		}
	})
}

// TestRetryJobNow: "retry now" makes a job in a long back-off due at once, and
// re-queues a FAILED_PERMANENT grant; done jobs, other organisations' jobs and
// non-admins are refused.
func TestRetryJobNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := kisitest.New(apiKey)
		defer f.Close()
		h := harness(t, db)
		o := h.NewOrg("Club")
		other := h.NewOrg("Other")
		configure(t, h, o.Admin, f)
		f.Fail(503, 1_000_000, "")
		id := book(t, h, o, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
		eventually(t, "a failed attempt", func() bool { _, n := jobState(t, db, id); return n >= 1 })
		// A long back-off (as after many failures).
		if _, err := db.ExecContext(context.Background(), `UPDATE access_jobs SET next_run_at = $1 WHERE booking_id = $2`, time.Now().Add(time.Hour).UTC(), id); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // a claim in flight finishes
		if _, err := db.ExecContext(context.Background(), `UPDATE access_jobs SET next_run_at = $1 WHERE booking_id = $2`, time.Now().Add(time.Hour).UTC(), id); err != nil {
			t.Fatal(err)
		}
		f.Fail(0, 0, "")
		time.Sleep(200 * time.Millisecond)
		if st, _ := jobState(t, db, id); st != "PENDING" || f.Creates() != 0 {
			t.Fatalf("job ran before its back-off ended: %s", st)
		}
		jobs := h.Must(h.Get("/api/integrations/access/jobs?status=PENDING", o.Admin), 200)
		jobID := int64(jobs["items"].([]any)[0].(map[string]any)["id"].(float64))
		path := fmt.Sprintf("/api/integrations/access/jobs/%d/retry", jobID)

		for _, tok := range []string{o.Staff, o.Trainer, o.Member} {
			if r := h.Post(path, tok, map[string]any{}); r.Status != 403 {
				t.Fatalf("retry as non-admin: %d", r.Status)
			}
		}
		if r := h.Post(path, other.Admin, map[string]any{}); r.Status != 404 {
			t.Fatalf("retry another organisation's job: %d", r.Status)
		}
		if r := h.Post("/api/integrations/access/jobs/999999/retry", o.Admin, map[string]any{}); r.Status != 404 {
			t.Fatalf("retry unknown job: %d", r.Status)
		}
		// A job a worker holds right now is not made due a second time.
		if _, err := db.ExecContext(context.Background(), `UPDATE access_jobs SET leased_until = $1 WHERE id = $2`, time.Now().Add(time.Hour).UTC(), jobID); err != nil {
			t.Fatal(err)
		}
		if r := h.Post(path, o.Admin, map[string]any{}); r.Status != 409 {
			t.Fatalf("retry a running job: %d %s", r.Status, r.Body)
		}
		if _, err := db.ExecContext(context.Background(), `UPDATE access_jobs SET leased_until = NULL WHERE id = $1`, jobID); err != nil {
			t.Fatal(err)
		}
		j := h.Must(h.Post(path, o.Admin, map[string]any{}), 200)
		if next, _ := time.Parse(time.RFC3339, j["nextRunAt"].(string)); j["status"] != "PENDING" || next.After(time.Now().Add(time.Second)) {
			t.Fatalf("retried job %v", j)
		}
		eventually(t, "grant after retry", func() bool { st, _ := jobState(t, db, id); return st == "DONE" })
		if f.Creates() != 1 {
			t.Fatalf("%d creates", f.Creates())
		}
		if r := h.Post(path, o.Admin, map[string]any{}); r.Status != 409 {
			t.Fatalf("retry a done job: %d", r.Status)
		}

		// A rejected grant is FAILED_PERMANENT; retry queues it again.
		f.Fail(422, 1_000_000, "")
		id2 := book(t, h, o, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
		eventually(t, "permanent failure", func() bool { st, _ := jobState(t, db, id2); return st == "FAILED_PERMANENT" })
		f.Fail(0, 0, "")
		failed := h.Must(h.Get("/api/integrations/access/jobs?status=FAILED_PERMANENT", o.Admin), 200)
		fid := int64(failed["items"].([]any)[0].(map[string]any)["id"].(float64))
		j = h.Must(h.Post(fmt.Sprintf("/api/integrations/access/jobs/%d/retry", fid), o.Admin, map[string]any{}), 200)
		if j["status"] != "PENDING" {
			t.Fatal(j)
		}
		eventually(t, "grant after re-queue", func() bool { st, _ := jobState(t, db, id2); return st == "DONE" })
		if len(f.Assignments()) != 2 {
			t.Fatalf("%d assignments", len(f.Assignments()))
		}
	})
}
