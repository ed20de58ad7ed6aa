package course_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// failCourseWrites installs a trigger that makes an UPDATE of a course named
// "Boom" fail: an error after the booking step, inside the course's
// transaction, as a crash between the steps would be.
func failCourseWrites(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	var stmts []string
	if db.Dialect() == store.Postgres {
		stmts = []string{
			`CREATE FUNCTION course_boom() RETURNS trigger AS $$ BEGIN IF NEW.name = 'Boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER course_boom BEFORE UPDATE ON courses FOR EACH ROW EXECUTE FUNCTION course_boom()`,
		}
	} else {
		stmts = []string{`CREATE TRIGGER course_boom BEFORE UPDATE ON courses WHEN NEW.name = 'Boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) busy(from, to string) int {
	f.h.T.Helper()
	a := f.h.Must(f.h.Get(fmt.Sprintf("/api/resources/%d/availability?from=%s&to=%s", f.room, url.QueryEscape(at(from)), url.QueryEscape(at(to))), f.o.Staff), 200)
	return len(list(a["busy"]))
}

// Creating a course and booking its sessions is one transaction: a conflict,
// or a failure after the booking was written, leaves neither a course nor a
// booking (nor their events).
func TestCourseCreateIsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		h.Must(h.Post("/api/bookings", f.o.Staff, map[string]any{"resourceId": f.room, "title": "Workshop", "bookedForType": "EVENT",
			"startDateTime": at("2026-11-25 07:00"), "endDateTime": at("2026-11-25 08:00")}), 201)
		courses, bookings, slots, events := h.Count("courses"), h.Count("resource_bookings"), h.Count("booking_slots"), h.Count("outbox")
		p := h.Must(h.Post("/api/courses", f.o.Admin, map[string]any{"name": "Yoga", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,WE,FR",
			"startTime": "07:00", "durationMinutes": 60, "resourceId": f.room, "endDate": "2026-12-31"}), 409)
		if cs := list(p["conflictingSessions"]); len(cs) != 1 || cs[0].(map[string]any)["sessionDate"] != "2026-11-25" || p["type"] == nil ||
			!strings.HasSuffix(p["type"].(string), "booking-conflict") {
			t.Fatalf("conflict %v", p)
		}
		if h.Count("courses") != courses || h.Count("resource_bookings") != bookings || h.Count("booking_slots") != slots || h.Count("outbox") != events {
			t.Fatal("a refused course left rows behind")
		}
		// A failure after the booking step rolls the booking back too.
		failCourseWrites(t, db)
		r := h.Post("/api/courses", f.o.Admin, map[string]any{"name": "Boom", "recurrenceRule": "FREQ=WEEKLY;BYDAY=TU",
			"startTime": "07:00", "durationMinutes": 60, "resourceId": f.room, "endDate": "2026-12-31"})
		if r.Status != 500 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		if h.Count("courses") != courses || h.Count("resource_bookings") != bookings || h.Count("booking_slots") != slots || h.Count("outbox") != events {
			t.Fatal("a failed course create left its booking behind")
		}
		if n := f.busy("2026-11-24 00:00", "2026-11-25 00:00"); n != 0 {
			t.Fatalf("Tuesday still held (%d)", n)
		}
	})
}

// A reschedule into a conflict changes nothing: the course (version included)
// and its booking stay as they were.
func TestRescheduleConflictChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		in := map[string]any{"name": "Yoga", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,WE,FR", "startTime": "07:00", "durationMinutes": 60,
			"resourceId": f.room, "endDate": "2026-12-31"}
		c := f.course(in)
		id, bid := apptest.ID(c), num(c["bookingId"])
		h.Must(h.Post("/api/bookings", f.o.Staff, map[string]any{"resourceId": f.room, "title": "Workshop", "bookedForType": "EVENT",
			"startDateTime": at("2026-11-24 09:00"), "endDateTime": at("2026-11-24 10:00")}), 201)
		before := h.Must(h.Get(fmt.Sprintf("/api/courses/%d", id), f.o.Admin), 200)
		bBefore := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", bid), f.o.Staff), 200)
		slots, bookings, events := h.Count("booking_slots"), h.Count("resource_bookings"), h.Count("outbox")
		in["recurrenceRule"], in["startTime"], in["version"] = "FREQ=WEEKLY;BYDAY=TU,TH", "09:30", 1
		p := h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 409)
		if cs := list(p["conflictingSessions"]); len(cs) != 1 || cs[0].(map[string]any)["sessionDate"] != "2026-11-24" {
			t.Fatalf("conflict %v", p)
		}
		after := h.Must(h.Get(fmt.Sprintf("/api/courses/%d", id), f.o.Admin), 200)
		for _, k := range []string{"version", "recurrenceRule", "startTime", "bookingId", "updatedAt", "statusCd"} {
			if fmt.Sprint(after[k]) != fmt.Sprint(before[k]) {
				t.Fatalf("%s changed: %v → %v", k, before[k], after[k])
			}
		}
		bAfter := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", bid), f.o.Staff), 200)
		if bAfter["statusCd"] != "CONFIRMED" || bAfter["version"] != bBefore["version"] {
			t.Fatalf("booking changed: %v → %v", bBefore, bAfter)
		}
		if h.Count("booking_slots") != slots || h.Count("resource_bookings") != bookings || h.Count("outbox") != events {
			t.Fatal("the refused reschedule left changes behind")
		}
		if n := f.busy("2026-11-23 00:00", "2026-11-24 00:00"); n != 1 {
			t.Fatalf("Monday's session no longer held (%d busy)", n)
		}
		// The same version still works (nothing was claimed).
		in["startTime"] = "11:00"
		if r := h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 200); r["version"].(float64) != 2 || num(r["bookingId"]) == bid {
			t.Fatalf("rescheduled %v", r)
		}
	})
}

// Pausing releases the future sessions in the course's own transaction: the
// slots are free as soon as the PUT returns, and a pause that fails after the
// release keeps them held.
func TestPauseReleasesInOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		in := map[string]any{"name": "Yoga", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,WE,FR", "startTime": "07:00", "durationMinutes": 60,
			"resourceId": f.room, "endDate": "2026-12-31"}
		c := f.course(in)
		id, bid := apptest.ID(c), num(c["bookingId"])
		if n := f.busy("2026-11-23 00:00", "2026-11-30 00:00"); n != 3 {
			t.Fatalf("week busy %d, want 3", n)
		}
		// A pause that fails after the release (the course row's update) keeps everything.
		failCourseWrites(t, db)
		boom := map[string]any{}
		for k, v := range in {
			boom[k] = v
		}
		boom["name"], boom["statusCd"], boom["version"] = "Boom", "PAUSED", 1
		if r := h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, boom); r.Status != 500 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		if n := f.busy("2026-11-23 00:00", "2026-11-30 00:00"); n != 3 {
			t.Fatalf("a failed pause released the slots (%d busy)", n)
		}
		if b := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", bid), f.o.Staff), 200); b["statusCd"] != "CONFIRMED" {
			t.Fatalf("booking after failed pause %v", b)
		}
		// The real pause frees them at once.
		in["statusCd"], in["version"] = "PAUSED", 1
		p := h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 200)
		if p["statusCd"] != "PAUSED" || p["version"].(float64) != 2 {
			t.Fatalf("paused %v", p)
		}
		if n := f.busy("2026-11-23 00:00", "2026-11-30 00:00"); n != 0 {
			t.Fatalf("paused course still holds %d slots", n)
		}
		if b := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", bid), f.o.Staff), 200); b["statusCd"] != "CANCELLED" {
			t.Fatalf("booking after pause %v", b)
		}
		if ev := f.outbox(); ev["booking.cancelled"] != 1 || ev["course.updated"] != 1 {
			t.Fatalf("events %v", ev)
		}
	})
}

// Concurrent courses on the same slot: exactly one wins; every other create
// rolls back as a whole (PostgreSQL: the exclusion constraint's refusal is
// retried, and the retry's pre-check answers 409 with the sessions) and
// leaves no course and no booking behind.
func TestConcurrentCourseCreatesOnOneSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		courses, bookings := h.Count("courses"), h.Count("resource_bookings")
		const n = 8
		type res struct {
			status int
			body   map[string]any
		}
		out := make(chan res, n)
		for i := range n {
			go func() {
				r := h.Post("/api/courses", f.o.Admin, map[string]any{"name": fmt.Sprintf("C%d", i), "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO",
					"startTime": "07:00", "durationMinutes": 60, "resourceId": f.room, "endDate": "2026-12-31"})
				out <- res{r.Status, r.Map()}
			}()
		}
		won := 0
		for range n {
			r := <-out
			switch r.status {
			case 201:
				won++
			case 409:
				if _, ok := r.body["conflictingSessions"]; !ok || !strings.HasSuffix(fmt.Sprint(r.body["type"]), "booking-conflict") {
					t.Errorf("409 without conflictingSessions: %v", r.body)
				}
			default:
				t.Errorf("status %d: %v", r.status, r.body)
			}
		}
		if won != 1 || h.Count("courses") != courses+1 || h.Count("resource_bookings") != bookings+1 {
			t.Fatalf("won %d, courses %d→%d, bookings %d→%d", won, courses, h.Count("courses"), bookings, h.Count("resource_bookings"))
		}
	})
}
