package recur

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits that keep a single series cheap to validate and expand. Both are far
// beyond what a booking needs (MaxCount daily is 27 years).
const (
	// MaxCount is the largest COUNT accepted. COUNT series are expanded in full
	// once, so this bounds their memory.
	MaxCount = 10000
	// MaxInterval is the largest INTERVAL accepted.
	MaxInterval = 1000
	// maxRuleLen bounds the RRULE text Parse will look at.
	maxRuleLen = 2048
)

// Frequency is the RRULE FREQ. Sub-daily frequencies are deliberately absent:
// a booking series has one start time per day.
type Frequency int

// Supported frequencies. The zero Frequency is invalid.
const (
	Daily Frequency = iota + 1
	Weekly
	Monthly
	Yearly
)

var freqNames = [...]string{Daily: "DAILY", Weekly: "WEEKLY", Monthly: "MONTHLY", Yearly: "YEARLY"}

func (f Frequency) String() string {
	if f >= Daily && f <= Yearly {
		return freqNames[f]
	}
	return fmt.Sprintf("Frequency(%d)", int(f))
}

// Weekday is an RRULE weekday. Unlike time.Weekday its zero value means "not
// set", so that Rule.WeekStart can default to Monday as RFC 5545 does.
type Weekday int

// Weekdays, in RFC 5545 order.
const (
	Monday Weekday = iota + 1
	Tuesday
	Wednesday
	Thursday
	Friday
	Saturday
	Sunday
)

var dayCodes = [...]string{Monday: "MO", Tuesday: "TU", Wednesday: "WE", Thursday: "TH", Friday: "FR", Saturday: "SA", Sunday: "SU"}

func (d Weekday) String() string {
	if d >= Monday && d <= Sunday {
		return dayCodes[d]
	}
	return fmt.Sprintf("Weekday(%d)", int(d))
}

// Time returns the matching time.Weekday.
func (d Weekday) Time() time.Weekday { return time.Weekday(int(d) % 7) }

// WeekdayOf returns the Weekday for a time.Weekday.
func WeekdayOf(d time.Weekday) Weekday {
	if d == time.Sunday {
		return Sunday
	}
	return Weekday(d)
}

// WeekdayNum is one BYDAY entry: a weekday, optionally with an ordinal N
// (2MO = second Monday, -1FR = last Friday). N == 0 means every such weekday.
type WeekdayNum struct {
	N   int
	Day Weekday
}

func (w WeekdayNum) String() string {
	if w.N == 0 {
		return w.Day.String()
	}
	return strconv.Itoa(w.N) + w.Day.String()
}

// UntilKind says how an UNTIL value is to be read.
type UntilKind int

// UNTIL forms accepted by Parse.
const (
	UntilNone  UntilKind = iota // no UNTIL
	UntilUTC                    // 19971224T000000Z: an instant
	UntilLocal                  // 19971224T000000: wall clock in the series' zone
	UntilDate                   // 19971224: through the end of that local day
)

// Until is the RRULE UNTIL bound, which is inclusive.
type Until struct {
	Kind UntilKind
	// T holds the value. For UntilUTC it is the instant; for UntilLocal its
	// wall-clock fields and for UntilDate its date fields are used, and its
	// location is ignored.
	T time.Time
}

// IsZero reports whether no UNTIL is set.
func (u Until) IsZero() bool { return u.Kind == UntilNone }

func (u Until) String() string {
	switch u.Kind {
	case UntilUTC:
		return u.T.UTC().Format("20060102T150405Z")
	case UntilLocal:
		return u.T.Format("20060102T150405")
	case UntilDate:
		return u.T.Format("20060102")
	}
	return ""
}

// Rule is a parsed RRULE restricted to what bookings support. The zero value
// of each field means the part is absent; Parse sets Interval to 1 when
// INTERVAL is absent. A Rule may also be built directly and checked with
// Validate.
type Rule struct {
	Freq       Frequency
	Interval   int // INTERVAL; 0 is read as 1
	Count      int // COUNT; 0 = none
	Until      Until
	ByMonth    []int // 1..12
	ByWeekNo   []int // ±1..53, YEARLY only
	ByYearDay  []int // ±1..366, DAILY/WEEKLY/MONTHLY not allowed
	ByMonthDay []int // ±1..31, WEEKLY not allowed
	ByDay      []WeekdayNum
	BySetPos   []int   // ±1..366, needs another BYxxx part
	WeekStart  Weekday // WKST; 0 = Monday (the RFC default)
}

// interval returns the effective INTERVAL.
func (r Rule) interval() int {
	if r.Interval <= 0 {
		return 1
	}
	return r.Interval
}

// weekStart returns the effective WKST.
func (r Rule) weekStart() Weekday {
	if r.WeekStart == 0 {
		return Monday
	}
	return r.WeekStart
}

// String returns the rule as a canonical RRULE value (without the "RRULE:"
// prefix): upper case, parts in a fixed order, default INTERVAL omitted, list
// values in the order given. Parse(r.String()) returns an equal Rule.
func (r Rule) String() string {
	var b strings.Builder
	b.WriteString("FREQ=")
	b.WriteString(r.Freq.String())
	if r.Interval > 1 {
		fmt.Fprintf(&b, ";INTERVAL=%d", r.Interval)
	}
	if r.Count > 0 {
		fmt.Fprintf(&b, ";COUNT=%d", r.Count)
	}
	if !r.Until.IsZero() {
		b.WriteString(";UNTIL=")
		b.WriteString(r.Until.String())
	}
	writeInts(&b, "BYMONTH", r.ByMonth)
	writeInts(&b, "BYWEEKNO", r.ByWeekNo)
	writeInts(&b, "BYYEARDAY", r.ByYearDay)
	writeInts(&b, "BYMONTHDAY", r.ByMonthDay)
	if len(r.ByDay) > 0 {
		b.WriteString(";BYDAY=")
		for i, d := range r.ByDay {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.String())
		}
	}
	writeInts(&b, "BYSETPOS", r.BySetPos)
	if r.WeekStart != 0 {
		b.WriteString(";WKST=")
		b.WriteString(r.WeekStart.String())
	}
	return b.String()
}

func writeInts(b *strings.Builder, name string, v []int) {
	if len(v) == 0 {
		return
	}
	b.WriteByte(';')
	b.WriteString(name)
	b.WriteByte('=')
	for i, n := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(n))
	}
}

// Parse parses an RRULE value, with or without the "RRULE:" prefix. Names and
// values are case-insensitive (RFC 5545 §2); empty parts (a trailing ";") are
// ignored. The result is validated: any error is a *Error naming the part.
func Parse(s string) (Rule, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxRuleLen {
		return Rule{}, errf("RRULE", "", "rule is longer than %d characters", maxRuleLen)
	}
	s = strings.ToUpper(s)
	s = strings.TrimPrefix(s, "RRULE:")
	if s == "" {
		return Rule{}, errf("RRULE", "", "empty rule")
	}
	var r Rule
	seen := make(map[string]bool)
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		// Only a token-shaped name may become Error.Part, which callers
		// surface as a field name.
		if !ok || name == "" || strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return Rule{}, errf("RRULE", part, "want NAME=VALUE")
		}
		if seen[name] {
			return Rule{}, errf(name, value, "part given more than once")
		}
		seen[name] = true
		if value == "" {
			return Rule{}, errf(name, value, "empty value")
		}
		if err := r.setPart(name, value); err != nil {
			return Rule{}, err
		}
	}
	if r.Freq == 0 {
		return Rule{}, errf("FREQ", "", "FREQ is required")
	}
	if r.Interval == 0 {
		r.Interval = 1
	}
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

func (r *Rule) setPart(name, value string) error {
	var err error
	switch name {
	case "FREQ":
		switch value {
		case "DAILY":
			r.Freq = Daily
		case "WEEKLY":
			r.Freq = Weekly
		case "MONTHLY":
			r.Freq = Monthly
		case "YEARLY":
			r.Freq = Yearly
		case "SECONDLY", "MINUTELY", "HOURLY":
			return errf(name, value, "sub-daily frequencies are not supported for bookings")
		default:
			return errf(name, value, "want DAILY, WEEKLY, MONTHLY or YEARLY")
		}
	case "INTERVAL":
		r.Interval, err = parseCount(name, value)
	case "COUNT":
		r.Count, err = parseCount(name, value)
	case "UNTIL":
		r.Until, err = parseUntil(value)
	case "BYMONTH":
		r.ByMonth, err = parseInts(name, value)
	case "BYWEEKNO":
		r.ByWeekNo, err = parseInts(name, value)
	case "BYYEARDAY":
		r.ByYearDay, err = parseInts(name, value)
	case "BYMONTHDAY":
		r.ByMonthDay, err = parseInts(name, value)
	case "BYSETPOS":
		r.BySetPos, err = parseInts(name, value)
	case "BYDAY":
		for _, item := range strings.Split(value, ",") {
			w, ok := parseWeekdayNum(item)
			if !ok {
				return errf(name, item, "want a weekday code (MO..SU) with an optional ordinal, e.g. 2MO or -1FR")
			}
			r.ByDay = append(r.ByDay, w)
		}
	case "WKST":
		d, ok := weekdayCode(value)
		if !ok {
			return errf(name, value, "want a weekday code MO..SU")
		}
		r.WeekStart = d
	case "BYHOUR", "BYMINUTE", "BYSECOND":
		return errf(name, value, "not supported: a series has a single start time, taken from its start")
	default:
		return errf(name, value, "unknown or unsupported rule part")
	}
	return err
}

// parseCount parses COUNT and INTERVAL, which RFC 5545 defines as 1*DIGIT.
func parseCount(name, value string) (int, error) {
	if len(value) > 9 || strings.TrimLeft(value, "0123456789") != "" {
		return 0, errf(name, value, "want a positive whole number")
	}
	n, _ := strconv.Atoi(value)
	if n == 0 {
		return 0, errf(name, value, "must be at least 1")
	}
	return n, nil
}

// parseInts parses a comma-separated list of optionally signed integers. Ranges
// are checked by Validate so that built Rules get the same checks.
func parseInts(name, value string) ([]int, error) {
	items := strings.Split(value, ",")
	out := make([]int, 0, len(items))
	for _, item := range items {
		digits := strings.TrimPrefix(strings.TrimPrefix(item, "+"), "-")
		if digits == "" || len(digits) > 4 || strings.TrimLeft(digits, "0123456789") != "" {
			return nil, errf(name, item, "want a whole number")
		}
		n, _ := strconv.Atoi(digits)
		if strings.HasPrefix(item, "-") {
			n = -n
		}
		out = append(out, n)
	}
	return out, nil
}

func weekdayCode(s string) (Weekday, bool) {
	for d := Monday; d <= Sunday; d++ {
		if dayCodes[d] == s {
			return d, true
		}
	}
	return 0, false
}

// parseWeekdayNum parses a BYDAY item: [+|-][ordinal]MO..SU. The ordinal's
// range is checked by Validate.
func parseWeekdayNum(s string) (WeekdayNum, bool) {
	if len(s) < 2 {
		return WeekdayNum{}, false
	}
	d, ok := weekdayCode(s[len(s)-2:])
	if !ok {
		return WeekdayNum{}, false
	}
	num := s[:len(s)-2]
	if num == "" {
		return WeekdayNum{Day: d}, true
	}
	sign := 1
	switch num[0] {
	case '-':
		sign, num = -1, num[1:]
	case '+':
		num = num[1:]
	}
	if num == "" || len(num) > 2 || strings.TrimLeft(num, "0123456789") != "" {
		return WeekdayNum{}, false
	}
	n, _ := strconv.Atoi(num)
	if n == 0 {
		return WeekdayNum{}, false
	}
	return WeekdayNum{N: sign * n, Day: d}, true
}

func parseUntil(value string) (Until, error) {
	layouts := []struct {
		layout string
		kind   UntilKind
	}{
		{"20060102T150405Z", UntilUTC},
		{"20060102T150405", UntilLocal},
		{"20060102", UntilDate},
	}
	for _, l := range layouts {
		if len(value) != len(l.layout) {
			continue
		}
		t, err := time.Parse(l.layout, value)
		if err != nil || t.Year() < 1 {
			break
		}
		return Until{Kind: l.kind, T: t}, nil
	}
	return Until{}, errf("UNTIL", value, "want 19971224T000000Z (UTC), 19971224T000000 (local) or 19971224 (date)")
}

// Validate checks r against RFC 5545 §3.3.10 and this package's limits. It
// returns a *Error naming the part at fault, or nil.
func (r Rule) Validate() error {
	if r.Freq < Daily || r.Freq > Yearly {
		return errf("FREQ", r.Freq.String(), "want DAILY, WEEKLY, MONTHLY or YEARLY")
	}
	if r.Interval < 0 || r.Interval > MaxInterval {
		return errf("INTERVAL", strconv.Itoa(r.Interval), "must be between 1 and %d", MaxInterval)
	}
	if r.Count < 0 || r.Count > MaxCount {
		return errf("COUNT", strconv.Itoa(r.Count), "must be between 1 and %d", MaxCount)
	}
	if r.Until.Kind < UntilNone || r.Until.Kind > UntilDate {
		return errf("UNTIL", "", "unknown UNTIL kind %d", r.Until.Kind)
	}
	if r.Until.Kind != UntilNone && (r.Until.T.Year() < 1 || r.Until.T.Year() > 9999) {
		return errf("UNTIL", r.Until.String(), "year out of range")
	}
	if r.Count > 0 && !r.Until.IsZero() {
		return errf("UNTIL", r.Until.String(), "COUNT and UNTIL must not both be given")
	}
	if err := checkRange("BYMONTH", r.ByMonth, 12, false); err != nil {
		return err
	}
	if err := checkRange("BYWEEKNO", r.ByWeekNo, 53, true); err != nil {
		return err
	}
	if len(r.ByWeekNo) > 0 && r.Freq != Yearly {
		return errf("BYWEEKNO", joinInts(r.ByWeekNo), "only allowed with FREQ=YEARLY")
	}
	if err := checkRange("BYYEARDAY", r.ByYearDay, 366, true); err != nil {
		return err
	}
	if len(r.ByYearDay) > 0 && r.Freq != Yearly {
		return errf("BYYEARDAY", joinInts(r.ByYearDay), "only allowed with FREQ=YEARLY")
	}
	if err := checkRange("BYMONTHDAY", r.ByMonthDay, 31, true); err != nil {
		return err
	}
	if len(r.ByMonthDay) > 0 && r.Freq == Weekly {
		return errf("BYMONTHDAY", joinInts(r.ByMonthDay), "not allowed with FREQ=WEEKLY")
	}
	for _, w := range r.ByDay {
		if w.Day < Monday || w.Day > Sunday {
			return errf("BYDAY", w.String(), "unknown weekday")
		}
		if w.N == 0 {
			continue
		}
		switch {
		case r.Freq != Monthly && r.Freq != Yearly:
			return errf("BYDAY", w.String(), "an ordinal weekday needs FREQ=MONTHLY or FREQ=YEARLY")
		case r.Freq == Yearly && len(r.ByWeekNo) > 0:
			return errf("BYDAY", w.String(), "an ordinal weekday is not allowed with BYWEEKNO")
		case r.Freq == Monthly || len(r.ByMonth) > 0:
			// The ordinal counts within a month: there is no 6th Monday.
			if w.N < -5 || w.N > 5 {
				return errf("BYDAY", w.String(), "ordinal within a month must be between -5 and 5")
			}
		case w.N < -53 || w.N > 53:
			return errf("BYDAY", w.String(), "ordinal within a year must be between -53 and 53")
		}
	}
	if err := checkRange("BYSETPOS", r.BySetPos, 366, true); err != nil {
		return err
	}
	if len(r.BySetPos) > 0 && len(r.ByMonth)+len(r.ByWeekNo)+len(r.ByYearDay)+len(r.ByMonthDay)+len(r.ByDay) == 0 {
		return errf("BYSETPOS", joinInts(r.BySetPos), "needs another BYxxx part to select from")
	}
	if r.WeekStart < 0 || r.WeekStart > Sunday {
		return errf("WKST", r.WeekStart.String(), "want a weekday code MO..SU")
	}
	return nil
}

// checkRange checks that each value is in 1..max, or also -max..-1 if signed.
func checkRange(part string, v []int, max int, signed bool) error {
	for _, n := range v {
		ok := n >= 1 && n <= max || signed && n <= -1 && n >= -max
		if !ok {
			if signed {
				return errf(part, strconv.Itoa(n), "must be between 1 and %d or -%d and -1", max, max)
			}
			return errf(part, strconv.Itoa(n), "must be between 1 and %d", max)
		}
	}
	return nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
