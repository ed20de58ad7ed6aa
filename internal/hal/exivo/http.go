package exivo

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/vendorhttp"
)

// call is one API request (url relative to the site: baseUrl/{siteId}); step
// names it in errors and logs (never the path or body).
type call struct {
	op, step string
	method   string
	url      string
	body     any // JSON-encoded when non-nil
	header   map[string]string
	out      any // decoded from a 2xx JSON response when non-nil
}

// vendor is the shared HTTP client (timeouts, status mapping, Retry-After,
// masking) with exivo's error fields.
func (a *Adapter) vendor() *vendorhttp.Client {
	return &vendorhttp.Client{Provider: a.provider, HTTP: a.client, Timeout: a.timeout, Log: a.log,
		Secrets: a.secrets, ErrorKeys: []string{"message", "error", "error_description", "detail"}, BuildHint: " (check settings.baseUrl and siteId)"}
}

// send runs one exchange (url relative to baseUrl/{siteId}); every request
// carries HTTP Basic API_KEY:API_SECRET (the Swagger's basicAuth).
func (a *Adapter) send(ctx context.Context, c call) (int, error) {
	return a.vendor().Send(ctx, vendorhttp.Call{Op: c.op, Step: c.step, Method: c.method, URL: a.base + c.url, Body: c.body,
		Header: c.header, Out: c.out, Auth: func(req *http.Request) { req.SetBasicAuth(a.keyID, a.secret) }})
}

// fail builds the typed error with every secret masked.
func (a *Adapter) fail(kind hal.ErrorKind, op, step string, err error) error {
	return a.vendor().Fail(kind, op, step, err)
}
