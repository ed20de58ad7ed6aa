package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/booking"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/member"
)

// seedBookings adds rooms, courts and equipment with maintenance windows, the
// weekly course and meeting series, and a week of members' court bookings —
// all through the booking service, so the demo takes the same checks as real
// use.
func seedBookings(ctx context.Context, a *app.App, p *auth.Principal, members []*member.Member, rng *rand.Rand) error {
	sc := booking.ScopeOf(p)
	svc := a.Booking
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	weekly := func(rule, at string, minutes int, note string) *booking.MaintenanceSchedule {
		return &booking.MaintenanceSchedule{Windows: []booking.MaintenanceWindow{{RecurrenceRule: rule, StartTime: at, DurationMinutes: minutes, Note: note}}}
	}
	specs := []booking.ResourceInput{
		{Name: "Studio A", TypeCd: booking.TypeRoom, Capacity: num(24), LocationDescription: str("Ground floor"), SortOrder: 1,
			Description: str("Mirrored studio with sprung floor"), MaintenanceSchedule: weekly("FREQ=WEEKLY;BYDAY=MO", "06:00", 60, "Floor cleaning")},
		{Name: "Studio B", TypeCd: booking.TypeRoom, Capacity: num(14), LocationDescription: str("First floor"), SortOrder: 2},
		{Name: "Harbour meeting room", TypeCd: booking.TypeRoom, Capacity: num(8), LocationDescription: str("Cowork wing, 2nd floor"), SortOrder: 3},
		{Name: "Tennis court 1", TypeCd: booking.TypeArea, Capacity: num(4), LocationDescription: str("Outdoor"), SortOrder: 10,
			MaintenanceSchedule: weekly("FREQ=MONTHLY;BYDAY=1MO", "07:00", 120, "Line and net check")},
		{Name: "Tennis court 2", TypeCd: booking.TypeArea, Capacity: num(4), LocationDescription: str("Outdoor"), SortOrder: 11},
		{Name: "Squash court", TypeCd: booking.TypeArea, Capacity: num(2), LocationDescription: str("Basement"), SortOrder: 12},
		{Name: "Rowing machines", TypeCd: booking.TypeEquipment, Capacity: num(6), SortOrder: 20,
			MaintenanceSchedule: weekly("FREQ=WEEKLY;BYDAY=SU", "21:00", 60, "Chain oiling")},
		{Name: "Projector", TypeCd: booking.TypeEquipment, SortOrder: 21},
		{Name: "Club van", TypeCd: booking.TypeVehicle, Capacity: num(8), SortOrder: 30},
		{Name: "Personal trainer Sam", TypeCd: booking.TypePersonnel, Capacity: num(1), SortOrder: 40},
	}
	res := map[string]int64{}
	for _, in := range specs {
		r, err := svc.CreateResource(ctx, sc, in)
		if err != nil {
			return fmt.Errorf("resource %s: %w", in.Name, err)
		}
		res[in.Name] = r.ID
	}
	loc := sc.Location
	today := clock.Today(a.Clock.Now(), loc)
	// next returns the first day after today that is a weekday wd, at hh:mm.
	next := func(wd time.Weekday, hh, mm int) time.Time {
		d := today.AddDays(1)
		for d.In(loc).Weekday() != wd {
			d = d.AddDays(1)
		}
		return time.Date(d.Year, d.Month, d.Day, hh, mm, 0, 0, loc)
	}
	type ser struct {
		res, title, forType, rule string
		wd                        time.Weekday
		hh, mm, minutes           int
	}
	for _, s := range []ser{
		{"Studio A", "Yoga Basics", booking.ForCourse, "FREQ=WEEKLY;BYDAY=MO,WE,FR", time.Monday, 18, 0, 60},
		{"Studio A", "CrossFit 7AM", booking.ForCourse, "FREQ=WEEKLY;BYDAY=TU,TH", time.Tuesday, 7, 0, 60},
		{"Studio B", "Spinning", booking.ForCourse, "FREQ=WEEKLY;BYDAY=MO,WE", time.Monday, 19, 30, 45},
		{"Studio B", "Pilates", booking.ForCourse, "FREQ=WEEKLY;BYDAY=SA", time.Saturday, 10, 0, 60},
		{"Harbour meeting room", "Residents' stand-up", booking.ForEvent, "FREQ=WEEKLY;BYDAY=MO", time.Monday, 9, 0, 30},
		{"Harbour meeting room", "Founders' breakfast", booking.ForEvent, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12", time.Friday, 8, 0, 90},
		{"Squash court", "Club ladder", booking.ForEvent, "FREQ=WEEKLY;BYDAY=TH;COUNT=10", time.Thursday, 19, 0, 120},
	} {
		start := next(s.wd, s.hh, s.mm)
		if s.rule == "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12" {
			// The first last-Friday from today on.
			for d := today.AddDays(1); ; d = d.AddDays(1) {
				t := time.Date(d.Year, d.Month, d.Day, s.hh, s.mm, 0, 0, loc)
				if t.Weekday() == time.Friday && t.AddDate(0, 0, 7).Month() != t.Month() {
					start = t
					break
				}
			}
		}
		rule := s.rule
		if _, err := svc.CreateBooking(ctx, sc, booking.BookingInput{ResourceID: res[s.res], Title: s.title, StartDateTime: start,
			EndDateTime: start.Add(time.Duration(s.minutes) * time.Minute), RecurrenceRule: &rule, BookedForType: s.forType}, true); err != nil {
			return fmt.Errorf("series %s: %w", s.title, err)
		}
	}
	// A realistic week of members' bookings on the courts, the trainer and the van.
	for day := 1; day <= 7; day++ {
		d := today.AddDays(day)
		for _, name := range []string{"Tennis court 1", "Tennis court 2", "Squash court", "Personal trainer Sam", "Rowing machines"} {
			for range 3 + rng.IntN(4) {
				hh := 7 + rng.IntN(14)
				start := time.Date(d.Year, d.Month, d.Day, hh, 30*rng.IntN(2), 0, 0, loc)
				m := members[rng.IntN(len(members))]
				_, err := svc.CreateBooking(ctx, sc, booking.BookingInput{ResourceID: res[name], Title: m.FirstName + " " + m.LastName,
					StartDateTime: start, EndDateTime: start.Add(time.Duration(1+rng.IntN(2)) * time.Hour), BookedForType: booking.ForMember, BookedForID: &m.ID}, false)
				if err != nil && !apperr.Is(err, apperr.KindConflict) {
					return fmt.Errorf("booking on %s: %w", name, err)
				}
			}
		}
	}
	vanDay := today.AddDays(3)
	van := time.Date(vanDay.Year, vanDay.Month, vanDay.Day, 8, 0, 0, 0, loc)
	tentative := booking.StatusTentative
	_, err := svc.CreateBooking(ctx, sc, booking.BookingInput{ResourceID: res["Club van"], Title: "Away match transport", StartDateTime: van,
		EndDateTime: van.Add(10 * time.Hour), BookedForType: booking.ForEvent, StatusCd: tentative, Notes: str("Awaiting the league's fixture list")}, false)
	return err
}
