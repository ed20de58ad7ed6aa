package brivo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/brivo"
	"github.com/gatehouse/gatehouse/internal/hal/generichttp"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

func settings(f *fakeBrivo, extra string) json.RawMessage {
	s := fmt.Sprintf(`{"baseUrl": %q, "authUrl": %q, "clientId": "gatehouse-client", "clientSecret": "cs-Secret-9911",
		"username": "admin@example.com", "password": "pw-Secret-5522", "groupId": "777", "facilityCode": "1", "timeout": "2s"%s}`,
		f.URL+"/v1/api", f.URL+"/oauth/token", extra)
	return json.RawMessage(s)
}

func newAdapter(t *testing.T, f *fakeBrivo, extra string, opts ...brivo.Option) *brivo.Adapter {
	t.Helper()
	a, err := brivo.New(hal.VendorConfig{Provider: "BRIVO", APIKey: f.apiKey, Settings: settings(f, extra), Location: time.UTC}, f.Client(), append([]brivo.Option{brivo.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func member() *hal.Person {
	return &hal.Person{ExternalID: "gatehouse-member-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
}

func seedEvents(f *fakeBrivo, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC()
	for i := range n {
		f.events = append(f.events,
			fEvent{AP: 4100, At: now.Add(-time.Duration(i+1) * time.Minute), Action: []string{"Valid Credential", "Invalid Credential", "Door Forced Open"}[i%3]},
			fEvent{AP: 4101, At: now.Add(-time.Duration(i+1)*time.Minute - time.Second), Action: "Valid Credential"})
	}
}

func TestContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		f := newFakeBrivo()
		seedEvents(f, 5)
		a := newAdapter(t, f, "")
		from := time.Now().Add(-time.Hour)
		to := time.Now().Add(30 * 24 * time.Hour)
		return &haltest.Harness{
			Adapter:             a,
			Door:                hal.Door{EntityID: 1, ZoneID: 3, ExternalDoorID: "4100"},
			Credential:          hal.Credential{ID: 5, EntityID: 1, MemberID: 42, TypeCd: "CARD", Identifier: "12345", ValidFrom: &from, ExpiresAt: &to, Member: member()},
			Observer:            f,
			SetLatency:          f.setLatency,
			Unsupported:         []string{haltest.OpOccupancy},
			IdempotentProvision: true,
			// An activation holds the door for the access point's configured
			// time (pulseSeconds 5): requests of 3 s and 5 s both get 5 s.
			HoldOpenResolution: 3 * time.Second,
			Close:              f.Close,
		}
	})
}

func TestRegistered(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	factory, ok := hal.Vendor("BRIVO")
	if !ok {
		t.Fatal("BRIVO is not registered")
	}
	a, err := factory(hal.VendorConfig{Provider: "BRIVO", APIKey: f.apiKey, Settings: settings(f, "")}, f.Client())
	if err != nil || a.Provider() != "BRIVO" {
		t.Fatalf("factory: %v %v", a, err)
	}
}

func TestProvisionHoldsUserCredentialGroupAndWindow(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	ctx := context.Background()
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	to := time.Date(2026, 12, 3, 17, 30, 0, 0, time.UTC)
	c := hal.Credential{Identifier: "4242", ValidFrom: &from, ExpiresAt: &to, Member: member()}
	id, err := a.ProvisionCredential(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	if len(f.users) != 1 || len(f.creds) != 1 {
		t.Fatalf("users %d creds %d, want 1 and 1", len(f.users), len(f.creds))
	}
	var u *fUser
	for _, x := range f.users {
		u = x
	}
	var cr *fCred
	for _, x := range f.creds {
		cr = x
	}
	if u.ExternalID != "gatehouse-member-42" || u.FirstName != "Ada" || u.LastName != "Lovelace" || len(u.Emails) != 1 || u.Emails[0].Address != "ada@example.com" {
		t.Errorf("user %+v", u)
	}
	if cr.user != u.ID || !f.groups["777"][u.ID] {
		t.Errorf("credential user %d, group %v, want %d", cr.user, f.groups["777"], u.ID)
	}
	if cr.CredentialFormat.ID != 100 || cr.ReferenceID != "4242" || cr.FieldValues[0].Value != "4242" || cr.FieldValues[1].Value != "1" {
		t.Errorf("credential %+v", cr)
	}
	// Date precision: widened to whole UTC days (the end day included).
	if cr.EffectiveFrom != "2026-12-01T00:00:00Z" || cr.EffectiveTo != "2026-12-04T00:00:00Z" {
		t.Errorf("window %s – %s", cr.EffectiveFrom, cr.EffectiveTo)
	}
	want := fmt.Sprintf("%d:%d", u.ID, cr.ID)
	f.mu.Unlock()
	if id != want {
		t.Errorf("external id %q, want %q", id, want)
	}

	// Provisioning again: same user and credential, window updated, nothing duplicated.
	to2 := to.Add(48 * time.Hour)
	c.ExpiresAt = &to2
	again, err := a.ProvisionCredential(ctx, c)
	if err != nil || again != id {
		t.Fatalf("again: %q %v", again, err)
	}
	f.mu.Lock()
	if len(f.users) != 1 || len(f.creds) != 1 || cr.EffectiveTo != "2026-12-06T00:00:00Z" {
		t.Errorf("after re-provision: users %d creds %d window end %s", len(f.users), len(f.creds), cr.EffectiveTo)
	}
	f.mu.Unlock()

	// Revoke: unassigned, deleted, out of the group; again: success.
	if err := a.RevokeCredential(ctx, id); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	if len(f.creds) != 0 || f.groups["777"][u.ID] {
		t.Errorf("after revoke: creds %d, group %v", len(f.creds), f.groups["777"])
	}
	f.mu.Unlock()
	if err := a.RevokeCredential(ctx, id); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestTimePrecisionAndSecondCredentialKeepsGroup(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, `, "validityPrecision": "time"`)
	ctx := context.Background()
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	to := from.Add(3 * time.Hour)
	id1, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1001", ValidFrom: &from, ExpiresAt: &to, Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	id2, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1002", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	for _, c := range f.creds {
		if c.FieldValues[0].Value == "1001" && (c.EffectiveFrom != "2026-12-01T08:00:00Z" || c.EffectiveTo != "2026-12-01T11:00:00Z") {
			t.Errorf("window %s – %s", c.EffectiveFrom, c.EffectiveTo)
		}
	}
	f.mu.Unlock()
	if err := a.RevokeCredential(ctx, id1); err != nil {
		t.Fatal(err)
	}
	if !f.HasCredential("1002") {
		t.Fatal("revoking one card removed the member's other card from the group")
	}
	if err := a.RevokeCredential(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if f.HasCredential("1002") {
		t.Fatal("still holds 1002")
	}
}

func TestExistingUserAndUnassignedCardAreReused(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	// The user and the card exist already (created in the Brivo UI).
	f.users[9001] = &fUser{ID: 9001, ExternalID: "gatehouse-member-42", FirstName: "Ada", LastName: "Lovelace"}
	card := &fCred{ID: 9002, ReferenceID: "x", FieldValues: []fField{{ID: 1, Value: "555", Name: "card_number"}, {ID: 2, Value: "1", Name: "facility_code"}}}
	card.CredentialFormat.ID = 100
	f.creds[9002] = card
	a := newAdapter(t, f, "")
	id, err := a.ProvisionCredential(context.Background(), hal.Credential{Identifier: "555", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	if id != "9001:9002" || len(f.users) != 1 || len(f.creds) != 1 || card.user != 9001 {
		t.Fatalf("id %s users %d creds %d card user %d", id, len(f.users), len(f.creds), card.user)
	}
}

func TestTokenRefreshBeforeExpiryAndOn401(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	a := newAdapter(t, f, "", brivo.WithClock(clock))
	ctx := context.Background()
	door := hal.Door{ExternalDoorID: "4100"}
	unlock := func() {
		t.Helper()
		if _, err := a.UnlockDoor(ctx, door, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	unlock()
	unlock()
	if f.tokenGrants["password"] != 1 || f.tokenGrants["refresh_token"] != 0 {
		t.Fatalf("grants %v: one login expected", f.tokenGrants)
	}
	// 52 s later the 59 s token is about to expire: refreshed before use, no 401.
	advance(52 * time.Second)
	unlock()
	if f.tokenGrants["refresh_token"] != 1 || f.unauthorized != 0 {
		t.Fatalf("grants %v, 401s %d: want a proactive refresh", f.tokenGrants, f.unauthorized)
	}
	// The server drops the token early: one 401, a refresh, the retry succeeds.
	f.expireAccessTokens()
	unlock()
	if f.tokenGrants["refresh_token"] != 2 || f.unauthorized != 1 {
		t.Fatalf("grants %v, 401s %d: want one refresh after the 401", f.tokenGrants, f.unauthorized)
	}
	// Refresh token refused too: log in again with the password grant.
	f.mu.Lock()
	clear(f.access)
	clear(f.refresh)
	f.mu.Unlock()
	unlock()
	if f.tokenGrants["password"] != 2 {
		t.Fatalf("grants %v: want a new login", f.tokenGrants)
	}
	if n := len(f.Unlocks()); n != 5 {
		t.Fatalf("%d unlocks, want 5", n)
	}
}

func TestPersistent401IsRejectedAfterOneRetry(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	// Every API answer is 401 (e.g. the account lost API access).
	f.inject.Add(vendortest.Failure{Status: 200, Body: `{"access_token":"acc-TOKEN-x","refresh_token":"ref-TOKEN-x","expires_in":59}`}, vendortest.Failure{Status: 401},
		vendortest.Failure{Status: 200, Body: `{"access_token":"acc-TOKEN-y","refresh_token":"ref-TOKEN-y","expires_in":59}`}, vendortest.Failure{Status: 401})
	_, err := a.UnlockDoor(context.Background(), hal.Door{ExternalDoorID: "4100"}, time.Second)
	if hal.KindOf(err) != hal.Rejected {
		t.Fatalf("want Rejected, got %v", err)
	}
	if strings.Contains(err.Error(), "acc-TOKEN") {
		t.Fatalf("token in error: %v", err)
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	door := hal.Door{ExternalDoorID: "4100"}
	cases := []struct {
		name       string
		status     int
		retryAfter string
		kind       hal.ErrorKind
		after      time.Duration
	}{
		{"500", 500, "", hal.Unreachable, -1},
		{"503 with Retry-After", 503, "7", hal.Unreachable, 7 * time.Second},
		{"429 with Retry-After", 429, "30", hal.Unreachable, 30 * time.Second},
		{"429 without", 429, "", hal.Unreachable, 0},
		{"400", 400, "", hal.Rejected, -1},
		{"403", 403, "", hal.Rejected, -1},
		{"404", 404, "", hal.Rejected, -1},
		{"412 panel offline", 412, "", hal.Unreachable, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeBrivo()
			defer f.Close()
			a := newAdapter(t, f, "")
			if _, err := a.UnlockDoor(ctx, door, time.Second); err != nil { // logs in
				t.Fatal(err)
			}
			f.failNext(tc.status, tc.retryAfter, 1)
			res, err := a.UnlockDoor(ctx, door, time.Second)
			if hal.KindOf(err) != tc.kind || res.Success {
				t.Fatalf("want %s, got %v (%+v)", tc.kind, err, res)
			}
			var ra *generichttp.RetryAfterError
			if got := errors.As(err, &ra); got != (tc.after >= 0) || (got && ra.After != tc.after) {
				t.Fatalf("retry hint %v %+v, want %v", got, ra, tc.after)
			}
		})
	}
	t.Run("token endpoint 503", func(t *testing.T) {
		f := newFakeBrivo()
		defer f.Close()
		a := newAdapter(t, f, "")
		f.failNext(503, "", 1)
		if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1", Member: member()}); hal.KindOf(err) != hal.Unreachable {
			t.Fatalf("want Unreachable, got %v", err)
		}
	})
	t.Run("bad client secret", func(t *testing.T) {
		f := newFakeBrivo()
		defer f.Close()
		f.clientSecret = "other"
		a := newAdapter(t, f, "")
		_, err := a.UnlockDoor(ctx, door, time.Second)
		if hal.KindOf(err) != hal.Rejected || strings.Contains(err.Error(), "cs-Secret") {
			t.Fatalf("want Rejected without secret, got %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		f := newFakeBrivo()
		defer f.Close()
		a := newAdapter(t, f, `, "timeout": "50ms"`)
		f.setLatency(time.Second)
		start := time.Now()
		_, err := a.RecentEvents(ctx, door, 5)
		if hal.KindOf(err) != hal.Unreachable || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 900*time.Millisecond {
			t.Fatalf("want Unreachable timeout, got %v after %s", err, time.Since(start))
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		a, err := brivo.New(hal.VendorConfig{APIKey: "k-123456", Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl": %q, "authUrl": %q, "clientId": "c", "clientSecret": "s"}`, vendortest.ClosedURL(t), vendortest.ClosedURL(t)+"/oauth/token"))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.UnlockDoor(ctx, door, time.Second); hal.KindOf(err) != hal.Unreachable {
			t.Fatalf("want Unreachable, got %v", err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		f := newFakeBrivo()
		defer f.Close()
		a := newAdapter(t, f, "")
		if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1"}); hal.KindOf(err) != hal.Rejected {
			t.Errorf("no member: %v", err)
		}
		if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "not-a-number", Member: member()}); hal.KindOf(err) != hal.Rejected {
			t.Errorf("bad card: %v", err)
		}
		if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "front"}, time.Second); hal.KindOf(err) != hal.Rejected {
			t.Errorf("bad door: %v", err)
		}
		if err := a.ValidateDoor(hal.Door{ExternalDoorID: "x"}); err == nil {
			t.Error("ValidateDoor accepted x")
		}
		if err := a.RevokeCredential(ctx, "42"); hal.KindOf(err) != hal.Rejected {
			t.Errorf("bad external id: %v", err)
		}
	})
}

func TestInvalidSettings(t *testing.T) {
	for _, s := range []string{
		`{"clientSecret": "s"}`,
		`{"clientId": "c", "clientSecret": "s", "grantType": "password"}`,
		`{"clientId": "c", "clientSecret": "s", "baseUrl": "ftp://x"}`,
		`{"clientId": "c", "clientSecret": "s", "validityPrecision": "hour"}`,
		`{"clientId": "c", "clientSecret": "s", "timeout": "forever"}`,
		`[1]`,
	} {
		if _, err := brivo.New(hal.VendorConfig{APIKey: "k", Settings: json.RawMessage(s)}, nil); hal.KindOf(err) != hal.Rejected {
			t.Errorf("%s: want Rejected, got %v", s, err)
		}
	}
	if _, err := brivo.New(hal.VendorConfig{Settings: json.RawMessage(`{"clientId": "c", "clientSecret": "s"}`)}, nil); err == nil {
		t.Error("no API key accepted")
	}
}

func TestUnlockHitsTheAccessPointAndHoldsOpenLonger(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	ctx := context.Background()
	if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "4101"}, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	res, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "4100"}, 10*time.Minute)
	if err != nil || !res.Success {
		t.Fatal(res, err)
	}
	u := f.Unlocks()
	if len(u) != 2 || u[0].ExternalDoorID != "4101" || u[0].HoldOpen != 5*time.Second || u[1].ExternalDoorID != "4100" {
		t.Fatalf("unlocks %+v", u)
	}
	if u[1].HoldOpen < 10*time.Minute-2*time.Second || u[1].HoldOpen > 10*time.Minute+2*time.Second {
		t.Fatalf("held %s, want 10m", u[1].HoldOpen)
	}
	if len(f.changeStates) != 1 || f.changeStates[0].AccessPoint != "4100" || f.changeStates[0].AcceptVersion != "2.0" {
		t.Fatalf("change states %+v", f.changeStates)
	}
	if !strings.Contains(strings.Join(f.requests, "\n"), "POST /v1/api/access-points/4101/activate") {
		t.Fatalf("requests %v", f.requests)
	}
	if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "999"}, time.Second); hal.KindOf(err) != hal.Rejected {
		t.Fatalf("unknown access point: %v", err)
	}
}

func TestRecentEventsPagesAndFiltersByAccessPoint(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	seedEvents(f, 130) // 260 events on two access points: three pages
	a := newAdapter(t, f, "")
	ev, err := a.RecentEvents(context.Background(), hal.Door{ExternalDoorID: "4100"}, 90)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 90 {
		t.Fatalf("%d events, want 90", len(ev))
	}
	for i, e := range ev {
		if e.ExternalDoorID != "4100" || (i > 0 && e.At.After(ev[i-1].At)) {
			t.Fatalf("event %d: %+v", i, e)
		}
	}
	kinds := map[string]int{}
	for _, e := range ev {
		kinds[e.Kind]++
	}
	if kinds["ACCESS"] == 0 || kinds["ACCESS_DENIED"] == 0 || kinds["DOOR_FORCED"] == 0 {
		t.Fatalf("kinds %v", kinds)
	}
	n := 0
	for _, r := range f.requests {
		if strings.HasSuffix(r, "/events/access") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d event pages fetched, want 2", n)
	}
}

// No secret reaches an error or a log line, whatever fails.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	log, logBuf := vendortest.DebugLog()
	a := newAdapter(t, f, "", brivo.WithLogger(log))
	ctx := context.Background()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	id, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "98765", Member: member()})
	keep(err)
	// The vendor echoes secrets in its message: the adapter masks them.
	f.mu.Lock()
	f.inject.Add(vendortest.Failure{Status: 400, Body: fmt.Sprintf(`{"message":"bad api-key %s token %s","code":400}`, f.apiKey, f.issued[0])})
	f.mu.Unlock()
	_, err = a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "4100"}, time.Second)
	if err == nil {
		t.Fatal("want an error")
	}
	keep(err)
	f.failNext(429, "3", 1)
	_, err = a.RecentEvents(ctx, hal.Door{ExternalDoorID: "4100"}, 3)
	keep(err)
	f.expireAccessTokens()
	keep(a.RevokeCredential(ctx, id))
	f.mu.Lock()
	f.inject.Add(vendortest.Failure{Status: 400, Body: fmt.Sprintf(`{"error":"invalid_grant","error_description":"password %s / secret %s"}`, f.password, f.clientSecret)})
	f.mu.Unlock()
	f.expireAccessTokens()
	f.mu.Lock()
	clear(f.refresh)
	f.mu.Unlock()
	_, err = a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "4100"}, time.Second)
	keep(err)
	if len(errs) < 3 {
		t.Fatalf("expected failures, got %v", errs)
	}
	logs := logBuf.Logs()
	if !strings.Contains(logs, "brivo request") {
		t.Fatalf("no request logs: %s", logs)
	}
	vendortest.NoSecrets(t, logs, errs, f.secrets())
	if strings.Contains(logs, "98765") {
		t.Error("card number in logs")
	}
}

// TestCardNumbersAreNumericAndFitThe26BitFormat: the integration passes the
// booking id; the adapter sends it as a card number inside the 26-bit range
// (folded when larger), the same number on every attempt, and refuses
// non-numeric identifiers and facility codes before Brivo would (400).
func TestCardNumbersAreNumericAndFitThe26BitFormat(t *testing.T) {
	f := newFakeBrivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	ctx := context.Background()
	id1, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "65537", Member: member()}) // 1 + (65536 % 65535) = 2
	if err != nil {
		t.Fatal(err)
	}
	if !f.HasCredential("2") {
		t.Fatal("65537 was not folded to card number 2")
	}
	id2, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "65537", Member: member()})
	if err != nil || id2 != id1 {
		t.Fatalf("second provision %s %v, first %s: not idempotent", id2, err, id1)
	}
	for _, bad := range []string{"gatehouse-booking-7", "-1", "12ab"} {
		if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: bad, Member: member()}); hal.KindOf(err) != hal.Rejected {
			t.Errorf("%q: %v", bad, err)
		}
	}
	wide := newAdapter(t, f, `, "cardNumberMax": 1000000`)
	if _, err := wide.ProvisionCredential(ctx, hal.Credential{Identifier: "70000", Member: member()}); hal.KindOf(err) != hal.Rejected {
		t.Errorf("the fake's 26-bit format took 70000: %v", err) // proves the fake refuses out-of-range numbers
	}
	if _, err := brivo.New(hal.VendorConfig{Provider: "BRIVO", APIKey: f.apiKey, Settings: settings(f, `, "facilityCode": "x1"`)}, f.Client()); err == nil {
		t.Error("a non-numeric facility code was accepted")
	}
	big := newAdapter(t, f, `, "facilityCode": "300"`)
	if _, err := big.ProvisionCredential(ctx, hal.Credential{Identifier: "5", Member: member()}); hal.KindOf(err) != hal.Rejected {
		t.Errorf("facility code 300 in a 26-bit format: %v", err)
	}
}
