package booking

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/gatehouse/gatehouse/internal/recur"
)

// feedHistory is how far back the feed reaches: calendar apps keep what they
// have already seen, so old bookings only make the feed heavier.
const feedHistory = 180 * 24 * time.Hour

// Feed renders the resource's iCalendar feed (RFC 5545): a VTIMEZONE for the
// organisation's zone, one VEVENT per booking — series with RRULE and EXDATE,
// moved occurrences as VEVENTs with RECURRENCE-ID — and one per maintenance
// window.
func (s *Service) Feed(ctx context.Context, sc Scope, id int64) ([]byte, error) {
	r, err := s.getResource(ctx, s.DB, sc, id)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	rows, err := s.DB.QueryContext(ctx, `SELECT `+bookingCols+` FROM resource_bookings WHERE resource_id = $1 AND entity_id = $2
		AND status_cd <> 'CANCELLED' AND (series_end IS NULL OR series_end > $3) ORDER BY start_at, id LIMIT 5000`, id, sc.EntityID, now.Add(-feedHistory))
	if err != nil {
		return nil, err
	}
	var bs []*Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		bs = append(bs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadOverrides(ctx, s.DB, bs); err != nil {
		return nil, err
	}
	return renderFeed(r, bs, sc.Location, now)
}

func renderFeed(r *Resource, bs []*Booking, loc *time.Location, now time.Time) ([]byte, error) {
	tz := loc.String()
	cal := ics.NewCalendar()
	cal.SetProductId("-//Gatehouse//Bookings//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(r.Name)
	cal.SetXWRTimezone(tz)
	cal.SetXPublishedTTL("PT15M")

	lo, hi := now.AddDate(-1, 0, 0), now.AddDate(3, 0, 0)
	for _, b := range bs {
		if b.StartDateTime.Before(lo) {
			lo = b.StartDateTime
		}
	}
	cal.AddVTimezone(vtimezone(loc, lo, hi))
	local := func(t time.Time) string { return t.In(loc).Format("20060102T150405") }
	stamp := now.UTC()
	for _, b := range bs {
		uid := fmt.Sprintf("booking-%d-%d@gatehouse", b.EntityID, b.ID)
		ev := cal.AddEvent(uid)
		ev.SetDtStampTime(stamp)
		ev.SetModifiedAt(b.UpdatedAt)
		ev.SetSequence(int(b.Version))
		ev.SetSummary(b.Title)
		if b.Notes != nil {
			ev.SetDescription(*b.Notes)
		}
		ev.AddCategory(b.BookedForType)
		ev.SetLocation(r.Name)
		ev.SetTimeTransparency(ics.TransparencyOpaque)
		status := ics.ObjectStatusConfirmed
		if b.StatusCd == StatusTentative {
			status = ics.ObjectStatusTentative
		}
		ev.SetStatus(status)
		ev.SetProperty(ics.ComponentPropertyDtStart, local(b.StartDateTime), ics.WithTZID(tz))
		if b.RecurrenceRule == nil {
			ev.SetProperty(ics.ComponentPropertyDtEnd, local(b.EndDateTime), ics.WithTZID(tz))
			continue
		}
		// DURATION, not DTEND: iCalendar reads DTEND of a series in nominal
		// local time, while our occurrences last an exact elapsed time.
		ev.SetProperty(ics.ComponentPropertyDuration, icalDuration(b.EndDateTime.Sub(b.StartDateTime)))
		rule, err := recur.Parse(*b.RecurrenceRule)
		if err != nil {
			return nil, err
		}
		ev.AddRrule(icsRule(rule, loc).String())
		moved := map[int64]bool{}
		for _, ov := range b.Overrides {
			if ov.StatusCd == StatusConfirmed {
				moved[ov.OriginalStart.Unix()] = true
			}
		}
		var ex []string
		for _, t := range b.exDates {
			// A moved occurrence is replaced by its RECURRENCE-ID VEVENT; some
			// clients drop that override if its instance is also an EXDATE.
			if !moved[t.Unix()] {
				ex = append(ex, t.UTC().Format(exLayout))
			}
		}
		if len(ex) > 0 {
			ev.AddExdate(strings.Join(ex, ","))
		}
		for _, ov := range b.Overrides {
			if ov.StatusCd != StatusConfirmed {
				continue
			}
			o := ics.NewEvent(uid)
			o.SetProperty(ics.ComponentPropertyRecurrenceId, local(ov.OriginalStart), ics.WithTZID(tz))
			o.SetDtStampTime(stamp)
			o.SetSequence(int(b.Version))
			o.SetSummary(b.Title)
			o.AddCategory(b.BookedForType)
			o.SetLocation(r.Name)
			o.SetStatus(status)
			o.SetProperty(ics.ComponentPropertyDtStart, local(ov.Start), ics.WithTZID(tz))
			o.SetProperty(ics.ComponentPropertyDtEnd, local(ov.End), ics.WithTZID(tz))
			cal.AddVEvent(o)
		}
	}
	for i, w := range r.MaintenanceSchedule.Windows {
		rule, err := recur.Parse(w.RecurrenceRule)
		if err != nil {
			continue
		}
		ev := cal.AddEvent(fmt.Sprintf("maintenance-%d-%d-%d@gatehouse", r.EntityID, r.ID, i))
		ev.SetDtStampTime(stamp)
		ev.SetSequence(int(r.Version))
		summary := "Maintenance"
		if w.Note != "" {
			summary += ": " + w.Note
		}
		ev.SetSummary(summary)
		ev.AddCategory(ForMaintenance)
		ev.SetLocation(r.Name)
		ev.SetTimeTransparency(ics.TransparencyOpaque)
		ev.SetProperty(ics.ComponentPropertyDtStart, strings.ReplaceAll(w.StartDate, "-", "")+"T"+strings.ReplaceAll(w.StartTime, ":", "")+"00", ics.WithTZID(tz))
		ev.SetProperty(ics.ComponentPropertyDuration, icalDuration(time.Duration(w.DurationMinutes)*time.Minute))
		ev.AddRrule(icsRule(rule, loc).String())
	}
	// RFC 5545 lines end in CRLF; the library defaults to the OS newline.
	return []byte(cal.Serialize(ics.WithNewLineWindows)), nil
}

// icsRule rewrites UNTIL as a UTC instant: RFC 5545 requires that form when
// DTSTART carries a TZID, while our API also accepts local and date forms.
func icsRule(r recur.Rule, loc *time.Location) recur.Rule {
	switch r.Until.Kind {
	case recur.UntilLocal:
		r.Until = recur.Until{Kind: recur.UntilUTC, T: recur.LocalOf(r.Until.T).In(loc).UTC()}
	case recur.UntilDate:
		y, m, d := r.Until.T.Date()
		end := recur.Local{Year: y, Month: m, Day: d, Hour: 23, Minute: 59, Second: 59}
		r.Until = recur.Until{Kind: recur.UntilUTC, T: end.In(loc).UTC()}
	}
	return r
}

// icalDuration formats an exact duration as an RFC 5545 dur-time (hours, not
// nominal days).
func icalDuration(d time.Duration) string {
	d = d.Truncate(time.Second)
	h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	out := "PT"
	if h > 0 {
		out += strconv.FormatInt(h, 10) + "H"
	}
	if m > 0 {
		out += strconv.FormatInt(m, 10) + "M"
	}
	if s > 0 || h == 0 && m == 0 {
		out += strconv.FormatInt(s, 10) + "S"
	}
	return out
}

// transition is one change of UTC offset of a zone.
type transition struct {
	at       time.Time
	from, to int // offsets in seconds
	name     string
	dst      bool
}

// transitions finds the zone's offset changes in [lo, hi) by stepping a day at
// a time and bisecting to the second (Go does not expose the tz database's
// transition list).
func transitions(loc *time.Location, lo, hi time.Time) []transition {
	var out []transition
	_, prev := lo.In(loc).Zone()
	for t := lo; t.Before(hi); t = t.Add(24 * time.Hour) {
		next := t.Add(24 * time.Hour)
		_, off := next.In(loc).Zone()
		if off == prev {
			continue
		}
		a, b := t, next // offset at a is prev, at b is off
		for b.Sub(a) > time.Second {
			mid := a.Add(b.Sub(a) / 2).Truncate(time.Second)
			if _, o := mid.In(loc).Zone(); o == prev {
				a = mid
			} else {
				b = mid
			}
		}
		name, _ := b.In(loc).Zone()
		out = append(out, transition{at: b, from: prev, to: off, name: name, dst: b.In(loc).IsDST()})
		prev = off
	}
	return out
}

// vtimezone describes loc between lo and hi: one STANDARD or DAYLIGHT
// component per kind of change, with its first onset as DTSTART and the later
// ones as RDATEs (valid RFC 5545, and read by Google, Apple and Microsoft
// calendars; they also know the zone by its IANA TZID).
func vtimezone(loc *time.Location, lo, hi time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	ts := transitions(loc, lo.AddDate(0, 0, -1), hi)
	if len(ts) == 0 {
		name, off := lo.In(loc).Zone()
		c := &ics.Standard{}
		c.AddProperty(ics.ComponentPropertyDtStart, "19700101T000000")
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offset(off))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offset(off))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzname), name)
		tz.Components = append(tz.Components, c)
		return tz
	}
	type key struct {
		from, to int
		name     string
		dst      bool
	}
	groups := map[key][]time.Time{}
	var order []key
	for _, t := range ts {
		k := key{t.from, t.to, t.name, t.dst}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		// Onsets are written in the local time in force before the change.
		groups[k] = append(groups[k], t.at.Add(time.Duration(t.from)*time.Second).UTC())
	}
	for _, k := range order {
		var base *ics.ComponentBase
		var comp ics.Component
		if k.dst {
			c := &ics.Daylight{}
			base, comp = &c.ComponentBase, c
		} else {
			c := &ics.Standard{}
			base, comp = &c.ComponentBase, c
		}
		on := groups[k]
		base.AddProperty(ics.ComponentPropertyDtStart, on[0].Format("20060102T150405"))
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offset(k.from))
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offset(k.to))
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzname), k.name)
		for _, t := range on[1:] {
			base.AddRdate(t.Format("20060102T150405"))
		}
		tz.Components = append(tz.Components, comp)
	}
	return tz
}

func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
}
