package recur

import (
	"testing"
	"time"
)

// BenchmarkWeeklyTenYearsFull: a weekly series over 10 years (522
// occurrences) expanded in full.
func BenchmarkWeeklyTenYearsFull(b *testing.B) {
	berlin := mustLoad(b, "Europe/Berlin")
	s := mustSeries(b, "20240101T070000", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20331231", time.Hour, berlin)
	end := s.End()
	b.ReportAllocs()
	for b.Loop() {
		if n := len(s.All(end)); n != 522 {
			b.Fatalf("got %d occurrences", n)
		}
	}
}

// BenchmarkDailyWeekInYear8: a one-week window into year 8 of an unbounded
// daily series; it seeks, so it costs about as much as a week from the start.
func BenchmarkDailyWeekInYear8(b *testing.B) {
	berlin := mustLoad(b, "Europe/Berlin")
	s := mustSeries(b, "20240101T070000", "FREQ=DAILY", time.Hour, berlin)
	from := Local{2031, time.June, 2, 0, 0, 0}.In(berlin)
	to := from.AddDate(0, 0, 7)
	b.ReportAllocs()
	for b.Loop() {
		if n := len(s.Between(from, to)); n != 7 {
			b.Fatalf("got %d occurrences", n)
		}
	}
}

// BenchmarkNew: validating and building a typical series, including the
// check that the rule produces an occurrence.
func BenchmarkNew(b *testing.B) {
	berlin := mustLoad(b, "Europe/Berlin")
	spec := Spec{Start: Local{2024, 1, 1, 7, 0, 0}, Duration: time.Hour, Location: berlin,
		Rule: mustRule(b, "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20341231")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(spec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;UNTIL=20301231T230000Z"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewImpossible: the worst case New guards against, a daily rule
// that never matches. The probe is capped at one 400-year calendar cycle
// instead of running the library to year 9999.
func BenchmarkNewImpossible(b *testing.B) {
	berlin := mustLoad(b, "Europe/Berlin")
	spec := Spec{Start: Local{2024, 1, 1, 7, 0, 0}, Duration: time.Hour, Location: berlin,
		Rule: mustRule(b, "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")}
	for b.Loop() {
		if _, err := New(spec); err == nil {
			b.Fatal("accepted")
		}
	}
}
