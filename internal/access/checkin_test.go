package access_test

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

func TestCheckInDecisionsAreRecorded(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		m := c.member(c.basic)
		card := c.card(m)

		// Granted: the CheckIn with seed fields, the door opened.
		g := c.tap(o.Device, c.gym, card)
		if g["statusCd"] != "GRANTED" || g["denialCode"] != nil || g["memberId"].(float64) != float64(m) || g["zoneId"].(float64) != float64(c.gym) ||
			g["methodCd"] != "NFC" || g["directionCd"] != "IN" || g["checkedOutAt"] != nil || g["credentialId"] == nil || g["zoneName"] != "Gym" {
			t.Fatalf("granted: %v", g)
		}
		if door := g["door"].(map[string]any); door["success"] != true || door["adapter"] != "SIMULATED" {
			t.Fatalf("door: %v", g["door"])
		}
		if hint := g["credentialHint"].(string); strings.Contains(hint, card[:6]) || !strings.HasSuffix(hint, card[len(card)-4:]) {
			t.Fatalf("hint %q reveals the card", hint)
		}
		if cmds := h.App.SimDoor.Commands(); len(cmds) != 1 || cmds[0].Door.ExternalDoorID != fmt.Sprintf("zone-%d", c.gym) || cmds[0].HoldOpen != 5*time.Second {
			t.Fatalf("door commands %+v", cmds)
		}
		if c.occupancy(c.gym) != 1 {
			t.Fatal("occupancy not incremented")
		}
		// Anti-passback.
		if d := c.tap(o.Device, c.gym, card); code(d) != "ANTI_PASSBACK" || d["statusCd"] != "DENIED" || d["door"] != nil {
			t.Fatalf("second tap: %v", d)
		}
		// The member's credential records its last use.
		creds := h.Must(h.Get(fmt.Sprintf("/api/access/credentials/%d", m), o.Staff), 200)["items"].([]any)
		if creds[0].(map[string]any)["lastUsedAt"] == nil {
			t.Fatal("lastUsedAt not set")
		}
		// Sauna needs PREMIUM.
		if d := c.tap(o.Device, c.sauna, card); code(d) != "TIER_TOO_LOW" || !strings.Contains(d["denialReason"].(string), "PREMIUM") {
			t.Fatalf("sauna: %v", d)
		}
		// Check-out closes and frees the place; a second check-out is refused.
		out := h.Must(h.Post("/api/checkin/checkout", o.Staff, map[string]any{"memberId": m, "zoneId": c.gym}), 200)
		if out["id"] != g["id"] || out["checkedOutAt"] == nil || out["checkoutReasonCd"] != "CHECKOUT" || c.occupancy(c.gym) != 0 {
			t.Fatalf("checkout: %v", out)
		}
		p := h.Must(h.Post("/api/checkin/checkout", o.Staff, map[string]any{"memberId": m, "zoneId": c.gym}), 409)
		if !strings.Contains(p["detail"].(string), "nothing to check out") {
			t.Fatalf("second checkout: %v", p)
		}
		// Main entrance (no zone).
		if d := c.tap(o.Device, 0, card); d["statusCd"] != "GRANTED" || d["zoneId"] != nil {
			t.Fatalf("main entrance: %v", d)
		}
		// No contract.
		nc := c.member(0)
		if d := c.tap(o.Device, c.gym, c.card(nc)); code(d) != "CONTRACT_INACTIVE" {
			t.Fatalf("no contract: %v", d)
		}
		// Unknown credential: recorded without a member.
		before := h.Count("check_ins")
		u := c.tap(o.Device, c.gym, "DEADBEEF99")
		if code(u) != "UNKNOWN_CREDENTIAL" || u["memberId"] != nil || u["id"] == nil || h.Count("check_ins") != before+1 {
			t.Fatalf("unknown: %v", u)
		}
		if strings.Contains(string(h.Get("/api/checkin/live-feed", o.Staff).Body), "DEADBEEF99") {
			t.Fatal("the live feed shows an unknown card number in full")
		}
		types := c.outboxTypes()
		for _, want := range []string{"checkin.granted", "checkin.denied", "checkin.checkout", "credential.created"} {
			if !strings.Contains(types, want) {
				t.Errorf("no %s event: %s", want, types)
			}
		}
	})
}

func TestOccupancyLimitAndCredentialStates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		for i := range 3 {
			if d := c.tap(o.Device, c.gym, c.card(c.member(c.basic))); d["statusCd"] != "GRANTED" {
				t.Fatalf("member %d: %v", i, d)
			}
		}
		full := c.tap(o.Device, c.gym, c.card(c.member(c.basic)))
		if code(full) != "ZONE_FULL" || !strings.Contains(full["denialReason"].(string), "3/3") {
			t.Fatalf("fourth: %v", full)
		}
		occ := h.Must(h.Get(fmt.Sprintf("/api/access/zones/%d/occupancy", c.gym), o.Member), 200)
		if occ["current"].(float64) != 3 || occ["max"].(float64) != 3 || occ["percentage"].(float64) != 100 || occ["zoneId"].(float64) != float64(c.gym) {
			t.Fatalf("occupancy %v", occ)
		}
		if occ := h.Must(h.Get(fmt.Sprintf("/api/access/zones/%d/occupancy", c.floor), o.Device), 200); occ["max"] != nil || occ["percentage"] != nil {
			t.Fatalf("unlimited: %v", occ)
		}

		m := c.member(c.premium)
		cred := h.Must(h.Post("/api/access/credentials", o.Staff, map[string]any{"memberId": m, "typeCd": "NFC_CARD", "identifier": "04:aa:bb:cc", "statusCd": "PROVISIONED"}), 201)
		if cred["identifier"] != "04AABBCC" || cred["statusCd"] != "PROVISIONED" {
			t.Fatalf("credential %v", cred)
		}
		id := apptest.ID(cred)
		if d := c.tap(o.Device, c.sauna, "04AABBCC"); code(d) != "CREDENTIAL_INVALID" || !strings.Contains(d["denialReason"].(string), "provisioned") {
			t.Fatalf("provisioned: %v", d)
		}
		h.Must(h.Post(fmt.Sprintf("/api/access/credentials/%d/activate", id), o.Staff, nil), 200)
		// The reader writes the UID with separators and lower case: same card.
		if d := c.tap(o.Device, c.sauna, "04-aa-bb-cc"); d["statusCd"] != "GRANTED" {
			t.Fatalf("premium in the sauna: %v", d)
		}
		h.Must(h.Post("/api/checkin/checkout", o.Staff, map[string]any{"memberId": m, "zoneId": c.sauna}), 200)
		h.Must(h.Post(fmt.Sprintf("/api/access/credentials/%d/suspend", id), o.Staff, nil), 200)
		if d := c.tap(o.Device, c.sauna, "04AABBCC"); code(d) != "CREDENTIAL_INVALID" || !strings.Contains(d["denialReason"].(string), "suspended") {
			t.Fatalf("suspended: %v", d)
		}
		h.Must(h.Post(fmt.Sprintf("/api/access/credentials/%d/revoke", id), o.Staff, nil), 200)
		if d := c.tap(o.Device, c.sauna, "04AABBCC"); code(d) != "CREDENTIAL_INVALID" || !strings.Contains(d["denialReason"].(string), "revoked") {
			t.Fatalf("revoked: %v", d)
		}
		// Expired.
		exp := h.Must(h.Post("/api/access/credentials", o.Staff, map[string]any{"memberId": m, "typeCd": "RFID", "identifier": "777001",
			"expiresAt": apptest.Start.Add(time.Hour).Format(time.RFC3339)}), 201)
		h.Clock.Advance(2 * time.Hour)
		if d := c.tap(o.Device, c.sauna, "777001"); code(d) != "CREDENTIAL_INVALID" || !strings.Contains(d["denialReason"].(string), "expired") || d["credentialId"].(float64) != float64(apptest.ID(exp)) {
			t.Fatalf("expired: %v", d)
		}
	})
}

func TestFallbackChainKioskAndManualIdentification(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		m := c.member(c.basic)
		qr := h.Must(h.Post("/api/access/credentials", o.Staff, map[string]any{"memberId": m, "typeCd": "QR_CODE"}), 201)
		token := qr["identifier"].(string)
		if len(token) < 20 {
			t.Fatalf("generated QR payload %q", token)
		}
		// The reader reports an NFC read (a phone emulating a tag) carrying the QR
		// payload: the chain falls through to QR_CODE.
		d := h.Must(h.Post("/api/checkin", o.Device, map[string]any{"zoneId": c.gym, "methodCd": "NFC", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": token}}), 200)
		if d["statusCd"] != "GRANTED" || d["credentialId"].(float64) != float64(apptest.ID(qr)) {
			t.Fatalf("fallback to QR: %v", d)
		}
		h.Must(h.Post("/api/checkin/checkout", o.Device, map[string]any{"memberId": m, "zoneId": c.gym}), 200)

		// A kiosk: typed member number, or digits only.
		var number string
		_ = db.QueryRowContext(context.Background(), `SELECT member_number FROM members WHERE id = $1`, m).Scan(&number)
		d = h.Must(h.Post("/api/checkin", o.Device, map[string]any{"zoneId": c.gym, "methodCd": "MANUAL", "memberNumber": strings.ToLower(number)}), 200)
		if d["statusCd"] != "GRANTED" || d["memberId"].(float64) != float64(m) {
			t.Fatalf("kiosk member number: %v", d)
		}
		h.Must(h.Post("/api/checkin/checkout", o.Staff, map[string]any{"memberId": m, "zoneId": c.gym}), 200)
		d = h.Must(h.Post("/api/checkin", o.Device, map[string]any{"zoneId": c.gym, "methodCd": "MANUAL", "memberNumber": fmt.Sprint(m)}), 200)
		if d["statusCd"] != "GRANTED" {
			t.Fatalf("kiosk digits: %v", d)
		}
		h.Must(h.Post("/api/checkin/checkout", o.Staff, map[string]any{"memberId": m, "zoneId": c.gym}), 200)
		// The last link of the chain: a kiosk scanning a member number as a QR.
		d = h.Must(h.Post("/api/checkin", o.Device, map[string]any{"zoneId": c.gym, "methodCd": "QR", "credential": map[string]any{"typeCd": "QR_CODE", "identifier": number}}), 200)
		if d["statusCd"] != "GRANTED" || d["credentialId"] != nil {
			t.Fatalf("manual lookup at the end of the chain: %v", d)
		}
		h.Must(h.Post("/api/checkin/checkout", o.Staff, map[string]any{"memberId": m, "zoneId": c.gym}), 200)
		if d := h.Must(h.Post("/api/checkin", o.Device, map[string]any{"zoneId": c.gym, "methodCd": "MANUAL", "memberNumber": "NOPE-1"}), 200); code(d) != "UNKNOWN_CREDENTIAL" {
			t.Fatalf("unknown number: %v", d)
		}
		// A READER may not identify by member number, and its card reads never
		// fall back to member numbers.
		rd := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym reader", "kind": "READER", "zoneId": c.gym}), 201)
		reader := rd["apiKey"].(string)
		h.Must(h.Post("/api/checkin", reader, map[string]any{"methodCd": "MANUAL", "memberNumber": number}), 403)
		if d := c.tap(reader, 0, number); code(d) != "UNKNOWN_CREDENTIAL" || d["zoneId"].(float64) != float64(c.gym) {
			t.Fatalf("reader bound to the gym: %v", d)
		}
		// A bound device cannot check into another zone.
		h.Must(h.Post("/api/checkin", reader, map[string]any{"zoneId": c.sauna, "methodCd": "NFC", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": "0011"}}), 403)
		// Staff: manual by member id.
		d = h.Must(h.Post("/api/checkin", o.Staff, map[string]any{"zoneId": c.gym, "methodCd": "MANUAL", "memberId": m}), 200)
		if d["statusCd"] != "GRANTED" || d["methodCd"] != "MANUAL" {
			t.Fatalf("manual: %v", d)
		}
		// An exit reading closes the visit.
		out := c.h.Must(c.h.Post("/api/checkin", reader, map[string]any{"methodCd": "QR", "directionCd": "OUT", "credential": map[string]any{"typeCd": "QR_CODE", "identifier": token}}), 200)
		if out["checkoutReasonCd"] != "EXIT" || out["id"] != d["id"] || c.occupancy(c.gym) != 0 {
			t.Fatalf("exit: %v", out)
		}
	})
}

func TestEventIDIsIdempotent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		card := c.card(c.member(c.basic))
		body := map[string]any{"zoneId": c.gym, "methodCd": "NFC", "eventId": "evt-1", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": card}}
		first := h.Must(h.Post("/api/checkin", o.Device, body), 200)
		rows := h.Count("check_ins")
		again := h.Must(h.Post("/api/checkin", o.Device, body), 200)
		if again["id"] != first["id"] || again["statusCd"] != "GRANTED" || again["replayed"] != true || h.Count("check_ins") != rows {
			t.Fatalf("replay: %v vs %v", again, first)
		}
		// Another device may use the same event id.
		k2 := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Kiosk 2", "kind": "KIOSK"}), 201)["apiKey"].(string)
		if d := h.Must(h.Post("/api/checkin", k2, body), 200); code(d) != "ANTI_PASSBACK" {
			t.Fatalf("other device: %v", d)
		}
		// Staff must name the device an event id belongs to.
		delete(body, "deviceId")
		h.Must(h.Post("/api/checkin", o.Staff, body), 422)
		if c.occupancy(c.gym) != 1 {
			t.Fatal("a replay counted twice")
		}
	})
}

func TestRulesDecide(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		m := c.member(c.basic)
		card := c.card(m)
		// Saturday 12:00 in Berlin. A building rule (ancestor) applies to the gym.
		h.Must(h.Post("/api/access/rules", o.Admin, map[string]any{"zoneId": c.building, "name": "Weekdays", "ruleCd": "DAY_OF_WEEK",
			"config": map[string]any{"allowedDays": []string{"MON", "TUE", "WED", "THU", "FRI"}}, "priority": 1}), 201)
		r2 := h.Must(h.Post("/api/access/rules", o.Admin, map[string]any{"zoneId": c.gym, "name": "Evenings", "ruleCd": "TIME_RESTRICTION",
			"config": map[string]any{"allowFrom": "18:00", "allowUntil": "23:00"}, "priority": 5}), 201)
		d := c.tap(o.Device, c.gym, card)
		if code(d) != "RULE_FAILED" || !strings.Contains(d["denialReason"].(string), `"Evenings"`) {
			t.Fatalf("highest priority failing rule: %v", d)
		}
		h.Must(h.Put(fmt.Sprintf("/api/access/rules/%d", apptest.ID(r2)), o.Admin, map[string]any{"zoneId": c.gym, "name": "Evenings", "ruleCd": "TIME_RESTRICTION",
			"config": map[string]any{"allowFrom": "18:00", "allowUntil": "23:00"}, "priority": 0, "version": 1}), 200)
		if d := c.tap(o.Device, c.gym, card); !strings.Contains(d["denialReason"].(string), `"Weekdays"`) {
			t.Fatalf("after reprioritising: %v", d)
		}
		list := h.Must(h.Get(fmt.Sprintf("/api/access/rules?zoneId=%d", c.gym), o.Staff), 200)
		if list["totalItems"].(float64) != 1 {
			t.Fatalf("rules of the gym: %v", list)
		}
		h.Must(h.Do(apptest.Request{Method: "DELETE", Path: fmt.Sprintf("/api/access/rules/%d", apptest.ID(r2)), Token: o.Admin}), 204)
		all := h.Must(h.Get("/api/access/rules", o.Staff), 200)["items"].([]any)
		h.Must(h.Do(apptest.Request{Method: "DELETE", Path: fmt.Sprintf("/api/access/rules/%d", apptest.ID(all[0].(map[string]any))), Token: o.Admin}), 204)
		// A blacklist; a tier rule on the sauna admitting the basic template.
		h.Must(h.Post("/api/access/rules", o.Admin, map[string]any{"zoneId": c.floor, "name": "Banned", "ruleCd": "BLACKLIST",
			"config": map[string]any{"blockedMemberIds": []int64{m}}}), 201)
		if d := c.tap(o.Device, c.gym, card); code(d) != "RULE_FAILED" || !strings.Contains(d["denialReason"].(string), "blocked") {
			t.Fatalf("blacklist: %v", d)
		}
		mt := h.Must(h.Post("/api/access/rules", o.Admin, map[string]any{"zoneId": c.gym, "name": "Premium only", "ruleCd": "MEMBERSHIP_TIER",
			"config": map[string]any{"minTierRank": 20}, "priority": 50}), 201)
		if d := c.tap(o.Device, c.gym, card); code(d) != "TIER_TOO_LOW" || !strings.Contains(d["denialReason"].(string), "Premium only") {
			t.Fatalf("tier rule: %v", d)
		}
		if mt["config"].(map[string]any)["minTierRank"].(float64) != 20 {
			t.Fatalf("config echoed: %v", mt)
		}
	})
}

func TestZoneHierarchyTreeAndLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		locker := c.zone(map[string]any{"name": "Locker A", "typeCd": "LOCKER", "parentZoneId": c.gym})
		tree := h.Must(h.Get("/api/access/zones", o.Staff), 200)
		roots := tree["items"].([]any)
		if len(roots) != 1 || tree["totalZones"].(float64) != 5 {
			t.Fatalf("tree: %v", tree)
		}
		floor := roots[0].(map[string]any)["children"].([]any)[0].(map[string]any)
		kids := floor["children"].([]any)
		if floor["name"] != "Ground floor" || len(kids) != 2 || kids[0].(map[string]any)["name"] != "Gym" ||
			kids[0].(map[string]any)["children"].([]any)[0].(map[string]any)["id"].(float64) != float64(locker) {
			t.Fatalf("floor: %v", floor)
		}
		bad := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "B2", "typeCd": "BUILDING", "parentZoneId": c.sauna}, "body.typeCd"},
			{map[string]any{"name": "F", "typeCd": "FLOOR", "parentZoneId": c.floor}, "body.typeCd"},
			{map[string]any{"name": "X", "typeCd": "ROOM", "parentZoneId": 999999}, "body.parentZoneId"},
			{map[string]any{"name": "X", "typeCd": "ROOM", "requiresContractTier": "GOLD"}, "body.requiresContractTier"},
			{map[string]any{"name": "X", "typeCd": "ROOM", "resetTime": "24:30"}, "body.resetTime"},
			{map[string]any{"name": "X", "typeCd": "ROOM", "maxOccupancy": 0}, "body.maxOccupancy"},
		}
		for _, b := range bad {
			p := h.Must(h.Post("/api/access/zones", o.Admin, b.body), 422)
			if !strings.Contains(string(h.Post("/api/access/zones", o.Admin, b.body).Body), b.field) {
				t.Errorf("%v: %v", b.body, p)
			}
		}
		// A cycle through PUT: the floor under the gym (which is inside it).
		fl := h.Must(h.Get(fmt.Sprintf("/api/access/zones/%d", c.floor), o.Staff), 200)
		cyc := h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d", c.floor), o.Admin, map[string]any{"name": "Ground floor", "typeCd": "AREA", "parentZoneId": c.gym, "version": fl["version"]}), 422)
		if !strings.Contains(fmt.Sprint(cyc), "cycle") && !strings.Contains(fmt.Sprint(cyc), "cannot") {
			t.Fatalf("cycle: %v", cyc)
		}
		upd := h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d", c.gym), o.Admin, map[string]any{"name": "Gym", "typeCd": "AREA", "parentZoneId": c.floor,
			"maxOccupancy": 40, "resetTime": "03:30", "version": 1}), 200)
		if upd["version"].(float64) != 2 || upd["resetTime"] != "03:30" || upd["maxOccupancy"].(float64) != 40 {
			t.Fatalf("update: %v", upd)
		}
		h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d", c.gym), o.Admin, map[string]any{"name": "Gym", "typeCd": "AREA", "version": 1}), 409)
		// DELETE deactivates: the zone and the zones inside it deny.
		h.Must(h.Do(apptest.Request{Method: "DELETE", Path: fmt.Sprintf("/api/access/zones/%d", c.floor), Token: o.Admin}), 204)
		if z := h.Must(h.Get(fmt.Sprintf("/api/access/zones/%d", c.floor), o.Staff), 200); z["active"] != false {
			t.Fatalf("deactivated: %v", z)
		}
		if d := c.tap(o.Device, c.gym, c.card(c.member(c.basic))); code(d) != "ZONE_INACTIVE" || !strings.Contains(d["denialReason"].(string), "Ground floor") {
			t.Fatalf("inside a closed floor: %v", d)
		}
		// Door binding.
		door := h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d/door", c.gym), o.Admin, map[string]any{"provider": "simulated", "externalDoorId": "gym-east", "settings": map[string]any{"relay": 2}}), 200)
		if door["door"].(map[string]any)["externalDoorId"] != "gym-east" || door["door"].(map[string]any)["provider"] != "SIMULATED" {
			t.Fatalf("door: %v", door)
		}
		h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d/door", c.gym), o.Admin, map[string]any{"provider": "KISI"}), 422)
		// A device can now be bound to a zone.
		h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Sauna reader", "kind": "READER", "zoneId": c.sauna}), 201)
	})
}

// Forgotten check-outs close at the zone's reset, without any background job:
// the next check-in (or check-out, or occupancy read) sweeps the zone first.
func TestResetClosesForgottenCheckOuts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		h.App.Access.SweepEvery = time.Hour // keep the background sweeper out of it
		m1, m2 := c.member(c.basic), c.member(c.basic)
		card1, card2 := c.card(m1), c.card(m2)
		h.Clock.Set(time.Date(2026, 11, 21, 19, 0, 0, 0, time.UTC)) // 20:00 Berlin
		c.tap(o.Device, c.gym, card1)
		c.tap(o.Device, c.gym, card2)
		c.tap(o.Device, 0, card1)
		h.Clock.Set(time.Date(2026, 11, 21, 22, 59, 0, 0, time.UTC)) // 23:59: still today
		o.Staff = h.Login(o.Emails["STAFF"], apptest.Password)
		if d := c.tap(o.Device, c.gym, card1); code(d) != "ANTI_PASSBACK" {
			t.Fatalf("before midnight: %v", d)
		}
		h.Clock.Set(time.Date(2026, 11, 21, 23, 0, 1, 0, time.UTC)) // 00:00:01 Berlin
		g := c.tap(o.Device, c.gym, card1)
		if g["statusCd"] != "GRANTED" {
			t.Fatalf("after midnight: %v", g)
		}
		// m2's forgotten check-in was closed by the same sweep: the count is 1.
		if n := c.occupancy(c.gym); n != 1 {
			t.Fatalf("occupancy after reset %d", n)
		}
		hist := h.Must(h.Get(fmt.Sprintf("/api/checkin/history/%d", m2), o.Staff), 200)["items"].([]any)[0].(map[string]any)
		if hist["checkoutReasonCd"] != "RESET" || hist["checkedOutAt"] != "2026-11-21T23:00:00Z" {
			t.Fatalf("closed at the boundary: %v", hist)
		}
		// Checking out a forgotten check-in after the reset: nothing open.
		h.Must(h.Post("/api/checkin/checkout", o.Staff, map[string]any{"memberId": m2, "zoneId": c.gym}), 409)
		// The main entrance resets at midnight too.
		if d := c.tap(o.Device, 0, card1); d["statusCd"] != "GRANTED" {
			t.Fatalf("main entrance after midnight: %v", d)
		}
		if !strings.Contains(c.outboxTypes(), "checkin.checkout") {
			t.Fatal("no checkout events for the reset")
		}
	})
}

func TestSweeperClosesAndFixesOccupancy(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		h.App.Access.SweepEvery = time.Hour
		for range 2 {
			c.tap(o.Device, c.gym, c.card(c.member(c.basic)))
		}
		// Drift (say, a restore from backup) is repaired by the recount.
		if _, err := db.ExecContext(t.Context(), `UPDATE access_zones SET current_occupancy = 3 WHERE id = $1`, c.gym); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(13 * time.Hour) // 01:00 Berlin next day
		n, err := h.App.Access.SweepAll(t.Context())
		if err != nil || n != 2 {
			t.Fatalf("swept %d: %v", n, err)
		}
		var occ int
		_ = db.QueryRowContext(t.Context(), `SELECT current_occupancy FROM access_zones WHERE id = $1`, c.gym).Scan(&occ)
		if occ != 0 {
			t.Fatalf("occupancy %d", occ)
		}
		if n, _ := h.App.Access.SweepAll(t.Context()); n != 0 {
			t.Fatalf("second sweep closed %d", n)
		}
	})
}

func TestRemoteUnlockIsAudited(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		path := fmt.Sprintf("/api/access/zones/%d/unlock", c.sauna)
		r := h.Must(h.Post(path, o.Admin, map[string]any{}), 200)
		if r["success"] != true || r["adapter"] != "SIMULATED" || !strings.Contains(r["message"].(string), "5s") {
			t.Fatalf("unlock: %v", r)
		}
		h.Must(h.Post(path, o.Admin, map[string]any{"durationSeconds": 3600}), 200)
		h.Must(h.Post(path, o.Admin, map[string]any{"durationSeconds": 3601}), 422)
		h.Must(h.Post(path, o.Admin, map[string]any{"durationSeconds": 0}), 422)
		h.App.SimDoor.SetLatency(time.Second)
		h.App.Access.DoorTimeout = 50 * time.Millisecond
		slow := h.Must(h.Post(path, o.Admin, map[string]any{"durationSeconds": 10}), 200)
		if slow["success"] != false || !strings.Contains(slow["message"].(string), "unreachable") {
			t.Fatalf("slow door: %v", slow)
		}
		h.App.SimDoor.SetLatency(0)
		audit := h.Must(h.Get(fmt.Sprintf("/api/access/unlocks?zoneId=%d&size=2", c.sauna), o.Admin), 200)
		items := audit["items"].([]any)
		if audit["totalItems"].(float64) != 3 || len(items) != 2 || items[0].(map[string]any)["success"] != false ||
			items[0].(map[string]any)["actor"] != o.Emails["CLUB_ADMIN"] || items[0].(map[string]any)["durationSeconds"].(float64) != 10 {
			t.Fatalf("audit: %v", audit)
		}
		if n := strings.Count(c.outboxTypes(), "door.unlocked"); n != 2 {
			t.Fatalf("%d door.unlocked events", n)
		}
		evs := h.Must(h.Get(fmt.Sprintf("/api/access/zones/%d/door/events", c.sauna), o.Staff), 200)
		_ = evs
	})
}

func TestHistory(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		card := c.card(o.MemberID)
		if _, err := h.App.Members.CreateContract(t.Context(), c.sc, o.MemberID, contractInput(c.basic)); err != nil {
			t.Fatal(err)
		}
		for day := range 5 {
			h.Clock.Set(time.Date(2026, 11, 16+day, 7, 0, 0, 0, time.UTC)) // 08:00 Berlin, Mon–Fri
			c.tap(o.Device, c.gym, card)
			h.Clock.Advance(time.Hour)
			h.Must(h.Post("/api/checkin/checkout", o.Device, map[string]any{"memberId": o.MemberID, "zoneId": c.gym}), 200)
		}
		o.Member = h.Login(o.Emails["MEMBER"], apptest.Password)
		o.Staff = h.Login(o.Emails["STAFF"], apptest.Password)
		base := fmt.Sprintf("/api/checkin/history/%d", o.MemberID)
		all := h.Must(h.Get(base+"?size=2", o.Member), 200)
		items := all["items"].([]any)
		if all["totalItems"].(float64) != 5 || all["totalPages"].(float64) != 3 || len(items) != 2 || items[0].(map[string]any)["checkedInAt"] != "2026-11-20T07:00:00Z" {
			t.Fatalf("history: %v", all)
		}
		r := h.Must(h.Get(base+"?from=2026-11-17&to=2026-11-18", o.Staff), 200)
		if r["totalItems"].(float64) != 2 {
			t.Fatalf("date range: %v", r)
		}
		r = h.Must(h.Get(base+"?from=2026-11-17T07:00:00Z&to=2026-11-17T07:00:01Z", o.Staff), 200)
		if r["totalItems"].(float64) != 1 {
			t.Fatalf("instant range: %v", r)
		}
		h.Must(h.Get(base+"?from=yesterday", o.Staff), 422)
		h.Must(h.Get(base+"?from=2026-11-18&to=2026-11-17", o.Staff), 422)
		other := c.member(c.basic)
		h.Must(h.Get(fmt.Sprintf("/api/checkin/history/%d", other), o.Member), 404)
	})
}

// TestManyConcurrentCheckInsNeverOverfillAZone is the occupancy invariant: 200
// members with their cards tap at once at a zone for 10; exactly 10 get in.
func TestManyConcurrentCheckInsNeverOverfillAZone(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		zone := c.zone(map[string]any{"name": "Spin studio", "typeCd": "ROOM", "parentZoneId": c.floor, "maxOccupancy": 10})
		cards := c.manyCards(200)
		results := tapAll(t, []*club{c}, zone, cards)
		checkOutcome(t, c, zone, results, 10, map[string]int{"ZONE_FULL": 190})
	})
}

// TestOneMemberCannotEnterTwice is the anti-passback invariant under a burst of
// 20 simultaneous taps of one card.
func TestOneMemberCannotEnterTwice(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		card := c.card(c.member(c.basic))
		cards := make([]string, 20)
		for i := range cards {
			cards[i] = card
		}
		results := tapAll(t, []*club{c}, c.floor, cards)
		checkOutcome(t, c, c.floor, results, 1, map[string]int{"ANTI_PASSBACK": 19})
	})
}

// TestUnlimitedZoneOccupancyAndNewLimit: an unlimited zone keeps no counter
// (its check-ins take no lock on the zone row) yet reports its occupancy; a
// limit given later starts counting from the members inside.
func TestUnlimitedZoneOccupancyAndNewLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		studio := c.zone(map[string]any{"name": "Studio", "typeCd": "ROOM", "parentZoneId": c.floor})
		cards := []string{c.card(c.member(c.basic)), c.card(c.member(c.basic)), c.card(c.member(c.basic))}
		exit := func(card string) {
			t.Helper()
			r := h.Must(h.Post("/api/checkin", o.Device, map[string]any{"methodCd": "NFC", "directionCd": "OUT", "zoneId": studio,
				"credential": map[string]any{"typeCd": "NFC_CARD", "identifier": card}}), 200)
			if r["zoneName"] != "Studio" || r["memberName"] == nil || r["checkedOutAt"] == nil {
				t.Fatalf("exit result: %v", r)
			}
		}
		c.tap(o.Device, studio, cards[0])
		c.tap(o.Device, studio, cards[1])
		if n := c.occupancy(studio); n != 2 {
			t.Fatalf("occupancy %d, want 2", n)
		}
		exit(cards[1])
		if n := c.occupancy(studio); n != 1 {
			t.Fatalf("after an exit: occupancy %d, want 1", n)
		}
		c.tap(o.Device, studio, cards[1])

		z := h.Must(h.Get(fmt.Sprintf("/api/access/zones/%d", studio), o.Admin), 200)
		h.Must(h.Put(fmt.Sprintf("/api/access/zones/%d", studio), o.Admin, map[string]any{"name": "Studio", "typeCd": "ROOM",
			"parentZoneId": c.floor, "maxOccupancy": 2, "version": z["version"]}), 200)
		if r := c.tap(o.Device, studio, cards[2]); r["denialCode"] != "ZONE_FULL" {
			t.Fatalf("third member into a zone limited to the two inside: %v", r)
		}
		exit(cards[0])
		if r := c.tap(o.Device, studio, cards[2]); r["statusCd"] != "GRANTED" {
			t.Fatalf("after an exit: %v", r)
		}
		if n := c.occupancy(studio); n != 2 {
			t.Fatalf("occupancy %d, want 2", n)
		}
	})
}
