package osdpdoor

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

// Routes registers GET /api/access/readers and the reader key endpoints.
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
	manage := auth.Allow(auth.ClubAdmin)
	httpapi.Register(api, huma.Operation{OperationID: "rekeyReader", Method: http.MethodPost, Path: "/api/access/readers/{id}/rekey", Tags: []string{"Access zones"},
		Summary: "Rotate a reader's secure-channel key",
		Description: "Generates a new key for an online secure OSDP reader, stores it sealed (committed) and only then sends it to the reader (KEYSET); " +
			"the reader then reconnects under the new key. 409 when the reader is not online with a secure channel, refused the key (it keeps the old one), " +
			"or its line is driven by another replica. Audited as door.reader_rekeyed.",
		DefaultStatus: http.StatusOK, Errors: []int{404, 409}},
		manage,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*StoredStatus], error) {
			st, err := m.Rekey(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*StoredStatus]{Body: st}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "clearReaderKey", Method: http.MethodDelete, Path: "/api/access/readers/{id}/key", Tags: []string{"Access zones"},
		Summary: "Forget a reader's secure-channel key",
		Description: "For a replaced or factory-reset reader: the stored key is deleted and the reader's line restarts; a secure reader is then expected in install mode " +
			"and is provisioned with a new key at its first handshake. Audited as door.reader_key_cleared.",
		DefaultStatus: http.StatusNoContent, Errors: []int{404}},
		manage,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*struct{}, error) {
			return nil, m.ClearKey(ctx, p, in.ID)
		})
}
