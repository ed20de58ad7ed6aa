package booking_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

type endpoint struct {
	method, path string
	body         any
}

func endpoints(room, booking int64) []endpoint {
	r := fmt.Sprintf("/api/resources/%d", room)
	b := fmt.Sprintf("/api/bookings/%d", booking)
	win := fmt.Sprintf("?from=%s&to=%s", at("2026-11-23 00:00"), at("2026-11-24 00:00"))
	return []endpoint{
		{"GET", r, nil},
		{"PUT", r, map[string]any{"name": "X", "typeCd": "ROOM", "version": 1}},
		{"DELETE", r + "?cancelFutureBookings=true", nil},
		{"GET", r + "/availability" + win, nil},
		{"GET", r + "/calendar.ics", nil},
		{"POST", r + "/calendar-token", nil},
		{"GET", "/api/bookings" + win + fmt.Sprintf("&resourceId=%d", room), nil},
		{"POST", "/api/bookings", map[string]any{"resourceId": room, "title": "x", "startDateTime": at("2026-11-25 10:00"), "endDateTime": at("2026-11-25 11:00"), "bookedForType": "EVENT"}},
		{"GET", b, nil},
		{"POST", b + "/cancel", map[string]any{}},
		{"POST", b + "/reschedule", map[string]any{"startDateTime": at("2026-11-26 10:00"), "endDateTime": at("2026-11-26 11:00")}},
		{"POST", b + "/confirm", nil},
	}
}

var writeTables = []string{"resources", "resource_bookings", "booking_slots", "booking_overrides", "outbox"}

func snapshot(h *apptest.Harness) string {
	var parts []string
	for _, tb := range writeTables {
		parts = append(parts, fmt.Sprintf("%s=%d", tb, h.Count(tb)))
	}
	var v int
	_ = h.App.DB.QueryRowContext(h.T.(*testing.T).Context(), `SELECT COALESCE(SUM(version), 0) FROM resources`).Scan(&v)
	parts = append(parts, fmt.Sprint("v=", v))
	return strings.Join(parts, " ")
}

func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, a := f.h, f.o
		b := h.NewOrg("B")
		bk := h.Must(f.book(a.Staff, f.single("2026-11-23 10:00", "2026-11-23 11:00")), 201)
		before := snapshot(h)
		for _, e := range endpoints(f.room, apptest.ID(bk)) {
			r := h.Do(apptest.Request{Method: e.method, Path: e.path, Token: b.Admin, Body: e.body})
			// Creating a booking names the resource in the body: 422 there.
			want := http.StatusNotFound
			if e.method == "POST" && e.path == "/api/bookings" {
				want = http.StatusUnprocessableEntity
			}
			if r.Status != want {
				t.Errorf("B's admin %s %s: %d %s, want %d", e.method, e.path, r.Status, r.Body, want)
			}
		}
		if after := snapshot(h); after != before {
			t.Fatalf("cross-organisation requests wrote: %s → %s", before, after)
		}
		for _, path := range []string{"/api/resources", "/api/bookings?from=" + at("2026-11-23 00:00")} {
			if items := list(h.Must(h.Get(path, b.Admin), 200)["items"]); len(items) != 0 {
				t.Errorf("%s shows A's objects to B: %v", path, items)
			}
		}
		// B's booking for A's member is refused.
		r := h.Post("/api/bookings", b.Staff, map[string]any{"resourceId": f.room, "title": "x", "startDateTime": at("2026-11-25 10:00"), "endDateTime": at("2026-11-25 11:00"), "bookedForType": "MEMBER", "bookedForId": a.MemberID})
		if r.Status != 422 {
			t.Fatalf("B books A's room for A's member: %d", r.Status)
		}
	})
}

func TestRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		bk := h.Must(f.book(o.Staff, f.single("2026-11-23 10:00", "2026-11-23 11:00")), 201)
		eps := endpoints(f.room, apptest.ID(bk))
		// Expected status per role, endpoint by endpoint (same order as endpoints).
		type row struct {
			name, token string
			want        []int
		}
		rows := []row{
			{"anonymous", "", []int{401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401}},
			{"device", o.Device, []int{403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403}},
			{"trainer", o.Trainer, []int{200, 403, 403, 200, 403, 403, 200, 403, 200, 403, 403, 403}},
			// A member reads resources; others' bookings are invisible (404).
			{"member", o.Member, []int{200, 403, 403, 200, 403, 403, 200, 403, 404, 404, 403, 403}},
			{"staff", o.Staff, []int{200, 403, 403, 200, 200, 201, 200, 201, 200, 200, 409, 409}},
		}
		for _, rw := range rows {
			for i, e := range eps {
				before := snapshot(h)
				r := h.Do(apptest.Request{Method: e.method, Path: e.path, Token: rw.token, Body: e.body})
				if r.Status != rw.want[i] {
					t.Errorf("%s %s %s: %d %s, want %d", rw.name, e.method, e.path, r.Status, r.Body, rw.want[i])
				}
				if r.Status >= 400 {
					if r.Header.Get("Content-Type") != "application/problem+json" {
						t.Errorf("%s %s %s: content type %q", rw.name, e.method, e.path, r.Header.Get("Content-Type"))
					}
					if after := snapshot(h); after != before {
						t.Errorf("%s %s %s: refused but wrote %s → %s", rw.name, e.method, e.path, before, after)
					}
				}
			}
		}
		// Club admins manage resources.
		h.Must(h.Put(fmt.Sprintf("/api/resources/%d", f.room), o.Admin, map[string]any{"name": "Studio A+", "typeCd": "ROOM", "version": 1}), 200)
	})
}

func TestBadInputIsAProblemAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		bk := h.Must(f.book(o.Staff, series("2026-11-23 10:00", "2026-11-23 11:00", "FREQ=WEEKLY;COUNT=4")), 201)
		bp := fmt.Sprintf("/api/bookings/%d", apptest.ID(bk))
		rp := fmt.Sprintf("/api/resources/%d", f.room)
		ok := func(extra map[string]any) map[string]any {
			m := map[string]any{"resourceId": f.room, "title": "x", "startDateTime": at("2026-11-25 10:00"), "endDateTime": at("2026-11-25 11:00"), "bookedForType": "EVENT"}
			for k, v := range extra {
				if v == nil {
					delete(m, k)
				} else {
					m[k] = v
				}
			}
			return m
		}
		win := func(q string) string { return rp + "/availability?" + q }
		cases := []struct {
			name, method, path string
			body               any
			want               int
			field              string
		}{
			{"malformed JSON", "POST", "/api/bookings", `{"title":`, 400, ""},
			{"missing resource", "POST", "/api/bookings", ok(map[string]any{"resourceId": nil}), 422, "body"},
			{"unknown resource", "POST", "/api/bookings", ok(map[string]any{"resourceId": 99999}), 422, "body.resourceId"},
			{"end before start", "POST", "/api/bookings", ok(map[string]any{"endDateTime": at("2026-11-25 09:00")}), 422, "body.endDateTime"},
			{"zero length", "POST", "/api/bookings", ok(map[string]any{"endDateTime": at("2026-11-25 10:00")}), 422, "body.endDateTime"},
			{"in the past", "POST", "/api/bookings", ok(map[string]any{"startDateTime": at("2026-11-20 10:00"), "endDateTime": at("2026-11-20 11:00")}), 422, "body.endDateTime"},
			{"too long", "POST", "/api/bookings", ok(map[string]any{"endDateTime": at("2027-01-25 11:00")}), 422, "body.endDateTime"},
			{"not a time", "POST", "/api/bookings", ok(map[string]any{"startDateTime": "tomorrow"}), 422, "body.startDateTime"},
			{"bad type", "POST", "/api/bookings", ok(map[string]any{"bookedForType": "PARTY"}), 422, "body.bookedForType"},
			{"bad status", "POST", "/api/bookings", ok(map[string]any{"statusCd": "CANCELLED"}), 422, "body.statusCd"},
			{"blank title", "POST", "/api/bookings", ok(map[string]any{"title": "   "}), 422, "body.title"},
			{"member without id", "POST", "/api/bookings", ok(map[string]any{"bookedForType": "MEMBER"}), 422, "body.bookedForId"},
			{"unknown RRULE part", "POST", "/api/bookings", ok(map[string]any{"recurrenceRule": "FREQ=WEEKLY;FOO=1"}), 422, "body.recurrenceRule"},
			{"sub-daily RRULE", "POST", "/api/bookings", ok(map[string]any{"recurrenceRule": "FREQ=HOURLY"}), 422, "body.recurrenceRule"},
			{"bad BYDAY", "POST", "/api/bookings", ok(map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=XX"}), 422, "body.recurrenceRule"},
			{"impossible rule", "POST", "/api/bookings", ok(map[string]any{"recurrenceRule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}), 422, "body.recurrenceRule"},
			{"start not an occurrence", "POST", "/api/bookings", ok(map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=MO"}), 422, "body.startDateTime"},
			{"self-overlapping series", "POST", "/api/bookings", ok(map[string]any{"endDateTime": at("2026-11-26 12:00"), "recurrenceRule": "FREQ=DAILY;COUNT=3"}), 422, "body.endDateTime"},
			{"too many occurrences", "POST", "/api/bookings", ok(map[string]any{"endDateTime": at("2026-11-25 10:30"), "recurrenceRule": "FREQ=DAILY;UNTIL=21000101"}), 422, "body.recurrenceRule"},
			{"unknown field", "POST", "/api/bookings", ok(map[string]any{"entityId": 2}), 422, "body.entityId"},
			{"bad skipConflicts", "POST", "/api/bookings?skipConflicts=maybe", ok(nil), 422, "query.skipConflicts"},
			{"cancel: not an occurrence", "POST", bp + "/cancel", map[string]any{"occurrenceStart": at("2026-11-24 10:00")}, 422, "body.occurrenceStart"},
			{"cancel: bad time", "POST", bp + "/cancel", map[string]any{"occurrenceStart": "soon"}, 422, "body.occurrenceStart"},
			{"reschedule: end before start", "POST", bp + "/reschedule", map[string]any{"occurrenceStart": at("2026-11-30 10:00"), "startDateTime": at("2026-12-01 10:00"), "endDateTime": at("2026-12-01 09:00")}, 422, "body.endDateTime"},
			{"reschedule: missing times", "POST", bp + "/reschedule", map[string]any{}, 422, "body"},
			{"list: to before from", "GET", "/api/bookings?from=" + at("2026-11-25 10:00") + "&to=" + at("2026-11-24 10:00"), nil, 422, "query.to"},
			{"list: window too long", "GET", "/api/bookings?from=" + at("2026-11-25 10:00") + "&to=" + at("2028-11-24 10:00"), nil, 422, "query.to"},
			{"list: bad from", "GET", "/api/bookings?from=yesterday", nil, 422, "query.from"},
			{"availability: missing to", "GET", win("from=" + at("2026-11-25 10:00")), nil, 422, "query.to"},
			{"resource: bad type", "POST", "/api/resources", map[string]any{"name": "x", "typeCd": "SPACESHIP"}, 422, "body.typeCd"},
			{"resource: negative capacity", "POST", "/api/resources", map[string]any{"name": "x", "typeCd": "ROOM", "capacity": -1}, 422, "body.capacity"},
			{"resource: bad image", "POST", "/api/resources", map[string]any{"name": "x", "typeCd": "ROOM", "imageUrl": "javascript:alert(1)"}, 422, "body.imageUrl"},
			{"resource: retire by PUT", "PUT", rp, map[string]any{"name": "x", "typeCd": "ROOM", "statusCd": "RETIRED", "version": 1}, 422, "body.statusCd"},
			{"resource: stale version", "PUT", rp, map[string]any{"name": "x", "typeCd": "ROOM", "version": 9}, 409, ""},
			{"window: bad rule", "POST", "/api/resources", map[string]any{"name": "x", "typeCd": "ROOM", "maintenanceSchedule": map[string]any{"windows": []any{map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=-1FR", "startTime": "07:00", "durationMinutes": 60}}}}, 422, "body.maintenanceSchedule.windows[0].recurrenceRule"},
			{"window: bad time", "POST", "/api/resources", map[string]any{"name": "x", "typeCd": "ROOM", "maintenanceSchedule": map[string]any{"windows": []any{map[string]any{"recurrenceRule": "FREQ=DAILY", "startTime": "25:00", "durationMinutes": 60}}}}, 422, "body.maintenanceSchedule.windows[0].startTime"},
			{"window: no duration", "POST", "/api/resources", map[string]any{"name": "x", "typeCd": "ROOM", "maintenanceSchedule": map[string]any{"windows": []any{map[string]any{"recurrenceRule": "FREQ=DAILY", "startTime": "07:00", "durationMinutes": 0}}}}, 422, "body.maintenanceSchedule.windows[0].durationMinutes"},
			{"window: overlapping itself", "POST", "/api/resources", map[string]any{"name": "x", "typeCd": "ROOM", "maintenanceSchedule": map[string]any{"windows": []any{map[string]any{"recurrenceRule": "FREQ=DAILY", "startTime": "07:00", "durationMinutes": 1500}}}}, 422, "body.maintenanceSchedule.windows[0].durationMinutes"},
			{"bad id", "GET", "/api/bookings/abc", nil, 422, "path.id"},
		}
		for _, c := range cases {
			before := snapshot(h)
			r := h.Do(apptest.Request{Method: c.method, Path: c.path, Token: o.Admin, Body: c.body})
			if r.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.want)
				continue
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: content type %q", c.name, ct)
			}
			p := r.Map()
			for _, k := range []string{"type", "title", "status", "detail"} {
				if p[k] == nil || p[k] == "" {
					t.Errorf("%s: problem lacks %q: %s", c.name, k, r.Body)
				}
			}
			if c.field != "" {
				found := false
				for _, e := range list(p["errors"]) {
					if loc, _ := e.(map[string]any)["location"].(string); strings.HasPrefix(loc, c.field) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: no error names %s: %s", c.name, c.field, r.Body)
				}
			}
			if after := snapshot(h); after != before {
				t.Errorf("%s: rows changed %s → %s", c.name, before, after)
			}
		}
	})
}
