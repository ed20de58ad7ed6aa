// Package vendorhttp is what door adapters that speak HTTP to a vendor share:
// one request/response exchange with a timeout and a size limit, the mapping of
// HTTP outcomes onto hal's typed errors (5xx/408/429/transport → Unreachable,
// other 4xx → Rejected), Retry-After hints the job queue honours, and error
// texts with every secret masked and never a URL or body in them.
package vendorhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gatehouse/gatehouse/internal/hal"
)

// MaxBody bounds a response body.
const MaxBody = 1 << 20

// RetryAfterError says when a rate-limited or overloaded door system may be
// tried again (zero: it did not say). The integration queue finds it with
// errors.As through the RetryAfter method.
type RetryAfterError struct{ After time.Duration }

func (e *RetryAfterError) Error() string {
	if e.After <= 0 {
		return "retry later"
	}
	return "retry after " + e.After.String()
}

// RetryAfter is how long the door system asked us to wait.
func (e *RetryAfterError) RetryAfter() time.Duration { return e.After }

// Client sends requests for one adapter.
type Client struct {
	Provider string
	HTTP     *http.Client
	Timeout  time.Duration // per request
	Log      *slog.Logger
	// Secrets returns the values to mask wherever they appear in an error.
	Secrets func() []string
	// ErrorKeys are the JSON fields of the vendor's error body whose text is
	// quoted (shortened, masked) in errors, e.g. "message", "error".
	ErrorKeys []string
	// BuildHint is appended when a request cannot even be built (bad base URL).
	BuildHint string
}

// Call is one exchange. Step names it in errors and logs (never the URL, which
// may hold a member's id or a card number).
type Call struct {
	Op, Step, Method, URL string
	Body                  any        // JSON-encoded when non-nil
	Form                  url.Values // form-encoded when non-nil (takes precedence)
	Header                map[string]string
	Out                   any // decoded from a 2xx JSON response when non-nil
	Auth                  func(*http.Request)
}

// Send runs one exchange and returns the HTTP status. A non-2xx status comes
// back with a typed *hal.Error, so the caller can still look at the code (e.g.
// 404 on delete is success).
func (c *Client) Send(ctx context.Context, call Call) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	var body io.Reader
	switch {
	case call.Form != nil:
		body = strings.NewReader(call.Form.Encode())
	case call.Body != nil:
		b, err := json.Marshal(call.Body)
		if err != nil {
			return 0, c.Fail(hal.Rejected, call.Op, call.Step, errors.New("cannot encode the request body"))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(rctx, call.Method, call.URL, body)
	if err != nil {
		return 0, c.Fail(hal.Rejected, call.Op, call.Step, errors.New("cannot build the request"+c.BuildHint))
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case call.Form != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case call.Body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range call.Header {
		req.Header.Set(k, v)
	}
	if call.Auth != nil {
		call.Auth(req)
	}
	start := time.Now()
	attrs := []slog.Attr{slog.String("provider", c.Provider), slog.String("op", call.Op), slog.String("step", call.Step), slog.String("method", call.Method)}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.Log.LogAttrs(ctx, slog.LevelDebug, strings.ToLower(c.Provider)+" request failed", append(attrs, slog.Duration("took", time.Since(start)))...)
		return 0, c.Fail(hal.Unreachable, call.Op, call.Step, TransportErr(ctx, rctx, err))
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	c.Log.LogAttrs(ctx, slog.LevelDebug, strings.ToLower(c.Provider)+" request", append(attrs, slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))...)
	if readErr != nil {
		return 0, c.Fail(hal.Unreachable, call.Op, call.Step, TransportErr(ctx, rctx, readErr))
	}
	if len(raw) > MaxBody {
		return resp.StatusCode, c.Fail(hal.Rejected, call.Op, call.Step, errors.New("response larger than 1 MiB"))
	}
	code := resp.StatusCode
	if code < 200 || code > 299 {
		kind := StatusKind(code)
		msg := fmt.Sprintf("%s HTTP %d", call.Method, code)
		if m := c.ErrorMessage(raw); m != "" {
			msg += ": " + m
		}
		err := errors.New(msg)
		if ra := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ra > 0 || code == http.StatusTooManyRequests {
			err = fmt.Errorf("%s (%w)", msg, &RetryAfterError{After: ra})
		}
		return code, c.Fail(kind, call.Op, call.Step, err)
	}
	if call.Out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, call.Out); err != nil {
			return code, c.Fail(hal.Rejected, call.Op, call.Step, fmt.Errorf("HTTP %d with a response that is not the expected JSON", code))
		}
	}
	return code, nil
}

// Fail builds the typed error with every secret masked.
func (c *Client) Fail(kind hal.ErrorKind, op, step string, err error) error {
	msg := err.Error()
	if step != "" {
		msg = step + ": " + msg
	}
	return hal.NewError(kind, c.Provider, op, Masked(c.Mask(msg), err))
}

// Mask replaces every secret of the client in s.
func (c *Client) Mask(s string) string {
	if c.Secrets == nil {
		return s
	}
	for _, sec := range c.Secrets() {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, hal.Mask(sec))
		}
	}
	return s
}

// StatusKind maps a failed HTTP status onto hal's error kinds: the vendor is
// overloaded or down (5xx, 408, 429: Unreachable, worth a retry) or refused
// the request (other 4xx: Rejected).
func StatusKind(code int) hal.ErrorKind {
	if code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout {
		return hal.Unreachable
	}
	return hal.Rejected
}

// ErrorMessage is a short excerpt of the vendor's own message (the first of
// ErrorKeys in a JSON body), secrets masked; the body itself is never reported.
func (c *Client) ErrorMessage(raw []byte) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, k := range c.ErrorKeys {
		if s, ok := m[k].(string); ok && s != "" {
			return Clip(c.Mask(s), 120)
		}
	}
	return ""
}

// maskedErr shows a masked message but keeps the chain for errors.Is/As.
type maskedErr struct {
	msg string
	err error
}

func (e *maskedErr) Error() string { return e.msg }
func (e *maskedErr) Unwrap() error { return e.err }

// Masked returns an error that reads msg (already masked) and unwraps to err.
func Masked(msg string, err error) error { return &maskedErr{msg: msg, err: err} }

// Clip shortens s to n runes and turns control characters into spaces (a
// vendor's message must not break a log line).
func Clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date), at most a day.
func RetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s > 0 {
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour).Round(time.Second)
	}
	return 0
}

// TransportErr describes a failed exchange without the URL (which may hold ids,
// card numbers or credentials): the caller's deadline, the request timeout, or
// the network operation that failed.
func TransportErr(ctx, rctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case rctx.Err() != nil:
		return fmt.Errorf("request timeout: %w", context.DeadlineExceeded)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("network timeout: %w", context.DeadlineExceeded)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return fmt.Errorf("%s: %w", oe.Op, oe.Err)
	}
	return errors.New("transport error")
}
