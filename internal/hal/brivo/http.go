package brivo

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
	"github.com/gatehouse/gatehouse/internal/hal/generichttp"
)

const maxBody = 1 << 20

// call is one API request. path is relative to the base URL (or absolute for
// the token endpoint); step names it in errors and logs (never the path, which
// may hold a member's external id).
type call struct {
	op, step string
	method   string
	url      string
	body     any        // JSON-encoded when non-nil
	form     url.Values // form-encoded when non-nil (token endpoint)
	header   map[string]string
	out      any // decoded from a 2xx JSON response when non-nil
}

// send runs one exchange with the request timeout and returns the HTTP status.
// A non-2xx status comes back with a typed *hal.Error (Unreachable for 5xx,
// 408, 429; Rejected for other 4xx) so the caller can still look at the code
// (e.g. 404 on delete is success).
func (a *Adapter) send(ctx context.Context, c call, auth func(*http.Request)) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var body io.Reader
	switch {
	case c.form != nil:
		body = strings.NewReader(c.form.Encode())
	case c.body != nil:
		b, err := json.Marshal(c.body)
		if err != nil {
			return 0, a.fail(hal.Rejected, c.op, c.step, errors.New("cannot encode the request body"))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(rctx, c.method, c.url, body)
	if err != nil {
		return 0, a.fail(hal.Rejected, c.op, c.step, errors.New("cannot build the request (check settings.baseUrl/authUrl)"))
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case c.form != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case c.body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("api-key", a.apiKey)
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	if auth != nil {
		auth(req)
	}
	start := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelDebug, "brivo request failed", slog.String("provider", a.provider), slog.String("op", c.op), slog.String("step", c.step), slog.String("method", c.method), slog.Duration("took", time.Since(start)))
		return 0, a.fail(hal.Unreachable, c.op, c.step, transportErr(ctx, rctx, err))
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	a.log.LogAttrs(ctx, slog.LevelDebug, "brivo request", slog.String("provider", a.provider), slog.String("op", c.op), slog.String("step", c.step), slog.String("method", c.method), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if readErr != nil {
		return 0, a.fail(hal.Unreachable, c.op, c.step, transportErr(ctx, rctx, readErr))
	}
	if len(raw) > maxBody {
		return resp.StatusCode, a.fail(hal.Rejected, c.op, c.step, errors.New("response larger than 1 MiB"))
	}
	code := resp.StatusCode
	if code < 200 || code > 299 {
		kind := hal.Rejected
		if code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout {
			kind = hal.Unreachable
		}
		msg := fmt.Sprintf("%s HTTP %d", c.method, code)
		if m := a.errorMessage(raw); m != "" {
			msg += ": " + m
		}
		err := errors.New(msg)
		if ra := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ra > 0 || code == http.StatusTooManyRequests {
			err = fmt.Errorf("%s (%w)", msg, &generichttp.RetryAfterError{After: ra})
		}
		return code, a.fail(kind, c.op, c.step, err)
	}
	if c.out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, c.out); err != nil {
			return code, a.fail(hal.Rejected, c.op, c.step, fmt.Errorf("HTTP %d with a response that is not the expected JSON", code))
		}
	}
	return code, nil
}

// fail builds the typed error with every secret masked.
func (a *Adapter) fail(kind hal.ErrorKind, op, step string, err error) error {
	msg := err.Error()
	if step != "" {
		msg = step + ": " + msg
	}
	return hal.NewError(kind, a.provider, op, &maskedErr{msg: a.mask(msg), err: err})
}

func (a *Adapter) mask(s string) string {
	for _, sec := range a.secrets() {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, hal.Mask(sec))
		}
	}
	return s
}

// maskedErr shows a masked message but keeps the chain for errors.Is/As.
type maskedErr struct {
	msg string
	err error
}

func (e *maskedErr) Error() string { return e.msg }
func (e *maskedErr) Unwrap() error { return e.err }

// errorMessage is a short excerpt of Brivo's own message ({"message"} or the
// OAuth {"error","error_description"}); the body itself is never reported.
func (a *Adapter) errorMessage(raw []byte) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, k := range []string{"message", "error_description", "error"} {
		if s, ok := m[k].(string); ok && s != "" {
			return clip(a.mask(s), 120)
		}
	}
	return ""
}

func clip(s string, n int) string {
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

func retryAfter(h string, now time.Time) time.Duration {
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

// transportErr describes a failed exchange without the URL (it may hold ids
// or, for the token endpoint in some deployments, credentials).
func transportErr(ctx, rctx context.Context, err error) error {
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
