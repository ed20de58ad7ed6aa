package generichttp

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzSettings: any settings JSON either fails validation with an error or
// builds a config whose templates render (or fail) without panicking.
func FuzzSettings(f *testing.F) {
	f.Add([]byte(`{"baseUrl": "http://h", "profile": "uhppoted", "uhppoted": {"card": "1"}, "credentialDoors": ["1:1"]}`))
	f.Add([]byte(`{"baseUrl": "http://h/x", "operations": {"unlock": {"request": {"method": "POST", "url": "/d/{{.Door.ExternalID}}", "body": "{\"s\": {{.HoldOpenSeconds}}}"}}}}`))
	f.Add([]byte(`{"baseUrl": "http://h", "operations": {"events": {"steps": [{"method": "GET", "url": "/e", "forEach": "{{countdown 5 1 .Limit}}"}], "events": {"items": "data", "at": "t"}}}}`))
	f.Add([]byte(`{"baseUrl": "http://h", "timeout": 5, "auth": {"type": "header", "header": "X-K", "value": "v"}}`))
	f.Add([]byte(`{"operations": {"unlock": {"request": {"method": "GET", "url": "/{{range .Doors}}{{.}}{{end}}"}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseSettings(raw)
		if err != nil {
			return
		}
		c, err := build(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		d := &Data{
			Door:       DoorData{ExternalID: "405419896:1", Device: "405419896", Number: "1"},
			Credential: CredentialData{Identifier: "10058400", ExpiresAt: &exp, ValidFrom: exp},
			Limit:      3, HoldOpenSeconds: 5, Vars: c.vars, Doors: c.credDoor, Devices: devices(c.credDoor),
		}
		for _, op := range c.ops {
			for _, st := range op.steps {
				if u, err := st.url.render(d); err == nil && c.base != nil {
					if full, err := joinURL(c.base, u); err == nil {
						p, err := url.Parse(full)
						if err != nil || p.Host != c.base.Host {
							t.Fatalf("URL %q leaves %q", full, c.base.Host)
						}
					}
				}
				_, _ = st.body.render(d)
				_, _ = st.cond.render(d)
			}
		}
	})
}

// FuzzEscaping: whatever the data, a URL action stays one path segment that
// decodes back to the value, and a body action is one JSON string value.
func FuzzEscaping(f *testing.F) {
	for _, s := range []string{"10058400", "a/b", "..", ".", "x\"}", "%2F", "a?b#c", "é", "\x00"} {
		f.Add(s)
	}
	urlT, err := compile("url", "/card/{{.Credential.Identifier}}/x", escPath, time.UTC)
	if err != nil {
		f.Fatal(err)
	}
	bodyT, err := compile("body", `{"v": {{.Credential.Identifier}}, "n": 1}`, escJSON, time.UTC)
	if err != nil {
		f.Fatal(err)
	}
	base, _ := url.Parse("http://door.example/api")
	f.Fuzz(func(t *testing.T, v string) {
		d := &Data{Credential: CredentialData{Identifier: v}}
		if p, err := urlT.render(d); err == nil {
			full, err := joinURL(base, p)
			if err == nil {
				u, err := url.Parse(full)
				if err != nil {
					t.Fatalf("%q: %v", full, err)
				}
				segs := strings.Split(u.EscapedPath(), "/")
				if len(segs) != 5 || segs[1] != "api" || segs[2] != "card" || segs[4] != "x" {
					t.Fatalf("%q escaped to path %q", v, u.EscapedPath())
				}
				got, err := url.PathUnescape(segs[3])
				if err != nil || got != v {
					t.Fatalf("segment %q decodes to %q, want %q", segs[3], got, v)
				}
			}
		} else if v != "" {
			t.Fatalf("%q: %v", v, err)
		}
		b, err := bodyT.render(d)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(b), &m); err != nil || len(m) != 2 {
			t.Fatalf("body %q: %v", b, err)
		}
		if utf8.ValidString(v) && m["v"] != v {
			t.Fatalf("body value %q, want %q", m["v"], v)
		}
	})
}
