package access

import (
	"testing"
	"time"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func ct(t *testing.T, s string) ClockTime {
	t.Helper()
	c, err := ParseClockTime(s, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseClockTime(t *testing.T) {
	for _, bad := range []string{"", "7:00", "24:01", "25:00", "12:60", "ab:cd", "12-00", "12:00:00"} {
		if _, err := ParseClockTime(bad, true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseClockTime("24:00", false); err == nil {
		t.Error("24:00 accepted as a reset time")
	}
	if c, err := ParseClockTime("06:05", false); err != nil || c.Minutes != 365 || c.String() != "06:05" {
		t.Errorf("06:05 → %v %v", c, err)
	}
}

func TestLastResetAtMidnight(t *testing.T) {
	loc := berlin(t)
	mid := ct(t, "00:00")
	// 23:59 Berlin on 21 Nov → boundary is midnight starting 21 Nov.
	now := time.Date(2026, 11, 21, 22, 59, 0, 0, time.UTC)
	if got, want := LastReset(now, loc, mid), time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	// 00:30 Berlin on 22 Nov → midnight of 22 Nov.
	now = time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC)
	if got, want := LastReset(now, loc, mid), time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	// Exactly at the boundary, the boundary is now.
	if got := LastReset(now.Add(-30*time.Minute), loc, mid); !got.Equal(now.Add(-30 * time.Minute)) {
		t.Fatalf("at the boundary: %v", got)
	}
}

// Spring forward: on 29 March 2026 Berlin's clocks jump from 02:00 CET to
// 03:00 CEST. A reset at 02:30 happens when the clock jumps (01:00 UTC).
func TestLastResetSpringForward(t *testing.T) {
	loc := berlin(t)
	r := ct(t, "02:30")
	jump := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	if got := LastReset(jump.Add(-time.Second), loc, r); !got.Equal(time.Date(2026, 3, 28, 1, 30, 0, 0, time.UTC)) {
		t.Fatalf("just before the jump: %v (want the day before, 02:30 CET)", got)
	}
	if got := LastReset(jump, loc, r); !got.Equal(jump) {
		t.Fatalf("at the jump: %v want %v", got, jump)
	}
	if got := LastReset(jump.Add(2*time.Hour), loc, r); !got.Equal(jump) {
		t.Fatalf("after the jump: %v want %v", got, jump)
	}
	// Midnight is unaffected, and the day is 23 hours long.
	mid := ct(t, "00:00")
	if got := LastReset(time.Date(2026, 3, 29, 21, 0, 0, 0, time.UTC), loc, mid); !got.Equal(time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("midnight on spring-forward day: %v", got)
	}
	if got := LastReset(time.Date(2026, 3, 29, 21, 0, 0, 0, time.UTC), loc, mid).Add(23 * time.Hour); !got.Equal(LastReset(time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC), loc, mid)) {
		t.Fatalf("the next midnight is 23 hours later: %v", got)
	}
}

// Fall back: on 25 October 2026 Berlin's clocks go from 03:00 CEST back to
// 02:00 CET; 02:30 happens twice and the reset takes the first (00:30 UTC).
func TestLastResetFallBack(t *testing.T) {
	loc := berlin(t)
	r := ct(t, "02:30")
	first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)
	for _, now := range []time.Time{first, first.Add(30 * time.Minute), first.Add(time.Hour), first.Add(5 * time.Hour)} {
		if got := LastReset(now, loc, r); !got.Equal(first) {
			t.Errorf("now %v: got %v want %v", now, got, first)
		}
	}
	if got := LastReset(first.Add(-time.Second), loc, r); !got.Equal(time.Date(2026, 10, 24, 0, 30, 0, 0, time.UTC)) {
		t.Errorf("before the first 02:30: %v", got)
	}
	// Midnight after the 25-hour day.
	mid := ct(t, "00:00")
	if got := LastReset(time.Date(2026, 10, 25, 23, 30, 0, 0, time.UTC), loc, mid); !got.Equal(time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight after fall-back: %v", got)
	}
	if got := LastReset(time.Date(2026, 10, 25, 22, 30, 0, 0, time.UTC), loc, mid); !got.Equal(time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight starting the fall-back day: %v", got)
	}
}

// Where DST starts at midnight (Chile, first Sunday of September 2026), the reset
// at 00:00 happens at the jump, 01:00 local.
func TestLastResetWhenMidnightDoesNotExist(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Skip("no America/Santiago zone data")
	}
	mid := ct(t, "00:00")
	now := time.Date(2026, 9, 6, 12, 0, 0, 0, loc)
	got := LastReset(now, loc, mid).In(loc)
	if got.Day() != 6 || got.Hour() > 1 {
		t.Fatalf("reset on the day midnight is skipped: %v", got)
	}
	if LastReset(now, loc, mid).After(now) {
		t.Fatal("boundary in the future")
	}
}
