package phone_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/phone"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

type fixture struct {
	t       *testing.T
	h       *apptest.Harness
	o       *apptest.Org
	sc      member.Scope
	basic   int64
	zone    int64
	display string // QR_DISPLAY bound to zone
	n       int
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	h := apptest.New(t, db)
	o := h.NewOrg("Phone club")
	loc, _ := clock.Location("Europe/Berlin")
	f := &fixture{t: t, h: h, o: o, sc: member.Scope{EntityID: o.ID, Location: loc}}
	f.basic = apptest.ID(h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 10}), 201))
	f.zone = apptest.ID(h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Gym", "typeCd": "BUILDING"}), 201))
	f.display = h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym door", "kind": "QR_DISPLAY", "zoneId": f.zone}), 201)["apiKey"].(string)
	f.contract(o.MemberID, "2026-01-01", nil)
	return f
}

func (f *fixture) contract(memberID int64, start string, end *string) {
	f.t.Helper()
	s, _ := clock.ParseDate(start)
	in := member.ContractInput{TemplateID: f.basic, StartDate: s}
	if end != nil {
		e, _ := clock.ParseDate(*end)
		in.EndDate = &e
	}
	if _, err := f.h.App.Members.CreateContract(context.Background(), f.sc, memberID, in); err != nil {
		f.t.Fatal(err)
	}
}

// memberLogin creates a member (with a contract unless expired is set to an
// end date in the past) and its MEMBER login.
func (f *fixture) memberLogin(end *string) (int64, string) {
	f.t.Helper()
	f.n++
	h := f.h
	m := apptest.ID(h.Must(h.Post("/api/members", f.o.Admin, map[string]any{"firstName": "M", "lastName": fmt.Sprint(f.n), "email": fmt.Sprintf("pm%d-%d@x.test", f.o.ID, f.n)}), 201))
	f.contract(m, "2026-01-01", end)
	email := fmt.Sprintf("phone%d-%d@test.dev", f.o.ID, f.n)
	h.Must(h.Post("/api/users", f.o.Admin, map[string]any{"email": email, "password": apptest.Password, "role": "MEMBER", "memberId": m}), 201)
	return m, h.Login(email, apptest.Password)
}

func (f *fixture) code(token string) map[string]any {
	f.t.Helper()
	return f.h.Must(f.h.Get(fmt.Sprintf("/api/qr-door/%d/code", f.zone), token), 200)
}

func TestQRDoor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h, o := f.h, f.o
		c := f.code(f.display)
		tok := c["token"].(string)
		if c["url"] != "/q/"+tok || c["expiresAt"] == nil {
			t.Fatalf("code: %v", c)
		}
		if again := f.code(o.Admin); again["token"] != tok {
			t.Fatalf("the code changed within its step: %v", again)
		}
		// Who may read a door's code.
		other := apptest.ID(h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Pool", "typeCd": "BUILDING"}), 201))
		h.Must(h.Get(fmt.Sprintf("/api/qr-door/%d/code", other), f.display), 403)
		h.Must(h.Get(fmt.Sprintf("/api/qr-door/%d/code", f.zone), o.Device), 403) // a kiosk
		h.Must(h.Get(fmt.Sprintf("/api/qr-door/%d/code", f.zone), o.Member), 403)
		h.Must(h.Get(fmt.Sprintf("/api/qr-door/%d/code", f.zone), o.Staff), 403)
		h.Must(h.Get("/api/qr-door/999999/code", o.Admin), 404)

		// The member redeems it: GRANTED, the door opens for 5 s.
		ci := h.Must(h.Post("/api/qr-door/redeem", o.Member, map[string]any{"token": tok}), 200)
		if ci["statusCd"] != "GRANTED" || ci["methodCd"] != "QR" || int64(ci["zoneId"].(float64)) != f.zone || ci["door"].(map[string]any)["success"] != true {
			t.Fatalf("redeem: %v", ci)
		}
		evs := h.Must(h.Get(fmt.Sprintf("/api/access/zones/%d/door/events?limit=5", f.zone), o.Staff), 200)
		_ = evs
		r := h.Get(fmt.Sprintf("/api/access/zones/%d/door/events", f.zone), o.Staff)
		if !strings.Contains(string(r.Body), "zone-") {
			t.Fatalf("door events: %s", r.Body)
		}
		// The same code again: 409.
		rep := h.Post("/api/qr-door/redeem", o.Member, map[string]any{"token": tok})
		if rep.Status != 409 || !strings.Contains(string(rep.Body), "already used") {
			t.Fatalf("replay: %d %s", rep.Status, rep.Body)
		}
		// Another member may use the same displayed code.
		_, second := f.memberLogin(nil)
		if ci := h.Must(h.Post("/api/qr-door/redeem", second, map[string]any{"token": tok}), 200); ci["statusCd"] != "GRANTED" {
			t.Fatalf("second member: %v", ci)
		}
		// A member with an expired contract: a recorded denial with its reason.
		ended := "2026-06-30"
		_, expired := f.memberLogin(&ended)
		if ci := h.Must(h.Post("/api/qr-door/redeem", expired, map[string]any{"token": tok}), 200); ci["statusCd"] != "DENIED" || ci["denialCode"] != "CONTRACT_INACTIVE" || ci["denialReason"] == nil {
			t.Fatalf("expired contract: %v", ci)
		}
		// A photographed code, two steps later: refused with a clear message.
		_, third := f.memberLogin(nil)
		h.Clock.Advance(2 * phone.Step)
		old := h.Post("/api/qr-door/redeem", third, map[string]any{"token": tok})
		if old.Status != 422 || !strings.Contains(string(old.Body), "expired") || strings.Contains(string(old.Body), tok) {
			t.Fatalf("old code: %d %s", old.Status, old.Body)
		}
		// Tampered, staff, other organisation.
		fresh := f.code(f.display)["token"].(string)
		if fresh == tok {
			t.Fatal("the code did not rotate")
		}
		bad := []byte(fresh)
		bad[len(bad)-3] ^= 1
		h.Must(h.Post("/api/qr-door/redeem", third, map[string]any{"token": string(bad)}), 422)
		h.Must(h.Post("/api/qr-door/redeem", o.Staff, map[string]any{"token": fresh}), 403)
		o2 := h.NewOrg("Other club")
		h.Must(h.Post("/api/qr-door/redeem", o2.Member, map[string]any{"token": fresh}), 422)
	})
}

// Two simultaneous redemptions of one code by one member: exactly one wins.
func TestQRDoorConcurrentReplay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tok := f.code(f.display)["token"].(string)
		const n = 8
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = f.h.Post("/api/qr-door/redeem", f.o.Member, map[string]any{"token": tok}).Status
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 409:
				conflict++
			}
		}
		if ok != 1 || conflict != n-1 {
			t.Fatalf("statuses %v", statuses)
		}
		if got := f.h.Count("check_ins"); got != 1 {
			t.Fatalf("%d check-ins", got)
		}
	})
}

func TestMemberPass(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h, o := f.h, f.o
		pass := h.Must(h.Get("/api/me/pass", o.Member), 200)
		tok := pass["token"].(string)
		scan := func(device, token string) map[string]any {
			return h.Must(h.Post("/api/checkin", device, map[string]any{"methodCd": "QR", "credential": map[string]any{"typeCd": "QR_CODE", "identifier": token}}), 200)
		}
		ci := scan(o.Device, tok)
		if ci["statusCd"] != "GRANTED" || int64(ci["memberId"].(float64)) != o.MemberID {
			t.Fatalf("pass: %v", ci)
		}
		// Scanned again: refused as a replay (not as anti-passback).
		if ci := scan(o.Device, tok); ci["denialCode"] != "CREDENTIAL_INVALID" || !strings.Contains(ci["denialReason"].(string), "already used") {
			t.Fatalf("replay: %v", ci)
		}
		// A screenshot two steps old.
		h.Clock.Advance(2 * phone.Step)
		if ci := scan(o.Device, tok); ci["denialCode"] != "CREDENTIAL_INVALID" || !strings.Contains(ci["denialReason"].(string), "expired") {
			t.Fatalf("expired pass: %v", ci)
		}
		// A door code is not a pass; garbage is an unknown credential.
		door := f.code(f.display)["token"].(string)
		if ci := scan(o.Device, door); ci["denialCode"] != "UNKNOWN_CREDENTIAL" {
			t.Fatalf("door code as pass: %v", ci)
		}
		h.Must(h.Get("/api/me/pass", o.Staff), 403)
		h.Must(h.Get("/api/me/pass", o.Device), 403)

		// Two kiosks scan one pass at once: exactly one decision uses it.
		m, login := f.memberLogin(nil)
		tok2 := h.Must(h.Get("/api/me/pass", login), 200)["token"].(string)
		kiosk2 := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Kiosk 2", "kind": "KIOSK"}), 201)["apiKey"].(string)
		results := make([]map[string]any, 6)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k := o.Device
				if i%2 == 1 {
					k = kiosk2
				}
				results[i] = h.Post("/api/checkin", k, map[string]any{"methodCd": "QR", "zoneId": f.zone,
					"credential": map[string]any{"typeCd": "QR_CODE", "identifier": tok2}}).Map()
			}()
		}
		wg.Wait()
		granted, replayed := 0, 0
		for _, r := range results {
			if int64(r["memberId"].(float64)) != m {
				t.Fatalf("result %v", r)
			}
			if r["statusCd"] == "GRANTED" {
				granted++
			} else if r["denialCode"] == "CREDENTIAL_INVALID" {
				replayed++
			}
		}
		if granted != 1 || replayed != len(results)-1 {
			t.Fatalf("granted %d replayed %d: %v", granted, replayed, results)
		}
	})
}

// After a key rotation, codes of the previous key are accepted for one step.
func TestKeyRotationAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h := f.h
		before := f.code(f.display)["token"].(string)
		if _, err := h.App.Phone.RotateKeys(context.Background()); err != nil {
			t.Fatal(err)
		}
		after := f.code(f.display)["token"].(string)
		if after == before {
			t.Fatal("rotation did not change the code")
		}
		h.Must(h.Post("/api/qr-door/redeem", f.o.Member, map[string]any{"token": before}), 200)
		_, late := f.memberLogin(nil)
		h.Clock.Advance(phone.Step)
		h.Must(h.Post("/api/qr-door/redeem", late, map[string]any{"token": before}), 422)
		h.Must(h.Post("/api/qr-door/redeem", late, map[string]any{"token": after}), 200)
	})
}

// A fake gateway reports the advertisements of a phone that still runs the
// deprecated protocol v1 (accepted during the deprecation period).
func TestBLEReports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h, o := f.h, f.o
		gw := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym gateway", "kind": "GATEWAY", "zoneId": f.zone}), 201)["apiKey"].(string)
		k := h.Must(h.Post("/api/me/ble-key", o.Member, nil), 200)
		key, _ := hex.DecodeString(k["key"].(string))
		handle := uint32(k["handle"].(float64))
		phoneAd := func(at time.Time) string {
			return hex.EncodeToString(phone.BuildAdvert(key, handle, uint32(phone.StepOf(at))))
		}
		report := func(token string, rssi int, reader string) *apptest.Response {
			body := map[string]any{"token": token, "rssi": rssi, "seenAt": h.Clock.Now()}
			if reader != "" {
				body["readerId"] = reader
			}
			return h.Post("/api/ble/reports", gw, body)
		}
		ad := phoneAd(h.Clock.Now())
		// Too far (default calibration -59 dBm at 1 m, n = 2; -75 dBm ≈ 6.3 m > 3 m).
		if r := report(ad, -75, ""); r.Status != 202 || r.Map()["reason"] != "OUT_OF_RANGE" {
			t.Fatalf("far: %d %s", r.Status, r.Body)
		}
		// Zone range 5 m and a calibrated reader (-65 dBm at 1 m, n = 2: -75 → 3.2 m).
		h.Must(h.Put(fmt.Sprintf("/api/ble/zones/%d", f.zone), o.Admin, map[string]any{"rangeM": 5}), 200)
		h.Must(h.Put("/api/ble/readers/door-1", o.Admin, map[string]any{"txPower": -65, "pathLossExponent": 2}), 200)
		h.Must(h.Put(fmt.Sprintf("/api/ble/zones/%d", f.zone), o.Admin, map[string]any{"rangeM": 4}), 422)
		r := report(ad, -75, "door-1")
		ci := h.Must(r, 200)
		if ci["statusCd"] != "GRANTED" || ci["methodCd"] != "BLE" || int64(ci["memberId"].(float64)) != o.MemberID {
			t.Fatalf("near: %v", ci)
		}
		// The phone keeps advertising: duplicates are not decided again.
		for range 3 {
			if r := report(ad, -60, "door-1"); r.Status != 202 || r.Map()["reason"] != "DUPLICATE" {
				t.Fatalf("duplicate: %d %s", r.Status, r.Body)
			}
		}
		// Tampered, replayed recording from the past, other zone, not a gateway.
		bad := []byte(ad)
		bad[len(bad)-1] ^= 1
		if bad[len(bad)-1] > 'f' || bad[len(bad)-1] < '0' {
			bad[len(bad)-1] = '0'
		}
		h.Must(report(string(bad), -60, ""), 422)
		h.Must(report(phoneAd(h.Clock.Now().Add(-5*phone.Step)), -60, ""), 422)
		h.Must(report("00", -60, ""), 422)
		h.Must(h.Post("/api/ble/reports", gw, map[string]any{"zoneId": f.zone + 1000, "token": ad, "rssi": -60, "seenAt": h.Clock.Now()}), 403)
		h.Must(h.Post("/api/ble/reports", o.Device, map[string]any{"token": ad, "rssi": -60, "seenAt": h.Clock.Now()}), 403)
		// Re-provisioning revokes the old key.
		h.Must(h.Post("/api/me/ble-key", o.Member, nil), 200)
		h.Clock.Advance(phone.Step)
		h.Must(report(phoneAd(h.Clock.Now()), -60, ""), 422)
	})
}

// Protocol v2: the rotating ephemeral id names the member; the clock is the
// harness's fixed clock.
func TestBLEv2Reports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h, o := f.h, f.o
		ctx := context.Background()
		gw := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym gateway", "kind": "GATEWAY", "zoneId": f.zone}), 201)["apiKey"].(string)
		provision := func(login string) []byte {
			t.Helper()
			k, err := hex.DecodeString(h.Must(h.Post("/api/me/ble-key", login, nil), 200)["key"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		stepAt := func(at time.Time) uint32 { return uint32(phone.StepOf(at)) }
		ad := func(key []byte, step uint32) string { return hex.EncodeToString(phone.BuildAdvertV2(key, step)) }
		reportBy := func(gateway, token string) *apptest.Response {
			return h.Post("/api/ble/reports", gateway, map[string]any{"token": token, "rssi": -60, "seenAt": h.Clock.Now()})
		}
		report := func(token string) *apptest.Response { return reportBy(gw, token) }
		granted := func(token string, member int64) {
			t.Helper()
			ci := h.Must(report(token), 200)
			if ci["methodCd"] != "BLE" || int64(ci["memberId"].(float64)) != member {
				t.Fatalf("check-in %v, want member %d", ci, member)
			}
		}
		refused := func(token, want string) {
			t.Helper()
			r := report(token)
			if r.Status != 422 || !strings.Contains(string(r.Body), want) || strings.Contains(string(r.Body), token) {
				t.Fatalf("want 422 %q: %d %s", want, r.Status, r.Body)
			}
		}

		key := provision(o.Member)
		now := stepAt(h.Clock.Now())
		tok := ad(key, now)
		if len(tok) != 40 || tok[:2] != "02" {
			t.Fatalf("token %s", tok)
		}
		ci := h.Must(report(tok), 200)
		if ci["statusCd"] != "GRANTED" || ci["methodCd"] != "BLE" || int64(ci["memberId"].(float64)) != o.MemberID {
			t.Fatalf("v2: %v", ci)
		}
		// Repeats of the payload are de-duplicated as in v1.
		if r := report(tok); r.Status != 202 || r.Map()["reason"] != "DUPLICATE" {
			t.Fatalf("duplicate: %d %s", r.Status, r.Body)
		}
		// The eid changes every step.
		if ad(key, now+1)[2:18] == tok[2:18] || ad(key, now-1)[2:18] == tok[2:18] {
			t.Fatal("the eid did not change with the step")
		}
		// Tampered: MAC, eid, step; a recording two steps old; garbage; an unknown version.
		for i, pos := range []int{39, 10, 25} {
			bad := []byte(tok)
			bad[pos] = "01"[i%2]
			if bad[pos] == tok[pos] {
				bad[pos] = 'f'
			}
			if r := report(string(bad)); r.Status != 422 {
				t.Fatalf("tampered at %d: %d %s", pos, r.Status, r.Body)
			}
		}
		refused(ad(key, now-2), "outside the accepted window")
		refused(ad(key, now+2), "outside the accepted window")
		refused(ad(make([]byte, 32), now), "not valid")
		refused("03"+tok[2:], "not a Gatehouse BLE advertisement")
		refused(tok[:38], "not a Gatehouse BLE advertisement")
		// One step of skew either way, like v1.
		m2, login2 := f.memberLogin(nil)
		key2 := provision(login2)
		granted(ad(key2, now+1), m2)
		m3, login3 := f.memberLogin(nil)
		key3 := provision(login3)
		granted(ad(key3, now-1), m3)

		// Several members in one step: each eid names its own member.
		type phoneKey struct {
			member int64
			key    []byte
		}
		var many []phoneKey
		for range 6 {
			m, login := f.memberLogin(nil)
			many = append(many, phoneKey{m, provision(login)})
		}
		for _, p := range many {
			granted(ad(p.key, now), p.member)
		}

		// Another organisation's gateway does not know our members.
		o2 := h.NewOrg("Other club")
		zone2 := apptest.ID(h.Must(h.Post("/api/access/zones", o2.Admin, map[string]any{"name": "Gym", "typeCd": "BUILDING"}), 201))
		gw2 := h.Must(h.Post("/api/devices", o2.Admin, map[string]any{"name": "Gateway", "kind": "GATEWAY", "zoneId": zone2}), 201)["apiKey"].(string)
		if r := reportBy(gw2, ad(key, now+1)); r.Status != 422 {
			t.Fatalf("other organisation: %d %s", r.Status, r.Body)
		}

		// Re-provisioning: the old key's eid is refused at once, the new key works at once.
		h.Clock.Advance(phone.Step)
		now = stepAt(h.Clock.Now())
		newKey := provision(o.Member)
		refused(ad(key, now), "not valid")
		granted(ad(newKey, now), o.MemberID)

		// Revoked behind this replica's back (another replica, an operator):
		// the database has the last word even though the index still has it.
		if _, err := h.App.DB.ExecContext(ctx, `DELETE FROM phone_ble_keys WHERE member_id = $1`, many[0].member); err != nil {
			t.Fatal(err)
		}
		refused(ad(many[0].key, now), "not valid")
		// (Finding it revoked scheduled a reload: this report makes it, so the
		// index below is fresh.)
		granted(ad(many[2].key, now), many[2].member)

		// A key provisioned on another replica: this one's index learns it
		// when an unknown eid meets an index older than a few seconds.
		hook := h.App.Access.PhoneTokens
		replica := phone.NewService(h.App.DB, h.Clock, h.App.Access, nil)
		h.App.Access.PhoneTokens = hook
		k, err := replica.ProvisionBLE(ctx, &auth.Principal{Role: auth.Member, EntityID: o.ID, MemberID: &many[1].member})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, _ := hex.DecodeString(k.Key)
		refused(ad(elsewhere, now), "not valid") // the index was loaded just now
		h.Clock.Advance(5 * time.Second)
		if stepAt(h.Clock.Now()) != now {
			t.Fatal("the test crossed a step boundary")
		}
		granted(ad(elsewhere, now), many[1].member)
		refused(ad(many[1].key, now), "not valid") // the old key

		// v1 during the deprecation period, and after it.
		m4, login4 := f.memberLogin(nil)
		v1 := h.Must(h.Post("/api/me/ble-key", login4, nil), 200)
		v1Key, _ := hex.DecodeString(v1["key"].(string))
		v1Ad := func(step uint32) string {
			return hex.EncodeToString(phone.BuildAdvert(v1Key, uint32(v1["handle"].(float64)), step))
		}
		granted(v1Ad(now), m4)
		h.App.Phone.RefuseBLEv1 = true
		refused(v1Ad(now+1), "version 1 is no longer accepted")
		granted(ad(v1Key, now+1), m4) // the same key, broadcast as v2
	})
}

// POST /api/phone/keys/rotate: platform operators only (the master keys are
// global); the previous generation is accepted for one step; BLE keys
// provisioned before the rotation keep working.
func TestRotateEndpoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h, o := f.h, f.o
		for _, tok := range []string{o.Admin, o.Staff, o.Trainer, o.Member, o.Device, f.display} {
			h.Must(h.Post("/api/phone/keys/rotate", tok, nil), 403)
		}
		h.Must(h.Post("/api/phone/keys/rotate", "", nil), 401)

		gw := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gateway", "kind": "GATEWAY", "zoneId": f.zone}), 201)["apiKey"].(string)
		k := h.Must(h.Post("/api/me/ble-key", o.Member, nil), 200)
		key, _ := hex.DecodeString(k["key"].(string))
		handle := uint32(k["handle"].(float64))
		before := f.code(f.display)["token"].(string)

		r := h.Must(h.Post("/api/phone/keys/rotate", o.Platform, nil), 200)
		if r["keyGeneration"].(float64) != 2 || r["rotatedAt"] != h.Clock.Now().Format(time.RFC3339) {
			t.Fatalf("rotate: %v", r)
		}
		if g := h.Must(h.Post("/api/phone/keys/rotate", o.Platform, nil), 200)["keyGeneration"].(float64); g != 3 {
			t.Fatalf("second rotation: %v", g)
		}
		// Generation 1 is now two back: refused at once.
		h.Must(h.Post("/api/qr-door/redeem", o.Member, map[string]any{"token": before}), 422)

		// A code of generation 3, then a rotation to 4: accepted within the step, refused after.
		prev := f.code(f.display)["token"].(string)
		h.Must(h.Post("/api/phone/keys/rotate", o.Platform, nil), 200)
		h.Clock.Advance(phone.Step - time.Second)
		h.Must(h.Post("/api/qr-door/redeem", o.Member, map[string]any{"token": prev}), 200)
		_, late := f.memberLogin(nil)
		h.Clock.Advance(time.Second)
		if r := h.Post("/api/qr-door/redeem", late, map[string]any{"token": prev}); r.Status != 422 || r.Map()["code"] != "EXPIRED" {
			t.Fatalf("retired generation: %d %s", r.Status, r.Body)
		}
		h.Must(h.Post("/api/qr-door/redeem", late, map[string]any{"token": f.code(f.display)["token"]}), 200)

		// The BLE key of generation 1 still verifies after three rotations.
		h.Clock.Advance(phone.Step)
		ad := hex.EncodeToString(phone.BuildAdvert(key, handle, uint32(phone.StepOf(h.Clock.Now()))))
		if r := h.Post("/api/ble/reports", gw, map[string]any{"token": ad, "rssi": -59, "seenAt": h.Clock.Now()}); r.Status != 200 {
			t.Fatalf("BLE after rotation: %d %s", r.Status, r.Body)
		}
	})
}

// The calibration lists the UI shows.
func TestBLEConfigLists(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		h, o := f.h, f.o
		if l := h.Get("/api/ble/readers", o.Admin); l.Status != 200 || string(l.Body) != "[]\n" && string(l.Body) != "[]" {
			t.Fatalf("empty readers: %d %q", l.Status, l.Body)
		}
		h.Must(h.Put("/api/ble/readers/door-1", o.Admin, map[string]any{"txPower": -65, "pathLossExponent": 2.7}), 200)
		h.Must(h.Put("/api/ble/readers/door-1", o.Admin, map[string]any{"txPower": 5, "pathLossExponent": 2}), 422)
		h.Must(h.Put(fmt.Sprintf("/api/ble/zones/%d", f.zone), o.Admin, map[string]any{"rangeM": 1}), 200)
		var readers []phone.BLEReaderEntry
		h.Get("/api/ble/readers", o.Admin).JSON(&readers)
		if len(readers) != 1 || readers[0].ReaderID != "door-1" || readers[0].TxPower != -65 || readers[0].PathLoss != 2.7 {
			t.Fatalf("readers %+v", readers)
		}
		var zones []phone.BLEZoneRange
		h.Get("/api/ble/zones", o.Admin).JSON(&zones)
		if len(zones) != 1 || zones[0].ZoneID != f.zone || zones[0].RangeM != 1 {
			t.Fatalf("zones %+v", zones)
		}
		o2 := h.NewOrg("Other")
		h.Get("/api/ble/readers", o2.Admin).JSON(&readers)
		if len(readers) != 0 {
			t.Fatal("another organisation's readers")
		}
		h.Must(h.Get("/api/ble/readers", o.Staff), 403)
		h.Must(h.Get("/api/ble/zones", o.Member), 403)
	})
}
