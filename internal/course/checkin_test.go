package course_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// A GRANTED check-in into the zone of the course's room during a session marks
// a registered member attended: through the events bus, idempotently, and
// without overriding the trainer.
func TestCheckInMarksAttendance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		zone := apptest.ID(h.Must(h.Post("/api/access/zones", f.o.Admin, map[string]any{"name": "Studio B", "typeCd": "ROOM"}), 201))
		room := apptest.ID(h.Must(h.Post("/api/resources", f.o.Admin, map[string]any{"name": "Studio B", "typeCd": "ROOM", "zoneId": zone}), 201))
		// Today (Saturday 2026-11-21) 11:30–12:30 Berlin; now is 12:00.
		id := apptest.ID(f.course(map[string]any{"name": "Pilates", "recurrenceRule": "FREQ=WEEKLY;BYDAY=SA", "startTime": "11:30",
			"startDate": "2026-11-01", "resourceId": room}))
		a, b, c := f.member(), f.member(), f.member()
		h.Must(f.register(id, a), 201)
		h.Must(f.register(id, b), 201)
		// A real check-in, picked up by the worker from the bus.
		ci := h.Must(h.Post("/api/checkin", f.o.Staff, map[string]any{"methodCd": "MANUAL", "memberId": a, "zoneId": zone}), 200)
		if ci["statusCd"] != "GRANTED" {
			t.Fatalf("check-in %v", ci)
		}
		roster := func() map[int64]map[string]any {
			r := h.Must(h.Get(fmt.Sprintf("/api/courses/%d/participants?sessionDate=2026-11-21", id), f.o.Trainer), 200)
			out := map[int64]map[string]any{}
			for _, p := range list(r["participants"]) {
				out[num(p.(map[string]any)["memberId"])] = p.(map[string]any)
			}
			return out
		}
		deadline := time.Now().Add(10 * time.Second)
		for roster()[a]["attended"] != true {
			if time.Now().After(deadline) {
				t.Fatalf("check-in did not mark attendance: %v", roster())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if roster()[a]["attendanceSource"] != "CHECKIN" {
			t.Fatalf("source %v", roster()[a])
		}
		// The handler directly: idempotent; unregistered members, other zones and
		// times outside the session mark nothing; the trainer's word stands.
		ev := func(member, zone int64, at time.Time) events.Event {
			d, _ := json.Marshal(map[string]any{"memberId": member, "zoneId": zone, "statusCd": "GRANTED", "checkedInAt": at})
			return events.Event{ID: fmt.Sprint(member, zone, at.Unix()), Type: "checkin.granted", EntityID: f.o.ID, Data: d}
		}
		now := h.Clock.Now()
		ctx := context.Background()
		svc := h.App.Courses
		for _, tc := range []struct {
			ev   events.Event
			want int
		}{
			{ev(a, zone, now), 0},                      // already marked
			{ev(c, zone, now), 0},                      // not registered
			{ev(b, zone+1000, now), 0},                 // another zone
			{ev(b, zone, now.Add(-2*time.Hour)), 0},    // before the session's lead
			{ev(b, zone, now.Add(-50*time.Minute)), 1}, // 20 min before the start: counts
			{ev(b, zone, now), 0},                      // the same session again
		} {
			n, err := svc.HandleCheckIn(ctx, tc.ev)
			if err != nil || n != tc.want {
				t.Fatalf("HandleCheckIn: %d, %v; want %d", n, err, tc.want)
			}
		}
		h.Must(h.Post(fmt.Sprintf("/api/courses/%d/attendance", id), f.o.Trainer, map[string]any{"sessionDate": "2026-11-21",
			"attendance": []map[string]any{{"memberId": b, "attended": false}}}), 200)
		if n, _ := svc.HandleCheckIn(ctx, ev(b, zone, now)); n != 0 || roster()[b]["attended"] != false {
			t.Fatalf("the trainer's correction was overridden: %v", roster()[b])
		}
	})
}
