// Package member holds members, contract templates and contracts, and decides
// whether a member has an active contract on a given day.
package member

import (
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
)

// Member is a person who may enter, book and register.
type Member struct {
	ID             int64     `json:"id"`
	EntityID       int64     `json:"entityId"`
	FirstName      string    `json:"firstName"`
	LastName       string    `json:"lastName"`
	Email          string    `json:"email"`
	Phone          *string   `json:"phone" required:"true" nullable:"true"`
	MemberNumber   string    `json:"memberNumber"`
	ActiveContract bool      `json:"activeContract" doc:"Whether the member holds a contract active today (organisation's time zone)."`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	Version        int64     `json:"version"`
}

// Fields is the editable part of a member.
type Fields struct {
	FirstName    string  `json:"firstName" minLength:"1" maxLength:"100"`
	LastName     string  `json:"lastName" minLength:"1" maxLength:"100"`
	Email        string  `json:"email" minLength:"3" maxLength:"254"`
	Phone        *string `json:"phone,omitempty" maxLength:"40"`
	MemberNumber *string `json:"memberNumber,omitempty" maxLength:"40" doc:"Generated (M000123) when absent."`
}

var (
	phonePattern  = regexp.MustCompile(`^\+?[0-9 ()./-]{3,40}$`)
	numberPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)
	tierPattern   = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,49}$`)
)

// normalise trims and validates member fields, collecting every problem.
func (f *Fields) normalise() error {
	var errs []apperr.FieldError
	f.FirstName = strings.TrimSpace(f.FirstName)
	f.LastName = strings.TrimSpace(f.LastName)
	if f.FirstName == "" || len(f.FirstName) > 100 {
		errs = append(errs, apperr.FieldError{Field: "firstName", Message: "must be 1–100 characters"})
	}
	if f.LastName == "" || len(f.LastName) > 100 {
		errs = append(errs, apperr.FieldError{Field: "lastName", Message: "must be 1–100 characters"})
	}
	if e, err := auth.NormaliseEmail("email", f.Email); err != nil {
		errs = append(errs, apperr.FieldError{Field: "email", Message: "is not a valid e-mail address", Value: f.Email})
	} else {
		f.Email = e
	}
	if f.Phone != nil {
		p := strings.TrimSpace(*f.Phone)
		switch {
		case p == "":
			f.Phone = nil
		case !phonePattern.MatchString(p):
			errs = append(errs, apperr.FieldError{Field: "phone", Message: "may hold digits, spaces and + ( ) . / - only", Value: *f.Phone})
		default:
			f.Phone = &p
		}
	}
	if f.MemberNumber != nil {
		n := strings.TrimSpace(*f.MemberNumber)
		switch {
		case n == "":
			f.MemberNumber = nil
		case !numberPattern.MatchString(n):
			errs = append(errs, apperr.FieldError{Field: "memberNumber", Message: "must be 1–40 letters, digits, '.', '_' or '-'", Value: *f.MemberNumber})
		default:
			f.MemberNumber = &n
		}
	}
	if len(errs) > 0 {
		return apperr.Invalid("invalid member", errs...)
	}
	return nil
}

// Template is a kind of contract with a tier (BASIC, PREMIUM …) and a rank to
// compare tiers (a zone may require a minimum tier).
type Template struct {
	ID        int64     `json:"id"`
	EntityID  int64     `json:"entityId"`
	Name      string    `json:"name"`
	TierCd    string    `json:"tierCd"`
	TierRank  int       `json:"tierRank"`
	CreatedAt time.Time `json:"createdAt"`
	Version   int64     `json:"version"`
}

// Contract statuses.
const (
	StatusActive    = "ACTIVE"
	StatusSuspended = "SUSPENDED"
	StatusCancelled = "CANCELLED"
)

// Contract binds a member to a template for a period.
type Contract struct {
	ID           int64       `json:"id"`
	EntityID     int64       `json:"entityId"`
	MemberID     int64       `json:"memberId"`
	TemplateID   int64       `json:"templateId"`
	TemplateName string      `json:"templateName"`
	TierCd       string      `json:"tierCd"`
	TierRank     int         `json:"tierRank"`
	StartDate    clock.Date  `json:"startDate" format:"date"`
	EndDate      *clock.Date `json:"endDate" format:"date" required:"true" nullable:"true" doc:"Inclusive; null = open-ended."`
	StatusCd     string      `json:"statusCd" enum:"ACTIVE,SUSPENDED,CANCELLED"`
	Active       bool        `json:"active" doc:"Active today: status ACTIVE and today within [startDate, endDate]."`
	CreatedAt    time.Time   `json:"createdAt"`
	UpdatedAt    time.Time   `json:"updatedAt"`
	Version      int64       `json:"version"`
}

// ActiveOn is the "active contract" rule: status ACTIVE and day within
// [start, end] (end inclusive, open when absent).
func (c Contract) ActiveOn(day clock.Date) bool {
	if c.StatusCd != StatusActive || day.Before(c.StartDate) {
		return false
	}
	return c.EndDate == nil || !c.EndDate.Before(day)
}

// validTransition says whether a contract may move from one status to another.
// CANCELLED is final: a cancelled contract is replaced by a new one, so the
// history of what was sold stays true.
func validTransition(from, to string) bool {
	if from == to {
		return true
	}
	return from != StatusCancelled
}
