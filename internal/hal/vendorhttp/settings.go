package vendorhttp

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
)

// The checks below are the settings and door ids every cloud adapter reads the
// same way; each adapter keeps its own wording (and its own error shape) for
// the integration API, so they only say what is wrong.

// DefaultTimeout bounds each request when settings.timeout is empty.
const DefaultTimeout = 10 * time.Second

// ParseTimeout reads settings.timeout: a Go duration above zero and at most
// 5m, or DefaultTimeout when empty.
func ParseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return DefaultTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > 5*time.Minute {
		return 0, errors.New("must be a Go duration up to 5m")
	}
	return d, nil
}

// BaseURL checks an API or token URL of the settings: absolute http(s),
// without query or fragment, returned without trailing slashes so paths can
// be appended. An empty raw is def, and an error when def is empty too (the
// vendor has no fixed host).
func BaseURL(raw, def string) (string, error) {
	if raw == "" {
		if def == "" {
			return "", errors.New("is required")
		}
		return def, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("must be an absolute http(s) URL without query")
	}
	return strings.TrimRight(raw, "/"), nil
}

// PulseSeconds reads settings.pulseSeconds, the door's own configured unlock
// time (0 to 3600, default 5): longer hold-opens need another request.
func PulseSeconds(n int) (int, error) {
	if n < 0 || n > 3600 {
		return 0, errors.New("must be between 0 and 3600")
	}
	if n == 0 {
		return 5, nil
	}
	return n, nil
}

// PositiveDoorID is the door's external id when it is a positive decimal
// number; noun names the vendor's object in the message (e.g. "a Brivo access
// point id").
func PositiveDoorID(d hal.Door, noun string) (string, error) {
	id := strings.TrimSpace(d.ExternalDoorID)
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
		return "", errors.New("must be " + noun + " (a positive number)")
	}
	return id, nil
}

// DoorFieldError is what hal.DoorValidator returns for an external door id
// the adapter's parser refused (err), nil when it was accepted: the
// integration API points at the externalDoorId field.
func DoorFieldError(err error) error {
	if err == nil {
		return nil
	}
	return &hal.FieldError{Field: "externalDoorId", Message: err.Error()}
}

// ClientOrDefault is the HTTP client the integration passed, or one whose
// overall 30s bound stops a stuck connection outliving every request timeout.
func ClientOrDefault(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return c
}
