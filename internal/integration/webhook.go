package integration

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/httpapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Kisi event webhooks (docs/integrations.md, "Kisi webhooks").
//
// The signing key is the organisation's: the admin sends it once as
// settings.webhookSecret when configuring the KISI integration (and enters the
// same key in the Kisi dashboard). It is sealed with the keyring like the API
// key and kept, sealed, under settings.webhookSecretSealed; Status never shows
// it (only webhookSecretSet). Configuring again without webhookSecret keeps
// the stored key; an empty string removes it.
const (
	webhookSecretKey    = "webhookSecret"
	webhookSealedKey    = "webhookSecretSealed"
	aadWebhookSecret    = "access_integration:%d:webhookSecret"
	kisiDeviceID        = "KISI"
	maxWebhookBody      = 64 << 10
	minWebhookSecretLen = 16
)

// sealWebhookSecret moves settings.webhookSecret into its sealed form (or keeps
// the one stored before when the request has none).
func (s *Service) sealWebhookSecret(ctx context.Context, entityID int64, settings map[string]any) error {
	delete(settings, webhookSealedKey) // never taken from a request
	v, given := settings[webhookSecretKey]
	delete(settings, webhookSecretKey)
	if !given {
		var raw string
		err := s.DB.QueryRowContext(ctx, `SELECT settings FROM access_integrations WHERE entity_id = $1`, entityID).Scan(&raw)
		if err != nil && !store.IsNoRows(err) {
			return err
		}
		var old map[string]any
		if raw != "" && json.Unmarshal([]byte(raw), &old) == nil {
			if sealed, ok := old[webhookSealedKey].(string); ok && sealed != "" {
				settings[webhookSealedKey] = sealed
			}
		}
		return nil
	}
	secret, _ := v.(string)
	if secret == "" {
		return nil
	}
	if len(secret) < minWebhookSecretLen || len(secret) > 256 || strings.IndexFunc(secret, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) }) >= 0 {
		return apperr.Field("settings.webhookSecret", "must be %d–256 printable ASCII characters", minWebhookSecretLen)
	}
	sealed, err := s.Secrets.Seal([]byte(secret), fmt.Sprintf(aadWebhookSecret, entityID))
	if err != nil {
		return err
	}
	settings[webhookSealedKey] = sealed
	return nil
}

// redactSettings replaces the sealed webhook secret by a flag in Status.
func redactSettings(settings map[string]any) {
	if settings == nil {
		return
	}
	_, set := settings[webhookSealedKey]
	delete(settings, webhookSealedKey)
	settings["webhookSecretSet"] = set
}

// KisiEvent is the part of a Kisi webhook payload Gatehouse reads.
type KisiEvent struct {
	UUID         string          `json:"uuid"`
	Type         string          `json:"type"`
	Success      bool            `json:"success"`
	ActorType    string          `json:"actor_type"`
	ActorID      json.RawMessage `json:"actor_id"`
	ActorName    string          `json:"actor_name"`
	ActorEmail   string          `json:"actor_email"`
	ObjectType   string          `json:"object_type"`
	ObjectID     json.RawMessage `json:"object_id"`
	ErrorMessage string          `json:"error_message"`
	CreatedAt    string          `json:"created_at"`
}

// WebhookResult is the answer to a webhook delivery.
type WebhookResult struct {
	Status    string `json:"status" enum:"RECORDED,DUPLICATE,IGNORED" doc:"RECORDED: a check-in row was written; DUPLICATE: this event id was recorded before; IGNORED: nothing to record (see reason)."`
	CheckInID *int64 `json:"checkInId,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// VerifyKisiSignature reports whether sig (hex or base64 of HMAC-SHA256 of the
// raw body with the key) is valid; the comparison is constant-time.
func VerifyKisiSignature(key, body []byte, sig string) bool {
	sig = strings.TrimSpace(sig)
	sig = strings.TrimPrefix(sig, "sha256=")
	if sig == "" || len(key) == 0 {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write(body)
	want := m.Sum(nil)
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != len(want) {
		if got, err = base64.StdEncoding.DecodeString(sig); err != nil {
			return false
		}
	}
	return hmac.Equal(got, want)
}

var errBadSignature = httpapi.NewProblem(http.StatusUnauthorized, "missing or invalid X-Signature")

// idString reads a JSON number or string id.
func idString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// KisiWebhook authenticates and records one Kisi event delivery.
func (s *Service) KisiWebhook(ctx context.Context, entityID int64, sig string, body []byte) (*WebhookResult, error) {
	if s.Secrets == nil || len(body) > maxWebhookBody {
		return nil, errBadSignature
	}
	var provider, raw string
	var enabled bool
	err := s.DB.QueryRowContext(ctx, `SELECT provider, settings, is_enabled FROM access_integrations WHERE entity_id = $1`, entityID).Scan(&provider, &raw, &enabled)
	if store.IsNoRows(err) {
		return nil, errBadSignature // no difference between "no such org" and a bad signature
	}
	if err != nil {
		return nil, err
	}
	var settings map[string]any
	_ = json.Unmarshal([]byte(raw), &settings)
	sealed, _ := settings[webhookSealedKey].(string)
	if provider != "KISI" || sealed == "" {
		return nil, errBadSignature
	}
	key, err := s.Secrets.Open(sealed, fmt.Sprintf(aadWebhookSecret, entityID))
	if err != nil {
		return nil, fmt.Errorf("open webhook secret: %w", err)
	}
	if !VerifyKisiSignature(key, body, sig) {
		return nil, errBadSignature
	}
	var ev KisiEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, apperr.Field("body", "not a Kisi event (JSON object)")
	}
	ev.UUID = strings.TrimSpace(ev.UUID)
	if ev.UUID == "" || len(ev.UUID) > 100 {
		return nil, apperr.Field("uuid", "the event uuid is required (at most 100 characters)")
	}
	if !enabled {
		return &WebhookResult{Status: "IGNORED", Reason: "the integration is disabled"}, nil
	}
	if ev.Type != "lock.unlock" {
		return &WebhookResult{Status: "IGNORED", Reason: "event type is not lock.unlock"}, nil
	}
	at := s.Clock.Now()
	if t, err := time.Parse(time.RFC3339Nano, ev.CreatedAt); err == nil {
		at = t
	}
	at = at.UTC()

	var res *WebhookResult
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if id, ok, err := kisiRow(ctx, tx, entityID, ev.UUID); err != nil || ok {
			res = &WebhookResult{Status: "DUPLICATE", CheckInID: &id}
			return err
		}
		var memberID, zoneID *int64
		if ev.ActorType == "User" && strings.TrimSpace(ev.ActorEmail) != "" {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM members WHERE entity_id = $1 AND LOWER(email) = LOWER($2)`, entityID, strings.TrimSpace(ev.ActorEmail)).Scan(&id)
			if err != nil && !store.IsNoRows(err) {
				return err
			}
			if err == nil {
				memberID = &id
			}
		}
		if ev.ObjectType == "Lock" {
			if lock := idString(ev.ObjectID); lock != "" {
				var id int64
				err := tx.QueryRowContext(ctx, `SELECT id FROM access_zones WHERE entity_id = $1 AND door_provider = 'KISI' AND door_external_id = $2 ORDER BY id LIMIT 1`, entityID, lock).Scan(&id)
				if err != nil && !store.IsNoRows(err) {
					return err
				}
				if err == nil {
					zoneID = &id
				}
			}
		}
		status := "GRANTED"
		var code, reason *string
		if !ev.Success {
			status = "DENIED"
			c, r := "VENDOR_DENIED", "Kisi refused the unlock"
			if m := clipText(ev.ErrorMessage, 150); m != "" {
				r += ": " + m
			}
			code, reason = &c, &r
		} else if memberID == nil {
			res = &WebhookResult{Status: "IGNORED", Reason: "the Kisi user is not a member of this organisation (matched by e-mail)"}
			return nil
		}
		device, event := kisiDeviceID, ev.UUID
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO check_ins (entity_id, member_id, zone_id, method_cd, direction_cd, status_cd,
			denial_code, denial_reason, device_id, event_id, checked_in_at, created_at)
			VALUES ($1, $2, $3, 'BLE', 'IN', $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
			entityID, memberID, zoneID, status, code, reason, device, event, at, s.Clock.Now().UTC()).Scan(&id)
		if store.IsNoRows(err) {
			// Refused by a unique index: the same event (a concurrent
			// delivery) or the member's open check-in to the zone.
			if id, ok, err := kisiRow(ctx, tx, entityID, ev.UUID); err != nil || ok {
				res = &WebhookResult{Status: "DUPLICATE", CheckInID: &id}
				return err
			}
			res = &WebhookResult{Status: "IGNORED", Reason: "the member is already checked in to this zone"}
			return nil
		}
		if err != nil {
			return err
		}
		res = &WebhookResult{Status: "RECORDED", CheckInID: &id}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func kisiRow(ctx context.Context, q store.Querier, entityID int64, uuid string) (int64, bool, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM check_ins WHERE entity_id = $1 AND device_id = $2 AND event_id = $3`, entityID, kisiDeviceID, uuid).Scan(&id)
	if store.IsNoRows(err) {
		return 0, false, nil
	}
	return id, err == nil, err
}

func clipText(s string, n int) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// WebhookRoutes registers the public vendor webhook endpoints.
func WebhookRoutes(api huma.API, s *Service) {
	oapi := api.OpenAPI()
	if oapi.Components.SecuritySchemes == nil {
		oapi.Components.SecuritySchemes = map[string]*huma.SecurityScheme{}
	}
	oapi.Components.SecuritySchemes["kisiSignature"] = &huma.SecurityScheme{Type: "apiKey", In: "header", Name: "X-Signature",
		Description: "HMAC-SHA256 (hex) of the raw body with the organisation's Kisi webhook secret."}
	httpapi.Register(api, huma.Operation{OperationID: "receiveKisiWebhook", Method: http.MethodPost, Path: "/api/integrations/webhooks/kisi/{entityId}",
		Tags: []string{"Door integrations"}, Summary: "Kisi event webhook",
		Description: "Called by Kisi (Integrations → Event Webhook, URL with the organisation id). No bearer token: the request is authenticated by " +
			"`X-Signature`, the HMAC-SHA256 of the raw body with the organisation's webhook secret (settings.webhookSecret of the KISI integration). " +
			"lock.unlock events become check-in rows (eventId = the Kisi uuid, so a redelivery records nothing new). 401 for a missing or wrong signature " +
			"(or an organisation without a Kisi webhook secret).",
		Security:     []map[string][]string{{"kisiSignature": {}}},
		MaxBodyBytes: maxWebhookBody, DefaultStatus: http.StatusOK, Errors: []int{401}},
		auth.Anyone, func(ctx context.Context, _ *auth.Principal, in *struct {
			EntityID  string `path:"entityId" maxLength:"20"`
			Signature string `header:"X-Signature" maxLength:"200"`
			RawBody   []byte `contentType:"application/octet-stream"`
		}) (*httpapi.Body[*WebhookResult], error) {
			id, err := strconv.ParseInt(in.EntityID, 10, 64)
			if err != nil || id <= 0 {
				return nil, errBadSignature
			}
			r, err := s.KisiWebhook(ctx, id, in.Signature, in.RawBody)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*WebhookResult]{Body: r}, nil
		})
}
