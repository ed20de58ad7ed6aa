// Package httpapi is the HTTP face of Gatehouse: routing, authentication of each
// request, RFC 9457 problem documents, pagination, OpenAPI and the middleware
// every request passes (logging, metrics, recovery). Feature packages register
// their operations through Register and stay free of HTTP plumbing.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/apperr"
)

// ProblemBase is where the problem types are documented.
const ProblemBase = "https://gatehouse.dev/problems/"

// Problem is an RFC 9457 problem document. Extensions (conflicts, rowErrors …)
// are written as top-level members next to the standard ones.
type Problem struct {
	Type       string              `json:"type" doc:"A URI naming the problem type."`
	Title      string              `json:"title" doc:"A short summary of the problem type."`
	Status     int                 `json:"status" doc:"The HTTP status code."`
	Detail     string              `json:"detail,omitempty" doc:"What went wrong in this occurrence."`
	Instance   string              `json:"instance,omitempty"`
	Errors     []*huma.ErrorDetail `json:"errors,omitempty" doc:"Field-level errors: location names the field."`
	Extensions map[string]any      `json:"-"`
	retryAfter int
	headers    http.Header
}

func (p *Problem) Error() string { return p.Detail }

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma answer application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" || ct == "" {
		return "application/problem+json"
	}
	return ct
}

// GetHeaders implements huma.HeadersError (Retry-After on 429).
func (p *Problem) GetHeaders() http.Header {
	h := p.headers
	if h == nil {
		h = http.Header{}
	}
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	return h
}

// MarshalJSON merges extension members into the document.
func (p *Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal((*plain)(p))
	if err != nil || len(p.Extensions) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range p.Extensions {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

var problemSlugs = map[int]string{
	400: "bad-request", // also: stale-version, duplicate (409) set by the service 401: "unauthorized", 403: "forbidden", 404: "not-found",
	405: "method-not-allowed", 409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type",
	422: "validation", 429: "rate-limited", 500: "internal", 503: "unavailable",
}

// NewProblem builds a problem for a status.
func NewProblem(status int, detail string) *Problem {
	slug := problemSlugs[status]
	if slug == "" {
		slug = strconv.Itoa(status)
	}
	return &Problem{Type: ProblemBase + slug, Title: http.StatusText(status), Status: status, Detail: detail}
}

// humaError replaces huma's default error so every error huma produces
// (validation, malformed JSON, oversize body) is our Problem.
func humaError(status int, msg string, errs ...error) huma.StatusError {
	p := NewProblem(status, msg)
	for _, e := range errs {
		if e == nil {
			continue
		}
		var d *huma.ErrorDetail
		if c, ok := e.(huma.ErrorDetailer); ok {
			d = c.ErrorDetail()
		} else {
			d = &huma.ErrorDetail{Message: e.Error()}
		}
		// Never echo a whole request body back, nor the value of a secret-like
		// field (passwords, card identifiers, keys, tokens): error documents end
		// up in logs and screenshots.
		if d.Location == "body" || d.Message == "unexpected property" || secretField(d.Location) {
			d.Value = nil
		}
		p.Errors = append(p.Errors, d)
	}
	if status == http.StatusUnprocessableEntity && msg == "validation failed" && len(p.Errors) > 0 {
		p.Detail = "validation failed: " + describe(p.Errors)
	}
	return p
}

var secretWords = []string{"password", "identifier", "apikey", "secret", "token", "key", "pin"}

func secretField(location string) bool {
	l := strings.ToLower(location)
	if i := strings.LastIndexByte(l, '.'); i >= 0 {
		l = l[i+1:]
	}
	for _, w := range secretWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func describe(errs []*huma.ErrorDetail) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		parts = append(parts, strings.TrimPrefix(e.Location, "body.")+": "+e.Message)
	}
	return strings.Join(parts, "; ")
}

func init() {
	huma.NewError = humaError
	huma.NewErrorWithContext = func(_ huma.Context, status int, msg string, errs ...error) huma.StatusError {
		return humaError(status, msg, errs...)
	}
}

// FromError turns a service error into a problem. Unknown errors become a 500
// with a generic detail: the cause goes to the log, never to the client.
func FromError(ctx context.Context, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	if ae, ok := apperr.As(err); ok {
		status := map[apperr.Kind]int{
			apperr.KindNotFound: 404, apperr.KindInvalid: 422, apperr.KindConflict: 409,
			apperr.KindForbidden: 403, apperr.KindUnauthorized: 401, apperr.KindTooMany: 429,
			apperr.KindUnavailable: 503,
		}[ae.Kind]
		if status == 0 {
			status = 500
		}
		p := NewProblem(status, ae.Detail)
		if ae.Type != "" {
			p.Type = ProblemBase + ae.Type
		}
		for _, f := range ae.Fields {
			p.Errors = append(p.Errors, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message, Value: f.Value})
		}
		p.Extensions = ae.Extensions
		p.retryAfter = ae.RetryAfterSeconds
		return p
	}
	if errors.Is(err, context.Canceled) {
		return NewProblem(499, "the client closed the request")
	}
	slog.ErrorContext(ctx, "internal error", "err", err)
	return NewProblem(http.StatusInternalServerError, "an internal error occurred; it has been logged")
}

// WriteProblem writes a problem outside huma (middleware, plain handlers).
func WriteProblem(w http.ResponseWriter, p *Problem) {
	for k, v := range p.GetHeaders() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// errorf is a shorthand for a 4xx problem with a formatted detail.
func errorf(status int, format string, args ...any) *Problem {
	return NewProblem(status, fmt.Sprintf(format, args...))
}
