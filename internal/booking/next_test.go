package booking

import (
	"testing"
	"time"
)

// TestNextOccurrence: the current-or-next occurrence of a series in the
// organisation's time zone (across DST), skipping EXDATEs and cancelled moves,
// taking confirmed moves at their new time.
func TestNextOccurrence(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	rule := "FREQ=WEEKLY;COUNT=4"
	start := time.Date(2027, 3, 17, 10, 0, 0, 0, berlin) // 17, 24, 31 March, 7 April
	b := &Booking{ID: 1, StartDateTime: start.UTC(), EndDateTime: start.Add(time.Hour).UTC(), RecurrenceRule: &rule,
		exDates: []time.Time{time.Date(2027, 3, 24, 9, 0, 0, 0, time.UTC), time.Date(2027, 3, 31, 8, 0, 0, 0, time.UTC)},
		Overrides: []Override{
			// 31 March moved to 1 April 18:00 CEST (16:00Z) and confirmed.
			{OriginalStart: time.Date(2027, 3, 31, 8, 0, 0, 0, time.UTC), Start: time.Date(2027, 4, 1, 16, 0, 0, 0, time.UTC), End: time.Date(2027, 4, 1, 17, 0, 0, 0, time.UTC), StatusCd: StatusConfirmed},
			// A cancelled move counts for nothing.
			{OriginalStart: time.Date(2027, 3, 24, 9, 0, 0, 0, time.UTC), Start: time.Date(2027, 3, 25, 9, 0, 0, 0, time.UTC), End: time.Date(2027, 3, 25, 10, 0, 0, 0, time.UTC), StatusCd: StatusCancelled},
		}}
	for _, c := range []struct {
		at        time.Time
		wantStart time.Time
		ok        bool
	}{
		{time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 17, 9, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 3, 17, 9, 30, 0, 0, time.UTC), time.Date(2027, 3, 17, 9, 0, 0, 0, time.UTC), true}, // under way
		{time.Date(2027, 3, 17, 10, 0, 0, 0, time.UTC), time.Date(2027, 4, 1, 16, 0, 0, 0, time.UTC), true}, // 24 cancelled, 31 moved
		{time.Date(2027, 4, 1, 17, 0, 0, 0, time.UTC), time.Date(2027, 4, 7, 8, 0, 0, 0, time.UTC), true},   // CEST
		{time.Date(2027, 4, 7, 9, 0, 0, 0, time.UTC), time.Time{}, false},
	} {
		iv, ok, err := b.NextOccurrence(berlin, c.at)
		if err != nil || ok != c.ok || (ok && !iv.Start.Equal(c.wantStart)) {
			t.Errorf("at %s: %v %v %v, want %s %v", c.at, iv, ok, err, c.wantStart, c.ok)
		}
	}
	single := &Booking{StartDateTime: start.UTC(), EndDateTime: start.Add(time.Hour).UTC()}
	if _, ok, _ := single.NextOccurrence(berlin, start.Add(time.Hour)); ok {
		t.Error("a single booking that ended has a next occurrence")
	}
}
