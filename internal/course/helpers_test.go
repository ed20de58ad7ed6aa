package course_test

import (
	"fmt"
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

type fixture struct {
	h    *apptest.Harness
	o    *apptest.Org
	room int64
	tpl  int64
	seq  int
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	h := apptest.New(t, db)
	o := h.NewOrg("Club")
	r := h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Studio A", "typeCd": "ROOM", "capacity": 30}), 201)
	tpl := h.Must(h.Post("/api/contract-templates", o.Admin, map[string]any{"name": "Basic", "tierCd": "BASIC", "tierRank": 10}), 201)
	f := &fixture{h: h, o: o, room: apptest.ID(r), tpl: apptest.ID(tpl)}
	// The org's own MEMBER user gets an active contract too.
	f.contract(o.MemberID, "ACTIVE")
	return f
}

func (f *fixture) contract(memberID int64, status string) {
	f.h.T.Helper()
	f.h.Must(f.h.Post(fmt.Sprintf("/api/members/%d/contracts", memberID), f.o.Admin, map[string]any{
		"templateId": f.tpl, "startDate": "2026-01-01", "statusCd": status}), 201)
}

// member creates a member with an active contract.
func (f *fixture) member() int64 {
	f.h.T.Helper()
	f.seq++
	m := f.h.Must(f.h.Post("/api/members", f.o.Staff, map[string]any{"firstName": fmt.Sprintf("M%02d", f.seq), "lastName": "Test",
		"email": fmt.Sprintf("m%d-%d@test.dev", f.seq, time.Now().UnixNano())}), 201)
	id := apptest.ID(m)
	f.contract(id, "ACTIVE")
	return id
}

func (f *fixture) course(body map[string]any) map[string]any {
	f.h.T.Helper()
	base := map[string]any{"name": "Yoga Basics", "recurrenceRule": "FREQ=WEEKLY;BYDAY=MO,WE,FR", "startTime": "07:00", "durationMinutes": 60}
	for k, v := range body {
		base[k] = v
	}
	return f.h.Must(f.h.Post("/api/courses", f.o.Admin, base), 201)
}

func (f *fixture) register(course, member int64) *apptest.Response {
	return f.h.Post(fmt.Sprintf("/api/courses/%d/register", course), f.o.Staff, map[string]any{"memberId": member})
}

func (f *fixture) outbox(types ...string) map[string]int {
	f.h.T.Helper()
	out := map[string]int{}
	rows, err := f.h.App.DB.QueryContext(f.h.T.(*testing.T).Context(), `SELECT type FROM outbox WHERE entity_id = $1`, f.o.ID)
	if err != nil {
		f.h.T.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out[s]++
	}
	return out
}

func num(v any) int64 { return int64(v.(float64)) }

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
