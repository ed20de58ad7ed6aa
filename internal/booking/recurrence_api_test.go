package booking_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func series(from, to, rule string) map[string]any {
	return map[string]any{"startDateTime": at(from), "endDateTime": at(to), "recurrenceRule": rule}
}

func TestRecurringConflictsAreCheckedInFullIncludingYearTwo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		// A yearly booking whose second occurrence (Thursday 25 Nov 2027) is
		// the only one a weekly series meets.
		yearly := h.Must(f.book(o.Staff, series("2026-11-25 10:00", "2026-11-25 11:00", "FREQ=YEARLY;COUNT=3")), 201)
		yid := apptest.ID(yearly)
		// Single bookings elsewhere do not matter.
		h.Must(f.book(o.Staff, f.single("2026-12-01 12:00", "2026-12-01 13:00")), 201)
		weekly := series("2026-12-03 10:00", "2026-12-03 11:00", "FREQ=WEEKLY;BYDAY=TH;COUNT=60")
		p := h.Must(f.book(o.Staff, weekly), 409)
		cs := conflicts(p)
		if len(cs) != 1 || int64(cs[0]["bookingId"].(float64)) != yid || cs[0]["wantedStart"] != at("2027-11-25 10:00") || cs[0]["start"] != at("2027-11-25 10:00") {
			t.Fatalf("year-two conflict: %v", p)
		}
		// Unbounded: checked up to the horizon (2 years), so year two is covered too.
		p = h.Must(f.book(o.Staff, series("2026-12-03 10:00", "2026-12-03 11:00", "FREQ=WEEKLY;BYDAY=TH")), 409)
		if len(conflicts(p)) != 1 {
			t.Fatalf("unbounded: %v", p)
		}
		// skipConflicts creates the series without the colliding occurrence.
		weekly["title"] = "Weekly"
		c := h.Must(h.Post("/api/bookings?skipConflicts=true", o.Staff, withDefaults(f, weekly)), 201)
		sk := list(c["skipped"])
		if len(sk) != 1 || sk[0].(map[string]any)["start"] != at("2027-11-25 10:00") || !strings.Contains(fmt.Sprint(c["exDates"]), at("2027-11-25 10:00")) {
			t.Fatalf("skipped: %v", c)
		}
		week := f.occurrences(o.Staff, "2027-11-22 00:00", "2027-11-29 00:00")
		if len(week) != 1 || int64(week[0]["bookingId"].(float64)) != yid || week[0]["recurring"] != true {
			t.Fatalf("the skipped week shows %v", week)
		}
		if w := f.occurrences(o.Staff, "2027-11-29 00:00", "2027-12-06 00:00"); len(w) != 1 || w[0]["title"] != "Weekly" {
			t.Fatalf("the week after: %v", w)
		}
		// Recurring vs single: a single booking in week 5 of the series.
		p = h.Must(f.book(o.Staff, f.single("2026-12-31 10:30", "2026-12-31 11:30")), 409)
		if len(conflicts(p)) != 1 || int64(conflicts(p)[0]["bookingId"].(float64)) != apptest.ID(c) {
			t.Fatalf("single vs series: %v", p)
		}
		// Everything skipped: nothing created.
		before := h.Count("resource_bookings")
		h.Must(h.Post("/api/bookings?skipConflicts=true", o.Staff, withDefaults(f, series("2026-12-10 10:00", "2026-12-10 10:30", "FREQ=WEEKLY;COUNT=2"))), 409)
		if h.Count("resource_bookings") != before {
			t.Fatal("a refused series was written")
		}
	})
}

func withDefaults(f *fixture, b map[string]any) map[string]any {
	b["resourceId"] = f.room
	if b["bookedForType"] == nil {
		b["bookedForType"] = "EVENT"
	}
	if b["title"] == nil {
		b["title"] = "Session"
	}
	return b
}

func TestCancelAndMoveSingleOccurrences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		s := h.Must(f.book(o.Staff, series("2026-11-23 18:00", "2026-11-23 19:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=6")), 201)
		id := apptest.ID(s)
		path := fmt.Sprintf("/api/bookings/%d", id)
		// Cancel the second occurrence: its slot is free at once.
		c := h.Must(h.Post(path+"/cancel", o.Staff, map[string]any{"occurrenceStart": at("2026-11-30 18:00")}), 200)
		if c["statusCd"] != "CONFIRMED" || len(list(c["exDates"])) != 1 {
			t.Fatalf("cancel one: %v", c)
		}
		h.Must(f.book(o.Staff, f.single("2026-11-30 18:00", "2026-11-30 19:00")), 201)
		// Move the third to Wednesday.
		m := h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"occurrenceStart": at("2026-12-07 18:00"),
			"startDateTime": at("2026-12-09 17:00"), "endDateTime": at("2026-12-09 18:30")}), 200)
		if ov := list(m["overrides"]); len(ov) != 1 || ov[0].(map[string]any)["start"] != at("2026-12-09 17:00") {
			t.Fatalf("move: %v", m)
		}
		week := f.occurrences(o.Staff, "2026-12-07 00:00", "2026-12-14 00:00")
		if len(week) != 1 || week[0]["start"] != at("2026-12-09 17:00") || week[0]["moved"] != true {
			t.Fatalf("week of the move: %v", week)
		}
		h.Must(f.book(o.Staff, f.single("2026-12-07 18:00", "2026-12-07 19:00")), 201) // the old time is free
		h.Must(f.book(o.Staff, f.single("2026-12-09 18:00", "2026-12-09 19:00")), 409) // the new one is held
		// Move it again, by its current start; then cancel it.
		h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"occurrenceStart": at("2026-12-09 17:00"),
			"startDateTime": at("2026-12-10 17:00"), "endDateTime": at("2026-12-10 18:00")}), 200)
		h.Must(f.book(o.Staff, f.single("2026-12-09 17:00", "2026-12-09 18:00")), 201)
		h.Must(h.Post(path+"/cancel", o.Staff, map[string]any{"occurrenceStart": at("2026-12-10 17:00")}), 200)
		if w := f.occurrences(o.Staff, "2026-12-10 00:00", "2026-12-11 00:00"); len(w) != 0 {
			t.Fatalf("cancelled moved occurrence still shows: %v", w)
		}
		// Reschedule into a conflict: nothing changes.
		before := h.Must(h.Get(path, o.Staff), 200)
		slots := h.Count("booking_slots")
		events := len(eventTypes(t, db, o.ID))
		p := h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"occurrenceStart": at("2026-12-14 18:00"),
			"startDateTime": at("2026-11-30 18:30"), "endDateTime": at("2026-11-30 19:30")}), 409)
		if len(conflicts(p)) != 1 {
			t.Fatalf("reschedule conflict: %v", p)
		}
		after := h.Must(h.Get(path, o.Staff), 200)
		if fmt.Sprint(before) != fmt.Sprint(after) || h.Count("booking_slots") != slots || len(eventTypes(t, db, o.ID)) != events {
			t.Fatalf("a refused reschedule changed something:\n%v\n%v", before, after)
		}
		// The 14 Dec occurrence is still held where it was.
		h.Must(f.book(o.Staff, f.single("2026-12-14 18:30", "2026-12-14 18:45")), 409)
		// Bad occurrence starts.
		h.Must(h.Post(path+"/cancel", o.Staff, map[string]any{"occurrenceStart": at("2026-12-14 18:01")}), 422)
		h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"occurrenceStart": at("2026-12-15 18:00"),
			"startDateTime": at("2026-12-16 17:00"), "endDateTime": at("2026-12-16 18:00")}), 422)
		types := strings.Join(eventTypes(t, db, o.ID), ",")
		for _, want := range []string{"booking.confirmed", "booking.cancelled", "booking.rescheduled"} {
			if !strings.Contains(types, want) {
				t.Errorf("no %s in %s", want, types)
			}
		}
		ev := lastEvent(t, db, o.ID, "booking.rescheduled")
		if !strings.Contains(ev, `"from":{"start":"`+at("2026-12-09 17:00")) || !strings.Contains(ev, `"scope":"OCCURRENCE"`) {
			t.Fatalf("rescheduled event: %s", ev)
		}
		// Cancel the whole series: everything from now on is free.
		h.Must(h.Post(path+"/cancel", o.Staff, nil), 200)
		h.Must(f.book(o.Staff, f.single("2026-12-21 18:00", "2026-12-21 19:00")), 201)
		h.Must(h.Post(path+"/cancel", o.Staff, nil), 409)
	})
}

func TestRescheduleSingleBookingAndSeries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		a := h.Must(f.book(o.Staff, f.single("2026-11-23 10:00", "2026-11-23 11:00")), 201)
		h.Must(f.book(o.Staff, f.single("2026-11-23 12:00", "2026-11-23 13:00")), 201)
		path := fmt.Sprintf("/api/bookings/%d", apptest.ID(a))
		// Into a conflict: nothing changes, the old slot stays held.
		h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"startDateTime": at("2026-11-23 11:30"), "endDateTime": at("2026-11-23 12:30")}), 409)
		h.Must(f.book(o.Staff, f.single("2026-11-23 10:00", "2026-11-23 10:30")), 409)
		// Overlapping its own old time is fine (moving by half an hour).
		r := h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"startDateTime": at("2026-11-23 10:30"), "endDateTime": at("2026-11-23 11:30")}), 200)
		if r["startDateTime"] != at("2026-11-23 10:30") || r["version"].(float64) != 2 {
			t.Fatalf("rescheduled: %v", r)
		}
		h.Must(f.book(o.Staff, f.single("2026-11-23 10:00", "2026-11-23 10:30")), 201)
		// A whole series can be moved before it starts.
		s := h.Must(f.book(o.Staff, series("2026-11-24 08:00", "2026-11-24 09:00", "FREQ=DAILY;COUNT=5")), 201)
		sp := fmt.Sprintf("/api/bookings/%d", apptest.ID(s))
		h.Must(h.Post(sp+"/reschedule", o.Staff, map[string]any{"startDateTime": at("2026-11-24 07:00"), "endDateTime": at("2026-11-24 07:30")}), 200)
		if occ := f.occurrences(o.Staff, "2026-11-24 00:00", "2026-11-29 00:00"); len(occ) != 5 || occ[4]["start"] != at("2026-11-28 07:00") {
			t.Fatalf("moved series: %v", occ)
		}
		h.Must(f.book(o.Staff, f.single("2026-11-26 08:00", "2026-11-26 09:00")), 201)
		// … but not once it has started.
		h.Clock.Set(inst("2026-11-24 07:10"))
		o.Staff = h.Login(o.Emails["STAFF"], apptest.Password)
		h.Must(h.Post(sp+"/reschedule", o.Staff, map[string]any{"startDateTime": at("2026-11-25 07:00"), "endDateTime": at("2026-11-25 07:30")}), 409)
		// Into the past: refused.
		h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"startDateTime": at("2026-11-23 10:30"), "endDateTime": at("2026-11-23 11:30")}), 422)
	})
}

func TestRetire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		b := h.Must(f.book(o.Staff, series("2026-11-23 10:00", "2026-11-23 11:00", "FREQ=WEEKLY")), 201)
		path := fmt.Sprintf("/api/resources/%d", f.room)
		p := h.Must(h.Do(apptest.Request{Method: "DELETE", Path: path, Token: o.Admin}), 409)
		if len(list(p["bookingIds"])) != 1 {
			t.Fatalf("retire with bookings: %v", p)
		}
		r := h.Must(h.Do(apptest.Request{Method: "DELETE", Path: path + "?cancelFutureBookings=true", Token: o.Admin}), 200)
		if r["statusCd"] != "RETIRED" {
			t.Fatalf("retired: %v", r)
		}
		if got := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", apptest.ID(b)), o.Staff), 200); got["statusCd"] != "CANCELLED" {
			t.Fatalf("booking after retire: %v", got)
		}
		p = h.Must(f.book(o.Staff, f.single("2026-11-25 10:00", "2026-11-25 11:00")), 409)
		if !strings.Contains(p["detail"].(string), "retired") {
			t.Fatalf("booking a retired resource: %v", p)
		}
		h.Must(h.Do(apptest.Request{Method: "DELETE", Path: path, Token: o.Admin}), 409)
		h.Must(h.Put(path, o.Admin, map[string]any{"name": "X", "typeCd": "ROOM", "version": r["version"]}), 409)
		// History stays: the resource is listed as retired, its booking still readable.
		l := h.Must(h.Get("/api/resources?statusCd=RETIRED", o.Staff), 200)
		if l["totalItems"].(float64) != 1 {
			t.Fatalf("retired list: %v", l)
		}
		m := h.Must(h.Get(fmt.Sprintf("/api/bookings?resourceId=%d&includeCancelled=true&from=%s&to=%s", f.room, at("2026-11-23 00:00"), at("2026-11-24 00:00")), o.Staff), 200)
		if m["totalItems"].(float64) != 1 {
			t.Fatalf("history: %v", m)
		}
		if !contains(eventTypes(t, db, o.ID), "resource.retired") {
			t.Fatal("no resource.retired event")
		}
	})
}

func TestMaintenanceWindowsAreBusy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		r := h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Pool", "typeCd": "AREA", "maintenanceSchedule": map[string]any{
			"windows": []any{map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=MO", "startTime": "07:00", "durationMinutes": 60, "note": "cleaning"}}}}), 201)
		pool := apptest.ID(r)
		w := list(r["maintenanceSchedule"].(map[string]any)["windows"])
		if len(w) != 1 || w[0].(map[string]any)["startDate"] != "2026-11-21" {
			t.Fatalf("schedule %v", r["maintenanceSchedule"])
		}
		b := f.single("2026-11-30 07:30", "2026-11-30 08:30")
		b["resourceId"] = pool
		p := h.Must(f.book(o.Staff, b), 409)
		if cs := conflicts(p); len(cs) != 1 || cs[0]["kind"] != "MAINTENANCE" || cs[0]["bookingId"] != nil {
			t.Fatalf("maintenance conflict: %v", p)
		}
		b = f.single("2026-11-30 08:00", "2026-11-30 09:00")
		b["resourceId"] = pool
		h.Must(f.book(o.Staff, b), 201)
		av := h.Must(h.Get(fmt.Sprintf("/api/resources/%d/availability?from=%s&to=%s", pool, at("2026-11-30 06:00"), at("2026-11-30 10:00")), o.Staff), 200)
		busy := list(av["busy"])
		if len(busy) != 2 || busy[0].(map[string]any)["kind"] != "MAINTENANCE" || busy[1].(map[string]any)["kind"] != "EVENT" || len(list(av["free"])) != 2 {
			t.Fatalf("availability %v", av)
		}
		// A new window that collides with the booking is refused; nothing changes.
		p = h.Must(h.Put(fmt.Sprintf("/api/resources/%d", pool), o.Admin, map[string]any{"name": "Pool", "typeCd": "AREA", "version": 1,
			"maintenanceSchedule": map[string]any{"windows": []any{map[string]any{"recurrenceRule": "FREQ=DAILY", "startTime": "08:30", "durationMinutes": 30}}}}), 409)
		if len(conflicts(p)) != 1 {
			t.Fatalf("window vs booking: %v", p)
		}
		// Out of service: no new bookings.
		h.Must(h.Put(fmt.Sprintf("/api/resources/%d", pool), o.Admin, map[string]any{"name": "Pool", "typeCd": "AREA", "version": 1, "statusCd": "MAINTENANCE"}), 200)
		b = f.single("2026-12-01 10:00", "2026-12-01 11:00")
		b["resourceId"] = pool
		h.Must(f.book(o.Staff, b), 409)
	})
}

// 07:00 stays 07:00 local across the DST changes of Berlin and New York.
func TestDSTKeepsWallClockTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		// Saturdays 07:00 over the spring-forward weekend (29 March 2027).
		s := h.Must(f.book(o.Staff, series("2027-03-20 07:00", "2027-03-20 08:00", "FREQ=WEEKLY;BYDAY=SA;COUNT=3")), 201)
		_ = s
		occ := f.occurrences(o.Staff, "2027-03-19 00:00", "2027-04-05 00:00")
		want := []string{"2027-03-20T06:00:00Z", "2027-03-27T06:00:00Z", "2027-04-03T05:00:00Z"}
		if len(occ) != 3 {
			t.Fatalf("occurrences %v", occ)
		}
		for i, w := range want {
			if occ[i]["start"] != w {
				t.Errorf("occurrence %d starts %v, want %s", i, occ[i]["start"], w)
			}
		}
		// Fall back (31 October 2027).
		h.Must(f.book(o.Staff, series("2027-10-30 07:00", "2027-10-30 08:00", "FREQ=DAILY;COUNT=3")), 201)
		occ = f.occurrences(o.Staff, "2027-10-30 00:00", "2027-11-02 00:00")
		if len(occ) != 3 || occ[0]["start"] != "2027-10-30T05:00:00Z" || occ[1]["start"] != "2027-10-31T06:00:00Z" {
			t.Fatalf("fall back: %v", occ)
		}
		// The same in New York (the organisation moves there).
		if _, err := db.ExecContext(context.Background(), `UPDATE entities SET timezone = 'America/New_York' WHERE id = $1`, o.ID); err != nil {
			t.Fatal(err)
		}
		tok := h.Login(o.Emails["STAFF"], apptest.Password)
		body := map[string]any{"startDateTime": "2027-03-13T12:00:00Z", "endDateTime": "2027-03-13T13:00:00Z", "recurrenceRule": "FREQ=DAILY;COUNT=3"} // 07:00 EST
		h.Must(f.book(tok, body), 201)
		m := h.Must(h.Get(fmt.Sprintf("/api/bookings?resourceId=%d&from=2027-03-13T00:00:00Z&to=2027-03-16T00:00:00Z", f.room), tok), 200)
		items := list(m["items"])
		if len(items) != 3 || items[1].(map[string]any)["start"] != "2027-03-14T11:00:00Z" || items[2].(map[string]any)["start"] != "2027-03-15T11:00:00Z" {
			t.Fatalf("New York spring forward: %v", items)
		}
		h.Must(f.book(tok, map[string]any{"startDateTime": "2027-11-06T11:00:00Z", "endDateTime": "2027-11-06T12:00:00Z", "recurrenceRule": "FREQ=DAILY;COUNT=2"}), 201)
		m = h.Must(h.Get(fmt.Sprintf("/api/bookings?resourceId=%d&from=2027-11-06T00:00:00Z&to=2027-11-08T00:00:00Z", f.room), tok), 200)
		if items := list(m["items"]); len(items) != 2 || items[1].(map[string]any)["start"] != "2027-11-07T12:00:00Z" {
			t.Fatalf("New York fall back: %v", items)
		}
	})
}

func TestCompletedAfterTheEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		b := h.Must(f.book(o.Staff, map[string]any{"startDateTime": at("2026-11-21 13:00"), "endDateTime": at("2026-11-21 14:00"),
			"bookedForType": "MEMBER", "bookedForId": o.MemberID}), 201)
		path := fmt.Sprintf("/api/bookings/%d", apptest.ID(b))
		h.Clock.Set(inst("2026-11-21 14:00"))
		// Correct on read, before the sweeper ran.
		if got := h.Must(h.Get(path, o.Staff), 200); got["statusCd"] != "COMPLETED" {
			t.Fatalf("read after the end: %v", got)
		}
		n, err := h.App.Booking.CompleteFinished(t.Context())
		if err != nil || n != 1 {
			t.Fatalf("sweeper: %d %v", n, err)
		}
		if n, _ := h.App.Booking.CompleteFinished(t.Context()); n != 0 {
			t.Fatal("completed twice")
		}
		ev := lastEvent(t, db, o.ID, "booking.completed")
		if !strings.Contains(ev, `"member":{"id":`) || !strings.Contains(ev, `"statusCd":"COMPLETED"`) {
			t.Fatalf("completed event: %s", ev)
		}
		h.Must(h.Post(path+"/cancel", o.Staff, nil), 409)
	})
}

func TestHorizonExtensionSkipsCollisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		h.App.Booking.Horizon = 30 * 24 * time.Hour
		s := h.Must(f.book(o.Staff, series("2026-11-23 10:00", "2026-11-23 11:00", "FREQ=WEEKLY;BYDAY=MO")), 201)
		if s["heldUntil"] == nil || s["seriesEnd"] != nil {
			t.Fatalf("unbounded: %v", s)
		}
		// Beyond the horizon another booking can take a Monday 10:00 …
		h.Must(f.book(o.Staff, f.single("2027-01-04 10:30", "2027-01-04 11:30")), 201)
		occ := f.occurrences(o.Staff, "2027-01-04 00:00", "2027-01-05 00:00")
		if len(occ) != 2 || occ[0]["beyondHorizon"] != true {
			t.Fatalf("beyond the horizon: %v", occ)
		}
		// … and when the horizon reaches it, the series skips that occurrence.
		h.Clock.Set(inst("2026-12-20 10:00"))
		n, err := h.App.Booking.ExtendHorizon(t.Context())
		if err != nil || n != 1 {
			t.Fatalf("extend: %d %v", n, err)
		}
		occ = f.occurrences(h.Login(o.Emails["STAFF"], apptest.Password), "2027-01-04 00:00", "2027-01-05 00:00")
		if len(occ) != 1 || occ[0]["recurring"] != false {
			t.Fatalf("after extension: %v", occ)
		}
		ev := lastEvent(t, db, o.ID, "booking.cancelled")
		if !strings.Contains(ev, "HORIZON_CONFLICT") || !strings.Contains(ev, at("2027-01-04 10:00")) {
			t.Fatalf("event: %s", ev)
		}
		// The next Monday is now held.
		h.Must(f.book(h.Login(o.Emails["STAFF"], apptest.Password), f.single("2027-01-11 10:00", "2027-01-11 10:30")), 409)
	})
}

func TestMembersBookForThemselves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		mine := h.Must(f.book(o.Member, map[string]any{"startDateTime": at("2026-11-23 10:00"), "endDateTime": at("2026-11-23 11:00"), "bookedForType": "MEMBER"}), 201)
		if int64(mine["bookedForId"].(float64)) != o.MemberID {
			t.Fatalf("member booking: %v", mine)
		}
		other := h.Must(h.Post("/api/members", o.Staff, map[string]any{"firstName": "O", "lastName": "Ther", "email": "o@x.test"}), 201)
		theirs := h.Must(f.book(o.Staff, map[string]any{"startDateTime": at("2026-11-23 12:00"), "endDateTime": at("2026-11-23 13:00"),
			"bookedForType": "MEMBER", "bookedForId": apptest.ID(other)}), 201)
		h.Must(f.book(o.Member, map[string]any{"startDateTime": at("2026-11-24 10:00"), "endDateTime": at("2026-11-24 11:00"), "bookedForType": "MEMBER", "bookedForId": apptest.ID(other)}), 403)
		h.Must(f.book(o.Member, map[string]any{"startDateTime": at("2026-11-24 10:00"), "endDateTime": at("2026-11-24 11:00"), "bookedForType": "EVENT"}), 403)
		h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", apptest.ID(theirs)), o.Member), 404)
		h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/cancel", apptest.ID(theirs)), o.Member, nil), 404)
		if occ := f.occurrences(o.Member, "2026-11-23 00:00", "2026-11-24 00:00"); len(occ) != 1 {
			t.Fatalf("member calendar: %v", occ)
		}
		d := h.Must(h.Get(fmt.Sprintf("/api/resources/%d", f.room), o.Member), 200)
		if len(list(d["upcomingBookings"])) != 1 {
			t.Fatalf("member resource view: %v", d)
		}
		if d := h.Must(h.Get(fmt.Sprintf("/api/resources/%d", f.room), o.Staff), 200); len(list(d["upcomingBookings"])) != 2 {
			t.Fatalf("staff resource view: %v", d)
		}
		h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/cancel", apptest.ID(mine)), o.Member, nil), 200)
		// A booked-for member must exist in the organisation.
		p := h.Must(f.book(o.Staff, map[string]any{"startDateTime": at("2026-11-25 10:00"), "endDateTime": at("2026-11-25 11:00"), "bookedForType": "MEMBER", "bookedForId": 999999}), 422)
		if !strings.Contains(fmt.Sprint(p["errors"]), "body.bookedForId") {
			t.Fatalf("unknown member: %v", p)
		}
	})
}
