package recur

import (
	"fmt"
	"time"
)

// Local is a wall-clock date and time with no zone attached: what a person in
// the organisation reads off the clock on the wall. Series keep their start as
// a Local so that "07:00" stays 07:00 across DST changes.
type Local struct {
	Year   int
	Month  time.Month
	Day    int
	Hour   int
	Minute int
	Second int
}

// LocalOf returns the wall-clock reading of t in t's own location.
func LocalOf(t time.Time) Local {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return Local{y, mo, d, h, mi, s}
}

// ParseLocal parses a wall-clock date-time in iCalendar basic form
// ("20240131T070000") or ISO 8601 extended form ("2024-01-31T07:00:00", seconds
// optional). A trailing "Z" or offset is rejected: the value is a local time.
func ParseLocal(s string) (Local, error) {
	for _, layout := range []string{"20060102T150405", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return LocalOf(t), nil
		}
	}
	return Local{}, errf("DTSTART", s, "want a local date-time such as 20240131T070000 or 2024-01-31T07:00")
}

// String formats l in ISO 8601 extended form, e.g. "2024-01-31T07:00:00".
func (l Local) String() string {
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", l.Year, int(l.Month), l.Day, l.Hour, l.Minute, l.Second)
}

// basic formats l as an iCalendar local DATE-TIME ("20240131T070000").
func (l Local) basic() string {
	return fmt.Sprintf("%04d%02d%02dT%02d%02d%02d", l.Year, int(l.Month), l.Day, l.Hour, l.Minute, l.Second)
}

// valid reports whether l names a real calendar date and clock time (time.Date
// would silently normalise 2024-02-30 to March 1st) in the years the expansion
// engine supports.
func (l Local) valid() bool {
	if l.Year < 1 || l.Year > 9999 {
		return false
	}
	return LocalOf(l.floating()) == l
}

// floating returns l as a "floating" time: the same wall-clock fields in UTC,
// a zone without DST, so calendar arithmetic on it never skips or repeats.
func (l Local) floating() time.Time {
	return time.Date(l.Year, l.Month, l.Day, l.Hour, l.Minute, l.Second, 0, time.UTC)
}

// In returns the instant at which clocks in loc read l, choosing by the rule of
// RFC 5545 §3.3.5 where the reading is not unique:
//
//   - a time that does not exist (inside a spring-forward gap, e.g. 02:30 on the
//     day clocks jump from 02:00 to 03:00) is read with the UTC offset in force
//     before the gap, which moves it forward by the gap length (02:30 -> 03:30);
//   - a time that exists twice (inside a fall-back overlap) is the first of the
//     two instants, i.e. read with the offset in force before the transition.
//
// time.Date does not guarantee either choice, and in practice differs by zone.
func (l Local) In(loc *time.Location) time.Time {
	return resolve(l.floating(), loc).In(loc)
}

const day = 24 * 60 * 60 // seconds

// resolve is Local.In on a floating time; the result is in UTC.
func resolve(f time.Time, loc *time.Location) time.Time {
	w := f.Unix() // the wall-clock reading, counted as if it were UTC
	// Offsets in force a day either side. A day is wider than any UTC offset
	// (at most ±14h) and any single transition (at most 24h, Samoa 2011), and no
	// real zone has two transitions within two days, so these are the only
	// candidates for reading w.
	_, before := time.Unix(w-day, 0).In(loc).Zone()
	_, after := time.Unix(w+day, 0).In(loc).Zone()
	// With the larger offset first, the earlier instant is tried first: in an
	// overlap both read back correctly and RFC 5545 wants the first.
	first, second := before, after
	if second > first {
		first, second = second, first
	}
	for _, off := range [2]int{first, second} {
		u := w - int64(off)
		if _, got := time.Unix(u, 0).In(loc).Zone(); got == off {
			return time.Unix(u, 0).UTC()
		}
	}
	// Neither offset reads back: w is in a gap. Use the offset from before it.
	return time.Unix(w-int64(before), 0).UTC()
}

// floatingOf returns the wall-clock reading of instant t in loc as a floating time.
func floatingOf(t time.Time, loc *time.Location) time.Time {
	return LocalOf(t.In(loc)).floating()
}
