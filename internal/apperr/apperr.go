// Package apperr holds the errors services return. They carry meaning, not HTTP:
// the API layer turns them into RFC 9457 problems with the matching status.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the caller.
type Kind int

// Kinds of application errors.
const (
	KindNotFound Kind = iota + 1
	KindInvalid
	KindConflict
	KindForbidden
	KindUnauthorized
	KindTooMany
	KindUnavailable
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string `json:"location"`
	Message string `json:"message"`
	Value   any    `json:"value,omitempty"`
}

// Error is an application error with a kind, a human detail and optional
// field errors and extension members (for example the conflicting bookings).
type Error struct {
	Kind       Kind
	Detail     string
	Fields     []FieldError
	Extensions map[string]any
	// RetryAfterSeconds is set on KindTooMany.
	RetryAfterSeconds int
	// Type names a more specific problem type than the kind (e.g. "stale-version"),
	// so clients can tell a lost update from other conflicts.
	Type string
}

func (e *Error) Error() string { return e.Detail }

// NotFound says the object does not exist for this caller (also when it exists in
// another organisation: never reveal that).
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Detail: what + " not found"}
}

// Invalid reports invalid input, naming each field at fault.
func Invalid(detail string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Detail: detail, Fields: fields}
}

// Field is shorthand for a single-field validation error.
func Field(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return Invalid(field+": "+msg, FieldError{Field: field, Message: msg})
}

// Conflict reports a state conflict: stale version, overlap, invalid transition.
func Conflict(format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Detail: fmt.Sprintf(format, args...)}
}

// StaleVersion is the optimistic-locking conflict.
func StaleVersion(what string) *Error {
	e := Conflict("%s was changed by someone else; reload it and try again", what)
	e.Type = "stale-version"
	return e
}

// Duplicate is a conflict with an existing object on one field (a unique key).
func Duplicate(field, detail string) *Error {
	e := Conflict("%s", detail)
	e.Type = "duplicate"
	e.Fields = []FieldError{{Field: field, Message: detail}}
	return e
}

// Forbidden reports an authenticated caller without the right to do this.
func Forbidden(detail string) *Error { return &Error{Kind: KindForbidden, Detail: detail} }

// Unauthorized reports missing or bad credentials.
func Unauthorized(detail string) *Error { return &Error{Kind: KindUnauthorized, Detail: detail} }

// TooMany reports rate limiting.
func TooMany(detail string, retryAfterSeconds int) *Error {
	return &Error{Kind: KindTooMany, Detail: detail, RetryAfterSeconds: retryAfterSeconds}
}

// With adds an extension member to the problem document.
func (e *Error) With(key string, value any) *Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[key] = value
	return e
}

// As extracts an *Error from err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is an application error of kind k.
func Is(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}
