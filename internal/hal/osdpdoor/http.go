package osdpdoor

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

// Routes registers GET /api/access/readers.
func Routes(api huma.API, m *Manager) {
	httpapi.Register(api, huma.Operation{OperationID: "listReaders", Method: http.MethodGet, Path: "/api/access/readers", Tags: []string{"Access zones"},
		Summary:     "OSDP reader status",
		Description: "The organisation's OSDP readers (one per zone bound to provider OSDP) with their last known link state: online, secure channel, tamper, last card read and last contact."},
		auth.Allow(auth.Staff),
		func(ctx context.Context, p *auth.Principal, in *struct {
			ZoneID int64 `query:"zoneId" minimum:"0" doc:"Only the readers of this zone."`
		}) (*httpapi.Body[[]StoredStatus], error) {
			list, err := m.List(ctx, p.EntityID, in.ZoneID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[[]StoredStatus]{Body: list}, nil
		})
}
