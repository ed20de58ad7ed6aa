package access

import (
	"fmt"
	"time"
)

// ClockTime is a wall-clock time of day, HH:MM. Minutes is 0–1440; 1440 ("24:00")
// is allowed only as the end of a time window.
type ClockTime struct{ Minutes int }

// ParseClockTime reads "HH:MM" (00:00–23:59, or 24:00 when allow24 is set).
func ParseClockTime(s string, allow24 bool) (ClockTime, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return ClockTime{}, fmt.Errorf("%q is not a time of day in the form HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil {
		return ClockTime{}, fmt.Errorf("%q is not a time of day in the form HH:MM", s)
	}
	if allow24 && h == 24 && m == 0 {
		return ClockTime{Minutes: 1440}, nil
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return ClockTime{}, fmt.Errorf("%q is not a time of day between 00:00 and 23:59", s)
	}
	return ClockTime{Minutes: h*60 + m}, nil
}

func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", c.Minutes/60, c.Minutes%60) }

// LocalInstant returns the instant at which the wall clock of loc shows hh:mm on
// the given calendar day, resolving DST edges the way people expect:
//   - in the repeated hour of a fall-back night, the first occurrence;
//   - in the skipped hour of a spring-forward night, the moment the clock jumps
//     (so a reset set for 02:30 happens at 03:00 CEST, not an hour later or never).
func LocalInstant(year int, month time.Month, day int, c ClockTime, loc *time.Location) time.Time {
	h, m := c.Minutes/60, c.Minutes%60
	t := time.Date(year, month, day, h, m, 0, 0, loc)
	if lt := t.In(loc); lt.Hour() != h || lt.Minute() != m || lt.Day() != day {
		// The wall-clock time does not exist: it lies in a gap. The gap ends at a
		// zone transition next to t.
		start, end := t.ZoneBounds()
		for _, b := range []time.Time{start, end} {
			if !b.IsZero() && absDuration(b.Sub(t)) <= 3*time.Hour {
				lb := b.In(loc)
				if lb.Day() == day && lb.Hour()*60+lb.Minute() > c.Minutes {
					return b
				}
			}
		}
		return t
	}
	// Exists; if it exists twice, take the earlier one. The earlier occurrence is
	// in the zone before t's, with a larger offset.
	start, _ := t.ZoneBounds()
	if !start.IsZero() && t.Sub(start) < 3*time.Hour {
		_, offNow := t.Zone()
		_, offPrev := start.Add(-time.Second).Zone()
		if offPrev > offNow {
			earlier := t.Add(-time.Duration(offPrev-offNow) * time.Second)
			if earlier.Before(start) {
				if le := earlier.In(loc); le.Hour() == h && le.Minute() == m {
					return earlier
				}
			}
		}
	}
	return t
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// LastReset is the most recent reset boundary at or before now: the zone's reset
// time on today's local date, or on yesterday's if that is still ahead. An open
// check-in that began before it counts as closed (its member forgot to check out).
func LastReset(now time.Time, loc *time.Location, reset ClockTime) time.Time {
	l := now.In(loc)
	b := LocalInstant(l.Year(), l.Month(), l.Day(), reset, loc)
	if b.After(now) {
		// Step back one calendar day (noon never falls into a DST gap).
		y := time.Date(l.Year(), l.Month(), l.Day()-1, 12, 0, 0, 0, loc)
		b = LocalInstant(y.Year(), y.Month(), y.Day(), reset, loc)
	}
	return b.UTC()
}
