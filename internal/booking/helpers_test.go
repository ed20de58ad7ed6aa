package booking_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

// at reads a Berlin wall-clock time "2026-11-23 10:00" as an RFC 3339 instant.
func at(s string) string {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
	if err != nil {
		panic(err)
	}
	return t.UTC().Format(time.RFC3339)
}

func inst(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, at(s))
	return t
}

type fixture struct {
	h    *apptest.Harness
	o    *apptest.Org
	room int64
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	h := apptest.New(t, db)
	o := h.NewOrg("Club")
	r := h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Studio A", "typeCd": "ROOM", "capacity": 12}), 201)
	return &fixture{h: h, o: o, room: apptest.ID(r)}
}

func (f *fixture) book(token string, body map[string]any) *apptest.Response {
	f.h.T.Helper()
	if _, ok := body["resourceId"]; !ok {
		body["resourceId"] = f.room
	}
	if _, ok := body["bookedForType"]; !ok {
		body["bookedForType"] = "EVENT"
	}
	if _, ok := body["title"]; !ok {
		body["title"] = "Session"
	}
	return f.h.Post("/api/bookings", token, body)
}

func (f *fixture) single(from, to string) map[string]any {
	return map[string]any{"startDateTime": at(from), "endDateTime": at(to)}
}

func conflicts(m map[string]any) []map[string]any {
	var out []map[string]any
	l, _ := m["conflicts"].([]any)
	for _, c := range l {
		out = append(out, c.(map[string]any))
	}
	return out
}

func list(v any) []any { l, _ := v.([]any); return l }

// occurrences lists the calendar of the fixture's room in a window.
func (f *fixture) occurrences(token, from, to string) []map[string]any {
	f.h.T.Helper()
	m := f.h.Must(f.h.Get(fmt.Sprintf("/api/bookings?resourceId=%d&from=%s&to=%s", f.room, at(from), at(to)), token), 200)
	var out []map[string]any
	for _, it := range list(m["items"]) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func eventTypes(t *testing.T, db *store.DB, entityID int64) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT type FROM outbox WHERE entity_id = $1 ORDER BY id`, entityID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func lastEvent(t *testing.T, db *store.DB, entityID int64, typ string) string {
	t.Helper()
	var data string
	err := db.QueryRowContext(context.Background(), `SELECT data FROM outbox WHERE entity_id = $1 AND type = $2 ORDER BY id DESC LIMIT 1`, entityID, typ).Scan(&data)
	if err != nil {
		t.Fatalf("no %s event: %v", typ, err)
	}
	return data
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var _ = strings.Contains
