package course_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// Creating a course books its room for every session (bookedForType COURSE);
// a colliding course is a 409 listing the sessions; skipConflicts leaves them
// out; pausing and cancelling release the future sessions.
func TestCourseBooksItsResource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		// Today is Saturday 2026-11-21 in Berlin.
		c := f.course(map[string]any{"resourceId": f.room, "maxParticipants": 10, "waitListEnabled": true, "levelCd": "BEGINNER",
			"categoryCd": "YOGA", "instructorName": "Mia", "endDate": "2026-12-31"})
		id := apptest.ID(c)
		if c["bookingId"] == nil || c["startDate"] != "2026-11-21" || c["statusCd"] != "ACTIVE" || c["version"].(float64) != 1 {
			t.Fatalf("created %v", c)
		}
		ns := list(c["nextSessions"])
		if len(ns) != 10 || ns[0].(map[string]any)["start"] != at("2026-11-23 07:00") || ns[0].(map[string]any)["sessionDate"] != "2026-11-23" {
			t.Fatalf("next sessions %v", ns)
		}
		bid := num(c["bookingId"])
		b := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", bid), f.o.Staff), 200)
		if b["bookedForType"] != "COURSE" || num(b["bookedForId"]) != id || b["startDateTime"] != at("2026-11-23 07:00") {
			t.Fatalf("booking %v", b)
		}
		occ := h.Must(h.Get(fmt.Sprintf("/api/bookings?resourceId=%d&from=%s&to=%s", f.room, at("2026-11-23 00:00"), at("2026-11-30 00:00")), f.o.Staff), 200)
		if occ["totalItems"].(float64) != 3 {
			t.Fatalf("week occurrences %v", occ)
		}
		// Another booking in the same slot is refused by the booking service.
		h.Must(h.Post("/api/bookings", f.o.Staff, map[string]any{"resourceId": f.room, "title": "x", "bookedForType": "EVENT",
			"startDateTime": at("2026-11-25 07:30"), "endDateTime": at("2026-11-25 08:30")}), 409)

		// A second course colliding on Mondays: 409 listing the sessions.
		body := map[string]any{"name": "CrossFit 7AM", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,TU", "startTime": "07:30", "durationMinutes": 45,
			"resourceId": f.room, "endDate": "2026-12-08"}
		before := h.Count("courses")
		p := h.Must(h.Post("/api/courses", f.o.Admin, body), 409)
		cs := list(p["conflictingSessions"])
		if len(cs) != 3 || cs[0].(map[string]any)["start"] != at("2026-11-23 07:30") || len(list(p["conflicts"])) == 0 {
			t.Fatalf("conflict %v", p)
		}
		if h.Count("courses") != before {
			t.Fatal("a refused course was kept")
		}
		// With skipConflicts: Mondays left out, Tuesdays booked.
		sk := h.Must(h.Post("/api/courses?skipConflicts=true", f.o.Admin, body), 201)
		if len(list(sk["skipped"])) != 3 || len(list(sk["exDates"])) != 3 {
			t.Fatalf("skipped %v", sk)
		}
		for _, s := range list(sk["nextSessions"]) {
			if d := s.(map[string]any)["sessionDate"].(string); d == "2026-11-23" || d == "2026-11-30" || d == "2026-12-07" {
				t.Fatalf("skipped session %s still listed", d)
			}
		}

		// Pausing releases the future sessions: the slot can be booked again.
		in := map[string]any{"name": "Yoga Basics", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,WE,FR", "startTime": "07:00", "durationMinutes": 60,
			"resourceId": f.room, "maxParticipants": 10, "waitListEnabled": true, "endDate": "2026-12-31", "statusCd": "PAUSED", "version": 1}
		paused := h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 200)
		if paused["statusCd"] != "PAUSED" || len(list(paused["nextSessions"])) != 0 || paused["version"].(float64) != 2 {
			t.Fatalf("paused %v", paused)
		}
		if b := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", bid), f.o.Staff), 200); b["statusCd"] != "CANCELLED" {
			t.Fatalf("booking after pause %v", b)
		}
		h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 409) // stale version
		blocker := h.Must(h.Post("/api/bookings", f.o.Staff, map[string]any{"resourceId": f.room, "title": "Workshop", "bookedForType": "EVENT",
			"startDateTime": at("2026-11-25 07:00"), "endDateTime": at("2026-11-25 08:00")}), 201)
		// Resuming books again; the workshop now collides (409, nothing changes)…
		in["statusCd"], in["version"] = "ACTIVE", 2
		p = h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 409)
		if cs := list(p["conflictingSessions"]); len(cs) != 1 || cs[0].(map[string]any)["sessionDate"] != "2026-11-25" {
			t.Fatalf("resume conflict %v", p)
		}
		// …and the refused resume changed nothing, not even the version.
		if g := h.Must(h.Get(fmt.Sprintf("/api/courses/%d", id), f.o.Admin), 200); g["statusCd"] != "PAUSED" || g["version"].(float64) != 2 {
			t.Fatalf("after refused resume %v", g)
		}
		// …unless skipped.
		res := h.Must(h.Put(fmt.Sprintf("/api/courses/%d?skipConflicts=true", id), f.o.Admin, in), 200)
		if res["statusCd"] != "ACTIVE" || len(list(res["skipped"])) != 1 || num(res["bookingId"]) == bid {
			t.Fatalf("resumed %v", res)
		}
		_ = blocker
		// Cancelling releases again and is final.
		in["statusCd"], in["version"] = "CANCELLED", res["version"]
		h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 200)
		nb := num(res["bookingId"])
		if b := h.Must(h.Get(fmt.Sprintf("/api/bookings/%d", nb), f.o.Staff), 200); b["statusCd"] != "CANCELLED" {
			t.Fatalf("booking after cancel %v", b)
		}
		in["statusCd"], in["version"] = "ACTIVE", res["version"].(float64)+1
		h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, in), 409)
		if ev := f.outbox(); ev["course.created"] != 2 || ev["course.updated"] < 3 {
			t.Fatalf("events %v", ev)
		}
	})
}

// 07:00 in Berlin stays 07:00 across the spring DST change.
func TestScheduleAcrossDST(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.course(map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=MO", "startDate": "2027-03-15", "endDate": "2027-04-30", "resourceId": f.room})
		ns := list(c["nextSessions"])
		want := []string{"2027-03-15T06:00:00Z", "2027-03-22T06:00:00Z", "2027-03-29T05:00:00Z", "2027-04-05T05:00:00Z"}
		for i, w := range want {
			if got := ns[i].(map[string]any)["start"]; got != w {
				t.Fatalf("session %d starts %v, want %s", i, got, w)
			}
		}
		for _, week := range []string{"2027-03-24", "2027-04-01"} {
			s := f.h.Must(f.h.Get(fmt.Sprintf("/api/courses/schedule/%d?week=%s", f.o.ID, week), ""), 200)
			ss := list(s["sessions"])
			if len(ss) != 1 || ss[0].(map[string]any)["startTime"] != "07:00" || ss[0].(map[string]any)["room"] != "Studio A" {
				t.Fatalf("week %s: %v", week, s)
			}
		}
		// The booking holds the same instants.
		occ := f.h.Must(f.h.Get(fmt.Sprintf("/api/bookings?resourceId=%d&from=2027-03-28T00:00:00Z&to=2027-03-30T00:00:00Z", f.room), f.o.Staff), 200)
		if it := list(occ["items"]); len(it) != 1 || it[0].(map[string]any)["start"] != "2027-03-29T05:00:00Z" {
			t.Fatalf("booking across DST %v", occ)
		}
	})
}

// Capacity, wait list, promotion order, duplicate and inactive contracts.
func TestRegistrationAndWaitList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		id := apptest.ID(f.course(map[string]any{"maxParticipants": 2, "waitListEnabled": true}))
		ms := []int64{f.member(), f.member(), f.member(), f.member()}
		want := []string{"REGISTERED", "REGISTERED", "WAIT_LIST", "WAIT_LIST"}
		for i, m := range ms {
			r := h.Must(f.register(id, m), 201)
			if r["status"] != want[i] || num(r["memberId"]) != m || num(r["courseId"]) != id || r["registeredAt"] == nil {
				t.Fatalf("registration %d: %v", i, r)
			}
			if i >= 2 && num(r["waitListPosition"]) != int64(i-1) {
				t.Fatalf("position %v", r)
			}
		}
		dup := h.Must(f.register(id, ms[0]), 409)
		if !strings.HasSuffix(dup["type"].(string), "/duplicate") {
			t.Fatalf("duplicate %v", dup)
		}
		h.Must(f.register(id, ms[3]), 409) // on the wait list already
		// Inactive contract.
		m := h.Must(h.Post("/api/members", f.o.Staff, map[string]any{"firstName": "No", "lastName": "Contract", "email": "nc@test.dev"}), 201)
		nc := h.Must(f.register(id, apptest.ID(m)), 409)
		if !strings.HasSuffix(nc["type"].(string), "/contract-inactive") || !strings.Contains(nc["detail"].(string), "active contract") {
			t.Fatalf("inactive %v", nc)
		}
		f.contract(apptest.ID(m), "SUSPENDED")
		h.Must(f.register(id, apptest.ID(m)), 409)
		h.Must(f.register(id, 999999), 422)

		// Cancel a seat: the first on the wait list is promoted, the second moves up.
		c := h.Do(apptest.Request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/courses/%d/register/%d", id, ms[1]), Token: f.o.Staff})
		if cr := h.Must(c, 200); cr["status"] != "CANCELLED" {
			t.Fatalf("cancel %v", cr)
		}
		regs := h.Must(h.Get(fmt.Sprintf("/api/courses/%d/registrations", id), f.o.Trainer), 200)
		_ = regs
		roster := h.Must(h.Get(fmt.Sprintf("/api/courses/%d/participants", id), f.o.Trainer), 200)
		ps, wl := list(roster["participants"]), list(roster["waitList"])
		if len(ps) != 2 || num(ps[1].(map[string]any)["memberId"]) != ms[2] || len(wl) != 1 || num(wl[0].(map[string]any)["waitListPosition"]) != 1 {
			t.Fatalf("roster after cancel %v", roster)
		}
		// Cancelling the promoted member promotes the next one.
		h.Must(h.Do(apptest.Request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/courses/%d/register/%d", id, ms[2]), Token: f.o.Staff}), 200)
		roster = h.Must(h.Get(fmt.Sprintf("/api/courses/%d/participants", id), f.o.Trainer), 200)
		if ps := list(roster["participants"]); len(ps) != 2 || num(ps[1].(map[string]any)["memberId"]) != ms[3] || len(list(roster["waitList"])) != 0 {
			t.Fatalf("roster after second cancel %v", roster)
		}
		// A wait-listed member cancelling promotes nobody; nothing active → 404.
		h.Must(h.Do(apptest.Request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/courses/%d/register/%d", id, ms[1]), Token: f.o.Staff}), 404)
		ev := f.outbox()
		if ev["course.registered"] != 2 || ev["course.waitlisted"] != 2 || ev["course.cancelled"] != 2 || ev["course.promoted"] != 2 {
			t.Fatalf("events %v", ev)
		}
		// Wait list disabled: full is 409.
		closed := apptest.ID(f.course(map[string]any{"name": "Pilates", "maxParticipants": 1}))
		h.Must(f.register(closed, ms[0]), 201)
		full := h.Must(f.register(closed, ms[1]), 409)
		if !strings.HasSuffix(full["type"].(string), "/course-full") {
			t.Fatalf("full %v", full)
		}
		// A MEMBER registers itself (no memberId needed), not others; sees its courses.
		r := h.Must(h.Post(fmt.Sprintf("/api/courses/%d/register", id), f.o.Member, map[string]any{}), 201)
		if num(r["memberId"]) != f.o.MemberID || r["status"] != "WAIT_LIST" {
			t.Fatalf("self registration %v", r)
		}
		h.Must(h.Post(fmt.Sprintf("/api/courses/%d/register", id), f.o.Member, map[string]any{"memberId": ms[0]}), 403)
		h.Must(h.Do(apptest.Request{Method: http.MethodDelete, Path: fmt.Sprintf("/api/courses/%d/register/%d", id, ms[0]), Token: f.o.Member}), 403)
		var mine []map[string]any
		rsp := h.Get("/api/me/courses", f.o.Member)
		rsp.JSON(&mine)
		if len(mine) != 1 || mine[0]["registration"].(map[string]any)["waitListPosition"].(float64) != 1 {
			t.Fatalf("my courses %s", rsp.Body)
		}
		ics := h.Get("/api/me/courses.ics", f.o.Member)
		if ics.Status != 200 || !strings.Contains(string(ics.Body), "BEGIN:VCALENDAR") {
			t.Fatalf("my ics %d %s", ics.Status, ics.Body)
		}
		// Raising the capacity promotes at once.
		cur := h.Must(h.Get(fmt.Sprintf("/api/courses/%d", id), f.o.Admin), 200)
		up := h.Must(h.Put(fmt.Sprintf("/api/courses/%d", id), f.o.Admin, map[string]any{"name": "Yoga Basics", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,WE,FR",
			"startTime": "07:00", "durationMinutes": 60, "startDate": cur["startDate"], "maxParticipants": 3, "waitListEnabled": true, "version": cur["version"]}), 200)
		if up["registeredCount"].(float64) != 3 || up["waitListCount"].(float64) != 0 {
			t.Fatalf("after raising capacity %v", up)
		}
	})
}

// Attendance only for real sessions; the roster shows it.
func TestAttendance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		id := apptest.ID(f.course(map[string]any{"recurrenceRule": "FREQ=WEEKLY;BYDAY=MO", "startDate": "2026-11-02"}))
		a, b := f.member(), f.member()
		h.Must(f.register(id, a), 201)
		h.Must(f.register(id, b), 201)
		path := fmt.Sprintf("/api/courses/%d/attendance", id)
		for _, bad := range []map[string]any{
			{"sessionDate": "2026-11-17", "attendance": []map[string]any{{"memberId": a, "attended": true}}}, // a Tuesday
			{"sessionDate": "2026-11-30", "attendance": []map[string]any{{"memberId": a, "attended": true}}}, // not yet
			{"sessionDate": "2026-10-26", "attendance": []map[string]any{{"memberId": a, "attended": true}}}, // before startDate
			{"sessionDate": "16.11.2026", "attendance": []map[string]any{{"memberId": a, "attended": true}}},
			{"sessionDate": "2026-11-16", "attendance": []map[string]any{{"memberId": 999999, "attended": true}}},
			{"sessionDate": "2026-11-16", "attendance": []map[string]any{}},
		} {
			r := h.Must(h.Post(path, f.o.Trainer, bad), 422)
			if len(list(r["errors"])) == 0 {
				t.Fatalf("no field errors: %v", r)
			}
		}
		r := h.Must(h.Post(path, f.o.Trainer, map[string]any{"sessionDate": "2026-11-16",
			"attendance": []map[string]any{{"memberId": a, "attended": true}, {"memberId": b, "attended": false}}}), 200)
		ps := list(r["participants"])
		if len(ps) != 2 || ps[0].(map[string]any)["attended"] != true || ps[1].(map[string]any)["attended"] != false ||
			ps[0].(map[string]any)["attendanceSource"] != "TRAINER" {
			t.Fatalf("roster %v", r)
		}
		// Correction.
		h.Must(h.Post(path, f.o.Staff, map[string]any{"sessionDate": "2026-11-16", "attendance": []map[string]any{{"memberId": b, "attended": true}}}), 200)
		g := h.Must(h.Get(fmt.Sprintf("/api/courses/%d/participants?sessionDate=2026-11-16", id), f.o.Staff), 200)
		if list(g["participants"])[1].(map[string]any)["attended"] != true || g["start"] != at("2026-11-16 07:00") {
			t.Fatalf("after correction %v", g)
		}
		h.Must(h.Get(fmt.Sprintf("/api/courses/%d/participants?sessionDate=2026-11-17", id), f.o.Staff), 422)
		h.Must(h.Get(fmt.Sprintf("/api/courses/%d/participants?sessionDate=nope", id), f.o.Staff), 422)
	})
}

// Public schedule and feed: no auth, no personal data, 404 for unknown orgs.
func TestPublicScheduleAndFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		id := apptest.ID(f.course(map[string]any{"resourceId": f.room, "maxParticipants": 5, "instructorName": "Mia", "levelCd": "ALL_LEVELS"}))
		f.course(map[string]any{"name": "Paused", "statusCd": "PAUSED"})
		h.Must(f.register(id, f.member()), 201)
		s := h.Must(h.Get(fmt.Sprintf("/api/courses/schedule/%d?week=2026-11-25", f.o.ID), ""), 200)
		ss := list(s["sessions"])
		if s["weekStart"] != "2026-11-23" || s["weekEnd"] != "2026-11-29" || len(ss) != 3 {
			t.Fatalf("schedule %v", s)
		}
		e := ss[0].(map[string]any)
		if e["courseName"] != "Yoga Basics" || e["instructor"] != "Mia" || e["freeSeats"].(float64) != 4 || e["startTime"] != "07:00" ||
			e["endTime"] != "08:00" || e["date"] != "2026-11-23" {
			t.Fatalf("entry %v", e)
		}
		if strings.Contains(string(h.Get(fmt.Sprintf("/api/courses/schedule/%d", f.o.ID), "").Body), "@") {
			t.Fatal("personal data on the public schedule")
		}
		h.Must(h.Get("/api/courses/schedule/99999", ""), 404)
		h.Must(h.Get("/api/courses/schedule/abc", ""), 422)
		h.Must(h.Get(fmt.Sprintf("/api/courses/schedule/%d?week=2026-13-01", f.o.ID), ""), 422)
		h.Must(h.Get("/api/courses/nothing/1", ""), 404)
		ics := h.Get(fmt.Sprintf("/api/courses/schedule/%d.ics", f.o.ID), "")
		body := string(ics.Body)
		if ics.Status != 200 || !strings.HasPrefix(ics.Header.Get("Content-Type"), "text/calendar") ||
			!strings.Contains(body, "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin") || !strings.Contains(body, "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR") ||
			!strings.Contains(body, "DTSTART;TZID=Europe/Berlin:20261123T070000") || !strings.Contains(body, "TZOFFSETTO:+0200") ||
			strings.Contains(body, "Paused") || !strings.Contains(body, "LOCATION:Studio A") {
			t.Fatalf("ics %d:\n%s", ics.Status, body)
		}
		h.Must(h.Get("/api/courses/schedule/99999.ics", ""), 404)
	})
}

// Roles, tenant isolation and bad input on every endpoint.
func TestCourseMatrices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		other := h.NewOrg("Other")
		id := apptest.ID(f.course(map[string]any{"resourceId": f.room, "maxParticipants": 5}))
		m := f.member()
		h.Must(f.register(id, m), 201)
		cur := h.Must(h.Get(fmt.Sprintf("/api/courses/%d", id), f.o.Admin), 200)
		upd := map[string]any{"name": "Yoga", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,WE,FR", "startTime": "07:00", "durationMinutes": 60,
			"resourceId": f.room, "maxParticipants": 5, "startDate": cur["startDate"], "version": cur["version"]}
		type ep struct {
			method, path string
			body         any
		}
		eps := []ep{
			{"GET", "/api/courses", nil},
			{"POST", "/api/courses", map[string]any{"name": "X", "recurrenceRule": "FREQ=DAILY", "startTime": "20:00", "durationMinutes": 30}},
			{"GET", fmt.Sprintf("/api/courses/%d", id), nil},
			{"PUT", fmt.Sprintf("/api/courses/%d", id), upd},
			{"POST", fmt.Sprintf("/api/courses/%d/register", id), map[string]any{"memberId": m}},
			{"DELETE", fmt.Sprintf("/api/courses/%d/register/%d", id, m), nil},
			{"GET", fmt.Sprintf("/api/courses/%d/registrations", id), nil},
			{"GET", fmt.Sprintf("/api/courses/%d/participants", id), nil},
			{"POST", fmt.Sprintf("/api/courses/%d/attendance", id), map[string]any{"sessionDate": "2026-11-20", "attendance": []map[string]any{{"memberId": m, "attended": true}}}},
			{"GET", "/api/me/courses", nil},
		}
		// No token: 401 everywhere.
		for _, e := range eps {
			if r := h.Do(apptest.Request{Method: e.method, Path: e.path, Body: e.body}); r.Status != 401 {
				t.Errorf("%s %s without token: %d", e.method, e.path, r.Status)
			}
		}
		// Roles that may not: 403.
		forbidden := map[string][]string{
			"POST /api/courses":                      {other.Staff, f.o.Staff, f.o.Member, f.o.Device},
			"PUT /api/courses/{id}":                  {f.o.Staff, f.o.Member, f.o.Trainer}, // trainer: not its course
			"POST /api/courses/{id}/register":        {f.o.Trainer, f.o.Device},
			"GET /api/courses/{id}/participants":     {f.o.Member},
			"POST /api/courses/{id}/attendance":      {f.o.Member},
			"GET /api/courses/{id}/registrations":    {f.o.Member},
			"GET /api/me/courses":                    {f.o.Staff},
			"DELETE /api/courses/{id}/register/{mi}": {f.o.Trainer},
		}
		keyOf := func(e ep) string {
			p := strings.Replace(e.path, fmt.Sprint(id), "{id}", 1)
			p = strings.Replace(p, fmt.Sprintf("register/%d", m), "register/{mi}", 1)
			return e.method + " " + p
		}
		for _, e := range eps {
			for _, tok := range forbidden[keyOf(e)] {
				if tok == other.Staff {
					continue
				}
				if r := h.Do(apptest.Request{Method: e.method, Path: e.path, Token: tok, Body: e.body}); r.Status != 403 {
					t.Errorf("%s by a forbidden role: %d %s", keyOf(e), r.Status, r.Body)
				}
			}
		}
		// Another organisation's admin/staff: 404, never the object, nothing written.
		before := h.Count("course_registrations") + h.Count("course_attendance") + h.Count("courses")
		for _, e := range eps[2:9] {
			for _, tok := range []string{other.Admin, other.Staff} {
				r := h.Do(apptest.Request{Method: e.method, Path: e.path, Token: tok, Body: e.body})
				if r.Status == 403 {
					continue // role check first (e.g. staff may not PUT)
				}
				if r.Status != 404 && !(r.Status == 422 && e.method == "POST") {
					t.Errorf("%s from another org: %d %s", keyOf(e), r.Status, r.Body)
				}
			}
		}
		if l := h.Must(h.Get("/api/courses", other.Admin), 200); l["totalItems"].(float64) != 0 {
			t.Fatalf("other org sees courses: %v", l)
		}
		if after := h.Count("course_registrations") + h.Count("course_attendance") + h.Count("courses"); after != before {
			t.Fatal("another organisation's requests wrote rows")
		}
		// Bad input: 422 with field errors, nothing written.
		before = h.Count("courses")
		for _, b := range []map[string]any{
			{"name": "", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 60},
			{"name": "X", "recurrenceRule": "FREQ=SOMETIMES", "startTime": "07:00", "durationMinutes": 60},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "25:00", "durationMinutes": 60},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 0},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 60, "maxParticipants": -1},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 60, "levelCd": "GURU"},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 60, "startDate": "2026-12-01", "endDate": "2026-11-01"},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY;COUNT=3", "startTime": "07:00", "durationMinutes": 60, "endDate": "2027-01-01"},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 60, "resourceId": 99999},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 60, "instructorUserId": 99999},
			{"name": "X", "recurrenceRule": "FREQ=WEEKLY", "startTime": "07:00", "durationMinutes": 60, "startDate": "2026-02-30"},
		} {
			r := h.Post("/api/courses", f.o.Admin, b)
			if r.Status != 422 && r.Status != 400 {
				t.Errorf("bad course %v: %d %s", b, r.Status, r.Body)
			}
		}
		if h.Count("courses") != before {
			t.Fatal("a bad course was written")
		}
		h.Must(h.Get("/api/courses/0", f.o.Admin), 422)
		h.Must(h.Get("/api/courses/99999", f.o.Admin), 404)
		// Another org's member cannot be registered here.
		h.Must(f.register(id, other.MemberID), 422)
		// A trainer creates its own course and may edit it.
		tc := h.Must(h.Post("/api/courses", f.o.Trainer, map[string]any{"name": "Spin", "recurrenceRule": "FREQ=WEEKLY;BYDAY=TU", "startTime": "19:00", "durationMinutes": 45}), 201)
		if tc["instructorUserId"] == nil {
			t.Fatalf("trainer course %v", tc)
		}
		h.Must(h.Put(fmt.Sprintf("/api/courses/%d", apptest.ID(tc)), f.o.Trainer, map[string]any{"name": "Spin 45", "recurrenceRule": "FREQ=WEEKLY;BYDAY=TU",
			"startTime": "19:00", "durationMinutes": 45, "startDate": tc["startDate"], "version": 1}), 200)
	})
}
