package booking

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
)

// Availability answers which parts of [from, to) a resource is busy or free.
// Busy intervals come from the same expansion as the calendar (bookings,
// moved occurrences, maintenance windows), so the two always agree; a MEMBER
// caller sees every busy interval (without whose it is).
func (s *Service) Availability(ctx context.Context, sc Scope, id int64, from, to time.Time) (*Availability, error) {
	if err := checkWindow(from, to); err != nil {
		return nil, err
	}
	r, err := s.getResource(ctx, s.DB, sc, id)
	if err != nil {
		return nil, err
	}
	all := Scope{EntityID: sc.EntityID, Location: sc.Location, Role: auth.Staff}
	occ, err := s.occurrences(ctx, all, occQuery{resourceID: &id, from: from, to: to})
	if err != nil {
		return nil, err
	}
	var held, tentative []Busy
	for _, o := range occ {
		b := Busy{Start: o.Start, End: o.End, Kind: kindOf(o.BookedForType)}
		if o.StatusCd == StatusTentative {
			tentative = append(tentative, b)
		} else {
			held = append(held, b)
		}
	}
	series, err := r.MaintenanceSchedule.normalise(sc.Location, clock.Today(s.Clock.Now(), sc.Location))
	if err != nil {
		return nil, err
	}
	for _, ser := range series {
		for _, o := range ser.Between(from, to) {
			held = append(held, Busy{Start: o.Start, End: o.End, Kind: ForMaintenance})
		}
	}
	a := Availabilities(from, to, held)
	t := Availabilities(from, to, tentative)
	a.Tentative = t.Busy
	return &a, nil
}
