package booking_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestOverlapAdjacentContainedAndTentative(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h, o := f.h, f.o
		first := h.Must(f.book(o.Staff, f.single("2026-11-23 10:00", "2026-11-23 11:00")), 201)
		id := apptest.ID(first)
		if first["statusCd"] != "CONFIRMED" || first["startDateTime"] != at("2026-11-23 10:00") || len(list(first["skipped"])) != 0 {
			t.Fatalf("created %v", first)
		}
		for _, c := range []struct{ name, from, to string }{
			{"overlapping end", "2026-11-23 10:30", "2026-11-23 11:30"},
			{"overlapping start", "2026-11-23 09:30", "2026-11-23 10:01"},
			{"contained", "2026-11-23 10:15", "2026-11-23 10:45"},
			{"containing", "2026-11-23 09:00", "2026-11-23 12:00"},
			{"identical", "2026-11-23 10:00", "2026-11-23 11:00"},
		} {
			r := f.book(o.Staff, f.single(c.from, c.to))
			p := h.Must(r, 409)
			cs := conflicts(p)
			if len(cs) != 1 || int64(cs[0]["bookingId"].(float64)) != id || cs[0]["start"] != at("2026-11-23 10:00") || cs[0]["end"] != at("2026-11-23 11:00") {
				t.Errorf("%s: conflicts %v", c.name, p)
			}
			if r.Header.Get("Content-Type") != "application/problem+json" || !strings.HasSuffix(p["type"].(string), "/booking-conflict") {
				t.Errorf("%s: not a booking-conflict problem: %s", c.name, r.Body)
			}
		}
		// Adjacent on both sides is fine: intervals are half-open.
		h.Must(f.book(o.Staff, f.single("2026-11-23 11:00", "2026-11-23 12:00")), 201)
		h.Must(f.book(o.Staff, f.single("2026-11-23 09:00", "2026-11-23 10:00")), 201)
		// Another resource is independent.
		other := h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Court 1", "typeCd": "AREA"}), 201)
		b := f.single("2026-11-23 10:00", "2026-11-23 11:00")
		b["resourceId"] = apptest.ID(other)
		h.Must(f.book(o.Staff, b), 201)
		// A tentative booking holds nothing; confirming it is checked.
		tent := f.single("2026-11-23 10:30", "2026-11-23 10:45")
		tent["statusCd"] = "TENTATIVE"
		tb := h.Must(f.book(o.Staff, tent), 201)
		p := h.Must(h.Post(fmt.Sprintf("/api/bookings/%d/confirm", apptest.ID(tb)), o.Staff, nil), 409)
		if len(conflicts(p)) != 1 {
			t.Fatalf("confirm: %v", p)
		}
		occ := f.occurrences(o.Staff, "2026-11-23 00:00", "2026-11-24 00:00")
		if len(occ) != 4 {
			t.Fatalf("calendar: %v", occ)
		}
		av := h.Must(h.Get(fmt.Sprintf("/api/resources/%d/availability?from=%s&to=%s", f.room, at("2026-11-23 08:00"), at("2026-11-23 13:00")), o.Member), 200)
		free := list(av["free"])
		if av["available"] != false || len(list(av["busy"])) != 3 || len(free) != 2 || len(list(av["tentative"])) != 1 ||
			free[0].(map[string]any)["end"] != at("2026-11-23 09:00") || free[1].(map[string]any)["start"] != at("2026-11-23 12:00") {
			t.Fatalf("availability %v", av)
		}
		if !contains(eventTypes(t, db, o.ID), "booking.confirmed") || !strings.Contains(lastEvent(t, db, o.ID, "booking.confirmed"), `"resource":{"id"`) {
			t.Fatal("no booking.confirmed event")
		}
	})
}
