package booking

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func iv(a, b int) Interval {
	return Interval{Start: t0.Add(time.Duration(a) * time.Minute), End: t0.Add(time.Duration(b) * time.Minute)}
}

// FindConflicts agrees with the obvious quadratic rule on random inputs.
func TestFindConflictsMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 2000 {
		var wanted []Interval
		var existing []Slot
		for range rng.IntN(8) {
			a := rng.IntN(200)
			wanted = append(wanted, iv(a, a+1+rng.IntN(40)))
		}
		for range rng.IntN(8) {
			a := rng.IntN(200)
			existing = append(existing, Slot{Interval: iv(a, a+1+rng.IntN(40))})
		}
		want := 0
		for _, w := range wanted {
			for _, e := range existing {
				if w.Start.Before(e.End) && e.Start.Before(w.End) {
					want++
				}
			}
		}
		got := FindConflicts(wanted, existing)
		if len(got) != want {
			t.Fatalf("round %d: %d conflicts, brute force %d\nwanted %v\nexisting %v", round, len(got), want, wanted, existing)
		}
		for _, c := range got {
			if !c.Wanted.Overlaps(c.Existing.Interval) {
				t.Fatalf("reported a non-overlap %v", c)
			}
		}
	}
}

func TestAdjacentIsNoConflict(t *testing.T) {
	if cs := FindConflicts([]Interval{iv(60, 120)}, []Slot{{Interval: iv(0, 60)}, {Interval: iv(120, 180)}}); len(cs) != 0 {
		t.Fatalf("adjacent: %v", cs)
	}
	if cs := FindConflicts([]Interval{iv(60, 120)}, []Slot{{Interval: iv(0, 61)}}); len(cs) != 1 {
		t.Fatalf("one minute overlap: %v", cs)
	}
}

func TestAvailabilitiesMergeBusyAndFree(t *testing.T) {
	a := Availabilities(t0, t0.Add(10*time.Hour), []Busy{
		{Start: iv(60, 120).Start, End: iv(60, 120).End, Kind: "BOOKING"},
		{Start: iv(90, 180).Start, End: iv(90, 180).End, Kind: "MAINTENANCE"},
		{Start: iv(-60, 30).Start, End: iv(-60, 30).End, Kind: "COURSE"},    // clipped at from
		{Start: iv(580, 700).Start, End: iv(580, 700).End, Kind: "EVENT"},   // clipped at to
		{Start: iv(800, 900).Start, End: iv(800, 900).End, Kind: "BOOKING"}, // outside
	})
	if a.Available || len(a.Busy) != 4 || !a.Busy[0].Start.Equal(t0) || !a.Busy[3].End.Equal(t0.Add(10*time.Hour)) {
		t.Fatalf("busy %+v", a.Busy)
	}
	wantFree := []Interval{iv(30, 60), iv(180, 580)}
	if len(a.Free) != len(wantFree) {
		t.Fatalf("free %+v", a.Free)
	}
	for i, f := range wantFree {
		if !a.Free[i].Start.Equal(f.Start) || !a.Free[i].End.Equal(f.End) {
			t.Fatalf("free[%d] = %+v, want %+v", i, a.Free[i], f)
		}
	}
	if e := Availabilities(t0, t0.Add(time.Hour), nil); !e.Available || len(e.Free) != 1 {
		t.Fatalf("empty %+v", e)
	}
}

func TestSelfOverlap(t *testing.T) {
	if _, _, ok := SelfOverlap([]Interval{iv(0, 60), iv(60, 120)}); ok {
		t.Fatal("adjacent occurrences reported as overlapping")
	}
	if _, _, ok := SelfOverlap([]Interval{iv(100, 200), iv(0, 101)}); !ok {
		t.Fatal("overlap not found")
	}
}

func TestVTimezoneTransitions(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	ts := transitions(ny, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(ts) != 2 || !ts[0].at.Equal(time.Date(2027, 3, 14, 7, 0, 0, 0, time.UTC)) || !ts[0].dst || ts[1].dst || ts[1].from != -4*3600 {
		t.Fatalf("transitions %+v", ts)
	}
	if got := offset(-4 * 3600); got != "-0400" {
		t.Fatal(got)
	}
}

func FuzzParseMaintenanceSchedule(f *testing.F) {
	f.Add([]byte(`{"windows":[{"recurrenceRule":"FREQ=WEEKLY;BYDAY=MO","startTime":"07:00","durationMinutes":60,"note":"clean"}]}`))
	f.Add([]byte(`{"windows":[{"recurrenceRule":"FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=1","startTime":"23:30","durationMinutes":120,"startDate":"2027-03-28"}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"windows":[{"recurrenceRule":"FREQ=HOURLY","startTime":"7:00","durationMinutes":-1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseMaintenanceSchedule(data)
		if err != nil {
			return
		}
		// A schedule that parsed is valid in any zone and expands without error.
		for _, w := range s.Windows {
			if _, _, ok := parseHHMM(w.StartTime); !ok || w.DurationMinutes < 1 {
				t.Fatalf("accepted invalid window %+v", w)
			}
		}
		berlin, _ := time.LoadLocation("Europe/Berlin")
		series, err := s.normalise(berlin, clockDate(2026, 11, 21))
		if err != nil {
			return // e.g. a rule with no occurrence in this zone's calendar is still refused
		}
		rows, _ := maintenanceRows(series, t0, t0.Add(30*24*time.Hour))
		_ = rows
	})
}

func clockDate(y int, m time.Month, d int) clock.Date { return clock.Date{Year: y, Month: m, Day: d} }
