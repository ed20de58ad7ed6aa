package booking

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Load reads one booking of the organisation with its moved occurrences,
// without a caller's scope (background services act for the organisation,
// e.g. the door integration). A booking that does not exist is (nil, nil).
func Load(ctx context.Context, q store.Querier, entityID, id int64) (*Booking, error) {
	b, err := scanBooking(q.QueryRowContext(ctx, `SELECT `+bookingCols+` FROM resource_bookings WHERE id = $1 AND entity_id = $2`, id, entityID))
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := loadOverrides(ctx, q, []*Booking{b}); err != nil {
		return nil, err
	}
	return b, nil
}

// NextOccurrence returns the first occurrence of b that ends after t, as
// calendars show it: a series is expanded in the organisation's time zone
// loc (so DST is in the instants), occurrences removed from it (cancelled,
// skipped, moved away: its EXDATEs) are left out and moved ones count at their
// new time unless cancelled. A single booking is its one interval. The
// booking's own status is not looked at. ok is false when no occurrence ends
// after t.
func (b *Booking) NextOccurrence(loc *time.Location, t time.Time) (iv Interval, ok bool, err error) {
	if b.RecurrenceRule == nil {
		if b.EndDateTime.After(t) {
			return Interval{Start: b.StartDateTime.UTC(), End: b.EndDateTime.UTC()}, true, nil
		}
		return Interval{}, false, nil
	}
	ser, err := b.series(loc)
	if err != nil {
		return Interval{}, false, err
	}
	for o := range ser.Occurrences(t) {
		iv, ok = Interval{Start: o.Start, End: o.End}, true
		break
	}
	for _, ov := range b.Overrides {
		if ov.StatusCd != StatusConfirmed || !ov.End.After(t) {
			continue
		}
		if !ok || ov.Start.Before(iv.Start) {
			iv, ok = Interval{Start: ov.Start.UTC(), End: ov.End.UTC()}, true
		}
	}
	return iv, ok, nil
}
