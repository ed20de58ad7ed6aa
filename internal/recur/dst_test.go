package recur

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// starts returns the UTC start instants of occ.
func starts(occ []Occurrence) []time.Time {
	out := make([]time.Time, len(occ))
	for i, o := range occ {
		out[i] = o.Start
	}
	return out
}

func utcs(t testing.TB, v ...string) []time.Time {
	out := make([]time.Time, len(v))
	for i, s := range v {
		out[i] = utc(t, s)
	}
	return out
}

// TestWallClockSurvivesDST: a 07:00 series stays 07:00 local across both
// transitions, so its UTC time moves by an hour. Berlin changes on the last
// Sundays of March and October, New York on the 2nd Sunday of March and the
// 1st Sunday of November.
func TestWallClockSurvivesDST(t *testing.T) {
	tests := []struct {
		zone, start, from, to string
		want                  []string
	}{
		{"Europe/Berlin", "20240101T070000", "2024-03-29T00:00:00Z", "2024-04-02T00:00:00Z",
			[]string{"2024-03-29T06:00:00Z", "2024-03-30T06:00:00Z", "2024-03-31T05:00:00Z", "2024-04-01T05:00:00Z"}},
		{"Europe/Berlin", "20240101T070000", "2024-10-26T00:00:00Z", "2024-10-29T00:00:00Z",
			[]string{"2024-10-26T05:00:00Z", "2024-10-27T06:00:00Z", "2024-10-28T06:00:00Z"}},
		{"America/New_York", "20240101T070000", "2024-03-09T00:00:00Z", "2024-03-12T00:00:00Z",
			[]string{"2024-03-09T12:00:00Z", "2024-03-10T11:00:00Z", "2024-03-11T11:00:00Z"}},
		{"America/New_York", "20240101T070000", "2024-11-02T00:00:00Z", "2024-11-05T00:00:00Z",
			[]string{"2024-11-02T11:00:00Z", "2024-11-03T12:00:00Z", "2024-11-04T12:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.zone+"/"+tc.from[:10], func(t *testing.T) {
			loc := mustLoad(t, tc.zone)
			s := mustSeries(t, tc.start, "FREQ=DAILY", time.Hour, loc)
			got := s.Between(utc(t, tc.from), utc(t, tc.to))
			if diff := cmp.Diff(utcs(t, tc.want...), starts(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			localDates(t, got, loc, "07:00:00")
		})
	}
}

// TestNonexistentAndAmbiguousTimes pins the RFC 5545 §3.3.5 policy: a time in
// the spring-forward gap moves forward by the gap; a time in the fall-back
// overlap is its first instance. Go's time.Date gets New York's gap and
// Berlin's overlap the other way round, which is why the wrapper resolves
// times itself.
func TestNonexistentAndAmbiguousTimes(t *testing.T) {
	tests := []struct {
		name, zone, start, rule, from, to string
		want                              []string
	}{
		{"Berlin gap 02:30 -> 03:30 CEST", "Europe/Berlin", "20240324T023000", "FREQ=WEEKLY;BYDAY=SU",
			"2024-03-24T00:00:00Z", "2024-04-08T00:00:00Z",
			[]string{"2024-03-24T01:30:00Z", "2024-03-31T01:30:00Z", "2024-04-07T00:30:00Z"}},
		{"Berlin overlap 02:30 -> first (CEST)", "Europe/Berlin", "20241020T023000", "FREQ=WEEKLY;BYDAY=SU",
			"2024-10-20T00:00:00Z", "2024-11-04T00:00:00Z",
			[]string{"2024-10-20T00:30:00Z", "2024-10-27T00:30:00Z", "2024-11-03T01:30:00Z"}},
		{"New York gap 02:30 -> 03:30 EDT", "America/New_York", "20240309T023000", "FREQ=DAILY;COUNT=3", "",
			"", []string{"2024-03-09T07:30:00Z", "2024-03-10T07:30:00Z", "2024-03-11T06:30:00Z"}},
		{"New York overlap 01:30 -> first (EDT)", "America/New_York", "20241102T013000", "FREQ=DAILY;COUNT=3",
			"", "", []string{"2024-11-02T05:30:00Z", "2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := mustLoad(t, tc.zone)
			s := mustSeries(t, tc.start, tc.rule, 30*time.Minute, loc)
			var got []Occurrence
			if tc.from == "" {
				got = s.All(s.End())
			} else {
				got = s.Between(utc(t, tc.from), utc(t, tc.to))
			}
			if diff := cmp.Diff(utcs(t, tc.want...), starts(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocalIn(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	apia := mustLoad(t, "Pacific/Apia")
	tests := []struct {
		local string
		loc   *time.Location
		want  string
	}{
		{"20240115T070000", berlin, "2024-01-15T06:00:00Z"},
		{"20240715T070000", berlin, "2024-07-15T05:00:00Z"},
		{"20240331T020000", berlin, "2024-03-31T01:00:00Z"}, // gap start -> 03:00 CEST
		{"20240331T025959", berlin, "2024-03-31T01:59:59Z"},
		{"20240331T030000", berlin, "2024-03-31T01:00:00Z"}, // first real reading after the gap
		{"20241027T020000", berlin, "2024-10-27T00:00:00Z"}, // overlap: CEST reading
		{"20241027T030000", berlin, "2024-10-27T02:00:00Z"}, // after overlap
		{"20240310T020000", ny, "2024-03-10T07:00:00Z"},
		{"20240310T023000", ny, "2024-03-10T07:30:00Z"},
		{"20241103T010000", ny, "2024-11-03T05:00:00Z"},
		{"20241103T015959", ny, "2024-11-03T05:59:59Z"},
		{"20241103T020000", ny, "2024-11-03T07:00:00Z"},
		// Samoa skipped 30 December 2011 entirely (UTC-10 -> UTC+14): the day
		// moves forward by the 24-hour gap.
		{"20111230T070000", apia, "2011-12-30T17:00:00Z"},
		{"20111231T070000", apia, "2011-12-30T17:00:00Z"},
	}
	for _, tc := range tests {
		got := mustLocal(t, tc.local).In(tc.loc)
		if !got.Equal(utc(t, tc.want)) {
			t.Errorf("%s in %s = %s, want %s", tc.local, tc.loc, got.UTC(), tc.want)
		}
		if got.Location() != tc.loc {
			t.Errorf("%s: result location %s, want %s", tc.local, got.Location(), tc.loc)
		}
	}
}

// TestSamoaSkippedDay: two readings that resolve to one instant produce one
// occurrence, keeping the output strictly increasing.
func TestSamoaSkippedDay(t *testing.T) {
	apia := mustLoad(t, "Pacific/Apia")
	s := mustSeries(t, "20111228T070000", "FREQ=DAILY;COUNT=4", time.Hour, apia)
	want := utcs(t, "2011-12-28T17:00:00Z", "2011-12-29T17:00:00Z", "2011-12-30T17:00:00Z")
	if diff := cmp.Diff(want, starts(s.All(s.End()))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDurationIsElapsed: an occurrence spanning the gap lasts its duration in
// real time, ending at 04:30 CEST rather than 03:30.
func TestDurationIsElapsed(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := mustSeries(t, "20240330T013000", "FREQ=DAILY;COUNT=2", 2*time.Hour, berlin)
	got := s.All(s.End())
	want := []Occurrence{
		{utc(t, "2024-03-30T00:30:00Z"), utc(t, "2024-03-30T02:30:00Z")},
		{utc(t, "2024-03-31T00:30:00Z"), utc(t, "2024-03-31T02:30:00Z")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExDatesAtTransitions(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	parse := func(v string) []time.Time {
		ex, err := ParseExDates(v, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	from, to := utc(t, "2024-03-01T00:00:00Z"), utc(t, "2024-12-01T00:00:00Z")
	count := func(s *Series) int { return s.Count(from, to) }
	base := mustSeries(t, "20240303T023000", "FREQ=WEEKLY", time.Hour, berlin)
	n := count(base)

	// The local reading of a nonexistent time resolves like the occurrence.
	s := mustSeries(t, "20240303T023000", "FREQ=WEEKLY", time.Hour, berlin, parse("20240331T023000")...)
	if count(s) != n-1 || s.Contains(utc(t, "2024-03-31T01:30:00Z")) {
		t.Errorf("gap EXDATE did not remove 2024-03-31")
	}
	// The local reading of an ambiguous time is its first instance, as is the
	// occurrence, so it matches.
	s = mustSeries(t, "20240303T023000", "FREQ=WEEKLY", time.Hour, berlin, parse("EXDATE;TZID=Europe/Berlin:20241027T023000")...)
	if count(s) != n-1 || s.Contains(utc(t, "2024-10-27T00:30:00Z")) {
		t.Errorf("overlap EXDATE did not remove 2024-10-27")
	}
	// The second instance, given in UTC, is not an occurrence: nothing removed.
	s = mustSeries(t, "20240303T023000", "FREQ=WEEKLY", time.Hour, berlin, parse("20241027T013000Z")...)
	if count(s) != n {
		t.Errorf("EXDATE of the second instance removed an occurrence")
	}
}

func TestUntilForms(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name, start, rule string
		loc               *time.Location
		last              string // local date-time of the last occurrence
	}{
		{"UTC, inclusive at the instant", "20240101T070000", "FREQ=DAILY;UNTIL=20240105T060000Z", berlin, "20240105T070000"},
		{"UTC, one second short", "20240101T070000", "FREQ=DAILY;UNTIL=20240105T055959Z", berlin, "20240104T070000"},
		{"UTC, during summer time", "20240701T070000", "FREQ=DAILY;UNTIL=20240705T050000Z", berlin, "20240705T070000"},
		{"date, whole local day", "20240101T233000", "FREQ=DAILY;UNTIL=20240105", berlin, "20240105T233000"},
		// 23:30 in New York is 04:30Z the next UTC day; the date is still local.
		{"date, local day not UTC day", "20240101T233000", "FREQ=DAILY;UNTIL=20240105", ny, "20240105T233000"},
		{"local date-time, inclusive", "20240101T070000", "FREQ=DAILY;UNTIL=20240105T070000", berlin, "20240105T070000"},
		{"local date-time, short", "20240101T070000", "FREQ=DAILY;UNTIL=20240105T065959", berlin, "20240104T070000"},
		{"until on a non-matching day", "20240101T070000", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20240320", berlin, "20240318T070000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSeries(t, tc.start, tc.rule, time.Hour, tc.loc)
			if !s.Bounded() {
				t.Fatal("UNTIL series not Bounded")
			}
			all := s.All(s.End())
			last := all[len(all)-1]
			if got := last.Start.In(tc.loc).Format("20060102T150405"); got != tc.last {
				t.Errorf("last occurrence %s, want %s", got, tc.last)
			}
			if !s.End().Equal(last.End) {
				t.Errorf("End() = %s, want %s", s.End(), last.End)
			}
			if _, ok := s.Next(last.Start); ok {
				t.Errorf("Next after the last occurrence found one")
			}
		})
	}
}

// TestEndSearchesBackwards: End of a long UNTIL series whose final stretch is
// excluded is found without expanding from the start.
func TestEndSearchesBackwards(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	var ex []time.Time
	for d := 1; d <= 200; d++ { // exclude the last 200 Mondays
		ex = append(ex, Local{2049, time.December, 27, 7, 0, 0}.In(berlin).AddDate(0, 0, -7*(d-1)))
	}
	s := mustSeries(t, "20000103T070000", "FREQ=WEEKLY;UNTIL=20491231", time.Hour, berlin, ex...)
	want := Local{2046, time.February, 26, 8, 0, 0}.In(berlin)
	if !s.End().Equal(want) {
		t.Errorf("End() = %s, want %s", s.End().In(berlin), want)
	}
	// All excluded: End is zero, but the series is still bounded.
	s = mustSeries(t, "20240101T070000", "FREQ=DAILY;COUNT=2", time.Hour, berlin,
		Local{2024, 1, 1, 7, 0, 0}.In(berlin), Local{2024, 1, 2, 7, 0, 0}.In(berlin))
	if !s.Bounded() || !s.End().IsZero() || len(s.All(utc(t, "2100-01-01T00:00:00Z"))) != 0 {
		t.Errorf("fully excluded series: Bounded=%v End=%s", s.Bounded(), s.End())
	}
}
