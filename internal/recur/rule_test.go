package recur

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Rule
	}{
		{"FREQ=DAILY", Rule{Freq: Daily, Interval: 1}},
		{"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU",
			Rule{Freq: Weekly, Interval: 2, ByDay: []WeekdayNum{{0, Tuesday}, {0, Thursday}}, WeekStart: Sunday}},
		{"  rrule:freq=monthly;byday=-1fr,+2MO;count=3; ",
			Rule{Freq: Monthly, Interval: 1, Count: 3, ByDay: []WeekdayNum{{-1, Friday}, {2, Monday}}}},
		{"FREQ=MONTHLY;BYMONTHDAY=-1,1,15", Rule{Freq: Monthly, Interval: 1, ByMonthDay: []int{-1, 1, 15}}},
		{"FREQ=YEARLY;BYWEEKNO=20,-1;BYDAY=MO", Rule{Freq: Yearly, Interval: 1, ByWeekNo: []int{20, -1}, ByDay: []WeekdayNum{{0, Monday}}}},
		{"FREQ=YEARLY;BYYEARDAY=1,-366;BYMONTH=1,12", Rule{Freq: Yearly, Interval: 1, ByYearDay: []int{1, -366}, ByMonth: []int{1, 12}}},
		{"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", Rule{Freq: Monthly, Interval: 1,
			ByDay: []WeekdayNum{{0, Monday}, {0, Tuesday}, {0, Wednesday}, {0, Thursday}, {0, Friday}}, BySetPos: []int{-1}}},
		{"FREQ=DAILY;UNTIL=19971224T000000Z", Rule{Freq: Daily, Interval: 1,
			Until: Until{UntilUTC, time.Date(1997, 12, 24, 0, 0, 0, 0, time.UTC)}}},
		{"FREQ=DAILY;UNTIL=19971224", Rule{Freq: Daily, Interval: 1,
			Until: Until{UntilDate, time.Date(1997, 12, 24, 0, 0, 0, 0, time.UTC)}}},
		{"FREQ=DAILY;UNTIL=19971224T093000", Rule{Freq: Daily, Interval: 1,
			Until: Until{UntilLocal, time.Date(1997, 12, 24, 9, 30, 0, 0, time.UTC)}}},
		{"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", Rule{Freq: Yearly, Interval: 1, ByMonth: []int{3}, ByDay: []WeekdayNum{{-1, Sunday}}}},
		{"FREQ=YEARLY;BYDAY=20MO,-53FR", Rule{Freq: Yearly, Interval: 1, ByDay: []WeekdayNum{{20, Monday}, {-53, Friday}}}},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, part, value string
	}{
		{"", "RRULE", ""},
		{"RRULE:", "RRULE", ""},
		{strings.Repeat("FREQ=DAILY;", 300), "RRULE", ""},
		{"INTERVAL=2", "FREQ", ""},
		{"FREQ=HOURLY", "FREQ", "HOURLY"},
		{"FREQ=MINUTELY", "FREQ", "MINUTELY"},
		{"FREQ=SECONDLY", "FREQ", "SECONDLY"},
		{"FREQ=FORTNIGHTLY", "FREQ", "FORTNIGHTLY"},
		{"FREQ=DAILY;FREQ=WEEKLY", "FREQ", "WEEKLY"},
		{"FREQ=DAILY;COUNT", "RRULE", "COUNT"},
		{"FREQ=DAILY;COUNT=", "COUNT", ""},
		{"FREQ=DAILY;COUNT=0", "COUNT", "0"},
		{"FREQ=DAILY;COUNT=-1", "COUNT", "-1"},
		{"FREQ=DAILY;COUNT=+3", "COUNT", "+3"},
		{"FREQ=DAILY;COUNT=10001", "COUNT", "10001"},
		{"FREQ=DAILY;INTERVAL=0", "INTERVAL", "0"},
		{"FREQ=DAILY;INTERVAL=1001", "INTERVAL", "1001"},
		{"FREQ=DAILY;INTERVAL=x", "INTERVAL", "X"},
		{"FREQ=DAILY;COUNT=5;UNTIL=20240101T000000Z", "UNTIL", "20240101T000000Z"},
		{"FREQ=DAILY;UNTIL=2024-01-01", "UNTIL", "2024-01-01"},
		{"FREQ=DAILY;UNTIL=20241301", "UNTIL", "20241301"},
		{"FREQ=DAILY;UNTIL=20240101T250000Z", "UNTIL", "20240101T250000Z"},
		{"FREQ=WEEKLY;BYDAY=XX", "BYDAY", "XX"},
		{"FREQ=WEEKLY;BYDAY=MO,", "BYDAY", ""},
		{"FREQ=MONTHLY;BYDAY=0MO", "BYDAY", "0MO"},
		{"FREQ=MONTHLY;BYDAY=+MO", "BYDAY", "+MO"},
		{"FREQ=MONTHLY;BYDAY=6MO", "BYDAY", "6MO"},
		{"FREQ=YEARLY;BYMONTH=2;BYDAY=-6MO", "BYDAY", "-6MO"},
		{"FREQ=YEARLY;BYDAY=54MO", "BYDAY", "54MO"},
		{"FREQ=WEEKLY;BYDAY=2MO", "BYDAY", "2MO"},
		{"FREQ=DAILY;BYDAY=-1FR", "BYDAY", "-1FR"},
		{"FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO", "BYDAY", "1MO"},
		{"FREQ=DAILY;BYMONTH=13", "BYMONTH", "13"},
		{"FREQ=DAILY;BYMONTH=0", "BYMONTH", "0"},
		{"FREQ=DAILY;BYMONTH=-1", "BYMONTH", "-1"},
		{"FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY", "32"},
		{"FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY", "0"},
		{"FREQ=MONTHLY;BYMONTHDAY=1.5", "BYMONTHDAY", "1.5"},
		{"FREQ=MONTHLY;BYMONTHDAY=--1", "BYMONTHDAY", "--1"},
		{"FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY", "1"},
		{"FREQ=MONTHLY;BYYEARDAY=1", "BYYEARDAY", "1"},
		{"FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY", "367"},
		{"FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO", "1"},
		{"FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO", "54"},
		{"FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS", "1"},
		{"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS", "0"},
		{"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367", "BYSETPOS", "367"},
		{"FREQ=WEEKLY;WKST=XX", "WKST", "XX"},
		{"FREQ=WEEKLY;WKST=1MO", "WKST", "1MO"},
		{"FREQ=DAILY;BYHOUR=9", "BYHOUR", "9"},
		{"FREQ=DAILY;BYMINUTE=0", "BYMINUTE", "0"},
		{"FREQ=DAILY;BYSECOND=0", "BYSECOND", "0"},
		{"FREQ=DAILY;X-FOO=1", "X-FOO", "1"},
		{"FREQ=DAILY;RSCALE=GREGORIAN", "RSCALE", "GREGORIAN"},
		{"DTSTART:19970902T090000\nRRULE:FREQ=DAILY", "RRULE", "DTSTART:19970902T090000\nRRULE:FREQ=DAILY"},
		{"FREQ=DAILY;=1", "RRULE", "=1"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		var re *Error
		if !errors.As(err, &re) {
			t.Errorf("Parse(%q) = %v, want a *Error", tc.in, err)
			continue
		}
		if re.Part != tc.part || re.Value != tc.value || re.Reason == "" {
			t.Errorf("Parse(%q) = %#v, want Part %q Value %q", tc.in, re, tc.part, tc.value)
		}
		if !strings.HasPrefix(err.Error(), "recur: "+tc.part) {
			t.Errorf("Error() = %q, want it to name %s", err, tc.part)
		}
	}
}

func TestValidateBuiltRules(t *testing.T) {
	tests := []struct {
		r    Rule
		part string
	}{
		{Rule{}, "FREQ"},
		{Rule{Freq: 9}, "FREQ"},
		{Rule{Freq: Daily, Interval: -1}, "INTERVAL"},
		{Rule{Freq: Daily, ByDay: []WeekdayNum{{0, 0}}}, "BYDAY"},
		{Rule{Freq: Daily, WeekStart: 8}, "WKST"},
		{Rule{Freq: Daily, Until: Until{Kind: 7}}, "UNTIL"},
	}
	for _, tc := range tests {
		var re *Error
		if err := tc.r.Validate(); !errors.As(err, &re) || re.Part != tc.part {
			t.Errorf("Validate(%+v) = %v, want Part %s", tc.r, err, tc.part)
		}
	}
	if err := (Rule{Freq: Weekly}).Validate(); err != nil {
		t.Errorf("Interval 0 should mean 1: %v", err)
	}
}

func TestStringCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"rrule:byday=tu,th;wkst=su;freq=weekly;interval=1", "FREQ=WEEKLY;BYDAY=TU,TH;WKST=SU"},
		{"BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR;FREQ=MONTHLY", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
		{"FREQ=MONTHLY;BYDAY=+2MO,-1FR;INTERVAL=2;COUNT=7", "FREQ=MONTHLY;INTERVAL=2;COUNT=7;BYDAY=2MO,-1FR"},
		{"FREQ=YEARLY;UNTIL=20301231;BYMONTHDAY=1;BYMONTH=6,7;BYYEARDAY=1;BYWEEKNO=3",
			"FREQ=YEARLY;UNTIL=20301231;BYMONTH=6,7;BYWEEKNO=3;BYYEARDAY=1;BYMONTHDAY=1"},
		{"FREQ=DAILY;UNTIL=20301231t235959z", "FREQ=DAILY;UNTIL=20301231T235959Z"},
		{"FREQ=DAILY;UNTIL=20301231T235959;WKST=MO", "FREQ=DAILY;UNTIL=20301231T235959;WKST=MO"},
	}
	for _, tc := range tests {
		r := mustRule(t, tc.in)
		if got := r.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		if diff := cmp.Diff(r, mustRule(t, r.String())); diff != "" {
			t.Errorf("round trip of %q (-first +second):\n%s", tc.in, diff)
		}
	}
}

func TestParseLocal(t *testing.T) {
	for _, s := range []string{"20240131T070000", "2024-01-31T07:00:00", "2024-01-31T07:00"} {
		if got := mustLocal(t, s); got != (Local{2024, time.January, 31, 7, 0, 0}) {
			t.Errorf("ParseLocal(%q) = %v", s, got)
		}
	}
	for _, s := range []string{"", "20240131", "2024-01-31T07:00:00Z", "2024-02-30T07:00", "20240131T250000"} {
		var re *Error
		if _, err := ParseLocal(s); !errors.As(err, &re) || re.Part != "DTSTART" {
			t.Errorf("ParseLocal(%q) = %v, want DTSTART error", s, err)
		}
	}
}

func TestParseExDates(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		in   string
		want []string
	}{
		{"20240108T070000", []string{"2024-01-08T06:00:00Z"}},
		{"20240108T060000Z,20240715T070000", []string{"2024-01-08T06:00:00Z", "2024-07-15T05:00:00Z"}},
		{"EXDATE:20240108T060000Z", []string{"2024-01-08T06:00:00Z"}},
		{"exdate;value=date-time;tzid=America/New_York:20240108T070000", []string{"2024-01-08T12:00:00Z"}},
		{`EXDATE;TZID="America/New_York":20240108T070000`, []string{"2024-01-08T12:00:00Z"}},
	}
	for _, tc := range tests {
		got, err := ParseExDates(tc.in, berlin)
		if err != nil {
			t.Errorf("ParseExDates(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(utcs(t, tc.want...), got); diff != "" {
			t.Errorf("ParseExDates(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	for _, in := range []string{"", "2024-01-08", "20240108", "EXDATE;VALUE=DATE:20240108", "EXDATE;TZID=Mars/Olympus:20240108T070000",
		"RDATE:20240108T070000", "EXDATE;FOO=1:20240108T070000", "20240108T070000,", "20240132T070000"} {
		var re *Error
		if _, err := ParseExDates(in, ny); !errors.As(err, &re) || re.Part != "EXDATE" {
			t.Errorf("ParseExDates(%q) = %v, want EXDATE error", in, err)
		}
	}
	if _, err := ParseExDates("20240108T070000", nil); err == nil {
		t.Error("local EXDATE without a zone accepted")
	}
}

func TestNewErrors(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ok := Spec{Start: Local{2024, 1, 1, 7, 0, 0}, Duration: time.Hour, Location: berlin, Rule: Rule{Freq: Daily}}
	tests := []struct {
		name string
		edit func(*Spec)
		part string
	}{
		{"invalid date", func(s *Spec) { s.Start.Day = 32 }, "DTSTART"},
		{"year 0", func(s *Spec) { s.Start.Year = 0 }, "DTSTART"},
		{"zero duration", func(s *Spec) { s.Duration = 0 }, "DURATION"},
		{"negative duration", func(s *Spec) { s.Duration = -time.Hour }, "DURATION"},
		{"no zone", func(s *Spec) { s.Location = nil }, "TZID"},
		{"invalid rule", func(s *Spec) { s.Rule.Count = -1 }, "COUNT"},
		{"UNTIL before start", func(s *Spec) { s.Rule.Until = Until{UntilDate, time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)} }, "UNTIL"},
		{"UNTIL before start (UTC)", func(s *Spec) { s.Rule.Until = Until{UntilUTC, time.Date(2024, 1, 1, 5, 59, 59, 0, time.UTC)} }, "UNTIL"},
		{"no occurrence ever", func(s *Spec) { s.Rule = Rule{Freq: Yearly, ByMonth: []int{2}, ByMonthDay: []int{30}} }, "RRULE"},
		{"no occurrence before UNTIL", func(s *Spec) {
			s.Rule = Rule{Freq: Monthly, ByMonthDay: []int{31}, Until: Until{UntilDate, time.Date(2024, 1, 30, 0, 0, 0, 0, time.UTC)}}
		}, "RRULE"},
		{"interval never lands on a leap day", func(s *Spec) {
			s.Start.Year = 2025
			s.Rule = Rule{Freq: Yearly, Interval: 4, ByMonth: []int{2}, ByMonthDay: []int{29}}
		}, "RRULE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := ok
			tc.edit(&spec)
			_, err := New(spec)
			var re *Error
			if !errors.As(err, &re) || re.Part != tc.part {
				t.Errorf("New = %v, want Part %s", err, tc.part)
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Fatalf("baseline spec rejected: %v", err)
	}
}
