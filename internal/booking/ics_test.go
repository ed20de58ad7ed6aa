package booking_test

import (
	"fmt"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestCalendarFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		h.Must(h.Put(fmt.Sprintf("/api/resources/%d", f.room), o.Admin, map[string]any{"name": "Studio A", "typeCd": "ROOM", "version": 1,
			"maintenanceSchedule": map[string]any{"windows": []any{map[string]any{"recurrenceRule": "FREQ=MONTHLY;BYDAY=-1FR", "startTime": "06:00", "durationMinutes": 90, "note": "deep clean"}}}}), 200)
		single := h.Must(f.book(o.Staff, map[string]any{"startDateTime": at("2026-11-23 10:00"), "endDateTime": at("2026-11-23 11:00"), "title": "Board meeting; Q4, final"}), 201)
		s := h.Must(f.book(o.Staff, series("2026-11-24 18:00", "2026-11-24 19:30", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270330")), 201)
		sp := fmt.Sprintf("/api/bookings/%d", apptest.ID(s))
		h.Must(h.Post(sp+"/cancel", o.Staff, map[string]any{"occurrenceStart": at("2026-12-01 18:00")}), 200)
		h.Must(h.Post(sp+"/reschedule", o.Staff, map[string]any{"occurrenceStart": at("2026-12-08 18:00"),
			"startDateTime": at("2026-12-09 18:00"), "endDateTime": at("2026-12-09 19:30")}), 200)

		path := fmt.Sprintf("/api/resources/%d/calendar.ics", f.room)
		r := h.Get(path, o.Staff)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		body := string(r.Body)
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, body)
		}
		if len(cal.Timezones()) != 1 || !strings.Contains(body, "BEGIN:DAYLIGHT") || !strings.Contains(body, "TZOFFSETTO:+0200") {
			t.Fatalf("VTIMEZONE missing or incomplete:\n%s", body)
		}
		evs := cal.Events()
		// single, series, its moved occurrence, the maintenance window
		if len(evs) != 4 {
			t.Fatalf("%d VEVENTs:\n%s", len(evs), body)
		}
		byUID := map[string][]*ics.VEvent{}
		for _, e := range evs {
			byUID[e.Id()] = append(byUID[e.Id()], e)
		}
		one := byUID[fmt.Sprintf("booking-%d-%d@gatehouse", o.ID, apptest.ID(single))]
		if len(one) != 1 || one[0].GetProperty(ics.ComponentPropertySummary).Value != "Board meeting; Q4, final" {
			t.Fatalf("single VEVENT: %v", one)
		}
		if st, err := one[0].GetStartAt(); err != nil || !st.Equal(inst("2026-11-23 10:00")) {
			t.Fatalf("single start %v %v", st, err)
		}
		ser := byUID[fmt.Sprintf("booking-%d-%d@gatehouse", o.ID, apptest.ID(s))]
		if len(ser) != 2 {
			t.Fatalf("series VEVENTs: %d\n%s", len(ser), body)
		}
		main, moved := ser[0], ser[1]
		if main.HasProperty(ics.ComponentPropertyRecurrenceId) {
			main, moved = moved, main
		}
		rrule := main.GetProperty(ics.ComponentPropertyRrule).Value
		if !strings.HasPrefix(rrule, "FREQ=WEEKLY;UNTIL=2027033") || !strings.HasSuffix(strings.SplitN(rrule, "UNTIL=", 2)[1][:16], "Z") {
			t.Fatalf("RRULE %q (UNTIL must be UTC with a TZID DTSTART)", rrule)
		}
		if ex := main.GetProperty(ics.ComponentPropertyExdate); ex == nil || ex.Value != "20261201T170000Z" {
			t.Fatalf("EXDATE %v (the moved occurrence must not be an EXDATE)", ex)
		}
		if d := main.GetProperty(ics.ComponentPropertyDuration); d == nil || d.Value != "PT1H30M" {
			t.Fatalf("DURATION %v", d)
		}
		if rid := moved.GetProperty(ics.ComponentPropertyRecurrenceId); rid == nil || rid.Value != "20261208T180000" || rid.ICalParameters["TZID"][0] != "Europe/Berlin" {
			t.Fatalf("RECURRENCE-ID %v", rid)
		}
		if !strings.Contains(body, "SUMMARY:Maintenance: deep clean") || !strings.Contains(body, "RRULE:FREQ=MONTHLY;BYDAY=-1FR") {
			t.Fatalf("maintenance VEVENT missing:\n%s", body)
		}
		for _, line := range strings.Split(strings.TrimRight(body, "\r\n"), "\r\n") {
			if len(line) > 75 {
				t.Fatalf("line longer than 75 octets: %q", line)
			}
		}

		// Calendar apps subscribe with the feed token.
		h.Must(h.Get(path, ""), 401)
		h.Must(h.Get(path, o.Member), 403)
		h.Must(h.Get(path, o.Trainer), 403)
		h.Must(h.Get(path+"?token=ghf_wrong", ""), 401)
		tok := h.Must(h.Post(fmt.Sprintf("/api/resources/%d/calendar-token", f.room), o.Staff, nil), 201)
		token := tok["token"].(string)
		if tok["url"] != path+"?token="+token {
			t.Fatalf("token %v", tok)
		}
		if r := h.Get(path+"?token="+token, ""); r.Status != 200 || !strings.Contains(string(r.Body), "BEGIN:VCALENDAR") {
			t.Fatalf("with token: %d", r.Status)
		}
		other := h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Other", "typeCd": "ROOM"}), 201)
		h.Must(h.Get(fmt.Sprintf("/api/resources/%d/calendar.ics?token=%s", apptest.ID(other), token), ""), 401)
		h.Must(h.Post(fmt.Sprintf("/api/resources/%d/calendar-token", f.room), o.Staff, nil), 201)
		h.Must(h.Get(path+"?token="+token, ""), 401) // rotated
	})
}
