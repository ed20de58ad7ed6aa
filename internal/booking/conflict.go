package booking

import (
	"cmp"
	"slices"
	"time"
)

// Interval is a half-open span of time [Start, End): an occurrence that ends
// at 10:00 and one that starts at 10:00 do not overlap.
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Overlaps reports whether two half-open intervals share an instant.
func (i Interval) Overlaps(o Interval) bool {
	return i.Start.Before(o.End) && o.Start.Before(i.End)
}

// Slot is an interval that holds a resource: an occurrence of a booking or of a
// maintenance window.
type Slot struct {
	Interval
	BookingID *int64 // nil for maintenance
	Kind      string // booked-for type (MEMBER, COURSE, …) or MAINTENANCE
	Title     string
}

// Conflict pairs a wanted occurrence with an existing slot it overlaps.
type Conflict struct {
	Wanted   Interval
	Existing Slot
}

// FindConflicts returns every pair (wanted occurrence, existing slot) that
// overlaps, ordered by the wanted occurrence and then the existing slot. It is
// the whole conflict rule, free of I/O: the store only narrows existing down to
// the slots near the wanted ones. Both inputs may be in any order; existing
// slots may overlap each other (tentative ones are not constrained).
//
// Cost: O((n+m) log(n+m) + k) for n wanted, m existing and k conflicts, by a
// sweep over both lists sorted by start.
func FindConflicts(wanted []Interval, existing []Slot) []Conflict {
	w := slices.Clone(wanted)
	e := slices.Clone(existing)
	slices.SortFunc(w, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	slices.SortFunc(e, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	var out []Conflict
	// open holds existing slots that started before the current wanted one's
	// end and might still overlap later wanted occurrences.
	var open []Slot
	j := 0
	for _, iv := range w {
		for j < len(e) && e[j].Start.Before(iv.End) {
			open = append(open, e[j])
			j++
		}
		// Drop slots that ended by the time this occurrence starts: wanted
		// ones are sorted by start, so no later occurrence can overlap them.
		kept := open[:0]
		for _, s := range open {
			if s.End.After(iv.Start) {
				kept = append(kept, s)
			}
		}
		open = kept
		for _, s := range open {
			if s.Interval.Overlaps(iv) {
				out = append(out, Conflict{Wanted: iv, Existing: s})
			}
		}
	}
	return out
}

// SelfOverlap returns the first pair of occurrences of one series that overlap
// each other (a daily series of 25-hour bookings), or false.
func SelfOverlap(occ []Interval) (Interval, Interval, bool) {
	s := slices.Clone(occ)
	slices.SortFunc(s, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	for i := 1; i < len(s); i++ {
		if s[i].Start.Before(s[i-1].End) {
			return s[i-1], s[i], true
		}
	}
	return Interval{}, Interval{}, false
}

// Busy is a busy interval of a resource, for availability.
type Busy struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Kind  string    `json:"kind" doc:"What holds the resource: BOOKING (a member's or an event's booking), COURSE, EVENT, MEMBER or MAINTENANCE."`
}

// Availability is the answer of the availability query.
type Availability struct {
	From      time.Time  `json:"from"`
	To        time.Time  `json:"to"`
	Available bool       `json:"available" doc:"True when nothing holds the resource anywhere in [from, to)."`
	Busy      []Busy     `json:"busy" nullable:"false"`
	Free      []Interval `json:"free" nullable:"false"`
	Tentative []Busy     `json:"tentative" nullable:"false" doc:"Tentative bookings: shown, but they do not block other bookings."`
}

// Availabilities merges the slots that hold a resource into busy and free
// intervals within [from, to). Busy intervals are clipped to the window and
// kept per slot (so each keeps its kind), sorted by start then kind; free
// intervals are the gaps between their union. A pure function: the caller
// passes in what the store found.
func Availabilities(from, to time.Time, held []Busy) Availability {
	a := Availability{From: from.UTC(), To: to.UTC(), Busy: []Busy{}, Free: []Interval{}, Tentative: []Busy{}}
	for _, b := range held {
		if !b.Start.Before(to) || !b.End.After(from) {
			continue
		}
		b.Start, b.End = maxTime(b.Start, from).UTC(), minTime(b.End, to).UTC()
		a.Busy = append(a.Busy, b)
	}
	slices.SortFunc(a.Busy, func(x, y Busy) int {
		return cmp.Or(x.Start.Compare(y.Start), x.End.Compare(y.End), cmp.Compare(x.Kind, y.Kind))
	})
	cursor := from.UTC()
	for _, b := range a.Busy {
		if b.Start.After(cursor) {
			a.Free = append(a.Free, Interval{Start: cursor, End: b.Start})
		}
		cursor = maxTime(cursor, b.End)
	}
	if cursor.Before(to) {
		a.Free = append(a.Free, Interval{Start: cursor, End: to.UTC()})
	}
	a.Available = len(a.Busy) == 0
	return a
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
