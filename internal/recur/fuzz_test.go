package recur

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var fuzzSeeds = []string{
	"FREQ=DAILY;COUNT=10",
	"RRULE:FREQ=DAILY;UNTIL=19971224T000000Z",
	"FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=TU,TH",
	"FREQ=MONTHLY;BYDAY=-1FR",
	"FREQ=MONTHLY;BYDAY=2MO;COUNT=6",
	"FREQ=MONTHLY;BYMONTHDAY=-1",
	"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
	"FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
	"FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
	"FREQ=YEARLY;BYWEEKNO=-1,1,53",
	"FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200,-366",
	"FREQ=YEARLY;BYDAY=20MO",
	"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
	"FREQ=DAILY;UNTIL=20240131",
	"FREQ=DAILY;UNTIL=20240131T070000",
	"freq=weekly;byday=mo;",
	"FREQ=HOURLY",
	"FREQ=DAILY;COUNT=5;UNTIL=20240101",
	"FREQ=WEEKLY;BYDAY=XX",
	"FREQ=DAILY;BYHOUR=9",
	"FREQ=;;==;",
	"FREQ=MONTHLY;BYDAY=+5SU,-5SA;BYSETPOS=366,-366",
	"",
}

// FuzzParse: Parse never panics, only ever fails with a *Error, and what it
// accepts survives a String round trip unchanged. ParseExDates gets the same
// input. `go test` runs the seeds; `go test -fuzz FuzzParse` explores.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add("EXDATE;TZID=Europe/Berlin:20240101T070000,20240108T060000Z")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			var re *Error
			if !errors.As(err, &re) || re.Part == "" || re.Reason == "" {
				t.Fatalf("Parse(%q) = %v, want a *Error with Part and Reason", s, err)
			}
			return
		}
		again, err := Parse(r.String())
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", s, r.String(), err)
		}
		if diff := cmp.Diff(r, again); diff != "" {
			t.Fatalf("round trip of %q (-first +second):\n%s", s, diff)
		}
		if _, err := ParseExDates(s, time.UTC); err != nil {
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("ParseExDates(%q) = %v, want a *Error", s, err)
			}
		}
	})
}

// FuzzSeries drives accepted rules through the expansion engine (where a
// library panic would surface) and checks the basic output contract.
func FuzzSeries(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint16(i*37), uint8(i*5))
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rule string, days uint16, hour uint8) {
		r, err := Parse(rule)
		if err != nil {
			return
		}
		start := Local{2024, time.January, 1, int(hour % 24), 30, 0}
		s, err := New(Spec{Start: start, Duration: time.Hour, Location: berlin, Rule: r})
		if err != nil {
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("New: %v, want a *Error", err)
			}
			return
		}
		from := s.startAt.Add(time.Duration(days) * 24 * time.Hour)
		occ := s.Between(from, from.AddDate(0, 1, 0))
		for i, o := range occ {
			if i > 0 && !o.Start.After(occ[i-1].Start) {
				t.Fatalf("%s: not increasing at %d: %v", s, i, occ)
			}
			if !s.Contains(o.Start) {
				t.Fatalf("%s: Contains(%v) false", s, o.Start)
			}
		}
		s.Next(from)
		s.End()
	})
}
