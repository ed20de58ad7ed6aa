package booking

import (
	"context"
	"slices"
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

func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// WithMaintenance adds the maintenance-window occurrences of the resource (or
// of every resource not retired) inside [from, to) to occ, as items with
// bookedForType MAINTENANCE and no booking id, and sorts the result like the
// calendar.
func (s *Service) WithMaintenance(ctx context.Context, sc Scope, resourceID *int64, from, to time.Time, occ []Occurrence) ([]Occurrence, error) {
	where, args := `entity_id = $1 AND status_cd <> 'RETIRED'`, []any{sc.EntityID}
	if resourceID != nil {
		where, args = `entity_id = $1 AND id = $2`, append(args, *resourceID)
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+resourceCols+` FROM resources WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	var rs []*Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	for _, r := range rs {
		series, err := r.MaintenanceSchedule.normalise(sc.Location, clock.Today(now, sc.Location))
		if err != nil {
			return nil, err
		}
		for i, ser := range series {
			title := r.MaintenanceSchedule.Windows[i].Note
			if title == "" {
				title = "Maintenance"
			}
			for _, o := range ser.Between(from, to) {
				st := StatusConfirmed
				if !o.End.After(now) {
					st = StatusCompleted
				}
				occ = append(occ, Occurrence{ResourceID: r.ID, Start: o.Start.UTC(), End: o.End.UTC(), Title: title, BookedForType: ForMaintenance,
					Recurring: true, StatusCd: st})
			}
		}
	}
	slices.SortStableFunc(occ, func(a, b Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return int(idOf(a.BookingID) - idOf(b.BookingID))
	})
	return occ, nil
}
