// Package course runs courses: a schedule on an iCalendar RRULE in the
// organisation's time zone, its sessions booked on a resource through the
// booking service, registrations with a fair wait list, attendance per
// session, public weekly schedules and iCalendar feeds (see docs/courses.md).
package course

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
)

// Course statuses.
const (
	StatusActive    = "ACTIVE"
	StatusPaused    = "PAUSED"
	StatusCancelled = "CANCELLED"
)

// CourseRegistration statuses.
const (
	RegRegistered = "REGISTERED"
	RegWaitList   = "WAIT_LIST"
	RegCancelled  = "CANCELLED"
)

// Attendance sources.
const (
	SourceTrainer = "TRAINER"
	SourceCheckIn = "CHECKIN"
)

// Levels and categories (seed).
var (
	Levels     = []string{"BEGINNER", "INTERMEDIATE", "ADVANCED", "ALL_LEVELS"}
	Categories = []string{"FITNESS", "YOGA", "MARTIAL_ARTS", "DANCE", "SWIMMING", "OTHER"}
)

// Course is a recurring class.
type Course struct {
	ID               int64       `json:"id"`
	EntityID         int64       `json:"entityId"`
	Name             string      `json:"name"`
	Description      *string     `json:"description" required:"true" nullable:"true"`
	InstructorUserID *int64      `json:"instructorUserId" required:"true" nullable:"true" doc:"The assigned trainer (a TRAINER user of the organisation)."`
	InstructorName   *string     `json:"instructorName" required:"true" nullable:"true" doc:"The instructor's display name (shown on the public schedule)."`
	ResourceID       *int64      `json:"resourceId" required:"true" nullable:"true" doc:"The room or area; its sessions are booked on it."`
	ResourceName     *string     `json:"resourceName" required:"true" nullable:"true" doc:"The resource's name (read-only)."`
	BookingID        *int64      `json:"bookingId" required:"true" nullable:"true" doc:"The resource booking (bookedForType COURSE) holding the current schedule's sessions."`
	RecurrenceRule   string      `json:"recurrenceRule" doc:"RFC 5545 RRULE, expanded in the organisation's time zone."`
	StartDate        clock.Date  `json:"startDate" doc:"First day the schedule applies."`
	EndDate          *clock.Date `json:"endDate" required:"true" nullable:"true" doc:"Last day the schedule applies (inclusive)."`
	StartTime        string      `json:"startTime" doc:"HH:MM, local time of the organisation."`
	DurationMinutes  int         `json:"durationMinutes"`
	MaxParticipants  *int        `json:"maxParticipants" required:"true" nullable:"true" doc:"Capacity; null = unlimited."`
	WaitListEnabled  bool        `json:"waitListEnabled"`
	LevelCd          *string     `json:"levelCd" required:"true" nullable:"true" enum:"BEGINNER,INTERMEDIATE,ADVANCED,ALL_LEVELS"`
	CategoryCd       *string     `json:"categoryCd" required:"true" nullable:"true" enum:"FITNESS,YOGA,MARTIAL_ARTS,DANCE,SWIMMING,OTHER"`
	StatusCd         string      `json:"statusCd" enum:"ACTIVE,PAUSED,CANCELLED"`
	ImageURL         *string     `json:"imageUrl" required:"true" nullable:"true"`
	ExDates          []time.Time `json:"exDates" nullable:"false" doc:"Sessions left out of the schedule (skipped because the resource was taken)."`
	RegisteredCount  int         `json:"registeredCount"`
	WaitListCount    int         `json:"waitListCount"`
	CreatedAt        time.Time   `json:"createdAt"`
	UpdatedAt        time.Time   `json:"updatedAt"`
	Version          int64       `json:"version"`
}

// CourseSession is one occurrence of a course.
type CourseSession struct {
	SessionDate clock.Date `json:"sessionDate" doc:"Local date of the session."`
	Start       time.Time  `json:"start"`
	End         time.Time  `json:"end"`
}

// CourseDetail is a course with its next sessions.
type CourseDetail struct {
	Course
	NextSessions []CourseSession `json:"nextSessions" nullable:"false" doc:"The next sessions (at most 10)."`
	FreeSeats    *int            `json:"freeSeats" required:"true" nullable:"true" doc:"null = unlimited."`
}

// CourseSaved is the answer of a create or a schedule change.
type CourseSaved struct {
	CourseDetail
	Skipped []CourseSession `json:"skipped" nullable:"false" doc:"With ?skipConflicts=true: sessions left out because the resource was taken."`
}

// CourseRegistration is a member's place in a course.
type CourseRegistration struct {
	ID               int64      `json:"id"`
	CourseID         int64      `json:"courseId"`
	MemberID         int64      `json:"memberId"`
	Status           string     `json:"status" enum:"REGISTERED,WAIT_LIST,CANCELLED"`
	RegisteredAt     time.Time  `json:"registeredAt"`
	PromotedAt       *time.Time `json:"promotedAt,omitempty"`
	CancelledAt      *time.Time `json:"cancelledAt,omitempty"`
	WaitListPosition *int       `json:"waitListPosition,omitempty" doc:"1-based place on the wait list (WAIT_LIST only)."`
	FirstName        string     `json:"firstName,omitempty" doc:"The member's first name (only in GET /api/courses/{id}/registrations, for staff and trainers)."`
	LastName         string     `json:"lastName,omitempty" doc:"The member's last name (only in GET /api/courses/{id}/registrations, for staff and trainers)."`
	seq              int64
}

// CourseParticipant is one line of a session roster.
type CourseParticipant struct {
	MemberID         int64   `json:"memberId"`
	FirstName        string  `json:"firstName"`
	LastName         string  `json:"lastName"`
	RegistrationID   *int64  `json:"registrationId" required:"true" nullable:"true"`
	Status           string  `json:"status" enum:"REGISTERED,WAIT_LIST,CANCELLED,NONE" doc:"The member's registration status (NONE: attended without a registration)."`
	WaitListPosition *int    `json:"waitListPosition,omitempty"`
	Attended         *bool   `json:"attended" required:"true" nullable:"true" doc:"null = not marked."`
	AttendanceSource *string `json:"attendanceSource" required:"true" nullable:"true" enum:"TRAINER,CHECKIN"`
}

// CourseRoster is the participants of one session.
type CourseRoster struct {
	CourseID        int64               `json:"courseId"`
	SessionDate     clock.Date          `json:"sessionDate"`
	Start           time.Time           `json:"start"`
	End             time.Time           `json:"end"`
	MaxParticipants *int                `json:"maxParticipants" required:"true" nullable:"true"`
	Participants    []CourseParticipant `json:"participants" nullable:"false" doc:"REGISTERED members, then anyone else with an attendance record for the session."`
	WaitList        []CourseParticipant `json:"waitList" nullable:"false" doc:"In promotion order."`
}

// CourseScheduleEntry is one session on the public schedule: no personal data.
type CourseScheduleEntry struct {
	CourseID        int64     `json:"courseId"`
	CourseName      string    `json:"courseName"`
	Date            string    `json:"date" doc:"Local date, YYYY-MM-DD."`
	StartTime       string    `json:"startTime" doc:"HH:MM local."`
	EndTime         string    `json:"endTime" doc:"HH:MM local."`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	DurationMinutes int       `json:"durationMinutes"`
	Room            *string   `json:"room" required:"true" nullable:"true"`
	Instructor      *string   `json:"instructor" required:"true" nullable:"true"`
	LevelCd         *string   `json:"levelCd" required:"true" nullable:"true"`
	CategoryCd      *string   `json:"categoryCd" required:"true" nullable:"true"`
	MaxParticipants *int      `json:"maxParticipants" required:"true" nullable:"true"`
	FreeSeats       *int      `json:"freeSeats" required:"true" nullable:"true" doc:"null = unlimited."`
	WaitListEnabled bool      `json:"waitListEnabled"`
}

// CourseSchedule is the sessions of one ISO week.
type CourseSchedule struct {
	EntityID         int64                 `json:"entityId"`
	OrganisationName string                `json:"organisationName" doc:"The organisation's name."`
	Timezone         string                `json:"timezone"`
	WeekStart        string                `json:"weekStart" doc:"Monday of the ISO week."`
	WeekEnd          string                `json:"weekEnd" doc:"Sunday of the ISO week."`
	Sessions         []CourseScheduleEntry `json:"sessions" nullable:"false"`
}

// MyCourse is one of a member's registrations with its course.
type MyCourse struct {
	Registration CourseRegistration `json:"registration"`
	Course       Course             `json:"course"`
	NextSessions []CourseSession    `json:"nextSessions" nullable:"false"`
}
