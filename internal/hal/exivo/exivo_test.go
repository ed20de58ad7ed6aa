package exivo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/exivo"
	"github.com/gatehouse/gatehouse/internal/hal/generichttp"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

func settings(f *fakeExivo, extra string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"baseUrl": %q, "siteId": "site-1", "apiKeyId": "exivo-KEY-1234", "accessGroupId": "ag-1", "timeout": "2s"%s}`, f.URL+"/v1", extra))
}

func newAdapter(t *testing.T, f *fakeExivo, extra string, opts ...exivo.Option) *exivo.Adapter {
	t.Helper()
	opts = append([]exivo.Option{exivo.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	a, err := exivo.New(hal.VendorConfig{Provider: "EXIVO", APIKey: f.secret, Settings: settings(f, extra), Location: time.UTC}, f.Client(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

func member() *hal.Person {
	return &hal.Person{ExternalID: "gatehouse-member-42", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
}

func TestContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		f := newFakeExivo()
		a := newAdapter(t, f, "")
		from := time.Now().Add(-time.Hour)
		to := time.Now().Add(30 * 24 * time.Hour)
		return &haltest.Harness{
			Adapter:             a,
			Door:                hal.Door{EntityID: 1, ZoneID: 3, ExternalDoorID: "comp-a"},
			Credential:          hal.Credential{ID: 5, EntityID: 1, MemberID: 42, TypeCd: "CARD", Identifier: "04A1B2C3D4", ValidFrom: &from, ExpiresAt: &to, Member: member()},
			Observer:            f,
			SetLatency:          f.setLatency,
			Unsupported:         []string{haltest.OpOccupancy},
			IdempotentProvision: true,
			// The fake logs remote unlocks in the component's access log.
			UnlocksAreEvents: true,
			// A release holds the door for the component's configured time
			// (pulseSeconds 5): requests of 3 s and 5 s both get 5 s.
			HoldOpenResolution: 3 * time.Second,
			Close:              func() { a.Close(); f.Close() },
		}
	})
}

func TestRegistered(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	factory, ok := hal.Vendor("EXIVO")
	if !ok {
		t.Fatal("EXIVO is not registered")
	}
	// API key as "API_KEY:API_SECRET" without settings.apiKeyId.
	a, err := factory(hal.VendorConfig{Provider: "EXIVO", APIKey: f.keyID + ":" + f.secret, Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl": %q, "siteId": "site-1"}`, f.URL+"/v1"))}, f.Client())
	if err != nil || a.Provider() != "EXIVO" {
		t.Fatalf("factory: %v %v", a, err)
	}
	if _, err := a.UnlockDoor(context.Background(), hal.Door{ExternalDoorID: "comp-b"}, time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestProvisionPersonGroupMediumAndWindow(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	ctx := context.Background()
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	to := from.Add(8 * time.Hour)
	c := hal.Credential{Identifier: "04AABBCC", ValidFrom: &from, ExpiresAt: &to, Member: member()}
	id, err := a.ProvisionCredential(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	check := func(wantEntry, wantExit, wantExpire string) {
		t.Helper()
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.persons) != 1 || len(f.media) != 1 {
			t.Fatalf("persons %d media %d", len(f.persons), len(f.media))
		}
		for _, p := range f.persons {
			if p.Info != "gatehouse-member-42" || p.FirstName != "Ada" || p.LastName != "Lovelace" || p.Email == nil || *p.Email != "ada@example.com" || p.AccessGroupID != "ag-1" {
				t.Errorf("person %+v", p)
			}
			if p.EntryDate == nil || *p.EntryDate != wantEntry || p.ExitDate == nil || *p.ExitDate != wantExit {
				t.Errorf("person window %v – %v, want %s – %s", p.EntryDate, p.ExitDate, wantEntry, wantExit)
			}
			for _, m := range f.media {
				if m.UID != "04AABBCC" || m.PersonID != p.ID || m.State != "active" || m.FormFactor != "badge" || m.expire != wantExpire {
					t.Errorf("medium %+v", m)
				}
				if id != p.ID+":"+m.ID {
					t.Errorf("external id %q", id)
				}
			}
		}
	}
	check("2026-12-01T08:00:00Z", "2026-12-01T16:00:00Z", "2026-12-01T16:00:00Z")

	// Again with a later end: same person and medium, window widened, expiry moved.
	to2 := to.Add(24 * time.Hour)
	c.ExpiresAt = &to2
	again, err := a.ProvisionCredential(ctx, c)
	if err != nil || again != id {
		t.Fatalf("again %q %v", again, err)
	}
	check("2026-12-01T08:00:00Z", "2026-12-02T16:00:00Z", "2026-12-02T16:00:00Z")

	if err := a.RevokeCredential(ctx, id); err != nil {
		t.Fatal(err)
	}
	if f.HasCredential("04AABBCC") {
		t.Fatal("still holds the medium")
	}
	f.mu.Lock()
	for _, p := range f.persons {
		if p.AccessGroupID != "" || len(p.Media) != 0 {
			t.Errorf("after revoke: %+v", p)
		}
	}
	f.mu.Unlock()
	if err := a.RevokeCredential(ctx, id); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestSecondMediumKeepsGroupAndForeignMediumRejected(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	a := newAdapter(t, f, "")
	ctx := context.Background()
	id1, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "AA01", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "AA02", Member: member()}); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeCredential(ctx, id1); err != nil {
		t.Fatal(err)
	}
	if !f.HasCredential("AA02") || f.HasCredential("AA01") {
		t.Fatal("revoking one medium changed the other")
	}
	other := &hal.Person{ExternalID: "gatehouse-member-7", FirstName: "Bob", LastName: "B"}
	if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "AA02", Member: other}); hal.KindOf(err) != hal.Rejected {
		t.Fatalf("someone else's medium: want Rejected, got %v", err)
	}
	b := newAdapter(t, f, `, "registerMedia": false`)
	if _, err := b.ProvisionCredential(ctx, hal.Credential{Identifier: "FFFF", Member: member()}); hal.KindOf(err) != hal.Rejected {
		t.Fatalf("unknown medium without registerMedia: %v", err)
	}
}

func TestUnlockAndHoldOpenMode(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	a := newAdapter(t, f, `, "pulseSeconds": 1, "delegatedUser": "Gatehouse"`)
	ctx := context.Background()
	if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "comp-b"}, time.Second); err != nil {
		t.Fatal(err)
	}
	if u := f.Unlocks(); len(u) != 1 || u[0].ExternalDoorID != "comp-b" || f.unlockBodies[0]["delegatedUser"] != "Gatehouse" {
		t.Fatalf("unlocks %+v bodies %v", u, f.unlockBodies)
	}
	res, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "comp-a"}, 1500*time.Millisecond)
	if err != nil || !res.Success {
		t.Fatal(res, err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(f.Unlocks()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	u := f.Unlocks()
	if len(u) != 2 || u[1].ExternalDoorID != "comp-a" || u[1].HoldOpen < 1400*time.Millisecond || u[1].HoldOpen > 2500*time.Millisecond {
		t.Fatalf("unlocks %+v", u)
	}
	f.mu.Lock()
	modes := strings.Join(f.modes, ",")
	f.mu.Unlock()
	if modes != "comp-a=open,comp-a=normal" {
		t.Fatalf("modes %s", modes)
	}

	// Close ends a pending hold-open at once.
	if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "comp-b"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	a.Close()
	f.mu.Lock()
	modes = strings.Join(f.modes, ",")
	f.mu.Unlock()
	if !strings.HasSuffix(modes, "comp-b=open,comp-b=normal") {
		t.Fatalf("after Close: modes %s", modes)
	}
	if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "comp-b"}, time.Hour); hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("hold-open after Close: %v", err)
	}

	off := newAdapter(t, f, `, "pulseSeconds": 1, "holdOpenMode": false`)
	if _, err := off.UnlockDoor(ctx, hal.Door{ExternalDoorID: "comp-b"}, time.Minute); hal.KindOf(err) != hal.Rejected {
		t.Fatalf("holdOpenMode false: %v", err)
	}
	if _, err := off.UnlockDoor(ctx, hal.Door{ExternalDoorID: "nope"}, time.Second); hal.KindOf(err) != hal.Rejected {
		t.Fatalf("unknown component: %v", err)
	}
}

func TestRecentEventsPaging(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	f.seedLog("comp-a", 250)
	a := newAdapter(t, f, "")
	ev, err := a.RecentEvents(context.Background(), hal.Door{ExternalDoorID: "comp-a"}, 150)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 150 {
		t.Fatalf("%d events", len(ev))
	}
	kinds := map[string]int{}
	for i, e := range ev {
		kinds[e.Kind]++
		if i > 0 && e.At.After(ev[i-1].At) {
			t.Fatal("not newest first")
		}
	}
	if kinds["ACCESS"] == 0 || kinds["ACCESS_DENIED"] == 0 || kinds["DOOR_FORCED"] == 0 {
		t.Fatalf("kinds %v", kinds)
	}
	f.mu.Lock()
	newest := f.log["comp-a"][249].At
	f.mu.Unlock()
	if !ev[0].At.Equal(newest) {
		t.Fatalf("first event %s, newest %s", ev[0].At, newest)
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	door := hal.Door{ExternalDoorID: "comp-a"}
	for _, tc := range []struct {
		status     int
		retryAfter string
		kind       hal.ErrorKind
		after      time.Duration
	}{
		{500, "", hal.Unreachable, -1},
		{502, "", hal.Unreachable, -1},
		{429, "12", hal.Unreachable, 12 * time.Second},
		{429, "", hal.Unreachable, 0},
		{400, "", hal.Rejected, -1},
		{401, "", hal.Rejected, -1},
		{404, "", hal.Rejected, -1},
	} {
		t.Run(fmt.Sprint(tc.status, tc.retryAfter), func(t *testing.T) {
			f := newFakeExivo()
			defer f.Close()
			a := newAdapter(t, f, "")
			f.failNext(tc.status, tc.retryAfter, 1)
			_, err := a.UnlockDoor(ctx, door, time.Second)
			if hal.KindOf(err) != tc.kind {
				t.Fatalf("want %s, got %v", tc.kind, err)
			}
			var ra *generichttp.RetryAfterError
			if got := errors.As(err, &ra); got != (tc.after >= 0) || (got && ra.After != tc.after) {
				t.Fatalf("retry hint %v %+v", got, ra)
			}
			f.failNext(tc.status, tc.retryAfter, 1)
			if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "01", Member: member()}); hal.KindOf(err) != tc.kind {
				t.Fatalf("provision: want %s, got %v", tc.kind, err)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		f := newFakeExivo()
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
		a, err := exivo.New(hal.VendorConfig{APIKey: "k:s", Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl": %q, "siteId": "x"}`, vendortest.ClosedURL(t)))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.UnlockDoor(ctx, door, time.Second); hal.KindOf(err) != hal.Unreachable {
			t.Fatalf("want Unreachable, got %v", err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		f := newFakeExivo()
		defer f.Close()
		a := newAdapter(t, f, "")
		if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "1"}); hal.KindOf(err) != hal.Rejected {
			t.Errorf("no member: %v", err)
		}
		if err := a.RevokeCredential(ctx, "nocolon"); hal.KindOf(err) != hal.Rejected {
			t.Errorf("bad external id: %v", err)
		}
		if err := a.ValidateDoor(hal.Door{ExternalDoorID: "a/b"}); err == nil {
			t.Error("ValidateDoor accepted a/b")
		}
	})
}

func TestInvalidSettings(t *testing.T) {
	for _, tc := range []struct{ key, s string }{
		{"k:s", `{}`},
		{"nocolon", `{"siteId": "x"}`},
		{"k:s", `{"siteId": "x", "baseUrl": "ftp://h"}`},
		{"k:s", `{"siteId": "x", "mediumField": "serial"}`},
		{"k:s", `{"siteId": "x", "formFactor": "ring"}`},
		{"k:s", `{"siteId": "x", "normalMode": "open"}`},
		{"k:s", `{"siteId": "x", "timeout": "0s"}`},
		{"k:s", `"x"`},
	} {
		if _, err := exivo.New(hal.VendorConfig{APIKey: tc.key, Settings: json.RawMessage(tc.s)}, nil); hal.KindOf(err) != hal.Rejected {
			t.Errorf("%s: want Rejected, got %v", tc.s, err)
		}
	}
}

func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	f := newFakeExivo()
	defer f.Close()
	log, logBuf := vendortest.DebugLog()
	a := newAdapter(t, f, "", exivo.WithLogger(log))
	ctx := context.Background()
	var errs []error
	id, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "0499887766", Member: member()})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.inject.Add(vendortest.Failure{Status: 401, Body: fmt.Sprintf(`{"message":"bad credentials %s:%s"}`, f.keyID, f.secret)})
	f.mu.Unlock()
	if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "comp-a"}, time.Second); err != nil {
		errs = append(errs, err)
	}
	f.failNext(503, "5", 1)
	if err := a.RevokeCredential(ctx, id); err != nil {
		errs = append(errs, err)
	}
	if len(errs) != 2 {
		t.Fatalf("errors %v", errs)
	}
	logs := logBuf.Logs()
	if !strings.Contains(logs, "exivo request") {
		t.Fatalf("no request logs: %s", logs)
	}
	vendortest.NoSecrets(t, logs, errs, []string{f.secret, f.keyID, "0499887766"})
}
