package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// The document served at /api/openapi.json is valid OpenAPI 3.1 and describes
// every operation, with problem+json errors and security on protected ones.
func TestOpenAPIDocumentIsValid31AndComplete(t *testing.T) {
	h := apptest.New(t, storetest.SQLite(t))
	r := h.Get("/api/openapi.json", "")
	if r.Status != 200 {
		t.Fatalf("openapi.json: %d", r.Status)
	}
	doc, err := libopenapi.NewDocument(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Fatalf("OpenAPI version %q", v)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.Location)
			}
		}
	}

	var spec struct {
		Paths map[string]map[string]struct {
			OperationID string                    `json:"operationId"`
			Security    []map[string][]string     `json:"security"`
			Responses   map[string]map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &spec); err != nil {
		t.Fatal(err)
	}
	// Every operation the router serves under /api is in the document.
	want := map[string]bool{}
	for _, op := range []string{
		"POST /api/auth/login", "POST /api/auth/logout", "GET /api/auth/me", "POST /api/entities",
		"POST /api/users", "GET /api/users", "POST /api/devices", "GET /api/devices", "POST /api/devices/{id}/revoke",
		"GET /api/members", "POST /api/members", "GET /api/members/{id}", "PUT /api/members/{id}", "POST /api/members/import",
		"GET /api/contract-templates", "POST /api/contract-templates", "GET /api/members/{id}/contracts",
		"POST /api/members/{id}/contracts", "PUT /api/contracts/{id}",
		"POST /api/checkin", "POST /api/checkin/checkout", "GET /api/checkin/history/{memberId}", "GET /api/checkin/live-feed",
		"GET /api/access/zones", "POST /api/access/zones", "GET /api/access/zones/{id}", "PUT /api/access/zones/{id}",
		"DELETE /api/access/zones/{id}", "GET /api/access/zones/{id}/occupancy", "POST /api/access/zones/{id}/unlock",
		"PUT /api/access/zones/{id}/door", "GET /api/access/zones/{id}/door/events", "GET /api/access/unlocks", "GET /api/access/readers",
		"POST /api/access/readers/{id}/rekey", "DELETE /api/access/readers/{id}/key",
		"POST /api/integrations/access/configure", "GET /api/integrations/access/status", "GET /api/integrations/access/logs",
		"GET /api/integrations/access/credentials", "GET /api/integrations/access/jobs", "POST /api/integrations/access/reconcile",
		"POST /api/integrations/access/test", "POST /api/integrations/access/jobs/{id}/retry", "POST /api/integrations/access/enable", "POST /api/integrations/webhooks/kisi/{entityId}",
		"GET /api/access/rules", "POST /api/access/rules", "PUT /api/access/rules/{id}", "DELETE /api/access/rules/{id}",
		"GET /api/access/credentials/{memberId}", "POST /api/access/credentials", "POST /api/access/credentials/{id}/activate",
		"POST /api/access/credentials/{id}/suspend", "POST /api/access/credentials/{id}/revoke",
		"GET /api/resources", "POST /api/resources", "GET /api/resources/{id}", "PUT /api/resources/{id}", "DELETE /api/resources/{id}",
		"GET /api/resources/{id}/availability", "GET /api/resources/{id}/calendar.ics", "POST /api/resources/{id}/calendar-token",
		"GET /api/bookings", "POST /api/bookings", "GET /api/bookings/{id}", "POST /api/bookings/{id}/cancel",
		"POST /api/bookings/{id}/reschedule", "POST /api/bookings/{id}/confirm", "PUT /api/bookings/{id}",
		"GET /api/courses", "POST /api/courses", "GET /api/courses/{id}", "PUT /api/courses/{id}", "POST /api/courses/{id}/register",
		"DELETE /api/courses/{id}/register/{memberId}", "GET /api/courses/{id}/registrations", "GET /api/courses/{id}/participants",
		"POST /api/courses/{id}/attendance", "GET /api/courses/schedule/{entityId}", "GET /api/courses/schedule/{entityId}.ics",
		"GET /api/me/courses", "GET /api/me/courses.ics", "POST /api/me/courses/feed-token",
		"GET /api/qr-door/{zoneId}/code", "POST /api/qr-door/redeem", "GET /api/me/pass", "POST /api/ble/reports", "POST /api/me/ble-key",
		"PUT /api/ble/zones/{zoneId}", "PUT /api/ble/readers/{readerId}", "GET /api/ble/zones", "GET /api/ble/readers", "POST /api/phone/keys/rotate",
	} {
		want[op] = true
	}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + path
			delete(want, key)
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", key)
			}
			if path != "/api/auth/login" && len(op.Security) == 0 {
				t.Errorf("%s is not marked as needing authentication", key)
			}
			if _, ok := op.Responses["422"]; !ok {
				t.Errorf("%s documents no 422", key)
			}
			if strings.HasPrefix(op.OperationID, "create") {
				if _, ok := op.Responses["201"]; !ok {
					t.Errorf("%s (%s) does not document 201 Created", key, op.OperationID)
				}
			}
			if d, ok := op.Responses["default"]; ok {
				if _, ok := d["content"].(map[string]any)["application/problem+json"]; !ok {
					t.Errorf("%s: errors are not documented as problem+json", key)
				}
			}
		}
	}
	for op := range want {
		t.Errorf("%s is missing from the OpenAPI document", op)
	}
	// The human reference renders from the same document.
	if d := h.Get("/api/docs", ""); d.Status != 200 || !strings.Contains(string(d.Body), "/api/members/import") {
		t.Fatalf("/api/docs: %d", d.Status)
	}
}
