package app_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func eachDB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

// BenchmarkLogin measures a login at the production argon2id cost
// (auth.DefaultHashParams): the figure must stay within 50–250 ms.
func BenchmarkLogin(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		h := apptest.New(b, db)
		if _, _, err := h.App.Auth.Init(b.Context(), "Club", "UTC", "admin@club.test", "x"+apptest.Password); err != nil {
			b.Fatal(err)
		}
		// Store the password at production cost.
		hash, _ := auth.HashPassword("x"+apptest.Password, auth.DefaultHashParams)
		if _, err := db.ExecContext(b.Context(), `UPDATE users SET password_hash = $1`, hash); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			h.Must(h.Post("/api/auth/login", "", map[string]string{"email": "admin@club.test", "password": "x" + apptest.Password}), 200)
		}
	})
}

func BenchmarkGetMember(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		h := apptest.New(b, db)
		o := h.NewOrg("Club")
		path := fmt.Sprintf("/api/members/%d", o.MemberID)
		b.ReportAllocs()
		for b.Loop() {
			if r := h.Get(path, o.Staff); r.Status != 200 {
				b.Fatal(r.Status)
			}
		}
	})
}

func BenchmarkCreateMember(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		h := apptest.New(b, db)
		o := h.NewOrg("Club")
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			body := map[string]any{"firstName": "Bench", "lastName": "Mark", "email": fmt.Sprintf("bench%d@x.test", i)}
			if r := h.Post("/api/members", o.Staff, body); r.Status != 201 {
				b.Fatal(r.Status, string(r.Body))
			}
		}
	})
}

// BenchmarkCheckInTap measures one door tap through the whole server: a READER
// device presents a member's card (IN), then the exit tap (OUT). Each op is two
// decisions, each written with its event in one transaction.
func BenchmarkCheckInTap(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		h := apptest.New(b, db)
		o := h.NewOrg("Club")
		tpl := h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Gold", "tierCd": "GOLD", "tierRank": 1}), 201)
		h.Must(h.Post(fmt.Sprintf("/api/members/%d/contracts", o.MemberID), o.Admin, map[string]any{"templateId": apptest.ID(tpl), "startDate": "2020-01-01"}), 201)
		house := h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "House", "typeCd": "BUILDING"}), 201)
		gym := h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Gym", "typeCd": "ROOM", "parentZoneId": apptest.ID(house)}), 201)
		h.Must(h.Post("/api/access/credentials", o.Admin, map[string]any{"memberId": o.MemberID, "typeCd": "NFC_CARD", "identifier": "04A1B2C3D4"}), 201)
		reader := h.Must(h.Post("/api/devices", o.Admin, map[string]any{"name": "Gym door", "kind": "READER", "zoneId": apptest.ID(gym)}), 201)["apiKey"].(string)
		tap := func(dir string) {
			r := h.Post("/api/checkin", reader, map[string]any{"methodCd": "NFC", "directionCd": dir,
				"credential": map[string]any{"typeCd": "NFC_CARD", "identifier": "04A1B2C3D4"}})
			if r.Status != 200 && r.Status != 201 {
				b.Fatal(r.Status, string(r.Body))
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			tap("IN")
			tap("OUT")
		}
	})
}
