package access_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestCredentialLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		m := c.member(c.basic)
		cr := h.Must(h.Post("/api/access/credentials", o.Staff, map[string]any{"memberId": m, "typeCd": "NFC_CARD", "identifier": "0badcafe", "statusCd": "PROVISIONED"}), 201)
		id := apptest.ID(cr)
		path := func(action string) string { return fmt.Sprintf("/api/access/credentials/%d/%s", id, action) }
		steps := []struct {
			action string
			want   int
			status string
		}{
			{"suspend", 409, ""}, {"activate", 200, "ACTIVE"}, {"activate", 409, ""}, {"suspend", 200, "SUSPENDED"},
			{"suspend", 409, ""}, {"activate", 200, "ACTIVE"}, {"revoke", 200, "REVOKED"}, {"activate", 409, ""}, {"revoke", 409, ""},
		}
		for i, s := range steps {
			r := h.Must(h.Post(path(s.action), o.Staff, nil), s.want)
			if s.want == 200 && r["statusCd"] != s.status {
				t.Fatalf("step %d %s: %v", i, s.action, r)
			}
		}
		// The identifier is free again once revoked; while in use it is not, and
		// the conflict does not repeat it.
		h.Must(h.Post("/api/access/credentials", o.Staff, map[string]any{"memberId": m, "typeCd": "NFC_CARD", "identifier": "0BADCAFE"}), 201)
		dup := h.Post("/api/access/credentials", o.Staff, map[string]any{"memberId": c.member(0), "typeCd": "RFID", "identifier": "0b:ad:ca:fe"})
		if dup.Status != 409 || strings.Contains(strings.ToUpper(string(dup.Body)), "0BADCAFE") || !strings.Contains(string(dup.Body), "/duplicate") {
			t.Fatalf("duplicate: %d %s", dup.Status, dup.Body)
		}
		list := h.Must(h.Get(fmt.Sprintf("/api/access/credentials/%d", m), o.Staff), 200)
		if list["totalItems"].(float64) != 2 {
			t.Fatalf("list: %v", list)
		}
		types := c.outboxTypes()
		for _, e := range []string{"credential.created", "credential.activated", "credential.suspended", "credential.revoked"} {
			if !strings.Contains(types, e) {
				t.Errorf("no %s event", e)
			}
		}
		var data string
		_ = db.QueryRowContext(context.Background(), `SELECT data FROM outbox WHERE type = 'credential.created' ORDER BY id LIMIT 1`).Scan(&data)
		if strings.Contains(data, "0BADCAFE") || !strings.Contains(data, "CAFE") {
			t.Fatalf("event reveals the identifier: %s", data)
		}
		// A member sees its own credentials, not others'.
		h.Must(h.Get(fmt.Sprintf("/api/access/credentials/%d", o.MemberID), o.Member), 200)
		h.Must(h.Get(fmt.Sprintf("/api/access/credentials/%d", m), o.Member), 404)
	})
}

// The live stream delivers a check-in decided by another app instance on the
// same database within a second, sends heartbeats, and ends when the client goes.
func TestLiveFeedJSONAndStream(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, watcher, decider *club) {
		watcher.h.App.Access.Heartbeat = 100 * time.Millisecond
		card := watcher.card(watcher.member(watcher.basic))
		for range 3 {
			watcher.tap(watcher.o.Device, 0, "FFFF0001")
		}
		feed := watcher.h.Must(watcher.h.Get("/api/checkin/live-feed", watcher.o.Staff), 200)
		if items := feed["items"].([]any); len(items) != 3 || code(items[0].(map[string]any)) != "UNKNOWN_CREDENTIAL" {
			t.Fatalf("json feed: %v", feed)
		}
		srv := httptest.NewServer(watcher.h.App.Handler())
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/checkin/live-feed", nil)
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", "Bearer "+watcher.o.Staff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		wait := func(pred func(string) bool, within time.Duration) string {
			t.Helper()
			deadline := time.After(within)
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatal("stream ended")
					}
					if pred(l) {
						return l
					}
				case <-deadline:
					t.Fatalf("nothing within %v", within)
				}
			}
		}
		wait(func(l string) bool { return l == ": connected" }, 2*time.Second)
		time.Sleep(300 * time.Millisecond) // the bus has read the outbox head
		start := time.Now()
		decider.tap(decider.o.Device, decider.gym, card)
		wait(func(l string) bool { return l == "event: checkin.granted" }, time.Second)
		data := wait(func(l string) bool { return strings.HasPrefix(l, "data: ") }, time.Second)
		if !strings.Contains(data, `"statusCd":"GRANTED"`) || !strings.Contains(data, `"zoneName":"Gym"`) {
			t.Fatalf("data: %s", data)
		}
		t.Logf("delivered in %v", time.Since(start))
		wait(func(l string) bool { return l == ": ping" }, time.Second)
		// The client goes; the server's stream ends (its subscription closes).
		cancel()
		for range lines {
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		c := newClub(t, storetest.SQLite(t))
		run(t, c, c)
	})
	t.Run("postgres", func(t *testing.T) {
		c := newClub(t, storetest.Postgres(t))
		run(t, c, c)
	})
	t.Run("two instances on postgres", func(t *testing.T) {
		c1, c2 := twoInstances(t)
		run(t, c1, c2)
	})
}

type endpoint struct {
	method, path string
	body         any
}

func accessEndpoints(c *club, memberID, ruleID, credID int64) []endpoint {
	return []endpoint{
		{"GET", fmt.Sprintf("/api/access/zones/%d", c.gym), nil},
		{"PUT", fmt.Sprintf("/api/access/zones/%d", c.gym), map[string]any{"name": "X", "typeCd": "AREA", "version": 1}},
		{"DELETE", fmt.Sprintf("/api/access/zones/%d", c.gym), nil},
		{"GET", fmt.Sprintf("/api/access/zones/%d/occupancy", c.gym), nil},
		{"POST", fmt.Sprintf("/api/access/zones/%d/unlock", c.gym), map[string]any{"durationSeconds": 5}},
		{"PUT", fmt.Sprintf("/api/access/zones/%d/door", c.gym), map[string]any{"provider": "SIMULATED"}},
		{"GET", fmt.Sprintf("/api/access/zones/%d/door/events", c.gym), nil},
		{"GET", fmt.Sprintf("/api/access/unlocks?zoneId=%d", c.gym), nil},
		{"GET", fmt.Sprintf("/api/access/rules?zoneId=%d", c.gym), nil},
		{"PUT", fmt.Sprintf("/api/access/rules/%d", ruleID), map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "BLACKLIST", "config": map[string]any{"blockedMemberIds": []int{}}, "version": 1}},
		{"DELETE", fmt.Sprintf("/api/access/rules/%d", ruleID), nil},
		{"GET", fmt.Sprintf("/api/access/credentials/%d", memberID), nil},
		{"POST", fmt.Sprintf("/api/access/credentials/%d/suspend", credID), nil},
		{"POST", fmt.Sprintf("/api/access/credentials/%d/revoke", credID), nil},
		{"POST", fmt.Sprintf("/api/access/credentials/%d/activate", credID), nil},
		{"POST", "/api/access/credentials", map[string]any{"memberId": memberID, "typeCd": "PIN", "identifier": "98765"}},
		{"POST", "/api/checkin", map[string]any{"zoneId": c.gym, "methodCd": "MANUAL", "memberId": c.o.MemberID}},
		{"POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": memberID}},
		{"POST", "/api/checkin", map[string]any{"methodCd": "NFC", "credentialId": credID}},
		{"POST", "/api/checkin/checkout", map[string]any{"memberId": memberID}},
		{"POST", "/api/checkin/checkout", map[string]any{"memberId": c.o.MemberID, "zoneId": c.gym}},
		{"GET", fmt.Sprintf("/api/checkin/history/%d", memberID), nil},
		{"GET", fmt.Sprintf("/api/checkin/live-feed?zoneId=%d", c.gym), nil},
		{"POST", "/api/access/rules", map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "BLACKLIST", "config": map[string]any{"blockedMemberIds": []int{}}}},
		{"POST", "/api/access/zones", map[string]any{"name": "x", "typeCd": "ROOM", "parentZoneId": c.gym}},
	}
}

func TestAccessTenantIsolation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newClub(t, db)
		b := newClubOn(t, a.h, a.h.NewOrg("B"))
		h := a.h
		m := a.member(a.basic)
		card := a.card(m)
		a.tap(a.o.Device, a.gym, card)
		rule := h.Must(h.Post("/api/access/rules", a.o.Admin, map[string]any{"zoneId": a.gym, "name": "Banned", "ruleCd": "BLACKLIST", "config": map[string]any{"blockedMemberIds": []int64{m}}}), 201)
		creds := h.Must(h.Get(fmt.Sprintf("/api/access/credentials/%d", m), a.o.Staff), 200)["items"].([]any)
		credID := apptest.ID(creds[0].(map[string]any))
		tables := []string{"access_zones", "access_rules", "credentials", "check_ins", "door_unlocks", "outbox"}
		count := func() string {
			var s []string
			for _, tb := range tables {
				s = append(s, fmt.Sprint(h.Count(tb)))
			}
			return strings.Join(s, ",")
		}
		before := count()
		// B's callers must get 404 for every A object, and write nothing.
		for _, e := range accessEndpoints(a, m, apptest.ID(rule), credID) {
			tok := b.o.Admin
			if e.method == "POST" && strings.HasPrefix(e.path, "/api/checkin") {
				tok = b.o.Staff
			}
			r := h.Do(apptest.Request{Method: e.method, Path: e.path, Token: tok, Body: e.body})
			if r.Status != 404 && !(r.Status == 422 && e.method == "POST" && (e.path == "/api/access/rules" || e.path == "/api/access/zones")) {
				t.Errorf("B %s %s: %d %s", e.method, e.path, r.Status, r.Body)
			}
		}
		// B's device presenting A's card: unknown in B (recorded in B only).
		if d := b.tap(b.o.Device, 0, card); code(d) != "UNKNOWN_CREDENTIAL" || int64(d["entityId"].(float64)) != b.o.ID {
			t.Errorf("A's card at B: %v", d)
		}
		// A's blacklist cannot name B's member; B's zone tree does not show A's zones.
		h.Must(h.Post("/api/access/rules", a.o.Admin, map[string]any{"zoneId": a.gym, "name": "x", "ruleCd": "BLACKLIST", "config": map[string]any{"blockedMemberIds": []int64{b.o.MemberID}}}), 422)
		h.Must(h.Post("/api/access/rules", a.o.Admin, map[string]any{"zoneId": a.gym, "name": "x", "ruleCd": "MEMBERSHIP_TIER", "config": map[string]any{"allowedTemplateIds": []int64{b.basic}}}), 422)
		tree := h.Must(h.Get("/api/access/zones", b.o.Staff), 200)
		if tree["totalZones"].(float64) != 4 {
			t.Errorf("B sees %v zones", tree["totalZones"])
		}
		for _, path := range []string{"/api/access/rules?size=200", "/api/checkin/live-feed", "/api/access/unlocks"} {
			r := h.Must(h.Get(path, b.o.Admin), 200)
			for _, it := range r["items"].([]any) {
				if int64(it.(map[string]any)["entityId"].(float64)) != b.o.ID {
					t.Errorf("%s lists another organisation's object to B", path)
				}
			}
		}
		after := count()
		// The only write is B's own unknown-card decision (a check-in and its event).
		if before == after {
			t.Fatal("B's unknown card was not recorded")
		}
		var foreign int
		_ = db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM check_ins WHERE entity_id = $1 AND member_id IS NOT NULL AND member_id NOT IN (SELECT id FROM members WHERE entity_id = $1)`, b.o.ID).Scan(&foreign)
		if foreign != 0 {
			t.Fatal("a check-in of B names A's member")
		}
	})
}

func TestAccessRoles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		other := c.member(c.basic)
		card := c.card(other)
		zones := "/api/access/zones"
		gym := fmt.Sprintf("/api/access/zones/%d", c.gym)
		cases := []struct {
			name, token, method, path string
			body                      any
			want                      int
		}{
			{"anonymous reads zones", "", "GET", zones, nil, 401},
			{"anonymous checks in", "", "POST", "/api/checkin", map[string]any{"methodCd": "NFC", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": card}}, 401},
			{"member reads zones", o.Member, "GET", zones, nil, 403},
			{"member reads occupancy", o.Member, "GET", gym + "/occupancy", nil, 200},
			{"member checks another in", o.Member, "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": other}, 403},
			{"member checks itself in by id", o.Member, "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": o.MemberID}, 403},
			{"member checks another out", o.Member, "POST", "/api/checkin/checkout", map[string]any{"memberId": other}, 403},
			{"member reads another's history", o.Member, "GET", fmt.Sprintf("/api/checkin/history/%d", other), nil, 404},
			{"member reads own history", o.Member, "GET", fmt.Sprintf("/api/checkin/history/%d", o.MemberID), nil, 200},
			{"member watches the live feed", o.Member, "GET", "/api/checkin/live-feed", nil, 403},
			{"member issues a credential", o.Member, "POST", "/api/access/credentials", map[string]any{"memberId": o.MemberID, "typeCd": "QR_CODE"}, 403},
			{"trainer reads zones", o.Trainer, "GET", zones, nil, 200},
			{"trainer creates a zone", o.Trainer, "POST", zones, map[string]any{"name": "x", "typeCd": "BUILDING"}, 403},
			{"trainer checks in", o.Trainer, "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": other}, 403},
			{"staff creates a zone", o.Staff, "POST", zones, map[string]any{"name": "x", "typeCd": "BUILDING"}, 403},
			{"staff creates a rule", o.Staff, "POST", "/api/access/rules", map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "BLACKLIST", "config": map[string]any{"blockedMemberIds": []int{}}}, 403},
			{"staff unlocks", o.Staff, "POST", gym + "/unlock", map[string]any{}, 403},
			{"staff reads the unlock audit", o.Staff, "GET", "/api/access/unlocks", nil, 403},
			{"staff issues a credential", o.Staff, "POST", "/api/access/credentials", map[string]any{"memberId": other, "typeCd": "QR_CODE"}, 201},
			{"staff checks in manually", o.Staff, "POST", "/api/checkin", map[string]any{"zoneId": c.gym, "methodCd": "MANUAL", "memberId": other}, 200},
			{"staff watches the live feed", o.Staff, "GET", "/api/checkin/live-feed", nil, 200},
			{"admin unlocks", o.Admin, "POST", gym + "/unlock", nil, 200},
			{"device reads zones", o.Device, "GET", zones, nil, 403},
			{"device creates a zone", o.Device, "POST", zones, map[string]any{"name": "x", "typeCd": "BUILDING"}, 403},
			{"device updates a zone", o.Device, "PUT", gym, map[string]any{"name": "x", "typeCd": "AREA", "version": 1}, 403},
			{"device deletes a zone", o.Device, "DELETE", gym, nil, 403},
			{"device unlocks", o.Device, "POST", gym + "/unlock", map[string]any{}, 403},
			{"device creates a rule", o.Device, "POST", "/api/access/rules", map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "BLACKLIST", "config": map[string]any{"blockedMemberIds": []int{}}}, 403},
			{"device issues a credential", o.Device, "POST", "/api/access/credentials", map[string]any{"memberId": other, "typeCd": "QR_CODE"}, 403},
			{"device checks in by member id", o.Device, "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": other}, 403},
			{"device reads history", o.Device, "GET", fmt.Sprintf("/api/checkin/history/%d", other), nil, 403},
			{"device watches the live feed", o.Device, "GET", "/api/checkin/live-feed", nil, 403},
			{"device reads occupancy", o.Device, "GET", gym + "/occupancy", nil, 200},
			{"kiosk checks in by card", o.Device, "POST", "/api/checkin", map[string]any{"zoneId": c.sauna, "methodCd": "NFC", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": card}}, 200},
		}
		for _, cs := range cases {
			r := h.Do(apptest.Request{Method: cs.method, Path: cs.path, Token: cs.token, Body: cs.body})
			if r.Status != cs.want {
				t.Errorf("%s: %d %s, want %d", cs.name, r.Status, r.Body, cs.want)
			}
			if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: content type %q", cs.name, r.Header.Get("Content-Type"))
			}
		}
		// A QR display or gateway key is not a check-in device.
		qd := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "QR", "kind": "QR_DISPLAY"}), 201)["apiKey"].(string)
		h.Must(h.Post("/api/checkin", qd, map[string]any{"methodCd": "NFC", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": card}}), 403)
	})
}

func TestAccessBadInputIsAProblemAndWritesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClub(t, db)
		h, o := c.h, c.o
		m := c.member(c.basic)
		secret := "SECRET" + "TOKEN123"
		nfc := func(id any) map[string]any {
			return map[string]any{"methodCd": "NFC", "credential": map[string]any{"typeCd": "NFC_CARD", "identifier": id}}
		}
		cases := []struct {
			name, method, path string
			body               any
			want               int
			field              string
		}{
			{"malformed JSON", "POST", "/api/checkin", `{"methodCd":`, 400, ""},
			{"no identification", "POST", "/api/checkin", map[string]any{"methodCd": "NFC"}, 422, "body.memberId"},
			{"two identifications", "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": m, "credentialId": 1}, 422, "body.memberId"},
			{"unknown method", "POST", "/api/checkin", map[string]any{"methodCd": "TELEPATHY", "memberId": m}, 422, "body.methodCd"},
			{"unknown direction", "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": m, "directionCd": "UP"}, 422, "body.directionCd"},
			{"manual not MANUAL", "POST", "/api/checkin", map[string]any{"methodCd": "NFC", "memberId": m}, 422, "body.methodCd"},
			{"bad credential type", "POST", "/api/checkin", map[string]any{"methodCd": "NFC", "credential": map[string]any{"typeCd": "IRIS", "identifier": secret}}, 422, "body.credential.typeCd"},
			{"empty identifier", "POST", "/api/checkin", nfc(""), 422, "body.credential.identifier"},
			{"oversize identifier", "POST", "/api/checkin", nfc(secret + strings.Repeat("9", 300)), 422, "body.credential.identifier"},
			{"unknown zone", "POST", "/api/checkin", map[string]any{"zoneId": 999999, "methodCd": "MANUAL", "memberId": m}, 404, ""},
			{"unknown member", "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": 999999}, 404, ""},
			{"unknown field", "POST", "/api/checkin", map[string]any{"methodCd": "MANUAL", "memberId": m, "entityId": 2}, 422, "body.entityId"},
			{"checkout without member", "POST", "/api/checkin/checkout", map[string]any{"zoneId": c.gym}, 422, "body"},
			{"zone without type", "POST", "/api/access/zones", map[string]any{"name": "x"}, 422, "body"},
			{"zone bad type", "POST", "/api/access/zones", map[string]any{"name": "x", "typeCd": "CASTLE"}, 422, "body.typeCd"},
			{"zone blank name", "POST", "/api/access/zones", map[string]any{"name": "  ", "typeCd": "ROOM"}, 422, "body.name"},
			{"zone stale version", "PUT", fmt.Sprintf("/api/access/zones/%d", c.gym), map[string]any{"name": "Gym", "typeCd": "AREA", "parentZoneId": c.floor, "version": 9}, 409, ""},
			{"rule bad code", "POST", "/api/access/rules", map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "VIBES", "config": map[string]any{}}, 422, "body.ruleCd"},
			{"rule bad config", "POST", "/api/access/rules", map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "TIME_RESTRICTION", "config": map[string]any{"allowFrom": "6am"}}, 422, "body.config"},
			{"rule config not an object", "POST", "/api/access/rules", map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "BLACKLIST", "config": []int{1}}, 422, "body.config"},
			{"rule unknown template", "POST", "/api/access/rules", map[string]any{"zoneId": c.gym, "name": "x", "ruleCd": "MEMBERSHIP_TIER", "config": map[string]any{"allowedTemplateIds": []int{999999}}}, 422, "body.config"},
			{"rule unknown zone", "POST", "/api/access/rules", map[string]any{"zoneId": 999999, "name": "x", "ruleCd": "BLACKLIST", "config": map[string]any{"blockedMemberIds": []int{}}}, 422, "body.zoneId"},
			{"credential bad PIN", "POST", "/api/access/credentials", map[string]any{"memberId": m, "typeCd": "PIN", "identifier": "12a"}, 422, "body.identifier"},
			{"credential bad card", "POST", "/api/access/credentials", map[string]any{"memberId": m, "typeCd": "NFC_CARD", "identifier": secret + "!"}, 422, "body.identifier"},
			{"credential missing identifier", "POST", "/api/access/credentials", map[string]any{"memberId": m, "typeCd": "NFC_CARD"}, 422, "body.identifier"},
			{"credential expired already", "POST", "/api/access/credentials", map[string]any{"memberId": m, "typeCd": "QR_CODE", "expiresAt": "2020-01-01T00:00:00Z"}, 422, "body.expiresAt"},
			{"credential revoked at birth", "POST", "/api/access/credentials", map[string]any{"memberId": m, "typeCd": "QR_CODE", "statusCd": "REVOKED"}, 422, "body.statusCd"},
			{"credential unknown member", "POST", "/api/access/credentials", map[string]any{"memberId": 999999, "typeCd": "QR_CODE"}, 404, ""},
			{"unlock too long", "POST", fmt.Sprintf("/api/access/zones/%d/unlock", c.gym), map[string]any{"durationSeconds": 7200}, 422, "body.durationSeconds"},
			{"unlock not a number", "POST", fmt.Sprintf("/api/access/zones/%d/unlock", c.gym), map[string]any{"durationSeconds": "long"}, 422, "body.durationSeconds"},
			{"door unknown provider", "PUT", fmt.Sprintf("/api/access/zones/%d/door", c.gym), map[string]any{"provider": "ACME"}, 422, "body.provider"},
			{"door settings not an object", "PUT", fmt.Sprintf("/api/access/zones/%d/door", c.gym), map[string]any{"provider": "SIMULATED", "settings": "x"}, 422, "body.settings"},
			{"history bad date", "GET", fmt.Sprintf("/api/checkin/history/%d?from=2026-02-30", m), nil, 422, "query.from"},
			{"credential without type", "POST", "/api/checkin", map[string]any{"methodCd": "NFC", "credential": map[string]any{"identifier": secret}}, 422, "body.credential"},
			{"identifier of the wrong kind", "POST", "/api/checkin", nfc(map[string]any{"uid": secret}), 422, "body"},
			{"bad zone id", "GET", "/api/access/zones/abc", nil, 422, "path.id"},
			{"rules page too large", "GET", "/api/access/rules?size=500", nil, 422, "query.size"},
		}
		tables := []string{"access_zones", "access_rules", "credentials", "check_ins", "door_unlocks", "outbox"}
		count := func() string {
			var s []string
			for _, tb := range tables {
				s = append(s, fmt.Sprint(h.Count(tb)))
			}
			return strings.Join(s, ",")
		}
		for _, cs := range cases {
			before := count()
			r := h.Do(apptest.Request{Method: cs.method, Path: cs.path, Token: o.Admin, Body: cs.body})
			if r.Status != cs.want {
				t.Errorf("%s: %d %s, want %d", cs.name, r.Status, r.Body, cs.want)
				continue
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: content type %q", cs.name, ct)
			}
			p := r.Map()
			for _, k := range []string{"type", "title", "status", "detail"} {
				if p[k] == nil || p[k] == "" {
					t.Errorf("%s: problem lacks %q: %s", cs.name, k, r.Body)
				}
			}
			if cs.field != "" && !strings.Contains(string(r.Body), `"location":"`+cs.field) {
				t.Errorf("%s: no error names %s: %s", cs.name, cs.field, r.Body)
			}
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("%s: the identifier was echoed back: %s", cs.name, r.Body)
			}
			if after := count(); after != before {
				t.Errorf("%s: rows changed %s → %s", cs.name, before, after)
			}
		}
	})
}
