package recur

import (
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func mustLocal(t testing.TB, s string) Local {
	t.Helper()
	l, err := ParseLocal(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustRule(t testing.TB, s string) Rule {
	t.Helper()
	r, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return r
}

func mustSeries(t testing.TB, start, rule string, dur time.Duration, loc *time.Location, ex ...time.Time) *Series {
	t.Helper()
	s, err := New(Spec{Start: mustLocal(t, start), Duration: dur, Location: loc, Rule: mustRule(t, rule), ExDates: ex})
	if err != nil {
		t.Fatalf("New(%s, %s): %v", start, rule, err)
	}
	return s
}

// utc parses "2006-01-02T15:04:05Z".
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dates expands "YYYYMMDD" and "YYYYMMDD-YYYYMMDD" (every day, inclusive)
// items into a list of dates; it keeps the RFC's expected lists short.
func dates(t testing.TB, items ...string) []string {
	t.Helper()
	var out []string
	for _, it := range items {
		if len(it) == 8 {
			out = append(out, it)
			continue
		}
		a, err1 := time.Parse("20060102", it[:8])
		b, err2 := time.Parse("20060102", it[9:])
		if len(it) != 17 || err1 != nil || err2 != nil {
			t.Fatalf("bad date item %q", it)
		}
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			out = append(out, d.Format("20060102"))
		}
	}
	return out
}

// localDates renders occurrence starts as local dates, after checking every
// one starts at clock hh:mm:ss in loc.
func localDates(t testing.TB, occ []Occurrence, loc *time.Location, clock string) []string {
	t.Helper()
	out := make([]string, len(occ))
	for i, o := range occ {
		l := o.Start.In(loc)
		if got := l.Format("15:04:05"); got != clock {
			t.Errorf("occurrence %s starts at %s local, want %s", o.Start, got, clock)
		}
		out[i] = l.Format("20060102")
	}
	return out
}
