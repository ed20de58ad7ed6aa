package recur

import (
	"strings"
	"time"
)

// ParseExDates parses an EXDATE property or just its value into instants.
// Accepted forms:
//
//	EXDATE;TZID=Europe/Berlin:20240101T070000,20240108T070000
//	EXDATE:20240101T060000Z
//	20240101T070000,20240108T060000Z
//
// A value with a trailing Z is UTC; one without is a wall-clock reading in
// the TZID zone if given, else in loc, resolved like every local time in this
// package (see Local.In). DATE values (VALUE=DATE) are rejected: pass the
// occurrence's start instead. Errors are *Error with Part "EXDATE".
func ParseExDates(s string, loc *time.Location) ([]time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 64*1024 {
		return nil, errf("EXDATE", "", "value is too long")
	}
	value := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		params := strings.Split(s[:i], ";")
		if !strings.EqualFold(params[0], "EXDATE") {
			return nil, errf("EXDATE", s[:i], "want EXDATE;params:values or just the values")
		}
		for _, p := range params[1:] {
			name, val, _ := strings.Cut(p, "=")
			switch strings.ToUpper(name) {
			case "TZID":
				z, err := time.LoadLocation(strings.Trim(val, `"`))
				if err != nil || val == "" {
					return nil, errf("EXDATE", val, "unknown time zone")
				}
				loc = z
			case "VALUE":
				if !strings.EqualFold(val, "DATE-TIME") {
					return nil, errf("EXDATE", p, "only DATE-TIME values are supported")
				}
			default:
				return nil, errf("EXDATE", p, "unsupported parameter")
			}
		}
		value = s[i+1:]
	}
	var out []time.Time
	for _, v := range strings.Split(value, ",") {
		v = strings.ToUpper(strings.TrimSpace(v))
		if t, err := time.Parse("20060102T150405Z", v); err == nil && len(v) == 16 {
			out = append(out, t)
			continue
		}
		t, err := time.Parse("20060102T150405", v)
		if err != nil || len(v) != 15 || t.Year() < 1 {
			return nil, errf("EXDATE", v, "want 20240101T070000 (local) or 20240101T060000Z (UTC)")
		}
		if loc == nil {
			return nil, errf("EXDATE", v, "a local time needs a time zone")
		}
		out = append(out, LocalOf(t).In(loc).UTC())
	}
	return out, nil
}
