package recur

import "fmt"

// Error reports invalid or unsupported recurrence input. Part names the field at
// fault so an HTTP layer can point at it: an RRULE part ("FREQ", "BYDAY",
// "UNTIL", ...), "RRULE" for the rule as a whole, or one of the series fields
// "DTSTART", "DURATION", "TZID" and "EXDATE".
type Error struct {
	Part   string // which field or rule part is at fault
	Value  string // the offending text, if any
	Reason string // human-readable explanation
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("recur: %s: %s", e.Part, e.Reason)
	}
	return fmt.Sprintf("recur: %s=%q: %s", e.Part, e.Value, e.Reason)
}

func errf(part, value, format string, args ...any) *Error {
	return &Error{Part: part, Value: value, Reason: fmt.Sprintf(format, args...)}
}
