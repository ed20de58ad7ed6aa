package brivo

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/vendorhttp"
)

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

// vendor is the shared HTTP client (timeouts, status mapping, Retry-After,
// masking) with Brivo's error fields.
func (a *Adapter) vendor() *vendorhttp.Client {
	return &vendorhttp.Client{Provider: a.provider, HTTP: a.client, Timeout: a.timeout, Log: a.log,
		Secrets: a.secrets, ErrorKeys: []string{"message", "error_description", "error"}, BuildHint: " (check settings.baseUrl/authUrl)"}
}

// send runs one exchange; every request carries the api-key header, and auth
// adds the bearer token (nil for the token endpoint itself).
func (a *Adapter) send(ctx context.Context, c call, auth func(*http.Request)) (int, error) {
	return a.vendor().Send(ctx, vendorhttp.Call{Op: c.op, Step: c.step, Method: c.method, URL: c.url, Body: c.body, Form: c.form,
		Header: c.header, Out: c.out, Auth: func(req *http.Request) {
			req.Header.Set("api-key", a.apiKey)
			if auth != nil {
				auth(req)
			}
		}})
}

// fail builds the typed error with every secret masked.
func (a *Adapter) fail(kind hal.ErrorKind, op, step string, err error) error {
	return a.vendor().Fail(kind, op, step, err)
}
