package integration_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/hal/kisi/kisitest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// TestRecurringBookingRollingWindow: a weekly series gets a vendor grant for
// one occurrence at a time (start−lead … end+lag in the organisation's time
// zone, across a DST change); when that window ends a scheduled follow-up
// moves it to the next occurrence, a cancelled occurrence is skipped, and
// after the last occurrence the grant is revoked. The reconciler agrees with
// the same window and repairs a lost follow-up.
func TestRecurringBookingRollingWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := kisitest.New(apiKey)
		defer f.Close()
		h := harness(t, db)
		o := h.NewOrg("Club")
		configure(t, h, o.Admin, f) // lead 15, lag 10

		// Wednesdays 10:00–11:00 Berlin: 17 and 24 March 2027 are CET
		// (09:00Z), 31 March and 7 April CEST (08:00Z).
		berlin, _ := time.LoadLocation("Europe/Berlin")
		first := time.Date(2027, 3, 17, 10, 0, 0, 0, berlin)
		room := apptest.ID(h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Studio", "typeCd": "ROOM"}), 201))
		id := apptest.ID(h.Must(h.Post("/api/bookings", o.Staff, map[string]any{"resourceId": room, "title": "Weekly", "bookedForType": "MEMBER",
			"bookedForId": o.MemberID, "startDateTime": first.Format(time.RFC3339), "endDateTime": first.Add(time.Hour).Format(time.RFC3339),
			"recurrenceRule": "FREQ=WEEKLY;COUNT=4"}), 201))

		utc := func(d, hh, mm int) time.Time {
			return time.Date(2027, time.Month(3+(d-1)/31), (d-1)%31+1, hh, mm, 0, 0, time.UTC)
		}
		// holds waits until the vendor holds exactly one assignment with this window.
		holds := func(what string, from, until time.Time) {
			t.Helper()
			eventually(t, what, func() bool {
				as := f.Assignments()
				return len(as) == 1 && as[0].ValidFrom.Equal(from) && as[0].ValidUntil.Equal(until)
			})
		}
		followUp := func() map[string]any {
			t.Helper()
			jobs := h.Must(h.Get("/api/integrations/access/jobs?status=PENDING", o.Admin), 200)
			for _, it := range jobs["items"].([]any) {
				if j := it.(map[string]any); j["scheduled"] == true {
					return j
				}
			}
			return nil
		}
		// Sessions expire when the clock jumps weeks ahead: log in again.
		setClock := func(tm time.Time) {
			h.Clock.Set(tm)
			o.Admin = h.Login(o.Emails["CLUB_ADMIN"], apptest.Password)
		}
		at := func(j map[string]any, k string) time.Time {
			tm, _ := time.Parse(time.RFC3339, j[k].(string))
			return tm
		}

		// 1. Only the first occurrence: 17 March 08:45Z–10:10Z, not the series.
		holds("grant for the first occurrence", utc(17, 8, 45), utc(17, 10, 10))
		var fu map[string]any
		eventually(t, "follow-up scheduled", func() bool { fu = followUp(); return fu != nil })
		if fu["kind"] != "MOVE" || !at(fu, "nextRunAt").Equal(utc(17, 10, 10)) || !at(fu, "validFrom").Equal(utc(24, 8, 45)) {
			t.Fatalf("follow-up %v", fu)
		}
		if st := h.Must(h.Get("/api/integrations/access/status", o.Admin), 200); st["pendingJobs"].(float64) != 0 || st["scheduledJobs"].(float64) != 1 {
			t.Fatalf("status %v", st)
		}
		// The reconciler agrees: nothing to repair.
		if r := h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200); r["grantsQueued"].(float64) != 0 ||
			r["movesQueued"].(float64) != 0 || r["revokesQueued"].(float64) != 0 {
			t.Fatalf("reconcile %v", r)
		}

		// 2. Cancelling 24 March: the follow-up now leads to 31 March (CEST: 07:45Z).
		h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/cancel", id), o.Staff, map[string]any{"occurrenceStart": utc(24, 9, 0).Format(time.RFC3339)}), 200)
		eventually(t, "follow-up re-planned", func() bool {
			fu = followUp()
			return fu != nil && at(fu, "validFrom").Equal(utc(31, 7, 45))
		})
		holds("first occurrence still held", utc(17, 8, 45), utc(17, 10, 10))

		// 3. The first window ends: the grant moves to 31 March, skipping the 24th.
		setClock(utc(17, 10, 11))
		holds("grant moved to 31 March", utc(31, 7, 45), utc(31, 9, 10))
		eventually(t, "next follow-up", func() bool {
			fu = followUp()
			return fu != nil && at(fu, "nextRunAt").Equal(utc(31, 9, 10)) && at(fu, "validFrom").Equal(utc(38, 7, 45))
		})

		// 4. A lost follow-up (deleted behind our back) is repaired by the
		// reconciler, which computes the same window.
		if _, err := db.ExecContext(context.Background(), `DELETE FROM access_jobs WHERE booking_id = $1 AND status = 'PENDING'`, id); err != nil {
			t.Fatal(err)
		}
		setClock(utc(31, 9, 11))
		r := h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200)
		if r["movesQueued"].(float64) != 1 || r["revokesQueued"].(float64) != 0 {
			t.Fatalf("reconcile after a lost follow-up %v", r)
		}
		holds("grant moved to 7 April", utc(38, 7, 45), utc(38, 9, 10))

		// 5. After the last occurrence the grant is revoked.
		eventually(t, "revoke follow-up", func() bool { fu = followUp(); return fu != nil && fu["kind"] == "REVOKE" })
		setClock(utc(38, 9, 11))
		eventually(t, "revoked after the series", func() bool { return len(f.Assignments()) == 0 })
		eventually(t, "no active credential", func() bool {
			var n int
			_ = db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM access_credentials WHERE booking_id = $1 AND is_active = TRUE`, id).Scan(&n)
			return n == 0
		})
		if r := h.Must(h.Post("/api/integrations/access/reconcile", o.Admin, map[string]any{}), 200); r["grantsQueued"].(float64) != 0 || r["movesQueued"].(float64) != 0 {
			t.Fatalf("reconcile after the series %v", r)
		}
		if f.Creates() != 3 {
			t.Fatalf("%d vendor grants, want 3 (17 and 31 March, 7 April)", f.Creates())
		}
	})
}
