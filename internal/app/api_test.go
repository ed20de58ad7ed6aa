package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestInitThenLoginThenSecondInitRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		ctx := t.Context()
		ent, u, err := h.App.Auth.Init(ctx, "Club One", "Europe/Berlin", "Owner@Club.test", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if ent.ID != 1 || u.Role != "PLATFORM_ADMIN" || u.Email != "owner@club.test" {
			t.Fatalf("init made %+v %+v", ent, u)
		}
		m := h.Must(h.Post("/api/auth/login", "", map[string]string{"email": "owner@club.test", "password": "correct horse battery"}), 200)
		user := m["user"].(map[string]any)
		if user["role"] != "PLATFORM_ADMIN" || user["entityId"].(float64) != 1 || m["token"] == "" || m["expiresAt"] == nil {
			t.Fatalf("login answered %v", m)
		}
		if _, ok := user["memberId"]; !ok {
			t.Fatal("user.memberId missing from the login response")
		}
		me := h.Must(h.Get("/api/auth/me", m["token"].(string)), 200)
		if me["email"] != "owner@club.test" || me["entity"].(map[string]any)["timezone"] != "Europe/Berlin" {
			t.Fatalf("me: %v", me)
		}
		if _, _, err := h.App.Auth.Init(ctx, "Club Two", "UTC", "x@y.test", "correct horse battery"); err == nil ||
			!strings.Contains(err.Error(), "already holds an organisation") {
			t.Fatalf("second init: %v", err)
		}
		// Logout revokes the token.
		tok := m["token"].(string)
		h.Must(h.Post("/api/auth/logout", tok, nil), 204)
		h.Must(h.Get("/api/auth/me", tok), 401)
		h.Must(h.Post("/api/auth/login", "", map[string]string{"email": "owner@club.test", "password": "wrong password!"}), 401)
	})
}

func TestMembersAndContracts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		o := h.NewOrg("Club")
		m := h.Must(h.Post("/api/members", o.Staff, map[string]any{"firstName": " Jürgen ", "lastName": "Weiß", "email": "JW@Example.com", "phone": "+49 30 1234567"}), 201)
		id := apptest.ID(m)
		if m["memberNumber"] != fmt.Sprintf("M%06d", id) || m["email"] != "jw@example.com" || m["firstName"] != "Jürgen" || m["activeContract"] != false {
			t.Fatalf("created %v", m)
		}
		dup := h.Must(h.Post("/api/members", o.Staff, map[string]any{"firstName": "A", "lastName": "B", "email": "jw@example.com"}), 409)
		if !strings.HasSuffix(dup["type"].(string), "/duplicate") || asList(dup["errors"])[0].(map[string]any)["location"] != "body.email" {
			t.Fatalf("duplicate e-mail: %v", dup)
		}

		list := h.Must(h.Get("/api/members?query=wei%C3%9F&size=5", o.Trainer), 200)
		if list["totalItems"].(float64) != 1 || list["size"].(float64) != 5 || list["page"].(float64) != 0 || list["totalPages"].(float64) != 1 {
			t.Fatalf("search: %v", list)
		}
		// A search term with LIKE wildcards matches literally.
		if l := h.Must(h.Get("/api/members?query=%25", o.Staff), 200); l["totalItems"].(float64) != 0 {
			t.Fatalf("%% matched everything: %v", l)
		}

		upd := h.Must(h.Put(fmt.Sprintf("/api/members/%d", id), o.Staff, map[string]any{
			"firstName": "Jürgen", "lastName": "Weiss", "email": "jw@example.com", "memberNumber": "GYM-7", "version": 1}), 200)
		if upd["version"].(float64) != 2 || upd["memberNumber"] != "GYM-7" {
			t.Fatalf("update: %v", upd)
		}
		stale := h.Must(h.Put(fmt.Sprintf("/api/members/%d", id), o.Staff, map[string]any{
			"firstName": "X", "lastName": "Y", "email": "jw@example.com", "version": 1}), 409)
		if !strings.Contains(stale["detail"].(string), "changed by someone else") || !strings.HasSuffix(stale["type"].(string), "/stale-version") {
			t.Fatalf("stale: %v", stale)
		}

		tpl := h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Premium", "tierCd": "premium", "tierRank": 20}), 201)
		if tpl["tierCd"] != "PREMIUM" {
			t.Fatalf("template %v", tpl)
		}
		// Today is 2026-11-21 in Berlin.
		c := h.Must(h.Post(fmt.Sprintf("/api/members/%d/contracts", id), o.Staff, map[string]any{
			"templateId": apptest.ID(tpl), "startDate": "2026-11-21", "endDate": "2027-11-20"}), 201)
		if c["statusCd"] != "ACTIVE" || c["active"] != true || c["tierCd"] != "PREMIUM" || c["startDate"] != "2026-11-21" {
			t.Fatalf("contract %v", c)
		}
		if got := h.Must(h.Get(fmt.Sprintf("/api/members/%d", id), o.Staff), 200); got["activeContract"] != true {
			t.Fatalf("member not active: %v", got)
		}
		cid := apptest.ID(c)
		sus := h.Must(h.Put(fmt.Sprintf("/api/contracts/%d", cid), o.Staff, map[string]any{"startDate": "2026-11-21", "statusCd": "SUSPENDED", "version": 1}), 200)
		if sus["active"] != false || sus["endDate"] != nil {
			t.Fatalf("suspended %v", sus)
		}
		h.Must(h.Put(fmt.Sprintf("/api/contracts/%d", cid), o.Staff, map[string]any{"startDate": "2026-11-21", "statusCd": "CANCELLED", "version": 2}), 200)
		re := h.Must(h.Put(fmt.Sprintf("/api/contracts/%d", cid), o.Staff, map[string]any{"startDate": "2026-11-21", "statusCd": "ACTIVE", "version": 3}), 409)
		if !strings.Contains(re["detail"].(string), "CANCELLED") {
			t.Fatalf("reactivating a cancelled contract: %v", re)
		}
		cs := h.Must(h.Get(fmt.Sprintf("/api/members/%d/contracts", id), o.Staff), 200)
		if cs["totalItems"].(float64) != 1 {
			t.Fatalf("contracts %v", cs)
		}
		// Every change above left an event in the outbox.
		var types []string
		rows, err := db.QueryContext(t.Context(), `SELECT type FROM outbox WHERE entity_id = $1 ORDER BY id`, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			types = append(types, s)
		}
		rows.Close()
		joined := strings.Join(types, ",")
		for _, want := range []string{"member.created", "member.updated", "contract_template.created", "contract.created", "contract.updated"} {
			if !strings.Contains(joined, want) {
				t.Errorf("no %s event in %s", want, joined)
			}
		}
	})
}

// The active-contract rule reads "today" in the organisation's time zone: at
// 00:30 in Berlin it is already the next day, while UTC is still on the last.
func TestActiveContractFollowsTheOrganisationsDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		o := h.NewOrg("Club")
		tpl := h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 1}), 201)
		m := h.Must(h.Post("/api/members", o.Staff, map[string]any{"firstName": "N", "lastName": "Ight", "email": "n@x.test"}), 201)
		path := fmt.Sprintf("/api/members/%d", apptest.ID(m))
		h.Must(h.Post(path+"/contracts", o.Staff, map[string]any{"templateId": apptest.ID(tpl), "startDate": "2026-11-22", "endDate": "2026-11-22"}), 201)
		h.Clock.Set(time.Date(2026, 11, 21, 22, 59, 0, 0, time.UTC)) // 23:59 Berlin, 21st
		if got := h.Must(h.Get(path, o.Staff), 200); got["activeContract"] != false {
			t.Fatal("active the evening before it starts")
		}
		h.Clock.Set(time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC)) // 00:30 Berlin, 22nd
		o.Staff = h.Login(o.Emails["STAFF"], apptest.Password)       // the morning session expired
		if got := h.Must(h.Get(path, o.Staff), 200); got["activeContract"] != true {
			t.Fatal("not active on its only day")
		}
		h.Clock.Set(time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)) // 00:00 Berlin, 23rd: end date is inclusive up to here
		o.Staff = h.Login(o.Emails["STAFF"], apptest.Password)
		if got := h.Must(h.Get(path, o.Staff), 200); got["activeContract"] != false {
			t.Fatal("still active the day after its end date")
		}
	})
}

type endpoint struct {
	method, path string
	body         any
}

func memberEndpoints(memberID, contractID int64) []endpoint {
	return []endpoint{
		{"GET", fmt.Sprintf("/api/members/%d", memberID), nil},
		{"PUT", fmt.Sprintf("/api/members/%d", memberID), map[string]any{"firstName": "X", "lastName": "Y", "email": "xy@z.test", "version": 1}},
		{"GET", fmt.Sprintf("/api/members/%d/contracts", memberID), nil},
		{"POST", fmt.Sprintf("/api/members/%d/contracts", memberID), map[string]any{"templateId": 1, "startDate": "2026-01-01"}},
		{"PUT", fmt.Sprintf("/api/contracts/%d", contractID), map[string]any{"startDate": "2026-01-01", "statusCd": "SUSPENDED", "version": 1}},
	}
}

func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		a := h.NewOrg("A")
		b := h.NewOrg("B")
		tpl := h.Must(h.Post("/api/contract-templates", a.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 1}), 201)
		c := h.Must(h.Post(fmt.Sprintf("/api/members/%d/contracts", a.MemberID), a.Admin, map[string]any{"templateId": apptest.ID(tpl), "startDate": "2026-01-01"}), 201)
		before := h.Count("contracts")
		for _, e := range memberEndpoints(a.MemberID, apptest.ID(c)) {
			r := h.Do(apptest.Request{Method: e.method, Path: e.path, Token: b.Admin, Body: e.body})
			if r.Status != http.StatusNotFound {
				t.Errorf("B's admin %s %s: %d %s, want 404", e.method, e.path, r.Status, r.Body)
			}
		}
		// B cannot use A's template for its own member either.
		r := h.Post(fmt.Sprintf("/api/members/%d/contracts", b.MemberID), b.Admin, map[string]any{"templateId": apptest.ID(tpl), "startDate": "2026-01-01"})
		if r.Status != 422 {
			t.Errorf("B used A's template: %d %s", r.Status, r.Body)
		}
		if h.Count("contracts") != before {
			t.Fatal("a cross-organisation request wrote a contract")
		}
		for _, path := range []string{"/api/members?size=200", "/api/contract-templates", "/api/devices", "/api/users?size=200"} {
			items := h.Must(h.Get(path, b.Admin), 200)["items"].([]any)
			for _, it := range items {
				if eid := it.(map[string]any)["entityId"].(float64); int64(eid) != b.ID {
					t.Errorf("%s lists an object of organisation %v to B", path, eid)
				}
			}
		}
	})
}

func TestRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		o := h.NewOrg("Club")
		other := h.Must(h.Post("/api/members", o.Staff, map[string]any{"firstName": "O", "lastName": "Ther", "email": "other@x.test"}), 201)
		cases := []struct {
			name, token, method, path string
			body                      any
			want                      int
		}{
			{"anonymous lists members", "", "GET", "/api/members", nil, 401},
			{"bad token", "ghs_nope", "GET", "/api/members", nil, 401},
			{"member lists members", o.Member, "GET", "/api/members", nil, 403},
			{"member reads itself", o.Member, "GET", fmt.Sprintf("/api/members/%d", o.MemberID), nil, 200},
			{"member reads its contracts", o.Member, "GET", fmt.Sprintf("/api/members/%d/contracts", o.MemberID), nil, 200},
			{"member reads another member", o.Member, "GET", fmt.Sprintf("/api/members/%d", apptest.ID(other)), nil, 404},
			{"member creates a member", o.Member, "POST", "/api/members", map[string]any{"firstName": "a", "lastName": "b", "email": "m1@x.test"}, 403},
			{"trainer lists members", o.Trainer, "GET", "/api/members", nil, 200},
			{"trainer creates a member", o.Trainer, "POST", "/api/members", map[string]any{"firstName": "a", "lastName": "b", "email": "m2@x.test"}, 403},
			{"staff creates a template", o.Staff, "POST", "/api/contract-templates", map[string]any{"name": "x", "tierCd": "X", "tierRank": 1}, 403},
			{"staff creates a user", o.Staff, "POST", "/api/users", map[string]any{"email": "u@x.test", "password": "0123456789", "role": "STAFF"}, 403},
			{"staff imports", o.Staff, "POST", "/api/members/import", "firstName,lastName,email\n", 403},
			{"admin creates a platform admin", o.Admin, "POST", "/api/users", map[string]any{"email": "p@x.test", "password": "0123456789", "role": "PLATFORM_ADMIN"}, 403},
			{"admin creates an organisation", o.Admin, "POST", "/api/entities", map[string]any{"name": "x", "timezone": "UTC"}, 403},
			{"platform admin creates an organisation", o.Platform, "POST", "/api/entities", map[string]any{"name": "Second", "timezone": "America/New_York"}, 201},
			{"device lists members", o.Device, "GET", "/api/members", nil, 403},
			{"device creates a member", o.Device, "POST", "/api/members", map[string]any{"firstName": "a", "lastName": "b", "email": "m3@x.test"}, 403},
			{"device creates a device", o.Device, "POST", "/api/devices", map[string]any{"name": "x", "kind": "KIOSK"}, 403},
			{"device lists users", o.Device, "GET", "/api/users", nil, 403},
			{"device reads a member", o.Device, "GET", fmt.Sprintf("/api/members/%d", o.MemberID), nil, 403},
			{"device asks who it is", o.Device, "GET", "/api/auth/me", nil, 200},
		}
		for _, c := range cases {
			ct := ""
			if s, ok := c.body.(string); ok && s != "" {
				ct = "text/csv"
			}
			r := h.Do(apptest.Request{Method: c.method, Path: c.path, Token: c.token, Body: c.body, ContentType: ct})
			if r.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.want)
			}
			if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: content type %q", c.name, r.Header.Get("Content-Type"))
			}
		}
		// A revoked device key stops working at once.
		devs := h.Must(h.Get("/api/devices", o.Admin), 200)["items"].([]any)
		h.Must(h.Post(fmt.Sprintf("/api/devices/%d/revoke", int64(devs[0].(map[string]any)["id"].(float64))), o.Admin, nil), 200)
		h.Must(h.Get("/api/auth/me", o.Device), 401)
	})
}

func TestBadInputIsAProblemAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		o := h.NewOrg("Club")
		tpl := h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 1}), 201)
		mpath := fmt.Sprintf("/api/members/%d", o.MemberID)
		big := strings.Repeat("x", 2<<20)
		cases := []struct {
			name, method, path string
			body               any
			ct                 string
			want               int
			field              string
		}{
			{"malformed JSON", "POST", "/api/members", `{"firstName":`, "", 400, ""},
			{"not JSON at all", "POST", "/api/members", `hello`, "", 400, ""},
			{"wrong type", "POST", "/api/members", map[string]any{"firstName": 5, "lastName": "b", "email": "a@b.test"}, "", 422, "body.firstName"},
			{"missing field", "POST", "/api/members", map[string]any{"firstName": "a", "email": "a@b.test"}, "", 422, "body"},
			{"unknown field", "POST", "/api/members", map[string]any{"firstName": "a", "lastName": "b", "email": "a@b.test", "entityId": 99}, "", 422, "body.entityId"},
			{"bad e-mail", "POST", "/api/members", map[string]any{"firstName": "a", "lastName": "b", "email": "not-an-address"}, "", 422, "body.email"},
			{"bad phone", "POST", "/api/members", map[string]any{"firstName": "a", "lastName": "b", "email": "a@b.test", "phone": "call me"}, "", 422, "body.phone"},
			{"oversize body", "POST", "/api/members", `{"firstName":"` + big + `"}`, "", 413, ""},
			{"wrong content type", "POST", "/api/members", "firstName=a", "application/x-www-form-urlencoded", 415, ""},
			{"unknown enum value", "POST", mpath + "/contracts", map[string]any{"templateId": apptest.ID(tpl), "startDate": "2026-01-01", "statusCd": "PAUSED"}, "", 422, "body.statusCd"},
			{"bad date", "POST", mpath + "/contracts", map[string]any{"templateId": apptest.ID(tpl), "startDate": "2026-02-30"}, "", 422, "body.startDate"},
			{"date not a date", "POST", mpath + "/contracts", map[string]any{"templateId": apptest.ID(tpl), "startDate": "next monday"}, "", 422, "body.startDate"},
			{"end before start", "POST", mpath + "/contracts", map[string]any{"templateId": apptest.ID(tpl), "startDate": "2026-05-01", "endDate": "2026-04-30"}, "", 422, "body.endDate"},
			{"stale version", "PUT", mpath, map[string]any{"firstName": "a", "lastName": "b", "email": "self@x.test", "version": 7}, "", 409, ""},
			{"bad id", "GET", "/api/members/abc", nil, "", 422, "path.id"},
			{"negative page", "GET", "/api/members?page=-1", nil, "", 422, "query.page"},
			{"page too large", "GET", "/api/members?size=201", nil, "", 422, "query.size"},
			{"bad role", "POST", "/api/users", map[string]any{"email": "u@x.test", "password": "0123456789", "role": "GOD"}, "", 422, "body.role"},
			{"short password", "POST", "/api/users", map[string]any{"email": "u@x.test", "password": "short", "role": "STAFF"}, "", 422, "body.password"},
			{"member login without member", "POST", "/api/users", map[string]any{"email": "u@x.test", "password": "0123456789", "role": "MEMBER"}, "", 422, "body.memberId"},
			{"bad device kind", "POST", "/api/devices", map[string]any{"name": "x", "kind": "TOASTER"}, "", 422, "body.kind"},
			{"bad time zone", "POST", "/api/entities", map[string]any{"name": "x", "timezone": "Mars/Olympus"}, "", 422, "body.timezone"},
			{"bad tier code", "POST", "/api/contract-templates", map[string]any{"name": "x", "tierCd": "no spaces!", "tierRank": 1}, "", 422, "body.tierCd"},
		}
		tables := []string{"members", "contracts", "contract_templates", "users", "devices", "entities", "outbox"}
		count := func() map[string]int {
			m := map[string]int{}
			for _, tb := range tables {
				m[tb] = h.Count(tb)
			}
			return m
		}
		for _, c := range cases {
			before := count()
			token := o.Admin
			if c.path == "/api/entities" {
				token = o.Platform
			}
			r := h.Do(apptest.Request{Method: c.method, Path: c.path, Token: token, Body: c.body, ContentType: c.ct})
			if r.Status != c.want {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.want)
				continue
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: content type %q", c.name, ct)
			}
			p := r.Map()
			for _, k := range []string{"type", "title", "status", "detail"} {
				if p[k] == nil || p[k] == "" {
					t.Errorf("%s: problem lacks %q: %s", c.name, k, r.Body)
				}
			}
			if c.field != "" {
				found := false
				for _, e := range asList(p["errors"]) {
					if loc, _ := e.(map[string]any)["location"].(string); strings.HasPrefix(loc, c.field) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: no error names %s: %s", c.name, c.field, r.Body)
				}
			}
			if after := count(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("%s: rows changed %v → %v", c.name, before, after)
			}
			if strings.Contains(string(r.Body), "0123456789") {
				t.Errorf("%s: the password was echoed back", c.name)
			}
		}
	})
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestLoginThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		o := h.NewOrg("Club")
		login := func(email, pw string) *apptest.Response {
			return h.Post("/api/auth/login", "", map[string]string{"email": email, "password": pw})
		}
		email := o.Emails["STAFF"]
		for i := range 5 {
			if r := login(email, "wrong password"); r.Status != 401 {
				t.Fatalf("failure %d: %d", i, r.Status)
			}
		}
		r := login(email, "correct horse battery")
		if r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("after 5 failures: %d %s (Retry-After %q)", r.Status, r.Body, r.Header.Get("Retry-After"))
		}
		// Another account from the same address is not locked by this one.
		if r := login(o.Emails["TRAINER"], apptest.Password); r.Status != 200 {
			t.Fatalf("other account: %d %s", r.Status, r.Body)
		}
		// The window passes.
		h.Clock.Advance(16 * time.Minute)
		if r := login(email, "correct horse battery"); r.Status != 200 {
			t.Fatalf("after the window: %d %s", r.Status, r.Body)
		}
		// Unknown accounts fail like wrong passwords (no account enumeration).
		r = login("nobody@test.dev", "whatever12345")
		if r.Status != 401 || !strings.Contains(string(r.Body), "wrong e-mail or password") {
			t.Fatalf("unknown account: %d %s", r.Status, r.Body)
		}
	})
}

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := apptest.New(t, db)
		o := h.NewOrg("Club")
		imp := func(csv string, partial bool) *apptest.Response {
			return h.Do(apptest.Request{Method: "POST", Path: fmt.Sprintf("/api/members/import?partial=%v", partial), Token: o.Admin, Body: csv, ContentType: "text/csv; charset=utf-8"})
		}
		h.Must(h.Post("/api/members", o.Admin, map[string]any{"firstName": "Ex", "lastName": "Isting", "email": "exists@x.test"}), 201)
		before := h.Count("members")
		bad := "firstName,lastName,email,phone,memberNumber\nAda,Lovelace,ada@x.test,,A-1\n,Nameless,nameless@x.test,,\nDup,Licate,ada@x.test,,\nEx,Isting,exists@x.test,,\n"
		r := imp(bad, false)
		if r.Status != 422 {
			t.Fatalf("invalid import: %d %s", r.Status, r.Body)
		}
		rowErrs := asList(r.Map()["rowErrors"])
		if len(rowErrs) != 3 || h.Count("members") != before {
			t.Fatalf("rowErrors %v, members %d → %d", rowErrs, before, h.Count("members"))
		}
		rows := map[float64]string{}
		for _, e := range rowErrs {
			m := e.(map[string]any)
			rows[m["row"].(float64)] = m["field"].(string)
		}
		if rows[3] != "firstName" || rows[4] != "email" || rows[5] != "email" {
			t.Fatalf("row errors %v", rows)
		}
		r = imp(bad, true)
		res := h.Must(r, 200)
		if res["imported"].(float64) != 1 || res["failed"].(float64) != 3 || h.Count("members") != before+1 {
			t.Fatalf("partial: %v", res)
		}
		// Semicolons, a BOM, headers in another order and case.
		res = h.Must(imp("\xef\xbb\xbfEMAIL;lastname;FirstName\ngrace@x.test;Hopper;Grace\nalan@x.test;Turing;Alan\n", false), 200)
		if res["imported"].(float64) != 2 {
			t.Fatalf("semicolon import: %v", res)
		}
		h.Must(imp("firstName,lastName,mail\n", false), 422)
		h.Must(imp("", false), 400)
		r = h.Do(apptest.Request{Method: "POST", Path: "/api/members/import", Token: o.Admin, Body: `{"a":1}`, ContentType: "application/json"})
		if r.Status != 415 {
			t.Fatalf("JSON import: %d", r.Status)
		}
		found := h.Must(h.Get("/api/members?query=hopper", o.Admin), 200)
		if found["totalItems"].(float64) != 1 {
			t.Fatalf("imported member not found: %v", found)
		}
	})
}
