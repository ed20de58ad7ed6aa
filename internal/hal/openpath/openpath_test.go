package openpath_test

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
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/openpath"
	"github.com/gatehouse/gatehouse/internal/hal/openpath/openpathtest"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

func settings(f *openpathtest.Fake, extra map[string]any) json.RawMessage {
	s := f.Settings()
	s["timeout"] = "2s"
	for k, v := range extra {
		s[k] = v
	}
	b, _ := json.Marshal(s)
	return b
}

func newAdapter(t *testing.T, f *openpathtest.Fake, extra map[string]any, opts ...openpath.Option) *openpath.Adapter {
	t.Helper()
	a, err := openpath.New(hal.VendorConfig{Provider: "OPENPATH", APIKey: f.Password, Settings: settings(f, extra), Location: time.UTC}, f.Client(),
		append([]openpath.Option{openpath.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func member() *hal.Person {
	return &hal.Person{ExternalID: "gatehouse-member-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
}

// observer adapts the fake to the contract suite.
type observer struct{ f *openpathtest.Fake }

func (o observer) Unlocks() []haltest.Unlock {
	var out []haltest.Unlock
	for _, u := range o.f.Unlocks() {
		out = append(out, haltest.Unlock{ExternalDoorID: u.EntryID, HoldOpen: u.HoldOpen})
	}
	return out
}

// HasCredential: the member's user is in the group and holds the booking's
// mobile credential (named after the identifier).
func (o observer) HasCredential(identifier string) bool {
	ok, _, _ := o.f.HasMobileCredential("gatehouse-" + identifier)
	return ok
}

func seedEvents(f *openpathtest.Fake, n int) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	now := time.Now()
	for i := range n {
		f.Events = append(f.Events,
			openpathtest.Event{At: now.Add(-time.Duration(i+1) * time.Minute), EntryID: 101, UserID: 9001,
				Request: []string{"mobileProximity", "cardSwipe", "remoteUnlock"}[i%3], Result: []string{"granted", "denied", "granted"}[i%3],
				Denied: []string{"", "noAccess", ""}[i%3], Describe: []string{"Access granted", "Access denied", "Remote unlock"}[i%3]},
			openpathtest.Event{At: now.Add(-time.Duration(i+1)*time.Minute - time.Second), EntryID: 102, Request: "cardSwipe", Result: "granted"})
	}
}

func TestContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		f := openpathtest.New()
		seedEvents(f, 5)
		f.PresenceCount["101"] = 3
		a := newAdapter(t, f, nil)
		from := time.Now().Add(-time.Hour)
		to := time.Now().Add(30 * 24 * time.Hour)
		return &haltest.Harness{
			Adapter:    a,
			Door:       hal.Door{EntityID: 1, ZoneID: 3, ExternalDoorID: "101"},
			Credential: hal.Credential{ID: 5, EntityID: 1, MemberID: 42, TypeCd: "VENDOR", Identifier: "12345", ValidFrom: &from, ExpiresAt: &to, Member: member()},
			Observer:   observer{f},
			SetLatency: f.SetLatency,
			// The whole service is down (every answer 503).
			Unreachable:         func() hal.Door { f.Down(true); return hal.Door{ExternalDoorID: "101"} },
			IdempotentProvision: true,
			Close:               f.Close,
		}
	})
}

func TestRegistered(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	factory, ok := hal.Vendor("OPENPATH")
	if !ok {
		t.Fatal("OPENPATH is not registered")
	}
	a, err := factory(hal.VendorConfig{Provider: "OPENPATH", APIKey: f.Password, Settings: settings(f, nil)}, f.Client())
	if err != nil || a.Provider() != "OPENPATH" {
		t.Fatalf("factory: %v %v", a, err)
	}
}

func TestProvisionUserGroupAndWindow(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	a := newAdapter(t, f, nil)
	ctx := context.Background()
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	to := from.Add(3 * time.Hour)
	c := hal.Credential{Identifier: "4242", ValidFrom: &from, ExpiresAt: &to, Member: member()}
	id, err := a.ProvisionCredential(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	ok, start, end := f.HasMobileCredential("gatehouse-4242")
	if !ok || start != "2026-12-01T08:00:00.000Z" || end != "2026-12-01T11:00:00.000Z" {
		t.Fatalf("credential %v %s – %s", ok, start, end)
	}
	f.Mu.Lock()
	if len(f.Users) != 1 {
		t.Fatalf("%d users", len(f.Users))
	}
	for _, u := range f.Users {
		if u.ExternalID != "gatehouse-member-42" || u.Identity["firstName"] != "Ada" || u.Identity["email"] != "ada@example.com" || id != fmt.Sprintf("%d:", u.ID)+strings.Split(id, ":")[1] {
			t.Errorf("user %+v, id %s", u, id)
		}
	}
	f.Mu.Unlock()
	// Retried with the same window: the same credential (the service
	// reformats the timestamps; the match is by instant).
	again, err := a.ProvisionCredential(ctx, c)
	if err != nil || again != id || f.CredentialCount() != 1 {
		t.Fatalf("again %s %v (first %s), %d credentials", again, err, id, f.CredentialCount())
	}
	// A second booking of the same member: same user, second credential.
	id2, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "4243", Member: member()})
	if err != nil || strings.Split(id2, ":")[0] != strings.Split(id, ":")[0] {
		t.Fatalf("second %s %v", id2, err)
	}
	// A moved window: a new credential (the integration revokes the old id).
	later := to.Add(time.Hour)
	moved, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "4242", ValidFrom: &from, ExpiresAt: &later, Member: member()})
	if err != nil || moved == id {
		t.Fatalf("moved %s %v", moved, err)
	}
	if err := a.RevokeCredential(ctx, id); err != nil {
		t.Fatal(err)
	}
	if !f.InGroup("gatehouse-member-42") {
		t.Fatal("left the group while other credentials remain")
	}
	for _, x := range []string{moved, id2} {
		if err := a.RevokeCredential(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if f.InGroup("gatehouse-member-42") || f.CredentialCount() != 0 {
		t.Fatalf("in group %v, %d credentials", f.InGroup("gatehouse-member-42"), f.CredentialCount())
	}
	// Already gone: success.
	if err := a.RevokeCredential(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestExistingUserIsReusedAndConcurrentCreateIsFound(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	a := newAdapter(t, f, nil)
	ctx := context.Background()
	if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1", Member: member()}); err != nil {
		t.Fatal(err)
	}
	// Another adapter (another server process) finds the same user.
	b := newAdapter(t, f, nil)
	if _, err := b.ProvisionCredential(ctx, hal.Credential{Identifier: "2", Member: member()}); err != nil {
		t.Fatal(err)
	}
	f.Mu.Lock()
	n := len(f.Users)
	f.Mu.Unlock()
	if n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
}

func TestTokenRefreshBeforeExpiryAndOn401(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	f.Mu.Lock()
	f.Now = clock
	f.Mu.Unlock()
	a := newAdapter(t, f, nil, openpath.WithClock(clock))
	ctx := context.Background()
	door := hal.Door{ExternalDoorID: "101"}
	unlock := func() {
		t.Helper()
		if _, err := a.UnlockDoor(ctx, door, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	counts := func() (int, int, int) { f.Mu.Lock(); defer f.Mu.Unlock(); return f.Logins, f.Refreshes, f.Unauthorized }
	unlock()
	unlock()
	if l, r, u := counts(); l != 1 || r != 0 || u != 0 {
		t.Fatalf("logins %d refreshes %d 401s %d: want one login", l, r, u)
	}
	// 59m30s later the 1h token is about to expire: refreshed before use.
	advance(59*time.Minute + 30*time.Second)
	unlock()
	if l, r, u := counts(); l != 1 || r != 1 || u != 0 {
		t.Fatalf("logins %d refreshes %d 401s %d: want a proactive refresh", l, r, u)
	}
	// The service drops the token early: one 401, a login, the retry works.
	f.ExpireTokens()
	unlock()
	if l, r, u := counts(); l != 2 || r != 1 || u != 1 {
		t.Fatalf("logins %d refreshes %d 401s %d: want one login after the 401", l, r, u)
	}
	// The service's clock runs ahead of ours: its expiry (TokenExpiredError)
	// comes before our refresh margin; met by a login and one retry.
	f.Mu.Lock()
	f.Now = func() time.Time { return clock().Add(2 * time.Hour) }
	f.Mu.Unlock()
	unlock()
	if l, r, u := counts(); l != 3 || r != 1 || u != 2 {
		t.Fatalf("logins %d refreshes %d 401s %d: want a login after the expiry", l, r, u)
	}
	f.Mu.Lock()
	f.Now = clock
	f.Mu.Unlock()
	// Long idle: the token expired on our clock too; log in, no refresh.
	advance(4 * time.Hour)
	unlock()
	if l, r, u := counts(); l != 4 || r != 1 || u != 2 {
		t.Fatalf("logins %d refreshes %d 401s %d", l, r, u)
	}
	if n := len(f.Unlocks()); n != 6 {
		t.Fatalf("%d unlocks, want 6", n)
	}
}

func TestPersistent401IsRejectedAfterOneRetry(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	a := newAdapter(t, f, nil)
	if _, err := a.UnlockDoor(context.Background(), hal.Door{ExternalDoorID: "101"}, time.Second); err != nil {
		t.Fatal(err)
	}
	f.FailNext(401, "", 1)
	f.FailNextWith(401, `{"message":"Invalid email or password"}`)
	_, err := a.UnlockDoor(context.Background(), hal.Door{ExternalDoorID: "101"}, time.Second)
	if hal.KindOf(err) != hal.Rejected {
		t.Fatalf("want Rejected, got %v", err)
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	door := hal.Door{ExternalDoorID: "101"}
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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := openpathtest.New()
			defer f.Close()
			a := newAdapter(t, f, nil)
			if _, err := a.UnlockDoor(ctx, door, time.Second); err != nil { // logs in
				t.Fatal(err)
			}
			f.FailNext(tc.status, tc.retryAfter, 1)
			res, err := a.UnlockDoor(ctx, door, time.Second)
			if hal.KindOf(err) != tc.kind || res.Success {
				t.Fatalf("want %s, got %v (%+v)", tc.kind, err, res)
			}
			var ra interface{ RetryAfter() time.Duration }
			if got := errors.As(err, &ra); got != (tc.after >= 0) || (got && ra.RetryAfter() != tc.after) {
				t.Fatalf("retry hint %v %v, want %v", got, ra, tc.after)
			}
		})
	}
	t.Run("429 on provision", func(t *testing.T) {
		f := openpathtest.New()
		defer f.Close()
		a := newAdapter(t, f, nil)
		f.FailNext(429, "12", 1)
		_, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1", Member: member()})
		var ra interface{ RetryAfter() time.Duration }
		if hal.KindOf(err) != hal.Unreachable || !errors.As(err, &ra) || ra.RetryAfter() != 12*time.Second {
			t.Fatalf("want Unreachable with a 12s hint, got %v", err)
		}
	})
	t.Run("unknown entry", func(t *testing.T) {
		f := openpathtest.New()
		defer f.Close()
		a := newAdapter(t, f, nil)
		if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "999"}, time.Second); hal.KindOf(err) != hal.Rejected {
			t.Fatalf("want Rejected, got %v", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		f := openpathtest.New()
		defer f.Close()
		a, err := openpath.New(hal.VendorConfig{APIKey: "wrong-Password-1", Settings: settings(f, nil)}, f.Client())
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Ping(ctx); hal.KindOf(err) != hal.Rejected || strings.Contains(err.Error(), "wrong-Password") {
			t.Fatalf("want Rejected without the password, got %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		f := openpathtest.New()
		defer f.Close()
		a := newAdapter(t, f, map[string]any{"timeout": "50ms"})
		f.SetLatency(time.Second)
		start := time.Now()
		_, err := a.RecentEvents(ctx, door, 5)
		if hal.KindOf(err) != hal.Unreachable || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 900*time.Millisecond {
			t.Fatalf("want Unreachable timeout, got %v after %s", err, time.Since(start))
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		a, err := openpath.New(hal.VendorConfig{APIKey: "k-12345678", Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl": %q, "orgId": 1, "email": "a@b.c", "groupId": 2}`, vendortest.ClosedURL(t)))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Occupancy(ctx, door); hal.KindOf(err) != hal.Unreachable {
			t.Fatalf("want Unreachable, got %v", err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		f := openpathtest.New()
		defer f.Close()
		a := newAdapter(t, f, nil)
		if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1"}); hal.KindOf(err) != hal.Rejected {
			t.Errorf("no member: %v", err)
		}
		from := time.Now()
		if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1", ValidFrom: &from, ExpiresAt: &from, Member: member()}); hal.KindOf(err) != hal.Rejected {
			t.Errorf("empty window: %v", err)
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
	for field, s := range map[string]string{
		"settings.orgId":              `{"email": "a@b.c", "groupId": 2}`,
		"settings.email":              `{"orgId": 1, "groupId": 2}`,
		"settings.groupId":            `{"orgId": 1, "email": "a@b.c"}`,
		"settings.baseUrl":            `{"orgId": 1, "email": "a@b.c", "groupId": 2, "baseUrl": "ftp://x"}`,
		"settings.timeout":            `{"orgId": 1, "email": "a@b.c", "groupId": 2, "timeout": "forever"}`,
		"settings.unlockEntryStateId": `{"orgId": 1, "email": "a@b.c", "groupId": 2, "unlockEntryStateId": -1}`,
	} {
		_, err := openpath.New(hal.VendorConfig{APIKey: "k-12345678", Settings: json.RawMessage(s)}, nil)
		var fe *hal.FieldError
		if hal.KindOf(err) != hal.Rejected || !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: want a Rejected field error on %s, got %v", s, field, err)
		}
	}
	// The web UI sends ids as text.
	if _, err := openpath.New(hal.VendorConfig{APIKey: "k-12345678", Settings: json.RawMessage(`{"orgId": "12", "email": "a@b.c", "groupId": "7", "credentialTypeId": ""}`)}, nil); err != nil {
		t.Errorf("ids as strings: %v", err)
	}
	if _, err := openpath.New(hal.VendorConfig{APIKey: "k-12345678", Settings: json.RawMessage(`{"orgId": "x12", "email": "a@b.c", "groupId": 7}`)}, nil); hal.KindOf(err) != hal.Rejected {
		t.Errorf("orgId x12: %v", err)
	}
	if _, err := openpath.New(hal.VendorConfig{APIKey: "k-12345678", Settings: json.RawMessage(`[1]`)}, nil); hal.KindOf(err) != hal.Rejected {
		t.Errorf("[1]: %v", err)
	}
	if _, err := openpath.New(hal.VendorConfig{Settings: json.RawMessage(`{"orgId": 1, "email": "a@b.c", "groupId": 2}`)}, nil); err == nil {
		t.Error("no API key accepted")
	}
}

func TestUnlockSetsTempStateForTheHoldOpenTime(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	a := newAdapter(t, f, nil)
	ctx := context.Background()
	for _, hold := range []time.Duration{0, 1500 * time.Millisecond, 10 * time.Minute} {
		if res, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "102"}, hold); err != nil || !res.Success {
			t.Fatal(res, err)
		}
	}
	u := f.Unlocks()
	if len(u) != 3 || u[0].HoldOpen != time.Second || u[1].HoldOpen != 2*time.Second || u[2].HoldOpen != 10*time.Minute || u[2].StateID != openpathtest.UnlockState || u[2].EntryID != "102" {
		t.Fatalf("unlocks %+v", u)
	}
	// The configured state wins over the looked-up one.
	b := newAdapter(t, f, map[string]any{"unlockEntryStateId": 11})
	if _, err := b.UnlockDoor(ctx, hal.Door{ExternalDoorID: "101"}, time.Second); err != nil {
		t.Fatal(err)
	}
	if u := f.Unlocks(); u[3].StateID != 11 {
		t.Fatalf("state %d", u[3].StateID)
	}
	if !strings.Contains(strings.Join(f.Requests, "\n"), fmt.Sprintf("POST /orgs/%d/entries/102/setTempState", openpathtest.OrgID)) {
		t.Fatalf("requests %v", f.Requests)
	}
}

func TestRecentEventsPagesAndFiltersByEntry(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	seedEvents(f, 130) // 260 events on two entries: six pages of 50
	a := newAdapter(t, f, nil)
	ev, err := a.RecentEvents(context.Background(), hal.Door{ExternalDoorID: "101"}, 90)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 90 {
		t.Fatalf("%d events, want 90", len(ev))
	}
	kinds := map[string]int{}
	for i, e := range ev {
		if e.ExternalDoorID != "101" || (i > 0 && e.At.After(ev[i-1].At)) {
			t.Fatalf("event %d: %+v", i, e)
		}
		kinds[e.Kind]++
	}
	if kinds["ACCESS"] == 0 || kinds["ACCESS_DENIED"] == 0 || kinds["UNLOCK"] == 0 {
		t.Fatalf("kinds %v", kinds)
	}
	// The newest events come first although the service pages oldest first.
	if time.Since(ev[0].At) > 2*time.Minute {
		t.Fatalf("newest event %s", ev[0].At)
	}
}

func TestOccupancyReadsThePresenceBuckets(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	f.PresenceCount["101"] = 7
	a := newAdapter(t, f, nil)
	o, err := a.Occupancy(context.Background(), hal.Door{ExternalDoorID: "101"})
	if err != nil || !o.Known || o.Current != 7 || o.At.IsZero() {
		t.Fatalf("%+v %v", o, err)
	}
}

// No secret reaches an error or a log line, whatever fails.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	f := openpathtest.New()
	defer f.Close()
	log, logBuf := vendortest.DebugLog()
	a := newAdapter(t, f, nil, openpath.WithLogger(log))
	ctx := context.Background()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	id, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "98765", Member: member()})
	keep(err)
	// The service echoes secrets in its message: the adapter masks them.
	f.Mu.Lock()
	tok := f.Issued[0]
	f.Mu.Unlock()
	f.FailNextWith(400, fmt.Sprintf(`{"message":"bad password %s token %s"}`, f.Password, tok))
	_, err = a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "101"}, time.Second)
	if err == nil {
		t.Fatal("want an error")
	}
	keep(err)
	f.FailNext(429, "3", 1)
	_, err = a.RecentEvents(ctx, hal.Door{ExternalDoorID: "101"}, 3)
	keep(err)
	f.ExpireTokens()
	keep(a.RevokeCredential(ctx, id))
	f.ExpireTokens()
	f.FailNext(401, "", 1)
	f.FailNextWith(401, fmt.Sprintf(`{"message":"wrong password %s"}`, f.Password))
	_, err = a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "101"}, time.Second)
	keep(err)
	if len(errs) < 3 {
		t.Fatalf("expected failures, got %v", errs)
	}
	logs := logBuf.Logs()
	if !strings.Contains(logs, "openpath request") {
		t.Fatalf("no request logs: %s", logs)
	}
	vendortest.NoSecrets(t, logs, errs, f.Secrets())
}
