package access_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/store"
)

// club is an organisation with tiers and zones:
//
//	Building (BUILDING)
//	└── Ground floor (FLOOR)
//	    ├── Gym (AREA, max 3)
//	    └── Sauna (ROOM, requires PREMIUM)
type club struct {
	t               testing.TB
	h               *apptest.Harness
	o               *apptest.Org
	basic, premium  int64
	building, floor int64
	gym, sauna      int64
	sc              member.Scope
}

var seq atomic.Int64

func newClub(t testing.TB, db *store.DB) *club {
	t.Helper()
	h := apptest.New(t, db)
	return newClubOn(t, h, h.NewOrg("Club"))
}

func newClubOn(t testing.TB, h *apptest.Harness, o *apptest.Org) *club {
	t.Helper()
	loc, _ := clock.Location("Europe/Berlin")
	c := &club{t: t, h: h, o: o, sc: member.Scope{EntityID: o.ID, Location: loc}}
	c.basic = apptest.ID(h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 10}), 201))
	c.premium = apptest.ID(h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Premium", "tierCd": "PREMIUM", "tierRank": 20}), 201))
	c.building = c.zone(map[string]any{"name": "Building", "typeCd": "BUILDING"})
	c.floor = c.zone(map[string]any{"name": "Ground floor", "typeCd": "FLOOR", "parentZoneId": c.building})
	c.gym = c.zone(map[string]any{"name": "Gym", "typeCd": "AREA", "parentZoneId": c.floor, "maxOccupancy": 3})
	c.sauna = c.zone(map[string]any{"name": "Sauna", "typeCd": "ROOM", "parentZoneId": c.floor, "requiresContractTier": "PREMIUM"})
	return c
}

func (c *club) zone(body map[string]any) int64 {
	c.t.Helper()
	return apptest.ID(c.h.Must(c.h.Post("/api/access/zones", c.o.Admin, body), 201))
}

// member creates a member with an active contract of the template (0: none).
func (c *club) member(template int64) int64 {
	c.t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	m, err := c.h.App.Members.Create(ctx, c.sc, member.Fields{FirstName: "Member", LastName: fmt.Sprint(n), Email: fmt.Sprintf("m%d-%d@x.test", c.o.ID, n)})
	if err != nil {
		c.t.Fatal(err)
	}
	if template != 0 {
		start, _ := clock.ParseDate("2026-01-01")
		if _, err := c.h.App.Members.CreateContract(ctx, c.sc, m.ID, member.ContractInput{TemplateID: template, StartDate: start}); err != nil {
			c.t.Fatal(err)
		}
	}
	return m.ID
}

// card gives a member an active NFC card and returns its identifier.
func (c *club) card(memberID int64) string {
	c.t.Helper()
	id := fmt.Sprintf("04A1%08X", seq.Add(1)*7919)
	if _, err := c.h.App.Access.CreateCredential(context.Background(), c.sc, access.NewCredential{MemberID: memberID, TypeCd: "NFC_CARD", Identifier: id}); err != nil {
		c.t.Fatal(err)
	}
	return id
}

func (c *club) tap(token string, zone int64, ident string) map[string]any {
	c.t.Helper()
	body := map[string]any{"methodCd": "NFC", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": ident}}
	if zone != 0 {
		body["zoneId"] = zone
	}
	return c.h.Must(c.h.Post("/api/checkin", token, body), 200)
}

func (c *club) occupancy(zone int64) int {
	c.t.Helper()
	return int(c.h.Must(c.h.Get(fmt.Sprintf("/api/access/zones/%d/occupancy", zone), c.o.Staff), 200)["current"].(float64))
}

func (c *club) outboxTypes() string {
	c.t.Helper()
	rows, err := c.h.App.DB.QueryContext(context.Background(), `SELECT type FROM outbox WHERE entity_id = $1 ORDER BY id`, c.o.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	var types []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		types = append(types, s)
	}
	return strings.Join(types, ",")
}

func code(m map[string]any) string {
	if s, ok := m["denialCode"].(string); ok {
		return s
	}
	return ""
}
