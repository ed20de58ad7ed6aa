package recur

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBetweenOverlap(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	// 07:00-09:00 local = 06:00-08:00Z in January.
	s := mustSeries(t, "20240101T070000", "FREQ=DAILY", 2*time.Hour, berlin)
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"window inside an occurrence", "2024-01-02T06:30:00Z", "2024-01-02T07:00:00Z", []string{"2024-01-02T06:00:00Z"}},
		{"window ends at a start (exclusive)", "2024-01-02T00:00:00Z", "2024-01-02T06:00:00Z", nil},
		{"window starts at an end (no overlap)", "2024-01-02T08:00:00Z", "2024-01-03T06:00:00Z", nil},
		{"window starts one second before an end", "2024-01-02T07:59:59Z", "2024-01-03T06:00:01Z",
			[]string{"2024-01-02T06:00:00Z", "2024-01-03T06:00:00Z"}},
		{"before the series", "2023-12-01T00:00:00Z", "2024-01-01T06:00:00Z", nil},
		{"empty window", "2024-01-05T00:00:00Z", "2024-01-05T00:00:00Z", nil},
		{"reversed window", "2024-01-06T00:00:00Z", "2024-01-05T00:00:00Z", nil},
	}
	for _, tc := range tests {
		got := starts(s.Between(utc(t, tc.from), utc(t, tc.to)))
		if diff := cmp.Diff(utcs(t, tc.want...), got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestNextContainsCount(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ex := Local{2024, 1, 8, 7, 0, 0}.In(berlin)
	// Mondays and Wednesdays at 07:00, 8 occurrences; 8 January excluded.
	s := mustSeries(t, "20240101T070000", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=8", time.Hour, berlin, ex)

	next := func(after string) string {
		o, ok := s.Next(utc(t, after))
		if !ok {
			return "none"
		}
		return o.Start.Format(time.RFC3339)
	}
	for after, want := range map[string]string{
		"2023-06-01T00:00:00Z": "2024-01-01T06:00:00Z",
		"2024-01-01T06:00:00Z": "2024-01-03T06:00:00Z", // strictly after
		"2024-01-03T06:00:00Z": "2024-01-10T06:00:00Z", // skips the EXDATE
		"2024-01-22T06:00:00Z": "2024-01-24T06:00:00Z",
		"2024-01-24T06:00:00Z": "none", // the 8th and last
	} {
		if got := next(after); got != want {
			t.Errorf("Next(%s) = %s, want %s", after, got, want)
		}
	}

	for at, want := range map[string]bool{
		"2024-01-01T06:00:00Z": true,
		"2024-01-03T06:00:00Z": true,
		"2024-01-08T06:00:00Z": false, // excluded
		"2024-01-02T06:00:00Z": false, // Tuesday
		"2024-01-03T06:00:01Z": false, // not the exact start
		"2024-01-03T05:00:00Z": false,
		"2024-01-24T06:00:00Z": true,
		"2024-01-29T06:00:00Z": false, // past COUNT
	} {
		if got := s.Contains(utc(t, at)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", at, got, want)
		}
	}

	if n := s.Count(utc(t, "2024-01-01T00:00:00Z"), utc(t, "2025-01-01T00:00:00Z")); n != 7 {
		t.Errorf("Count over the year = %d, want 7 (8 minus one EXDATE)", n)
	}
	if n := s.Count(utc(t, "2024-01-09T00:00:00Z"), utc(t, "2024-01-16T00:00:00Z")); n != 2 {
		t.Errorf("Count over 9-16 January = %d, want 2 (Wed 10th, Mon 15th)", n)
	}
	if n := s.Count(utc(t, "2024-01-07T00:00:00Z"), utc(t, "2024-01-10T00:00:00Z")); n != 0 {
		t.Errorf("Count over 7-10 January = %d, want 0 (8th excluded)", n)
	}
}

func TestUnboundedEndAndAll(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := mustSeries(t, "20240101T070000", "FREQ=WEEKLY", time.Hour, berlin)
	if s.Bounded() || !s.End().IsZero() {
		t.Errorf("unbounded series: Bounded=%v End=%s", s.Bounded(), s.End())
	}
	if n := len(s.All(utc(t, "2025-01-01T00:00:00Z"))); n != 53 {
		t.Errorf("All(2025) = %d occurrences, want the 53 Mondays of 2024", n)
	}
}

func TestOccurrencesUnderWay(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	// Three-day blocks every week: an occurrence is still under way mid-week.
	s := mustSeries(t, "20240101T070000", "FREQ=WEEKLY", 72*time.Hour, berlin)
	for o := range s.Occurrences(utc(t, "2024-01-10T00:00:00Z")) {
		if want := utc(t, "2024-01-08T06:00:00Z"); !o.Start.Equal(want) {
			t.Errorf("first occurrence under way = %s, want %s", o.Start, want)
		}
		break
	}
}

func TestStartNotMatchingRule(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	// Starts on a Monday but the rule says Tuesdays and Thursdays: the start
	// is only the lower bound.
	s := mustSeries(t, "20240101T070000", "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=3", time.Hour, berlin)
	want := utcs(t, "2024-01-02T06:00:00Z", "2024-01-04T06:00:00Z", "2024-01-09T06:00:00Z")
	if diff := cmp.Diff(want, starts(s.All(s.End()))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestBySetPosSeesWholeFirstWeek: BYSETPOS applies to the whole interval, even
// the one holding the start (RFC 5545); occurrences before the start are then
// dropped. Started on a Wednesday, "first of MO/WE/FR each week" is Monday,
// which is before the start, so the first occurrence is the next Monday.
func TestBySetPosSeesWholeFirstWeek(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := mustSeries(t, "20240103T070000", "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=1;COUNT=2", time.Hour, berlin)
	want := utcs(t, "2024-01-08T06:00:00Z", "2024-01-15T06:00:00Z")
	if diff := cmp.Diff(want, starts(s.All(s.End()))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMonthlyDefaultDay: a bare FREQ=MONTHLY repeats on the start's day of the
// month and skips months without it, however far the query seeks.
func TestMonthlyDefaultDay(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := mustSeries(t, "20240131T070000", "FREQ=MONTHLY", time.Hour, berlin)
	got := localDates(t, s.Between(utc(t, "2031-01-01T00:00:00Z"), utc(t, "2031-09-01T00:00:00Z")), berlin, "07:00:00")
	want := []string{"20310131", "20310331", "20310531", "20310731", "20310831"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSeriesString(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ex, err := ParseExDates("EXDATE;TZID=Europe/Berlin:20240115T070000,20240108T070000", berlin)
	if err != nil {
		t.Fatal(err)
	}
	s := mustSeries(t, "20240101T070000", "byday=mo;freq=weekly;count=10", 90*time.Minute, berlin, ex...)
	want := "DTSTART;TZID=Europe/Berlin:20240101T070000\n" +
		"DURATION:PT1H30M\n" +
		"RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO\n" +
		"EXDATE:20240108T060000Z,20240115T060000Z"
	if got := s.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	for d, want := range map[time.Duration]string{time.Hour: "PT1H", 36 * time.Hour: "PT36H", 90 * time.Second: "PT1M30S", time.Second: "PT1S"} {
		if got := icalDuration(d); got != want {
			t.Errorf("icalDuration(%s) = %s, want %s", d, got, want)
		}
	}
	// The EXDATE line parses back to the same instants.
	back, err := ParseExDates("EXDATE:20240108T060000Z,20240115T060000Z", nil)
	if err != nil || !cmp.Equal(back, s.Spec().ExDates) {
		t.Errorf("EXDATE round trip = %v, %v", back, err)
	}
}

func TestSeriesOwnsItsSlices(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	rule := mustRule(t, "FREQ=WEEKLY;BYDAY=MO")
	ex := []time.Time{Local{2024, 1, 8, 7, 0, 0}.In(berlin)}
	s, err := New(Spec{Start: Local{2024, 1, 1, 7, 0, 0}, Duration: time.Hour, Location: berlin, Rule: rule, ExDates: ex})
	if err != nil {
		t.Fatal(err)
	}
	rule.ByDay[0].Day = Friday
	ex[0] = ex[0].AddDate(0, 0, 7)
	if got := s.Rule().String(); got != "FREQ=WEEKLY;BYDAY=MO" {
		t.Errorf("caller's edit reached the series: %s", got)
	}
	if !s.Contains(utc(t, "2024-01-15T06:00:00Z")) || s.Contains(utc(t, "2024-01-08T06:00:00Z")) {
		t.Error("caller's EXDATE edit reached the series")
	}
}

// TestSeekIsCheap: a one-week query decades into a daily series does work
// proportional to the week, not to the decades before it.
func TestSeekIsCheap(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := mustSeries(t, "20000101T070000", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", time.Hour, berlin)
	from, to := utc(t, "2090-03-06T00:00:00Z"), utc(t, "2090-03-13T00:00:00Z")
	if n := len(s.Between(from, to)); n != 5 {
		t.Fatalf("got %d occurrences, want 5", n)
	}
	// Walking 90 years from the start would allocate per occurrence (~23,000).
	if allocs := testing.AllocsPerRun(20, func() { s.Between(from, to) }); allocs > 100 {
		t.Errorf("Between allocates %.0f times: it is not seeking", allocs)
	}
}

func TestConcurrentUse(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := mustSeries(t, "20240101T070000", "FREQ=DAILY;UNTIL=20340101", time.Hour, berlin)
	want := s.Between(utc(t, "2030-01-01T00:00:00Z"), utc(t, "2030-02-01T00:00:00Z"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got := s.Between(utc(t, "2030-01-01T00:00:00Z"), utc(t, "2030-02-01T00:00:00Z"))
				if !cmp.Equal(want, got) {
					t.Error("concurrent Between differs")
					return
				}
				s.Next(utc(t, "2031-01-01T00:00:00Z"))
				s.Contains(want[3].Start)
			}
		})
	}
	wg.Wait()
}
