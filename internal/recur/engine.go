package recur

import (
	"time"

	rrule "github.com/teambition/rrule-go"
)

// engine runs rrule-go on floating times (wall-clock readings expressed in UTC,
// which has no DST), so the library only ever does calendar arithmetic; turning
// readings into instants is resolve's job.
type engine struct {
	rule     Rule
	opt      rrule.ROption // the rule with every implicit part made explicit
	freq     Frequency
	interval int
	startF   time.Time // the series start, floating
	week0    int64     // WEEKLY: day number of the WKST-aligned week holding startF
}

func newEngine(r Rule, startF time.Time) *engine {
	e := &engine{rule: r, freq: r.Freq, interval: r.interval(), startF: startF}
	opt := rrule.ROption{
		Interval: e.interval,
		// Without UNTIL the library stops 292 years after DTSTART; make its
		// only limit the end of year 9999, which hasOccurrence relies on.
		Until:      time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC),
		Wkst:       libWeekday(r.weekStart()),
		Bymonth:    r.ByMonth,
		Byweekno:   r.ByWeekNo,
		Byyearday:  r.ByYearDay,
		Bymonthday: r.ByMonthDay,
		Bysetpos:   r.BySetPos,
		// The time of day comes from the series start. It is explicit because
		// the library would otherwise take it from DTSTART, which we move.
		Byhour:   []int{startF.Hour()},
		Byminute: []int{startF.Minute()},
		Bysecond: []int{startF.Second()},
	}
	for _, w := range r.ByDay {
		lw := libWeekday(w.Day)
		opt.Byweekday = append(opt.Byweekday, lw.Nth(w.N))
	}
	// RFC 5545 fills in parts missing from the rule from DTSTART (a bare
	// FREQ=MONTHLY repeats on DTSTART's day of the month). The library does the
	// same, but from whatever DTSTART it is given; since we re-anchor DTSTART
	// per query, pin the defaults to the real start here.
	if len(r.ByWeekNo)+len(r.ByYearDay)+len(r.ByMonthDay)+len(r.ByDay) == 0 {
		switch r.Freq {
		case Yearly:
			if len(opt.Bymonth) == 0 {
				opt.Bymonth = []int{int(startF.Month())}
			}
			opt.Bymonthday = []int{startF.Day()}
		case Monthly:
			opt.Bymonthday = []int{startF.Day()}
		case Weekly:
			opt.Byweekday = []rrule.Weekday{libWeekday(WeekdayOf(startF.Weekday()))}
		}
	}
	switch r.Freq {
	case Daily:
		opt.Freq = rrule.DAILY
	case Weekly:
		opt.Freq = rrule.WEEKLY
		back := (int(WeekdayOf(startF.Weekday())) - int(r.weekStart()) + 7) % 7
		e.week0 = dayNumber(startF) - int64(back)
	case Monthly:
		opt.Freq = rrule.MONTHLY
	case Yearly:
		opt.Freq = rrule.YEARLY
	}
	e.opt = opt
	return e
}

func libWeekday(d Weekday) rrule.Weekday {
	return [...]rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU}[d-Monday]
}

// dayNumber counts days since 1970-01-01 for a floating time.
func dayNumber(f time.Time) int64 {
	s := f.Unix()
	if s < 0 {
		return (s - day + 1) / day
	}
	return s / day
}

func fromDayNumber(n int64) time.Time { return time.Unix(n*day, 0).UTC() }

// anchor returns midnight at the start of the interval-aligned period (day,
// WKST week, month or year) that contains the floating time x, never before the
// period holding the series start. Starting the library there yields exactly
// the occurrences the series has from that period on, because every period
// the rule visits is a whole number of intervals from the first one. BYSETPOS
// then also sees the whole period, as RFC 5545 intends (the library, started
// mid-week, would apply it to the rest of the week only).
func (e *engine) anchor(x time.Time) time.Time {
	if x.Before(e.startF) {
		x = e.startF
	}
	n := int64(e.interval)
	switch e.freq {
	case Daily:
		d0 := dayNumber(e.startF)
		return fromDayNumber(d0 + (dayNumber(x)-d0)/n*n)
	case Weekly:
		return fromDayNumber(e.week0 + (dayNumber(x)-e.week0)/(7*n)*(7*n))
	case Monthly:
		m0 := int64(e.startF.Year())*12 + int64(e.startF.Month()) - 1
		m := m0 + (int64(x.Year())*12+int64(x.Month())-1-m0)/n*n
		return time.Date(int(m/12), time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC)
	default: // Yearly
		y0 := int64(e.startF.Year())
		y := y0 + (int64(x.Year())-y0)/n*n
		return time.Date(int(y), time.January, 1, 0, 0, 0, 0, time.UTC)
	}
}

// cycleYears returns the length in years after which the rule's pattern
// repeats: the Gregorian calendar repeats every 400 years (146097 days = 20871
// weeks = 4800 months = 400 years, a whole number of weeks), and the interval
// must come back into step with it too.
func (e *engine) cycleYears() int64 {
	units := map[Frequency]int64{Daily: 146097, Weekly: 20871, Monthly: 4800, Yearly: 400}[e.freq]
	n := int64(e.interval)
	a, b := n, units
	for b != 0 {
		a, b = b, a%b
	}
	return n / a * 400
}

// hasOccurrence reports whether the rule has any occurrence at or after the
// series start, in bounded time.
//
// The library cannot be interrupted: on a rule that never matches (BYMONTH=2;
// BYMONTHDAY=30) it walks to year 9999, up to ~60 ms for FREQ=DAILY. But the
// pattern repeats every cycleYears, so if there is an occurrence at all there
// is one within a cycle of the start. Moving the start (either way) by whole
// 400-year cycles, which maps every date to one with the same weekday and leap
// status, puts the end of that first cycle just before year 9999, where the
// library stops by itself. That caps the search at one cycle: at most 146097
// library steps, a few milliseconds. (A cycle too long to fit means a large
// INTERVAL, and so few steps to year 9999 anyway.)
func (e *engine) hasOccurrence() bool {
	y := int64(e.startF.Year())
	shift := 9998 - e.cycleYears() - y
	shift -= (shift%400 + 400) % 400 // round down to a multiple of 400
	if y+shift < 2 {
		shift = 0
	}
	probe := newEngine(e.rule, e.startF.AddDate(int(shift), 0, 0))
	_, ok := probe.from(probe.startF)()
	return ok
}

// from returns an iterator over the floating start times of the rule's
// occurrences at or after x (and at or after the series start), ascending.
// COUNT and UNTIL are not applied: the caller does that, UNTIL against instants.
// The library iterates until it finds an occurrence or passes year 9999. New
// refuses rules without occurrences (see hasOccurrence), and for the others
// the next occurrence is at most one cycle away, so every call is bounded.
func (e *engine) from(x time.Time) func() (time.Time, bool) {
	if x.Before(e.startF) {
		x = e.startF
	}
	opt := e.opt
	opt.Dtstart = e.anchor(x)
	r, err := rrule.NewRRule(opt)
	if err != nil {
		// Validate checks everything the library checks; reaching this is a bug
		// in this package, and an empty series is the safe answer.
		return func() (time.Time, bool) { return time.Time{}, false }
	}
	next := r.Iterator()
	return func() (time.Time, bool) {
		for {
			f, ok := next()
			if !ok || !f.Before(x) {
				return f, ok
			}
		}
	}
}
