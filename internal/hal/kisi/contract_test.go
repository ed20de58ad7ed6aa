package kisi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/kisi"
	"github.com/gatehouse/gatehouse/internal/hal/kisi/kisitest"
)

const key = "kisi-secret-key-0123456789"

type observer struct{ f *kisitest.Fake }

func (o observer) Unlocks() []haltest.Unlock {
	var out []haltest.Unlock
	for _, id := range o.f.Unlocks() {
		out = append(out, haltest.Unlock{ExternalDoorID: id})
	}
	return out
}

func (o observer) HasCredential(identifier string) bool { return o.f.HasAssignmentFor(identifier) }

func build(t *testing.T, f *kisitest.Fake, base string) hal.Adapter {
	t.Helper()
	settings, _ := json.Marshal(map[string]any{"baseUrl": base, "groupId": 7, "placeId": 3})
	a, err := kisi.New(hal.VendorConfig{Provider: "KISI", APIKey: f.Key, Settings: settings, Location: time.UTC}, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		f := kisitest.New(key)
		from := time.Date(2026, 12, 1, 8, 45, 0, 0, time.UTC)
		until := from.Add(90 * time.Minute)
		email := "member42@example.com"
		return &haltest.Harness{
			Adapter: build(t, f, f.URL),
			Door:    hal.Door{EntityID: 1, ZoneID: 1, ExternalDoorID: "55"},
			// The observer finds Kisi users by email: the identifier the suite checks is the email.
			Credential: hal.Credential{EntityID: 1, MemberID: 42, TypeCd: "VENDOR", Identifier: email, ValidFrom: &from, ExpiresAt: &until,
				Member: &hal.Person{ExternalID: "gatehouse-member-42", FirstName: "Ada", LastName: "L", Email: email}},
			Observer:            observer{f},
			Unsupported:         []string{haltest.OpUnlock}, // Kisi has no hold-open
			IdempotentProvision: true,
			Close:               f.Close,
		}
	})
}

func TestErrorsAreTypedAndNeverLeakTheKey(t *testing.T) {
	f := kisitest.New(key)
	defer f.Close()
	a := build(t, f, f.URL)
	ctx := context.Background()
	cred := hal.Credential{Member: &hal.Person{Email: "x@example.com"}}

	f.Fail(429, 1, "7")
	_, err := a.ProvisionCredential(ctx, cred)
	var ra interface{ RetryAfter() time.Duration }
	if hal.KindOf(err) != hal.Unreachable || !errors.As(err, &ra) || ra.RetryAfter() != 7*time.Second {
		t.Fatalf("429: %v", err)
	}
	f.Fail(500, 1, "")
	if _, err := a.ProvisionCredential(ctx, cred); hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("500: %v", err)
	}
	f.SetLatency(time.Second)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err = a.ProvisionCredential(short, cred)
	cancel()
	if hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("timeout: %v", err)
	}
	f.SetLatency(0)
	bad, _ := kisi.New(hal.VendorConfig{APIKey: "wrong-key-123456", Settings: json.RawMessage(`{"groupId":7,"baseUrl":"` + f.URL + `"}`)}, nil)
	_, err = bad.ProvisionCredential(ctx, cred)
	if hal.KindOf(err) != hal.Rejected {
		t.Fatalf("401: %v", err)
	}
	for _, e := range []error{err} {
		if strings.Contains(e.Error(), key) || strings.Contains(e.Error(), "wrong-key") {
			t.Fatalf("error reveals the key: %v", e)
		}
	}
	for _, h := range f.AuthHeaders {
		if !strings.HasPrefix(h, "KISI-LOGIN ") {
			t.Fatalf("auth header %q", h)
		}
	}
	// Revoke of a missing assignment is success (404 on delete).
	if err := a.RevokeCredential(ctx, "999999"); err != nil {
		t.Fatal(err)
	}
	// Pulse unlock works; hold-open is unsupported.
	if res, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "55"}, 0); err != nil || !res.Success {
		t.Fatal(res, err)
	}
	ev, err := a.RecentEvents(ctx, hal.Door{ExternalDoorID: "55"}, 5)
	if err != nil || len(ev) != 1 || ev[0].Kind != "LOCK_UNLOCK" {
		t.Fatal(ev, err)
	}
	if o, err := a.Occupancy(ctx, hal.Door{}); err != nil || !o.Known || o.Current != 1 {
		t.Fatal(o, err)
	}
}

func TestSettings(t *testing.T) {
	for _, s := range []string{`{}`, `{"groupId":"x"}`, `{"groupId":0}`, `{"groupId":1,"baseUrl":"ftp://x"}`, `[1]`} {
		if _, err := kisi.ParseSettings(json.RawMessage(s)); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
	s, err := kisi.ParseSettings(json.RawMessage(`{"groupId":"12"}`))
	if err != nil || s.GroupID != 12 || s.BaseURL != kisi.DefaultBaseURL {
		t.Fatal(s, err)
	}
}
