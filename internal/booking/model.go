// Package booking holds resources (rooms, courts, equipment …) and their
// booking calendar: single and recurring bookings, maintenance windows,
// availability, iCalendar feeds, and the rule that two bookings of one resource
// never overlap — which the database enforces (see docs/bookings.md).
//
// Every occurrence that holds a resource is materialised as a slot row; the
// conflict rule itself (FindConflicts, Availabilities) is pure and the store
// only narrows the candidates.
package booking

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/recur"
)

// Resource types.
const (
	TypeRoom      = "ROOM"
	TypeArea      = "AREA"
	TypeEquipment = "EQUIPMENT"
	TypeVehicle   = "VEHICLE"
	TypePersonnel = "PERSONNEL"
)

// ResourceTypes lists the resource types.
var ResourceTypes = []string{TypeRoom, TypeArea, TypeEquipment, TypeVehicle, TypePersonnel}

// Resource statuses. IN_USE (seed) is not stored: whether an occurrence is
// running now is derived on read (Resource.InUse), so it can never go stale.
const (
	StatusAvailable   = "AVAILABLE"
	StatusMaintenance = "MAINTENANCE" // out of service: takes no new bookings
	StatusRetired     = "RETIRED"     // terminal: takes no new bookings, keeps history
)

// Booking statuses.
const (
	StatusConfirmed = "CONFIRMED"
	StatusTentative = "TENTATIVE"
	StatusCancelled = "CANCELLED"
	StatusCompleted = "COMPLETED"
)

// What a booking is for. MAINTENANCE is also the kind of maintenance slots.
const (
	ForCourse      = "COURSE"
	ForEvent       = "EVENT"
	ForMember      = "MEMBER"
	ForMaintenance = "MAINTENANCE"
)

// BookedForTypes lists the booked-for types.
var BookedForTypes = []string{ForCourse, ForEvent, ForMember, ForMaintenance}

// Resource is a bookable thing.
type Resource struct {
	ID                  int64               `json:"id"`
	EntityID            int64               `json:"entityId"`
	Name                string              `json:"name"`
	TypeCd              string              `json:"typeCd" enum:"ROOM,AREA,EQUIPMENT,VEHICLE,PERSONNEL"`
	Description         *string             `json:"description" required:"true" nullable:"true"`
	Capacity            *int                `json:"capacity" required:"true" nullable:"true"`
	LocationDescription *string             `json:"locationDescription" required:"true" nullable:"true"`
	ZoneID              *int64              `json:"zoneId" required:"true" nullable:"true"`
	ImageURL            *string             `json:"imageUrl" required:"true" nullable:"true"`
	MaintenanceSchedule MaintenanceSchedule `json:"maintenanceSchedule"`
	StatusCd            string              `json:"statusCd" enum:"AVAILABLE,MAINTENANCE,RETIRED"`
	SortOrder           int                 `json:"sortOrder"`
	CreatedAt           time.Time           `json:"createdAt"`
	UpdatedAt           time.Time           `json:"updatedAt"`
	Version             int64               `json:"version"`

	maintenanceUntil *time.Time
}

// ResourceDetail is a resource with what is running now and what comes next.
type ResourceDetail struct {
	Resource
	InUse            bool         `json:"inUse" doc:"An occurrence (booking or maintenance) is running right now."`
	CurrentBookings  []Occurrence `json:"currentBookings" nullable:"false" doc:"Occurrences running now."`
	UpcomingBookings []Occurrence `json:"upcomingBookings" nullable:"false" doc:"The next occurrences (at most 20, within 14 days)."`
}

// Booking is a single booking or a recurring series on one resource.
type Booking struct {
	ID             int64      `json:"id"`
	EntityID       int64      `json:"entityId"`
	ResourceID     int64      `json:"resourceId"`
	Title          string     `json:"title"`
	StartDateTime  time.Time  `json:"startDateTime" doc:"Start of the (first) occurrence."`
	EndDateTime    time.Time  `json:"endDateTime" doc:"End of the (first) occurrence."`
	RecurrenceRule *string    `json:"recurrenceRule" required:"true" nullable:"true" doc:"RFC 5545 RRULE, expanded in the organisation's time zone."`
	ExDates        []string   `json:"exDates" nullable:"false" doc:"Starts (UTC) of occurrences removed from the series: cancelled, skipped as conflicting, or moved (see overrides)."`
	Overrides      []Override `json:"overrides" nullable:"false" doc:"Occurrences moved elsewhere."`
	BookedByUserID int64      `json:"bookedByUserId"`
	BookedForType  string     `json:"bookedForType" enum:"COURSE,EVENT,MEMBER,MAINTENANCE"`
	BookedForID    *int64     `json:"bookedForId" required:"true" nullable:"true"`
	StatusCd       string     `json:"statusCd" enum:"CONFIRMED,TENTATIVE,CANCELLED,COMPLETED"`
	Notes          *string    `json:"notes" required:"true" nullable:"true"`
	SeriesEnd      *time.Time `json:"seriesEnd" required:"true" nullable:"true" doc:"End of the last occurrence; null for a series without COUNT or UNTIL."`
	HeldUntil      *time.Time `json:"heldUntil" required:"true" nullable:"true" doc:"For a series without end: occurrences are checked and held up to here (the horizon), later ones when the horizon moves on."`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	Version        int64      `json:"version"`

	exDates []time.Time
}

// Override is one moved occurrence of a series.
type Override struct {
	OriginalStart time.Time `json:"originalStart"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	StatusCd      string    `json:"statusCd" enum:"CONFIRMED,CANCELLED"`
}

// Occurrence is one expanded occurrence of a booking, as calendars show it.
type Occurrence struct {
	BookingID     *int64    `json:"bookingId" required:"true" nullable:"true" doc:"null for a maintenance-window occurrence (GET /api/bookings?includeMaintenance=true)."`
	ResourceID    int64     `json:"resourceId"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Title         string    `json:"title"`
	BookedForType string    `json:"bookedForType"`
	BookedForID   *int64    `json:"bookedForId,omitempty"`
	Recurring     bool      `json:"recurring"`
	Moved         bool      `json:"moved,omitempty" doc:"This occurrence of a series was moved from its regular time."`
	StatusCd      string    `json:"statusCd" enum:"CONFIRMED,TENTATIVE,CANCELLED,COMPLETED"`
	BeyondHorizon bool      `json:"beyondHorizon,omitempty" doc:"Beyond the series' horizon: shown, but not yet checked or held (see heldUntil)."`
}

// Created is the answer of a create: the booking and what was skipped.
type Created struct {
	Booking
	Skipped []Interval `json:"skipped" nullable:"false" doc:"With ?skipConflicts=true: the occurrences left out because they conflicted."`
}

// ConflictItem is one entry of a 409 problem's conflicts list.
type ConflictItem struct {
	BookingID *int64    `json:"bookingId"`
	Kind      string    `json:"kind"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	// The wanted occurrence that collides.
	WantedStart time.Time `json:"wantedStart"`
	WantedEnd   time.Time `json:"wantedEnd"`
}

// series builds the recur series of a recurring booking in loc.
func (b *Booking) series(loc *time.Location) (*recur.Series, error) {
	if b.RecurrenceRule == nil {
		return nil, nil
	}
	rule, err := recur.Parse(*b.RecurrenceRule)
	if err != nil {
		return nil, err
	}
	return recur.New(recur.Spec{
		Start:    recur.LocalOf(b.StartDateTime.In(loc)),
		Duration: b.EndDateTime.Sub(b.StartDateTime),
		Location: loc,
		Rule:     rule,
		ExDates:  b.exDates,
	})
}
