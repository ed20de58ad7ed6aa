package recur

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// Occurrence is one instance of a series, as UTC instants. End is Start plus
// the series duration in elapsed time, so an occurrence that spans a DST
// change lasts exactly its duration.
type Occurrence struct {
	Start, End time.Time
}

// Spec is the plain-data description of a series, as stored or received.
type Spec struct {
	// Start is the first occurrence's wall-clock start in Location. Its time of
	// day is the time of day of every occurrence. Seconds are kept; sub-second
	// precision does not exist in Local.
	Start Local
	// Duration is the elapsed length of each occurrence; it must be positive.
	Duration time.Duration
	// Location is the organisation's IANA time zone.
	Location *time.Location
	Rule     Rule
	// ExDates removes the occurrences that start at these instants. Build
	// them from local readings with Local.In or from text with ParseExDates.
	// Sub-second parts are dropped.
	ExDates []time.Time
}

// Series is a validated recurring booking. It is immutable and safe for
// concurrent use.
//
// Following RFC 5545 as implemented by python-dateutil (and rrule-go), the
// start is the lower bound of the series; it is itself an occurrence only if
// it matches the rule (RFC 5545 leaves the unmatched case undefined).
type Series struct {
	spec    Spec
	startF  time.Time // Start as a floating time
	startAt time.Time // Start as an instant: no occurrence begins earlier
	eng     *engine
	exdates map[int64]struct{} // Unix seconds
	// counted holds, for a COUNT series, the start of each of the first COUNT
	// occurrences of the rule, EXDATEs included (they do not reduce COUNT).
	// Expanding once keeps queries cheap: COUNT needs every earlier
	// occurrence to be known anyway.
	counted []time.Time
	first   time.Time // first occurrence of the rule, EXDATEs included
	last    time.Time // bounded series: last occurrence after EXDATEs, or zero
}

// New validates spec and returns its Series. Errors are *Error. A rule that
// can produce no occurrence at all from the start (e.g. FREQ=YEARLY;BYMONTH=2;
// BYMONTHDAY=30) is rejected with Part "RRULE"; a series whose occurrences
// are all removed by EXDATE is valid.
func New(spec Spec) (*Series, error) {
	if !spec.Start.valid() {
		return nil, errf("DTSTART", spec.Start.String(), "not a valid date and time between years 1 and 9999")
	}
	if spec.Duration <= 0 {
		return nil, errf("DURATION", spec.Duration.String(), "must be positive")
	}
	if spec.Location == nil {
		return nil, errf("TZID", "", "a time zone is required")
	}
	if err := spec.Rule.Validate(); err != nil {
		return nil, err
	}
	if spec.Rule.Interval == 0 {
		spec.Rule.Interval = 1
	}
	s := &Series{
		startF:  spec.Start.floating(),
		exdates: make(map[int64]struct{}, len(spec.ExDates)),
	}
	s.startAt = resolve(s.startF, spec.Location)
	s.eng = newEngine(spec.Rule, s.startF)

	// Own the slices so later changes by the caller cannot reach the series.
	ex := make([]time.Time, 0, len(spec.ExDates))
	for _, t := range spec.ExDates {
		t = t.Truncate(time.Second).UTC()
		if _, dup := s.exdates[t.Unix()]; !dup {
			s.exdates[t.Unix()] = struct{}{}
			ex = append(ex, t)
		}
	}
	slices.SortFunc(ex, time.Time.Compare)
	spec.ExDates = ex
	spec.Rule = cloneRule(spec.Rule)
	s.spec = spec

	if u := spec.Rule.Until; !u.IsZero() && !s.withinUntil(s.startF, s.startAt) {
		return nil, errf("UNTIL", u.String(), "is before the series start %s", spec.Start)
	}
	// Checked first, in bounded time: every later expansion relies on the
	// rule having occurrences to find.
	if !s.eng.hasOccurrence() {
		return nil, errf("RRULE", spec.Rule.String(), "the rule produces no occurrence on or after the start %s", spec.Start)
	}
	if spec.Rule.Count > 0 {
		next := s.eng.from(s.startF)
		for range spec.Rule.Count {
			f, ok := next()
			if !ok {
				break
			}
			at := resolve(f, spec.Location)
			// Two readings can meet at one instant only where a zone skips a
			// whole day (Samoa 2011). The reading still counts towards COUNT,
			// but the instant is kept once, so starts stay strictly increasing.
			if n := len(s.counted); n > 0 && !at.After(s.counted[n-1]) {
				continue
			}
			s.counted = append(s.counted, at)
		}
	}
	for at := range s.starts(s.startAt) {
		s.first = at
		break
	}
	if s.first.IsZero() {
		return nil, errf("RRULE", spec.Rule.String(), "the rule produces no occurrence between the start %s and UNTIL", spec.Start)
	}
	if s.Bounded() {
		s.last = s.findLast()
	}
	return s, nil
}

func cloneRule(r Rule) Rule {
	r.ByMonth = slices.Clone(r.ByMonth)
	r.ByWeekNo = slices.Clone(r.ByWeekNo)
	r.ByYearDay = slices.Clone(r.ByYearDay)
	r.ByMonthDay = slices.Clone(r.ByMonthDay)
	r.ByDay = slices.Clone(r.ByDay)
	r.BySetPos = slices.Clone(r.BySetPos)
	return r
}

// withinUntil reports whether an occurrence with floating start f and instant
// at is within UNTIL (always true without one).
func (s *Series) withinUntil(f, at time.Time) bool {
	u := s.spec.Rule.Until
	switch u.Kind {
	case UntilUTC:
		return !at.After(u.T)
	case UntilLocal:
		return !f.After(LocalOf(u.T).floating())
	case UntilDate:
		y, m, d := u.T.Date()
		return f.Before(time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC))
	}
	return true
}

// starts iterates over the start instants of the rule's occurrences at or
// after lo, EXDATEs included, strictly increasing. It seeks: the work done is
// proportional to the occurrences visited, not to how far lo is from the start.
func (s *Series) starts(lo time.Time) iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		if s.spec.Rule.Count > 0 {
			i, _ := slices.BinarySearchFunc(s.counted, lo, time.Time.Compare)
			for _, at := range s.counted[i:] {
				if !yield(at) {
					return
				}
			}
			return
		}
		// Any occurrence at or after lo reads at least lo's wall clock minus the
		// largest possible change of UTC offset; two days covers every zone.
		next := s.eng.from(floatingOf(lo, s.spec.Location).AddDate(0, 0, -2))
		var prev time.Time
		for {
			f, ok := next()
			if !ok {
				return
			}
			at := resolve(f, s.spec.Location)
			if !s.withinUntil(f, at) {
				return
			}
			if at.Before(lo) || !prev.IsZero() && !at.After(prev) {
				continue
			}
			prev = at
			if !yield(at) {
				return
			}
		}
	}
}

func (s *Series) excluded(at time.Time) bool {
	_, ok := s.exdates[at.Unix()]
	return ok
}

// findLast returns the start of the last non-excluded occurrence of a bounded
// series, or zero if EXDATE removed them all. For UNTIL series it searches
// backwards from UNTIL in doubling windows, so it need not expand the series.
func (s *Series) findLast() time.Time {
	if s.spec.Rule.Count > 0 {
		for i := len(s.counted) - 1; i >= 0; i-- {
			if !s.excluded(s.counted[i]) {
				return s.counted[i]
			}
		}
		return time.Time{}
	}
	// hi is past every occurrence: UNTIL's reading plus the 2-day slack that
	// covers any UTC offset, as an instant.
	var hi time.Time
	if u := s.spec.Rule.Until; u.Kind == UntilUTC {
		hi = u.T.Add(time.Second)
	} else {
		y, m, d := u.T.Date()
		hi = resolve(time.Date(y, m, d+2, 0, 0, 0, 0, time.UTC), s.spec.Location)
	}
	span := 32 * 24 * time.Hour
	for {
		lo := hi.Add(-span)
		if lo.Before(s.first) {
			lo = s.first
		}
		var last time.Time
		for at := range s.starts(lo) {
			if !at.Before(hi) {
				break
			}
			if !s.excluded(at) {
				last = at
			}
		}
		if !last.IsZero() || !lo.After(s.first) {
			return last
		}
		hi, span = lo, span*2
	}
}

func (s *Series) occurrence(at time.Time) Occurrence {
	return Occurrence{Start: at.UTC(), End: at.Add(s.spec.Duration).UTC()}
}

// Occurrences iterates, in order, over the occurrences that end after from,
// EXDATEs removed. For an unbounded series it never ends by itself: stop at
// your horizon.
func (s *Series) Occurrences(from time.Time) iter.Seq[Occurrence] {
	return func(yield func(Occurrence) bool) {
		// Starting lo one duration back catches occurrences already under way.
		for at := range s.starts(from.Add(-s.spec.Duration)) {
			if !at.Add(s.spec.Duration).After(from) || s.excluded(at) {
				continue
			}
			if !yield(s.occurrence(at)) {
				return
			}
		}
	}
}

// Between returns the occurrences that overlap the window [from, to) — those
// that start before to and end after from — in order, with UTC instants.
func (s *Series) Between(from, to time.Time) []Occurrence {
	var out []Occurrence
	if !from.Before(to) {
		return out
	}
	for o := range s.Occurrences(from) {
		if !o.Start.Before(to) {
			break
		}
		out = append(out, o)
	}
	return out
}

// Count returns how many occurrences overlap [from, to).
func (s *Series) Count(from, to time.Time) int {
	n := 0
	if !from.Before(to) {
		return 0
	}
	for o := range s.Occurrences(from) {
		if !o.Start.Before(to) {
			break
		}
		n++
	}
	return n
}

// All returns every occurrence that starts before horizon. For a bounded
// series, s.End() is a horizon that returns them all.
func (s *Series) All(horizon time.Time) []Occurrence {
	return s.Between(s.startAt, horizon)
}

// Next returns the first occurrence that starts strictly after after, and
// false if there is none.
func (s *Series) Next(after time.Time) (Occurrence, bool) {
	for at := range s.starts(after) {
		if at.After(after) && !s.excluded(at) {
			return s.occurrence(at), true
		}
	}
	return Occurrence{}, false
}

// Contains reports whether an occurrence of the series starts exactly at the
// instant t (e.g. to check that an attendance record names a real session).
func (s *Series) Contains(t time.Time) bool {
	for at := range s.starts(t) {
		return at.Equal(t) && !s.excluded(at)
	}
	return false
}

// Bounded reports whether the series ends (it has COUNT or UNTIL).
func (s *Series) Bounded() bool {
	return s.spec.Rule.Count > 0 || !s.spec.Rule.Until.IsZero()
}

// End returns the end of the last occurrence of a bounded series, and the zero
// time for an unbounded series or one whose occurrences were all excluded.
// Conflict checks can stop there; for unbounded series pick a horizon.
func (s *Series) End() time.Time {
	if s.last.IsZero() {
		return time.Time{}
	}
	return s.last.Add(s.spec.Duration).UTC()
}

// Spec returns a copy of the series' description, with ExDates normalised to
// sorted, de-duplicated UTC instants.
func (s *Series) Spec() Spec {
	sp := s.spec
	sp.Rule = cloneRule(sp.Rule)
	sp.ExDates = slices.Clone(sp.ExDates)
	return sp
}

// Rule returns the series' rule.
func (s *Series) Rule() Rule { return cloneRule(s.spec.Rule) }

// String returns the series as iCalendar content lines, for a VEVENT:
//
//	DTSTART;TZID=Europe/Berlin:20240101T070000
//	DURATION:PT1H30M
//	RRULE:FREQ=WEEKLY;BYDAY=MO
//	EXDATE:20240108T060000Z
//
// EXDATEs are written in UTC because a local reading inside a fall-back
// overlap could not name the second of its two instants.
func (s *Series) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "DTSTART;TZID=%s:%s\n", s.spec.Location, s.spec.Start.basic())
	fmt.Fprintf(&b, "DURATION:%s\n", icalDuration(s.spec.Duration))
	b.WriteString("RRULE:" + s.spec.Rule.String())
	if len(s.spec.ExDates) > 0 {
		b.WriteString("\nEXDATE:")
		for i, t := range s.spec.ExDates {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(t.Format("20060102T150405Z"))
		}
	}
	return b.String()
}

// icalDuration formats d as an RFC 5545 dur-time. Days ("P1D") are avoided on
// purpose: in iCalendar they are nominal (23 or 25 hours across DST), while d
// is exact.
func icalDuration(d time.Duration) string {
	d = d.Truncate(time.Second)
	h, m, sec := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	out := "PT"
	if h > 0 {
		out += fmt.Sprintf("%dH", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dM", m)
	}
	if sec > 0 || h == 0 && m == 0 {
		out += fmt.Sprintf("%dS", sec)
	}
	return out
}
