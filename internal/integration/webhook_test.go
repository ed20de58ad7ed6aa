package integration_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/app/apptest"
	"github.com/gatehouse/gatehouse/internal/hal/kisi/kisitest"
	"github.com/gatehouse/gatehouse/internal/integration"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

const webhookSecret = "kisi-webhook-signing-key-0042"

func sign(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func deliver(t *testing.T, h *apptest.Harness, entityID int64, sig string, body []byte) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/integrations/webhooks/kisi/%d", entityID), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Signature", sig)
	}
	rec := httptest.NewRecorder()
	h.App.Handler().ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m
}

func kisiEvent(uuid, email string, success bool) []byte {
	b, _ := json.Marshal(map[string]any{"uuid": uuid, "type": "lock.unlock", "success": success, "actor_type": "User", "actor_id": 901,
		"actor_name": "Self Member", "actor_email": email, "object_type": "Lock", "object_id": 55, "object_name": "Front door",
		"organization_id": 3, "place_id": 7, "created_at": "2026-11-21T10:59:00Z"})
	return b
}

func TestKisiWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := kisitest.New(apiKey)
		defer f.Close()
		h := harness(t, db)
		o := h.NewOrg("Club")
		other := h.NewOrg("Other club")
		h.Must(h.Post("/api/integrations/access/configure", o.Admin, map[string]any{"provider": "KISI", "apiKey": f.Key,
			"settings": map[string]any{"baseUrl": f.URL, "groupId": 7, "webhookSecret": webhookSecret}}), 200)
		st := h.Must(h.Get("/api/integrations/access/status", o.Admin), 200)
		settings := st["settings"].(map[string]any)
		if settings["webhookSecretSet"] != true || strings.Contains(fmt.Sprint(st), webhookSecret) || settings["webhookSecretSealed"] != nil {
			t.Fatalf("status shows the secret or lacks the flag: %v", st)
		}
		email := h.Must(h.Get(fmt.Sprintf("/api/members/%d", o.MemberID), o.Admin), 200)["email"].(string)
		zone := apptest.ID(h.Must(h.Post("/api/access/zones", o.Admin, map[string]any{"name": "Front door", "typeCd": "AREA"}), 201))
		if _, err := db.ExecContext(context.Background(), `UPDATE access_zones SET door_provider = 'KISI', door_external_id = '55' WHERE id = $1`, zone); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM check_ins WHERE device_id = 'KISI'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		body := kisiEvent("6f1c2a9e-0001", strings.ToUpper(email), true)
		// Bad, missing and other-key signatures, and an org without a secret: 401, nothing recorded.
		for _, c := range []struct {
			entity int64
			sig    string
		}{{o.ID, ""}, {o.ID, "00" + sign(webhookSecret, body)[2:]}, {o.ID, sign("another-key-of-16+chars", body)}, {other.ID, sign(webhookSecret, body)}, {999999, sign(webhookSecret, body)}} {
			if code, m := deliver(t, h, c.entity, c.sig, body); code != 401 {
				t.Fatalf("entity %d sig %q: %d %v", c.entity, c.sig, code, m)
			}
		}
		// Body tampered after signing.
		if code, _ := deliver(t, h, o.ID, sign(webhookSecret, body), bytes.Replace(body, []byte("true"), []byte("false"), 1)); code != 401 {
			t.Fatalf("tampered body: %d", code)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d rows after rejected deliveries", n)
		}

		code, m := deliver(t, h, o.ID, sign(webhookSecret, body), body)
		if code != 200 || m["status"] != "RECORDED" {
			t.Fatalf("first delivery: %d %v", code, m)
		}
		var member, zoneID int64
		var method, status, eventID string
		if err := db.QueryRowContext(context.Background(), `SELECT member_id, zone_id, method_cd, status_cd, event_id FROM check_ins WHERE device_id = 'KISI'`).
			Scan(&member, &zoneID, &method, &status, &eventID); err != nil {
			t.Fatal(err)
		}
		if member != o.MemberID || zoneID != zone || method != "BLE" || status != "GRANTED" || eventID != "6f1c2a9e-0001" {
			t.Fatalf("row: member %d zone %d %s %s %s", member, zoneID, method, status, eventID)
		}
		// Replay: same uuid → no second row.
		code, m = deliver(t, h, o.ID, sign(webhookSecret, body), body)
		if code != 200 || m["status"] != "DUPLICATE" || count() != 1 {
			t.Fatalf("replay: %d %v, %d rows", code, m, count())
		}
		// Unknown user, success: ignored (a granted row needs a member).
		unknown := kisiEvent("6f1c2a9e-0002", "stranger@example.com", true)
		code, m = deliver(t, h, o.ID, sign(webhookSecret, unknown), unknown)
		if code != 200 || m["status"] != "IGNORED" || count() != 1 {
			t.Fatalf("unknown user: %d %v, %d rows", code, m, count())
		}
		// Unknown user, refused unlock: a DENIED row without member.
		denied := kisiEvent("6f1c2a9e-0003", "stranger@example.com", false)
		code, m = deliver(t, h, o.ID, sign(webhookSecret, denied), denied)
		if code != 200 || m["status"] != "RECORDED" || count() != 2 {
			t.Fatalf("denied: %d %v, %d rows", code, m, count())
		}
		// Other event types are acknowledged and ignored.
		other1, _ := json.Marshal(map[string]any{"uuid": "6f1c2a9e-0004", "type": "user.created", "success": true})
		if code, m := deliver(t, h, o.ID, sign(webhookSecret, other1), other1); code != 200 || m["status"] != "IGNORED" {
			t.Fatalf("other type: %d %v", code, m)
		}
		// Re-configuring without webhookSecret keeps it.
		h.Must(h.Post("/api/integrations/access/configure", o.Admin, map[string]any{"provider": "KISI", "apiKey": f.Key,
			"settings": map[string]any{"baseUrl": f.URL, "groupId": 7}}), 200)
		if code, m := deliver(t, h, o.ID, sign(webhookSecret, body), body); code != 200 || m["status"] != "DUPLICATE" {
			t.Fatalf("after reconfigure: %d %v", code, m)
		}
		// A too-short secret is refused.
		if r := h.Post("/api/integrations/access/configure", o.Admin, map[string]any{"provider": "KISI", "apiKey": f.Key,
			"settings": map[string]any{"baseUrl": f.URL, "groupId": 7, "webhookSecret": "short"}}); r.Status != 422 {
			t.Fatalf("short secret: %d %s", r.Status, r.Body)
		}
	})
}

func TestVerifyKisiSignature(t *testing.T) {
	body := []byte(`{"uuid":"x"}`)
	sig := sign("k", body)
	if !integration.VerifyKisiSignature([]byte("k"), body, sig) || !integration.VerifyKisiSignature([]byte("k"), body, strings.ToUpper(sig)) {
		t.Fatal("valid hex signature refused")
	}
	for _, bad := range []string{"", "zz", sig[:10], sign("k2", body)} {
		if integration.VerifyKisiSignature([]byte("k"), body, bad) {
			t.Fatalf("%q accepted", bad)
		}
	}
	if integration.VerifyKisiSignature(nil, body, sig) {
		t.Fatal("empty key accepted")
	}
}
