package booking

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/recur"
)

// MaxWindows bounds the maintenance windows of one resource.
const MaxWindows = 50

// MaintenanceSchedule is a resource's recurring maintenance windows. Their
// occurrences hold the resource like bookings do (kind MAINTENANCE).
type MaintenanceSchedule struct {
	Windows []MaintenanceWindow `json:"windows" nullable:"false" maxItems:"50"`
}

// MaintenanceWindow is one recurring window, in the organisation's time zone.
type MaintenanceWindow struct {
	RecurrenceRule  string `json:"recurrenceRule" minLength:"1" maxLength:"500" doc:"RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO. COUNT=1 for a one-off window."`
	StartTime       string `json:"startTime" pattern:"^([01][0-9]|2[0-3]):[0-5][0-9]$" doc:"Local start time HH:MM."`
	DurationMinutes int    `json:"durationMinutes" minimum:"1" maximum:"10080"`
	Note            string `json:"note,omitempty" maxLength:"500"`
	StartDate       string `json:"startDate,omitempty" format:"date" doc:"First day the rule applies (YYYY-MM-DD); defaults to the day the schedule is saved."`
}

// ParseMaintenanceSchedule reads a stored or submitted schedule strictly
// (unknown fields are errors) and validates it. Errors name the field at fault,
// e.g. maintenanceSchedule.windows[1].recurrenceRule.
func ParseMaintenanceSchedule(data []byte) (MaintenanceSchedule, error) {
	var s MaintenanceSchedule
	if len(bytes.TrimSpace(data)) == 0 {
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return MaintenanceSchedule{}, apperr.Field("maintenanceSchedule", "is not a valid schedule: %v", err)
	}
	if dec.More() {
		return MaintenanceSchedule{}, apperr.Field("maintenanceSchedule", "has trailing data")
	}
	if _, err := s.normalise(time.UTC, clock.Date{Year: 2000, Month: 1, Day: 1}); err != nil {
		return MaintenanceSchedule{}, err
	}
	return s, nil
}

// normalise validates the schedule in loc, fills in missing start dates with
// today, and returns one series per window.
func (s *MaintenanceSchedule) normalise(loc *time.Location, today clock.Date) ([]*recur.Series, error) {
	if len(s.Windows) > MaxWindows {
		return nil, apperr.Field("maintenanceSchedule.windows", "at most %d windows", MaxWindows)
	}
	var errs []apperr.FieldError
	out := make([]*recur.Series, len(s.Windows))
	for i := range s.Windows {
		w := &s.Windows[i]
		at := func(f string) string { return fmt.Sprintf("maintenanceSchedule.windows[%d].%s", i, f) }
		w.Note = strings.TrimSpace(w.Note)
		bad := false
		hh, mm, ok := parseHHMM(w.StartTime)
		if !ok {
			errs = append(errs, apperr.FieldError{Field: at("startTime"), Message: "must be a local time HH:MM", Value: w.StartTime})
			bad = true
		}
		if w.DurationMinutes < 1 || w.DurationMinutes > 7*24*60 {
			errs = append(errs, apperr.FieldError{Field: at("durationMinutes"), Message: "must be 1–10080 (one week)"})
			bad = true
		}
		if len(w.Note) > 500 {
			errs = append(errs, apperr.FieldError{Field: at("note"), Message: "at most 500 characters"})
		}
		day := today
		if w.StartDate != "" {
			d, err := clock.ParseDate(w.StartDate)
			if err != nil {
				errs = append(errs, apperr.FieldError{Field: at("startDate"), Message: err.Error(), Value: w.StartDate})
				bad = true
			}
			day = d
		}
		w.StartDate = day.String()
		rule, err := recur.Parse(w.RecurrenceRule)
		if err != nil {
			errs = append(errs, recurField(at("recurrenceRule"), err))
			continue
		}
		w.RecurrenceRule = rule.String()
		if bad {
			continue
		}
		ser, err := recur.New(recur.Spec{
			Start:    recur.Local{Year: day.Year, Month: day.Month, Day: day.Day, Hour: hh, Minute: mm},
			Duration: time.Duration(w.DurationMinutes) * time.Minute,
			Location: loc, Rule: rule,
		})
		if err != nil {
			errs = append(errs, recurField(at("recurrenceRule"), err))
			continue
		}
		var occ []Interval
		for o := range ser.Occurrences(time.Time{}) {
			occ = append(occ, Interval(o))
			if len(occ) == 3 {
				break
			}
		}
		if _, _, overlap := SelfOverlap(occ); overlap {
			errs = append(errs, apperr.FieldError{Field: at("durationMinutes"), Message: "occurrences of the window overlap each other"})
			continue
		}
		out[i] = ser
	}
	if len(errs) > 0 {
		return nil, apperr.Invalid("invalid maintenance schedule: "+describe(errs), errs...)
	}
	return out, nil
}

func describe(errs []apperr.FieldError) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Field + ": " + e.Message
	}
	return strings.Join(parts, "; ")
}

func parseHHMM(s string) (int, int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// recurField maps a recurrence error to a field error naming the rule part.
func recurField(field string, err error) apperr.FieldError {
	if re, ok := err.(*recur.Error); ok {
		msg := re.Part + ": " + re.Reason
		if re.Value != "" {
			msg = fmt.Sprintf("%s=%q: %s", re.Part, re.Value, re.Reason)
		}
		return apperr.FieldError{Field: field, Message: msg}
	}
	return apperr.FieldError{Field: field, Message: err.Error()}
}
