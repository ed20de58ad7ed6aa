// Package gantnerhost connects Gantner Gen7 terminals to the check-in: it is
// the authenticated WebSocket endpoint terminals dial, and the Decider that
// answers each card with the access service's normal check-in.
//
// GET /api/gantner/terminals/{terminalId}/ws
//
//   - Authentication: `Authorization: Bearer <device key>` of a READER device
//     (POST /api/devices). Only the header is accepted, not a query token: a
//     device key is long-lived and URLs end up in proxy and access logs.
//     Whether a Gen7 terminal can send the header is not documented publicly;
//     if it cannot, a TLS-terminating proxy in front of the app must add it.
//   - The terminal id is the door binding of a zone of the device's own
//     organisation (door provider GANTNER, externalDoorId = terminalId); no
//     such zone is 404, so a device of one organisation cannot pose as a
//     terminal of another. A device bound to a zone may serve only that zone.
//   - Every refusal is answered before the WebSocket upgrade, as
//     application/problem+json.
//
// Each App.CardIdent becomes access.Service.CheckIn as the device (method NFC,
// credential NFC_CARD with the card's UID, the terminal's zone): the check-in
// is recorded and its events are published as for any reader; GRANTED answers
// App.StartUnlockProcess, DENIED App.StartDenyProcess with the denial reason.
package gantnerhost

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/hal/gantner"
	"github.com/gatehouse/gatehouse/internal/httpapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Pattern is the route of the endpoint (net/http ServeMux syntax).
const Pattern = "GET /api/gantner/terminals/{terminalId}/ws"

// Endpoint is the terminals' WebSocket endpoint.
type Endpoint struct {
	Hub    *gantner.Hub
	Auth   *auth.Service
	Access *access.Service
	DB     *store.DB
}

// Mount registers the endpoint on mux.
func (e *Endpoint) Mount(mux *http.ServeMux) { mux.Handle(Pattern, e) }

func fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpapi.FromError(r.Context(), err)
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gatehouse"`)
	}
	httpapi.WriteProblem(w, p)
}

// ServeHTTP authenticates the terminal, finds its zone and upgrades.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	terminalID := r.PathValue("terminalId")
	if !gantner.ValidTerminalID(terminalID) {
		fail(w, r, apperr.Field("terminalId", "a Gen7 terminal id: 1–64 letters, digits, '-', '_' or '.'"))
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		fail(w, r, apperr.Unauthorized("a terminal authenticates with Authorization: Bearer <READER device key>"))
		return
	}
	token = strings.TrimSpace(token)
	p, err := e.Auth.Authenticate(ctx, token)
	if err != nil {
		fail(w, r, err)
		return
	}
	if p.Role != auth.Device || p.DeviceKind != auth.Reader {
		fail(w, r, apperr.Forbidden("only a READER device key may connect a terminal"))
		return
	}
	zoneID, err := e.zoneOf(ctx, p.EntityID, terminalID)
	if err != nil {
		fail(w, r, err)
		return
	}
	if p.ZoneID != nil && *p.ZoneID != zoneID {
		fail(w, r, apperr.Forbidden("this device is bound to another zone than the terminal's"))
		return
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		fail(w, r, apperr.Invalid("a WebSocket upgrade is required", apperr.FieldError{Field: "Upgrade", Message: "must be websocket"}))
		return
	}
	e.Hub.Upgrade(w, r, gantner.TerminalKey(p.EntityID, terminalID), e.decider(token, zoneID))
}

// zoneOf is the active zone of the organisation whose door is this terminal.
func (e *Endpoint) zoneOf(ctx context.Context, entityID int64, terminalID string) (int64, error) {
	rows, err := e.DB.QueryContext(ctx, `SELECT id FROM access_zones WHERE entity_id = $1 AND door_provider = $2 AND door_external_id = $3 AND active = TRUE
		ORDER BY id LIMIT 2`, entityID, gantner.Provider, terminalID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch len(ids) {
	case 0:
		return 0, apperr.NotFound("zone with this GANTNER terminal")
	case 1:
		return ids[0], nil
	}
	return 0, apperr.Conflict("more than one zone is bound to this GANTNER terminal; bind it to one")
}

// decider answers a card with the check-in of the device at the zone. The
// device key is checked again for every card, so revoking the device stops
// a connected terminal at its next card.
func (e *Endpoint) decider(token string, zoneID int64) gantner.Decider {
	return func(ctx context.Context, _ string, card gantner.CardIdent) gantner.Decision {
		p, err := e.Auth.Authenticate(ctx, token)
		if err != nil {
			return gantner.Decision{DisplayText: "Terminal not authorised"}
		}
		ci, err := e.Access.CheckIn(ctx, p, access.CheckInRequest{ZoneID: &zoneID, MethodCd: "NFC",
			Credential: &access.PresentedCredential{TypeCd: "NFC_CARD", Identifier: access.Identifier(card.UID)}})
		if err != nil {
			// Not decidable (bad UID, zone gone, database down): nothing was
			// recorded; the terminal denies.
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				slog.Warn("gantner: check-in failed", "device", p.DeviceID, "zone", zoneID, "err", err)
			}
			return gantner.Decision{DisplayText: "Please ask at the desk"}
		}
		if ci.StatusCd == access.Granted {
			// The hold-open time comes from the access service's door
			// command, which the hub folds into this answer.
			return gantner.Decision{Grant: true, DisplayText: "Welcome"}
		}
		reason := "No access"
		if ci.DenialReason != nil && *ci.DenialReason != "" {
			reason = *ci.DenialReason
		}
		return gantner.Decision{DisplayText: reason}
	}
}
