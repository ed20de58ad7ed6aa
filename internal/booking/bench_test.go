package booking_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/booking"
	"github.com/gatehouse/gatehouse/internal/recur"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func eachDB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

// seedBookings bulk-inserts n single 25-minute bookings (and their slots)
// from 08:00 local on day one, 27 a day 08:00–19:45 at 26-minute steps: the
// evenings stay free. Multi-row INSERTs in one transaction keep it to seconds.
func seedBookings(b *testing.B, db *store.DB, entityID, userID, resourceID int64, from time.Time, n int) {
	b.Helper()
	ctx := context.Background()
	type row struct{ s, e time.Time }
	rows := make([]row, 0, n)
	for day := 0; len(rows) < n; day++ {
		base := from.AddDate(0, 0, day)
		for k := 0; k < 27 && len(rows) < n; k++ {
			s := base.Add(time.Duration(k*26) * time.Minute)
			rows = append(rows, row{s, s.Add(25 * time.Minute)})
		}
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var firstID int64
		for i := 0; i < len(rows); i += 1000 {
			part := rows[i:min(i+1000, len(rows))]
			var sb strings.Builder
			sb.WriteString(`INSERT INTO resource_bookings (entity_id, resource_id, title, start_at, end_at, first_start, series_end, booked_by_user_id, booked_for_type, status_cd, created_at, updated_at) VALUES `)
			var args []any
			for j, r := range part {
				if j > 0 {
					sb.WriteByte(',')
				}
				p := len(args)
				fmt.Fprintf(&sb, "($%d,$%d,'Seed',$%d,$%d,$%d,$%d,$%d,'EVENT','CONFIRMED',$%d,$%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9)
				args = append(args, entityID, resourceID, r.s, r.e, r.s, r.e, userID, r.s, r.s)
			}
			sb.WriteString(` RETURNING id`)
			res, err := tx.QueryContext(ctx, sb.String(), args...)
			if err != nil {
				return err
			}
			first := true
			for res.Next() {
				var id int64
				_ = res.Scan(&id)
				if first && i == 0 {
					firstID = id
				}
				first = false
			}
			res.Close()
		}
		for i := 0; i < len(rows); i += 1000 {
			part := rows[i:min(i+1000, len(rows))]
			var sb strings.Builder
			sb.WriteString(`INSERT INTO booking_slots (entity_id, resource_id, booking_id, kind, occurrence_start, start_at, end_at, active) VALUES `)
			var args []any
			for j, r := range part {
				if j > 0 {
					sb.WriteByte(',')
				}
				p := len(args)
				fmt.Fprintf(&sb, "($%d,$%d,$%d,'EVENT',$%d,$%d,$%d,TRUE)", p+1, p+2, p+3, p+4, p+5, p+6)
				args = append(args, entityID, resourceID, firstID+int64(i+j), r.s, r.s, r.e)
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		// What autovacuum does after a bulk load in production.
		if _, err := db.ExecContext(ctx, `ANALYZE booking_slots`); err != nil {
			b.Fatal(err)
		}
		_, _ = db.ExecContext(ctx, `ANALYZE resource_bookings`)
	}
}

func userOf(b *testing.B, db *store.DB, entityID int64) int64 {
	var id int64
	if err := db.QueryRowContext(context.Background(), `SELECT id FROM users WHERE entity_id = $1 ORDER BY id LIMIT 1`, entityID).Scan(&id); err != nil {
		b.Fatal(err)
	}
	return id
}

// BenchmarkConflictCheckWeeklyTenYears: every occurrence of a new weekly
// series over 10 years (~520) against a resource holding 100,000 bookings.
func BenchmarkConflictCheckWeeklyTenYears(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		h := apptest.New(b, db)
		o := h.NewOrg("Bench")
		room := apptest.ID(h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Busy", "typeCd": "ROOM"}), 201))
		start := inst("2026-11-23 08:00")
		seedBookings(b, db, o.ID, userOf(b, db, o.ID), room, start, 100_000)
		rule, _ := recur.Parse("FREQ=WEEKLY;BYDAY=MO;COUNT=520")
		ser, err := recur.New(recur.Spec{Start: recur.Local{Year: 2026, Month: 11, Day: 23, Hour: 21, Minute: 30}, Duration: time.Hour, Location: berlin, Rule: rule})
		if err != nil {
			b.Fatal(err)
		}
		var occ []booking.Interval
		for _, o := range ser.All(ser.End()) {
			occ = append(occ, booking.Interval(o))
		}
		ctx := context.Background()
		b.ReportMetric(float64(len(occ)), "occurrences")
		b.ResetTimer()
		for b.Loop() {
			cs, err := booking.ConflictsWith(ctx, db, room, occ)
			if err != nil {
				b.Fatal(err)
			}
			if len(cs) != 0 { // 21:30 local is after the seeded days; every occurrence is still probed
				b.Fatalf("%d conflicts", len(cs))
			}
		}
	})
}

// BenchmarkCalendarWeek: one busy week of a resource with 40 weekly series,
// 20 daily ones and single bookings, expanded through the service.
func BenchmarkCalendarWeek(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		h := apptest.New(b, db)
		o := h.NewOrg("Bench")
		room := apptest.ID(h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Busy", "typeCd": "ROOM"}), 201))
		for i := range 40 { // weekly series, Monday–Friday 06:00–19:20, 20 min each
			day, slot := i%5, i/5
			from := inst("2026-11-23 06:00").AddDate(0, 0, day).Add(time.Duration(slot*20) * time.Minute)
			h.Must(h.Post("/api/bookings", o.Staff, map[string]any{"resourceId": room, "title": "Weekly", "bookedForType": "COURSE",
				"startDateTime": from.Format(time.RFC3339), "endDateTime": from.Add(20 * time.Minute).Format(time.RFC3339), "recurrenceRule": "FREQ=WEEKLY"}), 201)
		}
		for i := range 20 { // daily series in the evening
			from := inst("2026-11-23 20:00").Add(time.Duration(i*10) * time.Minute)
			h.Must(h.Post("/api/bookings", o.Staff, map[string]any{"resourceId": room, "title": "Daily", "bookedForType": "EVENT",
				"startDateTime": from.Format(time.RFC3339), "endDateTime": from.Add(10 * time.Minute).Format(time.RFC3339), "recurrenceRule": "FREQ=DAILY"}), 201)
		}
		for i := range 20 { // singles on Saturday
			from := inst("2027-06-12 08:00").Add(time.Duration(i*30) * time.Minute)
			h.Must(h.Post("/api/bookings", o.Staff, map[string]any{"resourceId": room, "title": "Single", "bookedForType": "MEMBER", "bookedForId": o.MemberID,
				"startDateTime": from.Format(time.RFC3339), "endDateTime": from.Add(30 * time.Minute).Format(time.RFC3339)}), 201)
		}
		path := fmt.Sprintf("/api/bookings?resourceId=%d&from=%s&to=%s", room, at("2027-06-07 00:00"), at("2027-06-14 00:00"))
		if n := h.Must(h.Get(path, o.Staff), 200)["totalItems"].(float64); n != 200 {
			b.Fatalf("%v occurrences", n)
		}
		b.ResetTimer()
		for b.Loop() {
			if r := h.Get(path, o.Staff); r.Status != 200 {
				b.Fatal(r.Status)
			}
		}
	})
}

// BenchmarkCreateBookingParallel: booking throughput with concurrent clients
// on distinct slots of one resource (the writes that must serialise).
func BenchmarkCreateBookingParallel(b *testing.B) {
	eachDB(b, func(b *testing.B, db *store.DB) {
		if db.Dialect() == store.Postgres {
			db.SQL().SetMaxOpenConns(16)
		}
		h := apptest.New(b, db)
		o := h.NewOrg("Bench")
		room := apptest.ID(h.Must(h.Post("/api/resources", o.Admin, map[string]any{"name": "Busy", "typeCd": "ROOM"}), 201))
		var n atomic.Int64
		base := inst("2026-11-23 00:00")
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s := base.Add(time.Duration(n.Add(1)) * 30 * time.Minute)
				r := h.Post("/api/bookings", o.Staff, map[string]any{"resourceId": room, "title": "x", "bookedForType": "EVENT",
					"startDateTime": s.Format(time.RFC3339), "endDateTime": s.Add(30 * time.Minute).Format(time.RFC3339)})
				if r.Status != 201 {
					b.Fatalf("%d %s", r.Status, r.Body)
				}
			}
		})
	})
}
