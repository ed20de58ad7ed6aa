package member

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/clock"
)

func d(s string) clock.Date {
	v, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestActiveOn(t *testing.T) {
	end := d("2026-12-31")
	c := Contract{StatusCd: StatusActive, StartDate: d("2026-01-01"), EndDate: &end}
	for day, want := range map[string]bool{"2025-12-31": false, "2026-01-01": true, "2026-06-15": true, "2026-12-31": true, "2027-01-01": false} {
		if got := c.ActiveOn(d(day)); got != want {
			t.Errorf("%s: %v", day, got)
		}
	}
	open := Contract{StatusCd: StatusActive, StartDate: d("2026-01-01")}
	if !open.ActiveOn(d("2099-01-01")) {
		t.Error("open-ended contract ended")
	}
	for _, st := range []string{StatusSuspended, StatusCancelled} {
		if (Contract{StatusCd: st, StartDate: d("2026-01-01")}).ActiveOn(d("2026-05-01")) {
			t.Errorf("%s counted as active", st)
		}
	}
}

func TestTransitions(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{StatusActive, StatusSuspended, true}, {StatusSuspended, StatusActive, true}, {StatusActive, StatusCancelled, true},
		{StatusCancelled, StatusActive, false}, {StatusCancelled, StatusSuspended, false}, {StatusCancelled, StatusCancelled, true},
	} {
		if validTransition(c.from, c.to) != c.ok {
			t.Errorf("%s → %s", c.from, c.to)
		}
	}
}

func TestParseCSVRowNumbersAndErrors(t *testing.T) {
	rows, lines, errs, err := ParseCSV([]byte("firstName,lastName,email\nA,B,a@b.test\n\n\"unterminated,x,y\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || lines[0] != 2 {
		t.Fatalf("rows %v lines %v", rows, lines)
	}
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	if _, _, _, err := ParseCSV([]byte("\xff\xfe")); err == nil {
		t.Fatal("non-UTF-8 accepted")
	}
}

// FuzzParseCSV: the import parser never panics and never reports a row twice.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"firstName,lastName,email\nA,B,a@b.test\n",
		"\xef\xbb\xbfemail;lastName;firstName\nx@y.z;L;F\n",
		"firstName,lastName,email,phone,memberNumber\n\"A,\"\"q\"\"\",B,c@d.e,+49 1,M-1\n",
		"firstName,lastName\n", "", "a,a,a\n", "firstName,lastName,email\n,,,,,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, lines, errs, err := ParseCSV(data)
		if err != nil {
			return
		}
		if len(rows) != len(lines) {
			t.Fatalf("%d rows, %d line numbers", len(rows), len(lines))
		}
		seen := map[int]bool{}
		for _, l := range lines {
			if seen[l] || l < 2 {
				t.Fatalf("line %d reported twice or before the header", l)
			}
			seen[l] = true
		}
		for _, e := range errs {
			if seen[e.Row] {
				t.Fatalf("row %d is both parsed and in error", e.Row)
			}
		}
		for _, r := range rows {
			_ = r.normalise() // must not panic on any input
		}
	})
}
