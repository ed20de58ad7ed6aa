package recur

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	rrule "github.com/teambition/rrule-go"
	"pgregory.net/rapid"
)

// Zones with DST on both hemispheres, half-hour shifts (Lord Howe), odd
// offsets (Chatham, St John's, Kolkata) and a skipped day (Apia, 2011).
var propZones = []string{"Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe", "Pacific/Apia",
	"Asia/Kolkata", "America/Sao_Paulo", "Europe/London", "Pacific/Chatham", "America/St_Johns"}

func genWeekday(t *rapid.T, label string) Weekday {
	return Weekday(rapid.IntRange(int(Monday), int(Sunday)).Draw(t, label))
}

// genRule draws a valid rule; COUNT and UNTIL are added by genSpec.
func genRule(t *rapid.T) Rule {
	r := Rule{
		Freq:     rapid.SampledFrom([]Frequency{Daily, Weekly, Monthly, Yearly}).Draw(t, "freq"),
		Interval: rapid.IntRange(1, 4).Draw(t, "interval"),
	}
	if rapid.IntRange(0, 3).Draw(t, "wkst?") == 0 {
		r.WeekStart = genWeekday(t, "wkst")
	}
	if r.Freq == Yearly && rapid.IntRange(0, 4).Draw(t, "weekno?") == 0 {
		r.ByWeekNo = rapid.SliceOfN(rapid.SampledFrom([]int{1, 2, 20, 52, 53, -1}), 1, 2).Draw(t, "byweekno")
	}
	if r.Freq == Yearly && rapid.IntRange(0, 4).Draw(t, "yearday?") == 0 {
		r.ByYearDay = rapid.SliceOfN(rapid.SampledFrom([]int{1, 59, 60, 100, 200, 365, 366, -1, -100}), 1, 3).Draw(t, "byyearday")
	}
	if rapid.Bool().Draw(t, "byday?") {
		ordinal := (r.Freq == Monthly || r.Freq == Yearly) && len(r.ByWeekNo) == 0 && rapid.Bool().Draw(t, "ordinal?")
		n := rapid.IntRange(1, 3).Draw(t, "nbyday")
		for i := range n {
			w := WeekdayNum{Day: genWeekday(t, "day")}
			if ordinal {
				w.N = rapid.SampledFrom([]int{1, 2, 3, 4, -1, -2}).Draw(t, "n")
			}
			_ = i
			r.ByDay = append(r.ByDay, w)
		}
	}
	if r.Freq != Weekly && rapid.IntRange(0, 2).Draw(t, "bymonthday?") == 0 {
		r.ByMonthDay = rapid.SliceOfN(rapid.SampledFrom([]int{1, 2, 13, 15, 28, 29, 30, 31, -1, -3}), 1, 3).Draw(t, "bymonthday")
	}
	if rapid.IntRange(0, 3).Draw(t, "bymonth?") == 0 {
		r.ByMonth = rapid.SliceOfN(rapid.IntRange(1, 12), 1, 3).Draw(t, "bymonth")
	}
	if len(r.ByMonth)+len(r.ByWeekNo)+len(r.ByYearDay)+len(r.ByMonthDay)+len(r.ByDay) > 0 &&
		rapid.IntRange(0, 3).Draw(t, "bysetpos?") == 0 {
		r.BySetPos = rapid.SliceOfN(rapid.SampledFrom([]int{1, 2, -1, -2}), 1, 2).Draw(t, "bysetpos")
	}
	return r
}

func genLocal(t *rapid.T) Local {
	l := Local{
		Year:  rapid.IntRange(1995, 2040).Draw(t, "year"),
		Month: time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
		Day:   rapid.IntRange(1, 28).Draw(t, "day"),
		// Early-morning hours are over-represented: that is where DST bites.
		Hour:   rapid.OneOf(rapid.IntRange(0, 23), rapid.IntRange(0, 3)).Draw(t, "hour"),
		Minute: rapid.SampledFrom([]int{0, 15, 30, 45, 59}).Draw(t, "minute"),
	}
	return l
}

// genSeries draws a valid series, skipping the (rare) rules New rejects for
// producing no occurrence.
func genSeries(t *rapid.T, zones []string) *Series {
	loc, err := time.LoadLocation(rapid.SampledFrom(zones).Draw(t, "zone"))
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{
		Start:    genLocal(t),
		Duration: time.Duration(rapid.IntRange(1, 48*4).Draw(t, "quarter-hours")) * 15 * time.Minute,
		Location: loc,
		Rule:     genRule(t),
	}
	switch rapid.IntRange(0, 2).Draw(t, "end") {
	case 1:
		spec.Rule.Count = rapid.IntRange(1, 40).Draw(t, "count")
	case 2:
		u := spec.Start.floating().AddDate(0, 0, rapid.IntRange(0, 5*366).Draw(t, "until-days"))
		kind := rapid.SampledFrom([]UntilKind{UntilUTC, UntilLocal, UntilDate}).Draw(t, "until-kind")
		if kind == UntilDate {
			u = u.Truncate(24 * time.Hour)
		}
		spec.Rule.Until = Until{Kind: kind, T: u}
	}
	s, err := New(spec)
	var re *Error
	if errors.As(err, &re) && (re.Part == "RRULE" || re.Part == "UNTIL") {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("New(%s): %v", spec.Rule, err)
	}
	return s
}

// genWindow draws [from, to) somewhere from just before the start to six
// years after it.
func genWindow(t *rapid.T, s *Series) (time.Time, time.Time) {
	from := s.startAt.Add(time.Duration(rapid.IntRange(-48, 6*366*24).Draw(t, "from-hours")) * time.Hour)
	to := from.Add(time.Duration(rapid.IntRange(1, 120*24).Draw(t, "len-hours")) * time.Hour)
	return from, to
}

// oracle expands s the slow, obvious way: rrule-go's own parser and iterator
// from DTSTART, no seeking, and filters the whole prefix. RFC 5545 UNTIL is
// applied here because the library would compare it to floating times.
func oracle(t *rapid.T, s *Series, from, to time.Time) []Occurrence {
	sp := s.Spec()
	r := sp.Rule
	r.Until = Until{}
	opt, err := rrule.StrToROption(r.String())
	if err != nil {
		t.Fatalf("rrule-go cannot parse %s: %v", r, err)
	}
	opt.Dtstart = sp.Start.floating()
	rr, err := rrule.NewRRule(*opt)
	if err != nil {
		t.Fatal(err)
	}
	ex := make(map[time.Time]bool)
	for _, e := range sp.ExDates {
		ex[e] = true
	}
	var out []Occurrence
	var prev time.Time
	next := rr.Iterator()
	for {
		f, ok := next()
		if !ok {
			break
		}
		at := resolve(f, sp.Location)
		switch u := sp.Rule.Until; u.Kind {
		case UntilUTC:
			ok = !at.After(u.T)
		case UntilLocal:
			ok = !f.After(u.T)
		case UntilDate:
			ok = f.Before(u.T.AddDate(0, 0, 1))
		}
		if !ok || !at.Before(to) {
			break
		}
		if !prev.IsZero() && !at.After(prev) {
			continue
		}
		prev = at
		if !ex[at] && at.Add(sp.Duration).After(from) {
			out = append(out, Occurrence{at, at.Add(sp.Duration)})
		}
	}
	return out
}

// TestPropMatchesFullExpansion: seeking gives exactly what expanding the whole
// series from its start and filtering gives.
func TestPropMatchesFullExpansion(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSeries(t, propZones)
		if s.spec.Rule.Freq == Weekly && len(s.spec.Rule.BySetPos) > 0 {
			// The library applies BYSETPOS to the part of the first week after
			// DTSTART only; this package to the whole week (RFC 5545).
			t.Skip("known library difference")
		}
		from, to := genWindow(t, s)
		if diff := cmp.Diff(oracle(t, s, from, to), s.Between(from, to), cmp.Comparer(time.Time.Equal)); diff != "" {
			t.Fatalf("%s\nBetween(%s, %s) (-oracle +got):\n%s", s, from, to, diff)
		}
	})
}

// TestPropSplitWindow: [a,c) == [a,b) ∪ [b,c), de-duplicated (an occurrence
// spanning b is in both halves).
func TestPropSplitWindow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSeries(t, propZones)
		a, c := genWindow(t, s)
		b := a.Add(time.Duration(rapid.Int64Range(0, int64(c.Sub(a))).Draw(t, "split")))
		// Several occurrences can straddle b when the duration exceeds their
		// spacing, so sort before removing duplicates.
		union := append(s.Between(a, b), s.Between(b, c)...)
		slices.SortStableFunc(union, func(x, y Occurrence) int { return x.Start.Compare(y.Start) })
		union = slices.CompactFunc(union, func(x, y Occurrence) bool { return x.Start.Equal(y.Start) })
		if diff := cmp.Diff(s.Between(a, c), union); diff != "" {
			t.Fatalf("%s\n(-whole +halves):\n%s", s, diff)
		}
	})
}

// TestPropOccurrenceShape: starts strictly increase, are in UTC, last exactly
// the duration, overlap the window, and read the series' wall-clock time (or
// its RFC 5545 replacement where that time does not exist that day); Next and
// Contains agree with Between.
func TestPropOccurrenceShape(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSeries(t, propZones)
		from, to := genWindow(t, s)
		occ := s.Between(from, to)
		st := s.spec.Start
		for i, o := range occ {
			if o.Start.Location() != time.UTC || o.End.Location() != time.UTC {
				t.Fatalf("occurrence %v not in UTC", o)
			}
			if i > 0 && !o.Start.After(occ[i-1].Start) {
				t.Fatalf("starts not strictly increasing: %v then %v", occ[i-1].Start, o.Start)
			}
			if o.End.Sub(o.Start) != s.spec.Duration || !o.Start.Before(to) || !o.End.After(from) {
				t.Fatalf("occurrence %v does not overlap [%v,%v) or has the wrong length", o, from, to)
			}
			l := LocalOf(o.Start.In(s.spec.Location))
			want := Local{l.Year, l.Month, l.Day, st.Hour, st.Minute, st.Second}.In(s.spec.Location)
			if !want.Equal(o.Start) {
				// A gap can push a late-evening start past midnight.
				prev := LocalOf(o.Start.In(s.spec.Location).AddDate(0, 0, -1))
				alt := Local{prev.Year, prev.Month, prev.Day, st.Hour, st.Minute, st.Second}.In(s.spec.Location)
				if !alt.Equal(o.Start) {
					t.Fatalf("%s: occurrence at %v local is not the series' %02d:%02d", s, l, st.Hour, st.Minute)
				}
			}
			if !s.Contains(o.Start) || s.Contains(o.Start.Add(time.Second)) {
				t.Fatalf("Contains disagrees at %v", o.Start)
			}
			if n, ok := s.Next(o.Start.Add(-time.Second)); !ok || !n.Start.Equal(o.Start) {
				t.Fatalf("Next(%v - 1s) = %v, %v", o.Start, n, ok)
			}
		}
		if n := s.Count(from, to); n != len(occ) {
			t.Fatalf("Count = %d, len(Between) = %d", n, len(occ))
		}
	})
}

// TestPropExDates: EXDATE'd instants never come back, and nothing else goes.
func TestPropExDates(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := genSeries(t, propZones)
		from, to := genWindow(t, base)
		all := base.Between(from, to)
		var ex []time.Time
		drop := make(map[time.Time]bool)
		for _, o := range all {
			if rapid.IntRange(0, 3).Draw(t, "exclude?") == 0 {
				ex = append(ex, o.Start.In(base.spec.Location)) // any zone names the same instant
				drop[o.Start] = true
			}
		}
		// Instants that are not occurrences change nothing.
		ex = append(ex, from.Add(time.Duration(rapid.IntRange(0, 1000).Draw(t, "noise"))*time.Minute+time.Second))
		spec := base.Spec()
		spec.ExDates = ex
		s, err := New(spec)
		if err != nil {
			t.Fatal(err)
		}
		var want []Occurrence
		for _, o := range all {
			if !drop[o.Start] {
				want = append(want, o)
			}
		}
		got := s.Between(from, to)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
		for _, o := range got {
			if drop[o.Start] || s.Contains(o.Start) != true {
				t.Fatalf("excluded %v returned", o.Start)
			}
		}
		for at := range drop {
			if s.Contains(at) {
				t.Fatalf("Contains(%v) true for an EXDATE", at)
			}
		}
	})
}

// TestPropCount: COUNT=n gives exactly n occurrences over a wide window, and
// End is the end of the last.
func TestPropCount(t *testing.T) {
	// Apia is left out: its skipped day merges two readings into one instant.
	zones := slices.DeleteFunc(slices.Clone(propZones), func(z string) bool { return z == "Pacific/Apia" })
	rapid.Check(t, func(t *rapid.T) {
		s := genSeries(t, zones)
		n := s.spec.Rule.Count
		if n == 0 {
			t.Skip("not a COUNT series")
		}
		// Sparse rules (e.g. 1 January on a Monday, every other day) can need
		// millennia, so the window runs to the engine's limit, year 9999.
		from, to := s.startAt.Add(-48*time.Hour), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		all := s.Between(from, to)
		if len(all) != n {
			if s.spec.Rule.Freq != Weekly || len(s.spec.Rule.BySetPos) == 0 {
				if o := oracle(t, s, from, to); len(o) < n && len(o) == len(all) {
					t.Skipf("the rule has only %d occurrences before year 10000", len(o))
				}
			}
			t.Fatalf("%s: %d occurrences, want COUNT=%d", s, len(all), n)
		}
		if !s.End().Equal(all[n-1].End) {
			t.Fatalf("End() = %v, want %v", s.End(), all[n-1].End)
		}
	})
}

// TestPropRoundTrip: Parse(r.String()) == r for every valid rule.
func TestPropRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := genRule(t)
		if rapid.Bool().Draw(t, "count?") {
			r.Count = rapid.IntRange(1, MaxCount).Draw(t, "count")
		}
		got, err := Parse(r.String())
		if err != nil {
			t.Fatalf("Parse(%q): %v", r.String(), err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Fatalf("(-built +parsed):\n%s", diff)
		}
	})
}

// TestPropHasOccurrence: the bounded, cycle-shifted probe New uses agrees with
// letting the library search unshifted up to year 9999.
func TestPropHasOccurrence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := genRule(t)
		// Larger intervals exercise cycles too long to shift.
		r.Interval = rapid.SampledFrom([]int{1, 2, 3, 4, 7, 12, 25, 400, 1000}).Draw(t, "interval")
		e := newEngine(r, genLocal(t).floating())
		_, want := e.from(e.startF)()
		if got := e.hasOccurrence(); got != want {
			t.Fatalf("%s from %s: hasOccurrence = %v, unshifted search = %v", r, e.startF, got, want)
		}
	})
}
