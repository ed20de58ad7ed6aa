package booking_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// edit is a PUT body from a booking as read, with changes.
func edit(b map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{"title": b["title"], "startDateTime": b["startDateTime"], "endDateTime": b["endDateTime"], "version": b["version"]}
	if b["recurrenceRule"] != nil {
		out["recurrenceRule"] = b["recurrenceRule"]
	}
	if b["notes"] != nil {
		out["notes"] = b["notes"]
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

func starts(occ []map[string]any) []string {
	var out []string
	for _, o := range occ {
		out = append(out, o["start"].(string))
	}
	return out
}

func TestUpdateBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		// Mondays 18:00 from 23 Nov, 6 times.
		s := h.Must(f.book(o.Staff, series("2026-11-23 18:00", "2026-11-23 19:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=6")), 201)
		path := fmt.Sprintf("/api/bookings/%d", apptest.ID(s))

		// Title and notes only: booking.updated, slots unchanged.
		slots := h.Count("booking_slots")
		u := h.Must(h.Put(path, o.Staff, edit(s, map[string]any{"title": "Evening yoga", "notes": "bring mats"})), 200)
		if u["title"] != "Evening yoga" || u["notes"] != "bring mats" || u["version"].(float64) != 2 || u["historyBookingId"] != nil {
			t.Fatalf("title edit: %v", u)
		}
		if h.Count("booking_slots") != slots || !strings.Contains(lastEvent(t, db, o.ID, "booking.updated"), "Evening yoga") {
			t.Fatal("a title edit changed the slots or emitted no booking.updated")
		}
		if occ := f.occurrences(o.Staff, "2026-11-23 00:00", "2026-11-24 00:00"); len(occ) != 1 || occ[0]["title"] != "Evening yoga" {
			t.Fatalf("calendar after title edit: %v", occ)
		}

		// Stale version: 409 stale-version, nothing changes.
		p := h.Must(h.Put(path, o.Staff, edit(s, map[string]any{"title": "Late"})), 409)
		if !strings.HasSuffix(p["type"].(string), "/stale-version") {
			t.Fatalf("stale: %v", p)
		}

		// Weekly → every other week: the skipped weeks are free at once.
		u = h.Must(h.Put(path, o.Staff, edit(u, map[string]any{"recurrenceRule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3"})), 200)
		if u["recurrenceRule"] != "FREQ=WEEKLY;INTERVAL=2;COUNT=3;BYDAY=MO" || u["seriesEnd"] != at("2026-12-21 19:00") {
			t.Fatalf("biweekly: %v", u)
		}
		want := []string{at("2026-11-23 18:00"), at("2026-12-07 18:00"), at("2026-12-21 18:00")}
		if got := starts(f.occurrences(o.Staff, "2026-11-23 00:00", "2027-01-31 00:00")); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("biweekly occurrences %v, want %v", got, want)
		}
		h.Must(f.book(o.Staff, f.single("2026-11-30 18:00", "2026-11-30 19:00")), 201) // a freed week
		h.Must(f.book(o.Staff, f.single("2026-12-07 18:30", "2026-12-07 19:30")), 409) // a held one
		ev := lastEvent(t, db, o.ID, "booking.rescheduled")
		if !strings.Contains(ev, `"scope":"BOOKING"`) || !strings.Contains(ev, at("2026-12-21 18:00")) {
			t.Fatalf("rescheduled event: %s", ev)
		}

		// Into a conflict (back to weekly meets the 30 Nov booking): 409, nothing changes.
		before := h.Must(h.Get(path, o.Staff), 200)
		slots, events := h.Count("booking_slots"), len(eventTypes(t, db, o.ID))
		p = h.Must(h.Put(path, o.Staff, edit(u, map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=MO;COUNT=6"})), 409)
		if cs := conflicts(p); len(cs) != 1 || cs[0]["wantedStart"] != at("2026-11-30 18:00") {
			t.Fatalf("conflict: %v", p)
		}
		after := h.Must(h.Get(path, o.Staff), 200)
		if fmt.Sprint(before) != fmt.Sprint(after) || h.Count("booking_slots") != slots || len(eventTypes(t, db, o.ID)) != events {
			t.Fatalf("a refused edit changed something:\n%v\n%v", before, after)
		}
		// … and with skipConflicts the conflicting week is left out.
		u = h.Must(h.Put(path+"?skipConflicts=true", o.Staff, edit(after, map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=MO;COUNT=6"})), 200)
		if sk := list(u["skipped"]); len(sk) != 1 || sk[0].(map[string]any)["start"] != at("2026-11-30 18:00") {
			t.Fatalf("skipped: %v", u)
		}
		if got := f.occurrences(o.Staff, "2026-11-23 00:00", "2027-01-31 00:00"); len(got) != 6 { // 5 of the series + the single
			t.Fatalf("after skip: %v", got)
		}

		// Bad input: an invalid RRULE names the part; times in the past.
		p = h.Must(h.Put(path, o.Staff, edit(u, map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=XX"})), 422)
		if !strings.Contains(fmt.Sprint(p["errors"]), "body.recurrenceRule") || !strings.Contains(fmt.Sprint(p["errors"]), `BYDAY="XX"`) {
			t.Fatalf("bad rule: %v", p)
		}
		h.Must(h.Put(path, o.Staff, edit(u, map[string]any{"startDateTime": at("2026-11-24 18:00"), "endDateTime": at("2026-11-24 19:00")})), 422) // not a Monday
		h.Must(h.Put(path, o.Staff, edit(u, map[string]any{"title": " "})), 422)

		// Tenant isolation: another organisation's booking is 404; a member may not edit.
		other := h.NewOrg("Other club")
		h.Must(h.Put(path, other.Staff, edit(u, nil)), 404)
		h.Must(h.Put(path, o.Member, edit(u, nil)), 403)
		h.Must(h.Put("/api/bookings/999999", o.Staff, edit(u, nil)), 404)
	})
}

// A started series is split: what began before now stays as it was, in a
// history booking; the edited booking holds the new rule from its new start.
func TestUpdateStartedSeriesSplits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		s := h.Must(f.book(o.Staff, series("2026-11-23 18:00", "2026-11-23 19:00", "FREQ=WEEKLY;BYDAY=MO")), 201)
		path := fmt.Sprintf("/api/bookings/%d", apptest.ID(s))
		// Move the 14 Dec occurrence (dropped by the edit).
		h.Must(h.Post(path+"/reschedule", o.Staff, map[string]any{"occurrenceStart": at("2026-12-14 18:00"),
			"startDateTime": at("2026-12-15 18:00"), "endDateTime": at("2026-12-15 19:00")}), 200)
		h.Clock.Set(inst("2026-12-01 12:00"))
		tok := h.Login(o.Emails["STAFF"], apptest.Password)
		cur := h.Must(h.Get(path, tok), 200)
		// A started series needs a start from now on.
		h.Must(h.Put(path, tok, edit(cur, map[string]any{"recurrenceRule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"})), 422)
		u := h.Must(h.Put(path, tok, edit(cur, map[string]any{"title": "Fortnightly", "recurrenceRule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
			"startDateTime": at("2026-12-07 18:00"), "endDateTime": at("2026-12-07 19:00")})), 200)
		hid := u["historyBookingId"]
		if hid == nil || u["startDateTime"] != at("2026-12-07 18:00") || len(list(u["overrides"])) != 0 {
			t.Fatalf("split: %v", u)
		}
		hist := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", int64(hid.(float64))), tok), 200)
		if hist["title"] != "Session" || hist["statusCd"] != "COMPLETED" || hist["startDateTime"] != at("2026-11-23 18:00") {
			t.Fatalf("history: %v", hist)
		}
		occ := f.occurrences(tok, "2026-11-23 00:00", "2027-01-05 00:00")
		want := []string{at("2026-11-23 18:00"), at("2026-11-30 18:00"), at("2026-12-07 18:00"), at("2026-12-21 18:00"), at("2027-01-04 18:00")}
		if fmt.Sprint(starts(occ)) != fmt.Sprint(want) || occ[0]["title"] != "Session" || occ[2]["title"] != "Fortnightly" {
			t.Fatalf("after split: %v", occ)
		}
		h.Must(f.book(tok, f.single("2026-12-15 18:00", "2026-12-15 19:00")), 201) // the moved occurrence was dropped
		h.Must(f.book(tok, f.single("2026-12-14 18:00", "2026-12-14 19:00")), 201) // a week off now
	})
}

func TestMaintenanceInCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Pool", "typeCd": "AREA", "maintenanceSchedule": map[string]any{
			"windows": []any{map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=MO", "startTime": "07:00", "durationMinutes": 60, "note": "cleaning"}}}}), 201)
		h.Must(f.book(o.Staff, f.single("2026-11-23 10:00", "2026-11-23 11:00")), 201)
		q := fmt.Sprintf("/api/bookings?from=%s&to=%s", at("2026-11-23 00:00"), at("2026-11-24 00:00"))
		if m := h.Must(h.Get(q, o.Staff), 200); m["totalItems"].(float64) != 1 {
			t.Fatalf("without includeMaintenance: %v", m)
		}
		m := h.Must(h.Get(q+"&includeMaintenance=true", o.Staff), 200)
		items := list(m["items"])
		if len(items) != 2 {
			t.Fatalf("with maintenance: %v", m)
		}
		w := items[0].(map[string]any)
		if w["bookingId"] != nil || w["bookedForType"] != "MAINTENANCE" || w["title"] != "cleaning" || w["start"] != at("2026-11-23 07:00") {
			t.Fatalf("maintenance item: %v", w)
		}
		// One resource: only its windows.
		m = h.Must(h.Get(fmt.Sprintf("%s&includeMaintenance=true&resourceId=%d", q, f.room), o.Staff), 200)
		if m["totalItems"].(float64) != 1 {
			t.Fatalf("room only: %v", m)
		}
	})
}
