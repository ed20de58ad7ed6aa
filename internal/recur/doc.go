// Package recur expands iCalendar recurrence rules (RFC 5545 RRULE and EXDATE)
// for bookings: a Series is a wall-clock start time in an IANA time zone, a
// duration, a Rule and a set of excluded instants.
//
// The date arithmetic of RFC 5545 (BYDAY ordinals, BYSETPOS, BYWEEKNO, ...) is
// delegated to github.com/teambition/rrule-go. This package wraps it because
// the library, on its own, does not meet what bookings need:
//
//   - It always iterates from DTSTART, so asking about one week ten years into a
//     series would walk ten years of occurrences. Series re-anchors the library
//     at the start of the interval-aligned period that contains the window, so
//     a query costs the size of the window, not the age of the series.
//   - It builds times with time.Date, whose choice at DST transitions is
//     unspecified and differs by zone (Europe/Berlin picks the later reading of
//     an ambiguous time, America/New_York moves a nonexistent time backwards).
//     Series runs the library on "floating" wall-clock times (UTC with no DST)
//     and converts each to an instant itself, by the rule of RFC 5545 §3.3.5.
//   - Its parser returns untyped errors and accepts values RFC 5545 forbids.
//     Parse is this package's own and reports a *Error naming the rule part.
//
// Policies (DST, horizons, limits) are documented in docs/recurrence.md.
package recur
