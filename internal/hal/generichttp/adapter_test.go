package generichttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/generichttp"
	"github.com/gatehouse/gatehouse/internal/hal/vendortest"
)

var ctx = context.Background()

func kindOf(t *testing.T, err error) hal.ErrorKind {
	t.Helper()
	var e *hal.Error
	if !errors.As(err, &e) {
		t.Fatalf("not a *hal.Error: %v", err)
	}
	return e.Kind
}

func TestUhppotedProvisionWritesTheCardToEveryDevice(t *testing.T) {
	f := newFakeUhppoted(405419896, 303986753)
	defer f.Close()
	a := newUhppotedAdapter(t, f)
	defer a.Close()

	// Expires at midnight Berlin time on 1 July: the last valid day is 30 June.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	exp := time.Date(2031, 7, 1, 0, 0, 0, 0, berlin).UTC()
	id, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "192837465", ExpiresAt: &exp})
	if err != nil || id != "192837465" {
		t.Fatalf("provision: %q %v", id, err)
	}
	c1, ok1 := f.card(405419896, 192837465)
	c2, ok2 := f.card(303986753, 192837465)
	if !ok1 || !ok2 {
		t.Fatalf("card not on both controllers: %v %v", ok1, ok2)
	}
	if c1.End != "2031-06-30" || c1.Start != time.Now().In(berlin).Format("2006-01-02") {
		t.Errorf("validity %s..%s", c1.Start, c1.End)
	}
	want1 := map[string]any{"1": true, "2": true, "3": false, "4": false}
	want2 := map[string]any{"1": true, "2": false, "3": false, "4": false}
	if fmt.Sprint(c1.Doors) != fmt.Sprint(want1) || fmt.Sprint(c2.Doors) != fmt.Sprint(want2) {
		t.Errorf("doors %v / %v", c1.Doors, c2.Doors)
	}

	// No expiry: valid until the end of the controllers' date range.
	if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "555"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.card(405419896, 555); c.End != "2099-12-31" {
		t.Errorf("open-ended card ends %s", c.End)
	}

	// A credential that is not a uhppote card number is refused before any request.
	n := len(f.requestLog())
	_, err = a.ProvisionCredential(ctx, hal.Credential{Identifier: "04A1B2C3D4"})
	if kindOf(t, err) != hal.Rejected || strings.Contains(err.Error(), "04A1B2C3D4") || !strings.Contains(err.Error(), "decimal") {
		t.Errorf("hex identifier: %v", err)
	}
	if len(f.requestLog()) != n {
		t.Error("a request was sent for an invalid card number")
	}

	if err := a.RevokeCredential(ctx, "192837465"); err != nil {
		t.Fatal(err)
	}
	if f.HasCredential("192837465") {
		t.Fatal("still provisioned")
	}
}

func TestUhppotedUnlockSetsTheDelayThenSwipes(t *testing.T) {
	f := newFakeUhppoted(405419896)
	defer f.Close()
	a := newUhppotedAdapter(t, f)
	defer a.Close()
	d := hal.Door{ExternalDoorID: "405419896:3"}
	res, err := a.UnlockDoor(ctx, d, 1500*time.Millisecond)
	if err != nil || !res.Success {
		t.Fatalf("%+v %v", res, err)
	}
	log := f.requestLog()
	want := []string{"PUT /uhppote/device/405419896/door/3/delay", "POST /uhppote/device/405419896/door/3/swipes"}
	if !slices.Equal(log, want) {
		t.Fatalf("requests %v", log)
	}
	if u := f.Unlocks(); len(u) != 1 || u[0].HoldOpen != 2*time.Second {
		t.Fatalf("unlocks %+v (1.5 s rounds up to 2 s)", u)
	}

	// holdOpen "none" leaves the controller's delay alone.
	none, err := generichttp.New(generichttp.Config{Settings: json.RawMessage(strings.Replace(uhppotedSettings(f.URL), `"card": "10058400"`, `"card": "10058400", "holdOpen": "none"`, 1))})
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	if _, err := none.UnlockDoor(ctx, d, 9*time.Second); err != nil {
		t.Fatal(err)
	}
	if u := f.Unlocks(); len(u) != 2 || u[1].HoldOpen != 2*time.Second {
		t.Fatalf("unlocks %+v", u)
	}

	// Bad door ids are refused before any request.
	for _, id := range []string{"405419896:5", "405419896", "abc:1", "405419896:../1"} {
		_, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: id}, time.Second)
		if kindOf(t, err) != hal.Rejected {
			t.Errorf("%s: %v", id, err)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	f := newFakeUhppoted(405419896)
	defer f.Close()
	a := newUhppotedAdapter(t, f)
	defer a.Close()
	d := hal.Door{ExternalDoorID: "405419896:1"}

	// 404 unknown device → Rejected, with the document's error message.
	_, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "111:1"}, time.Second)
	if kindOf(t, err) != hal.Rejected || !strings.Contains(err.Error(), "HTTP 404: No device with ID 111") {
		t.Errorf("unknown device: %v", err)
	}
	// 401 the open card may not open the door → Rejected.
	bad, _ := generichttp.New(generichttp.Config{Settings: json.RawMessage(strings.Replace(uhppotedSettings(f.URL), `"10058400"`, `"777"`, 1))})
	defer bad.Close()
	if _, err := bad.UnlockDoor(ctx, d, time.Second); kindOf(t, err) != hal.Rejected || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("card without permission: %v", err)
	}
	// Wrong password → Rejected, and the password never shows.
	wrong, _ := generichttp.New(generichttp.Config{Settings: json.RawMessage(strings.Replace(uhppotedSettings(f.URL), "s3cret-pass", "wrong-pass", 1))})
	defer wrong.Close()
	if _, err := wrong.UnlockDoor(ctx, d, time.Second); kindOf(t, err) != hal.Rejected || strings.Contains(err.Error(), "wrong-pass") {
		t.Errorf("bad password: %v", err)
	}

	// 500 → Unreachable.
	f.setFailure(500)
	if _, err := a.UnlockDoor(ctx, d, time.Second); kindOf(t, err) != hal.Unreachable {
		t.Errorf("500: %v", err)
	}
	// 429 → Unreachable with the retry hint.
	f.setFailure(429)
	_, err = a.UnlockDoor(ctx, d, time.Second)
	var ra *generichttp.RetryAfterError
	if kindOf(t, err) != hal.Unreachable || !errors.As(err, &ra) || ra.After != 7*time.Second {
		t.Errorf("429: %v", err)
	}
	// 404 on revoke is "already gone"; 500 on revoke is Unreachable (retry later).
	f.setFailure(0)
	if err := a.RevokeCredential(ctx, "99999"); err != nil {
		t.Errorf("revoke unknown card: %v", err)
	}
	f.setFailure(503)
	if err := a.RevokeCredential(ctx, "99999"); kindOf(t, err) != hal.Unreachable || strings.Contains(err.Error(), "99999") {
		t.Errorf("revoke during outage: %v", err)
	}
	f.setFailure(0)

	// The settings' per-request timeout applies even without a caller deadline.
	slow, _ := generichttp.New(generichttp.Config{Settings: json.RawMessage(strings.Replace(uhppotedSettings(f.URL), `"2s"`, `"50ms"`, 1))})
	defer slow.Close()
	f.setLatency(time.Second)
	start := time.Now()
	_, err = slow.UnlockDoor(ctx, d, time.Second)
	if kindOf(t, err) != hal.Unreachable || time.Since(start) > 500*time.Millisecond || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout after %s: %v", time.Since(start), err)
	}
	f.setLatency(0)

	// Connection refused → Unreachable, and the URL (with card numbers) is not in the message.
	off := hal.Door{ExternalDoorID: "405419896:1", Settings: json.RawMessage(fmt.Sprintf(`{"baseUrl": %q}`, vendortest.ClosedURL(t)))}
	_, err = a.UnlockDoor(ctx, off, time.Second)
	if kindOf(t, err) != hal.Unreachable || strings.Contains(err.Error(), "http://") {
		t.Errorf("refused: %v", err)
	}
}

func TestSettingsValidation(t *testing.T) {
	cases := map[string]struct{ settings, want string }{
		"no base url":        {`{"operations": {}}`, "baseUrl: required"},
		"relative base":      {`{"baseUrl": "/x"}`, "absolute http"},
		"user in url":        {`{"baseUrl": "http://u:p@h"}`, "put credentials in auth"},
		"unknown field":      {`{"baseUrl": "http://h", "bogus": 1}`, `unknown field "bogus"`},
		"auth type":          {`{"baseUrl": "http://h", "auth": {"type": "digest"}}`, "not one of none, bearer, basic, header"},
		"bearer no token":    {`{"baseUrl": "http://h", "auth": {"type": "bearer"}}`, "bearer needs token"},
		"bad header name":    {`{"baseUrl": "http://h", "auth": {"type": "header", "header": "X Key", "value": "v"}}`, "not a valid header name"},
		"timeout":            {`{"baseUrl": "http://h", "timeout": "forever"}`, "not a duration"},
		"timeout range":      {`{"baseUrl": "http://h", "timeout": "1h"}`, "between 1ms and 2m0s"},
		"zone":               {`{"baseUrl": "http://h", "timeZone": "Mars/Olympus"}`, "not an IANA time zone"},
		"profile":            {`{"baseUrl": "http://h", "profile": "kisi"}`, `profile: "kisi" is unknown`},
		"uhppoted card":      {`{"baseUrl": "http://h", "profile": "uhppoted"}`, "uhppoted.card: required"},
		"uhppoted door ids":  {`{"baseUrl": "http://h", "profile": "uhppoted", "uhppoted": {"card": "1"}, "credentialDoors": ["x:9"]}`, `"x:9" is not "device-id:door"`},
		"unknown op":         {`{"baseUrl": "http://h", "operations": {"lock": {}}}`, `"lock" is not one of`},
		"no request":         {`{"baseUrl": "http://h", "operations": {"unlock": {}}}`, "operations.unlock: needs a request or steps"},
		"method":             {`{"baseUrl": "http://h", "operations": {"unlock": {"request": {"method": "TRACE", "url": "/x"}}}}`, "not GET, POST"},
		"absolute url":       {`{"baseUrl": "http://h", "operations": {"unlock": {"request": {"method": "POST", "url": "http://evil/x"}}}}`, "must be relative to baseUrl"},
		"template syntax":    {`{"baseUrl": "http://h", "operations": {"unlock": {"request": {"method": "POST", "url": "/{{.Door"}}}}`, "operations.unlock.request.url"},
		"define":             {`{"baseUrl": "http://h", "operations": {"unlock": {"request": {"method": "POST", "url": "/x{{define \"a\"}}y{{end}}"}}}}`, "not allowed"},
		"unknown func":       {`{"baseUrl": "http://h", "operations": {"unlock": {"request": {"method": "POST", "url": "/{{exec .X}}"}}}}`, `function "exec" not defined`},
		"occupancy count":    {`{"baseUrl": "http://h", "operations": {"occupancy": {"request": {"method": "GET", "url": "/o"}}}}`, "occupancy.count: required"},
		"events mapping":     {`{"baseUrl": "http://h", "operations": {"events": {"request": {"method": "GET", "url": "/e"}}}}`, "events.events: required"},
		"status":             {`{"baseUrl": "http://h", "operations": {"unlock": {"request": {"method": "POST", "url": "/x", "expect": {"status": [99]}}}}}`, "99 is not an HTTP status"},
		"externalId misused": {`{"baseUrl": "http://h", "operations": {"unlock": {"request": {"method": "POST", "url": "/x"}, "externalId": "x"}}}`, "only provision has one"},
	}
	for name, c := range cases {
		err := generichttp.Validate(json.RawMessage(c.settings), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
	// All problems are reported at once.
	err := generichttp.Validate(json.RawMessage(`{"baseUrl": "ftp://h", "auth": {"type": "bearer"}, "timeZone": "X/Y"}`), nil)
	if err == nil || strings.Count(err.Error(), "\n") < 2 {
		t.Errorf("want three errors, got %v", err)
	}
	// Door settings merge over the base: here the door supplies the base URL.
	if err := generichttp.Validate(json.RawMessage(`{"auth": {"type": "bearer", "token": "t"}}`), json.RawMessage(`{"baseUrl": "https://door"}`)); err != nil {
		t.Errorf("merged: %v", err)
	}
	if err := generichttp.Validate(nil, json.RawMessage(`[1]`)); err == nil {
		t.Error("door settings that are not an object")
	}
}

func TestDoorSettingsOverrideAndRemoveOperations(t *testing.T) {
	f := newFakeCustom()
	defer f.Close()
	a, err := generichttp.New(generichttp.Config{Settings: json.RawMessage(customSettings(f.URL))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// A door without an occupancy counter switches the operation off.
	d := hal.Door{ExternalDoorID: "side", Settings: json.RawMessage(`{"operations": {"occupancy": null}}`)}
	if _, err := a.Occupancy(ctx, d); kindOf(t, err) != hal.Unsupported {
		t.Errorf("removed occupancy: %v", err)
	}
	if o, err := a.Occupancy(ctx, hal.Door{ExternalDoorID: "front"}); err != nil || !o.Known || o.Current != 3 {
		t.Errorf("occupancy %+v %v", o, err)
	}
	// Invalid door settings are Rejected with the reason.
	_, err = a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "x", Settings: json.RawMessage(`{"timeout": "soon"}`)}, time.Second)
	if kindOf(t, err) != hal.Rejected || !strings.Contains(err.Error(), "invalid settings") {
		t.Errorf("bad door settings: %v", err)
	}
	if err := a.ValidateDoor(hal.Door{Settings: json.RawMessage(`{"auth": {"type": "basic"}}`)}); err == nil {
		t.Error("ValidateDoor accepted basic auth without a username")
	}
}

func TestTemplatesEscapeData(t *testing.T) {
	var got []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		got = append(got, r)
		bodies = append(bodies, b.String())
		w.WriteHeader(200)
	}))
	defer srv.Close()
	a, err := generichttp.New(generichttp.Config{Settings: json.RawMessage(fmt.Sprintf(`{
		"baseUrl": %q,
		"operations": {
			"unlock": {"request": {"method": "POST", "url": "/doors/{{.Door.ExternalID}}/open?who={{.Door.ExternalID | query}}",
				"headers": {"X-Door": "{{.Door.ExternalID}}"},
				"body": "{\"door\": {{.Door.ExternalID}}, \"s\": {{.HoldOpenSeconds}}}"}}
		}}`, srv.URL+"/base"))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, id := range []string{"a/b", "..", `x", "admin": true, "y": "`, "sp ace?#&"} {
		if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: id}, time.Second); err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		r, body := got[len(got)-1], bodies[len(bodies)-1]
		segs := strings.Split(r.URL.EscapedPath(), "/")
		if len(segs) != 5 || segs[1] != "base" || segs[2] != "doors" || segs[4] != "open" {
			t.Errorf("%q: path %s", id, r.URL.EscapedPath())
		}
		if r.URL.Query().Get("who") != id || r.Header.Get("X-Door") != id {
			t.Errorf("%q: query %q header %q", id, r.URL.Query().Get("who"), r.Header.Get("X-Door"))
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil || v["door"] != id || len(v) != 2 {
			t.Errorf("%q: body %s", id, body)
		}
	}
	// An empty path segment or a header line break is refused, never sent.
	n := len(got)
	for _, id := range []string{"", "a\r\nX-Evil: 1"} {
		if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: id}, time.Second); kindOf(t, err) != hal.Rejected {
			t.Errorf("%q: %v", id, err)
		}
	}
	if len(got) != n {
		t.Error("a refused request was sent")
	}
}

func TestLogsAndErrorsCarryNoSecrets(t *testing.T) {
	f := newFakeUhppoted(405419896, 303986753)
	defer f.Close()
	var logs bytes.Buffer
	settings := uhppotedSettings(f.URL)
	a, err := generichttp.New(generichttp.Config{Settings: json.RawMessage(settings), Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var errs []string
	if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "192837465"}); err != nil {
		t.Fatal(err)
	}
	_ = a.RevokeCredential(ctx, "192837465")
	f.setFailure(500)
	if _, err := a.ProvisionCredential(ctx, hal.Credential{Identifier: "192837465"}); err != nil {
		errs = append(errs, err.Error())
	}
	f.setFailure(0)
	if _, err := a.UnlockDoor(ctx, hal.Door{ExternalDoorID: "405419896:1"}, time.Second); err != nil {
		t.Fatal(err)
	}
	out := logs.String() + strings.Join(errs, "\n")
	for _, secret := range []string{"s3cret-pass", "192837465", "10058400", "opened"} {
		if strings.Contains(out, secret) {
			t.Errorf("%q leaked:\n%s", secret, out)
		}
	}
	if !strings.Contains(logs.String(), "status=200") || len(errs) != 1 {
		t.Errorf("logs:\n%s\nerrors %v", logs.String(), errs)
	}
	if s := fmt.Sprintf("%v %+v %#v", generichttp.Auth{Type: "basic", Username: "u", Password: "pw-123"}, generichttp.Auth{Type: "bearer", Token: "tk-9"}, generichttp.Auth{Type: "header", Header: "X-Key", Value: "hv-7"}); strings.Contains(s, "pw-123") || strings.Contains(s, "tk-9") || strings.Contains(s, "hv-7") {
		t.Errorf("auth printed: %s", s)
	}
	red, err := generichttp.RedactSettings(json.RawMessage(settings))
	if err != nil || strings.Contains(string(red), "s3cret-pass") || !strings.Contains(string(red), "gatehouse") {
		t.Errorf("redacted: %s %v", red, err)
	}
}

func TestUhppotedEventsAreTheDoorsNewestFirst(t *testing.T) {
	f := newFakeUhppoted(405419896)
	defer f.Close()
	a := newUhppotedAdapter(t, f)
	defer a.Close()
	base := time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)
	tick := 0
	f.now = func() time.Time { tick++; return base.Add(time.Duration(tick) * time.Minute) }
	d1, d2 := hal.Door{ExternalDoorID: "405419896:1"}, hal.Door{ExternalDoorID: "405419896:2"}
	for _, d := range []hal.Door{d1, d2, d1, d2, d1} {
		if _, err := a.UnlockDoor(ctx, d, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := a.RecentEvents(ctx, d1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 3 || !ev[0].At.After(ev[1].At) || ev[0].Kind != "ACCESS_GRANTED" || ev[0].ExternalDoorID != "405419896:1" {
		t.Fatalf("events %+v", ev)
	}
	if !strings.Contains(ev[0].Detail, "••••8400") || strings.Contains(ev[0].Detail, "10058400") {
		t.Errorf("detail %q", ev[0].Detail)
	}
	// Timestamps are controller-local (Europe/Berlin in the settings).
	if ev[0].At.Hour() != 8 {
		t.Errorf("time zone: %s", ev[0].At)
	}
	if ev, _ := a.RecentEvents(ctx, d1, 1); len(ev) != 1 {
		t.Fatalf("limit 1: %d", len(ev))
	}
	if ev, err := a.RecentEvents(ctx, hal.Door{ExternalDoorID: "405419896:4"}, 5); err != nil || len(ev) != 0 {
		t.Fatalf("quiet door: %v %v", ev, err)
	}
}
