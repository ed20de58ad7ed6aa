package course_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// A member subscribes to its own courses with a feed token: no bearer
// header, stored hashed, a new token revokes the old one.
func TestMemberCourseFeedToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		id := apptest.ID(f.course(map[string]any{"name": "Morning Flow", "resourceId": f.room}))
		f.course(map[string]any{"name": "Not Mine", "recurrenceRule": "FREQ=WEEKLY;BYDAY=TU"})
		h.Must(f.register(id, f.o.MemberID), 201)

		h.Must(h.Post("/api/me/courses/feed-token", f.o.Staff, nil), 403)
		h.Must(h.Post("/api/me/courses/feed-token", "", nil), 401)
		tok := h.Must(h.Post("/api/me/courses/feed-token", f.o.Member, nil), 201)
		t1, u1 := tok["token"].(string), tok["url"].(string)
		if !strings.HasPrefix(t1, "ghm_") || u1 != "/api/me/courses.ics?token="+t1 {
			t.Fatalf("token %v", tok)
		}
		var stored int
		if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM course_feed_tokens WHERE token_hash = $1`, t1).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("token stored in clear (%d, %v)", stored, err)
		}
		r := h.Get(u1, "")
		body := string(r.Body)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(body, "SUMMARY:Morning Flow") ||
			strings.Contains(body, "Not Mine") || !strings.Contains(body, "LOCATION:Studio A") {
			t.Fatalf("feed %d:\n%s", r.Status, body)
		}
		// The bearer variant still works and answers the same feed.
		if r2 := h.Get("/api/me/courses.ics", f.o.Member); r2.Status != 200 || string(r2.Body) != body {
			t.Fatalf("bearer feed %d:\n%s", r2.Status, r2.Body)
		}
		h.Must(h.Get("/api/me/courses.ics", f.o.Staff), 403)
		h.Must(h.Get("/api/me/courses.ics", ""), 401)
		h.Must(h.Get("/api/me/courses.ics?token=ghm_nope", ""), 401)
		h.Must(h.Get("/api/me/courses.ics?token=ghf_"+strings.TrimPrefix(t1, "ghm_"), ""), 401)
		// Rotating revokes the old token.
		t2 := h.Must(h.Post("/api/me/courses/feed-token", f.o.Member, nil), 201)["token"].(string)
		if t2 == t1 {
			t.Fatal("same token issued twice")
		}
		h.Must(h.Get(u1, ""), 401)
		if r := h.Get("/api/me/courses.ics?token="+t2, ""); r.Status != 200 || !strings.Contains(string(r.Body), "Morning Flow") {
			t.Fatalf("new token %d", r.Status)
		}
		// Another organisation's member token shows only its own courses.
		o2 := h.NewOrg("Other")
		t3 := h.Must(h.Post("/api/me/courses/feed-token", o2.Member, nil), 201)["token"].(string)
		if r := h.Get("/api/me/courses.ics?token="+t3, ""); r.Status != 200 || strings.Contains(string(r.Body), "Morning Flow") {
			t.Fatalf("other org feed %d:\n%s", r.Status, r.Body)
		}
	})
}

// resourceName on courses, member names on the registrations list (staff and
// trainers only), the organisation's name on the public schedule.
func TestCourseAPICompletions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := f.h
		c := f.course(map[string]any{"resourceId": f.room})
		id := apptest.ID(c)
		f.course(map[string]any{"name": "No Room", "recurrenceRule": "FREQ=WEEKLY;BYDAY=TU"})
		if c["resourceName"] != "Studio A" {
			t.Fatalf("created %v", c)
		}
		if g := h.Must(h.Get(fmt.Sprintf("/api/courses/%d", id), f.o.Member), 200); g["resourceName"] != "Studio A" {
			t.Fatalf("get %v", g)
		}
		l := h.Must(h.Get("/api/courses", f.o.Staff), 200)
		names := map[string]any{}
		for _, it := range list(l["items"]) {
			m := it.(map[string]any)
			v, ok := m["resourceName"]
			if !ok {
				t.Fatalf("list item without resourceName: %v", m)
			}
			names[m["name"].(string)] = v
		}
		if names["Yoga Basics"] != "Studio A" || names["No Room"] != nil {
			t.Fatalf("list names %v", names)
		}

		m := f.member()
		h.Must(f.register(id, m), 201)
		for _, tok := range []string{f.o.Staff, f.o.Trainer} {
			r := h.Get(fmt.Sprintf("/api/courses/%d/registrations", id), tok)
			var regs []map[string]any
			r.JSON(&regs)
			if r.Status != 200 || len(regs) != 1 || regs[0]["firstName"] != fmt.Sprintf("M%02d", f.seq) || regs[0]["lastName"] != "Test" || num(regs[0]["memberId"]) != m {
				t.Fatalf("registrations %d %s", r.Status, r.Body)
			}
		}
		h.Must(h.Get(fmt.Sprintf("/api/courses/%d/registrations", id), f.o.Member), 403)
		// The register answer and a member's own list carry no names.
		if mine := h.Get("/api/me/courses", f.o.Member); strings.Contains(string(mine.Body), "firstName") {
			t.Fatalf("my courses %s", mine.Body)
		}

		s := h.Must(h.Get(fmt.Sprintf("/api/courses/schedule/%d?week=2026-11-25", f.o.ID), ""), 200)
		if s["organisationName"] != "Club" || len(list(s["sessions"])) == 0 || list(s["sessions"])[0].(map[string]any)["room"] != "Studio A" {
			t.Fatalf("schedule %v", s)
		}
		if strings.Contains(string(h.Get(fmt.Sprintf("/api/courses/schedule/%d", f.o.ID), "").Body), "firstName") {
			t.Fatal("personal data on the public schedule")
		}
	})
}
