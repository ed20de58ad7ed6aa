// Package integration connects an organisation to a cloud door system (Kisi,
// Brivo, exivo, … — any hal.RegisterVendor'ed adapter): the admin configures
// it (the API key is sealed with the app keyring and never returned), booking
// changes are turned into durable jobs (grant/revoke/move) by a consumer that
// reads the outbox with a persisted cursor, a worker runs the jobs against the
// vendor with back-off, and a reconciler repairs drift. See docs/integrations.md.
package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Tunables (tests shorten them in TestMain, before any app starts).
var (
	// BaseBackoff is the first retry delay; it doubles per attempt (with jitter).
	BaseBackoff = 2 * time.Second
	// MaxBackoff caps the retry delay.
	MaxBackoff = 15 * time.Minute
	// Lease is how long a claimed job is hidden from other workers; a worker
	// that dies mid-job leaves it to be retried after the lease.
	Lease = 2 * time.Minute
	// Poll is how often the worker looks for new events and due jobs.
	Poll = time.Second
	// ReconcileEvery is the period of the automatic reconciler.
	ReconcileEvery = 15 * time.Minute
	// CallTimeout bounds one job's vendor calls.
	CallTimeout = 30 * time.Second
	// MaxGrantAttempts: a grant that still fails after this many attempts is
	// FAILED_PERMANENT (the reconciler retries it later if still wanted).
	// Revocations are never given up.
	MaxGrantAttempts = 20
)

// Job kinds and statuses.
const (
	KindGrant  = "GRANT"
	KindRevoke = "REVOKE"
	KindMove   = "MOVE"

	StatusPending   = "PENDING"
	StatusDone      = "DONE"
	StatusFailed    = "FAILED_PERMANENT"
	defaultLeadLag  = 15
	maxLeadLagMins  = 24 * 60
	aadAPIKey       = "access_integration:%d:apiKey"
	aadClientSecret = "access_integration:%d:clientSecret"
)

// Service is the door-integration feature.
type Service struct {
	DB      *store.DB
	Clock   clock.Clock
	Secrets *secret.Keyring
	// HTTPClient is handed to vendor factories (nil: 30 s timeout client).
	HTTPClient *http.Client

	wake chan struct{} // new events in the outbox (every commit that emitted)
	work chan struct{} // jobs queued or made due by an API action
	// consumer state: outbox id gaps seen (id → when), see consume.
	mu   sync.Mutex
	gaps map[int64]time.Time
}

// NewService builds the service.
func NewService(db *store.DB, clk clock.Clock, secrets *secret.Keyring) *Service {
	return &Service{DB: db, Clock: clk, Secrets: secrets, HTTPClient: &http.Client{Timeout: CallTimeout},
		wake: make(chan struct{}, 1), work: make(chan struct{}, 1), gaps: map[int64]time.Time{}}
}

// Wake makes the worker look at the outbox now (after a commit that emitted
// events). Due jobs are looked for only when that queued jobs, or at the poll.
func (s *Service) Wake() { signal(s.wake) }

// wakeWork makes the worker look for due jobs now (an API action queued one
// or made one due).
func (s *Service) wakeWork() { signal(s.work) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// ConfigureInput is the body of POST /api/integrations/access/configure.
type ConfigureInput struct {
	Provider  string         `json:"provider" minLength:"1" maxLength:"32" doc:"A registered vendor: KISI, BRIVO, EXIVO, …"`
	APIKey    string         `json:"apiKey" minLength:"1" maxLength:"512" doc:"Stored sealed; never returned. Re-configuring replaces (rotates) it."`
	IsEnabled *bool          `json:"isEnabled,omitempty" doc:"Default true."`
	Settings  map[string]any `json:"settings,omitempty" doc:"baseUrl (override), leadMinutes/lagMinutes (access window around a booking, default 15), Kisi: groupId (placeId); Brivo: clientId, clientSecret (sealed), groupId."`
}

// Status is GET /api/integrations/access/status; it never carries the key.
type Status struct {
	Configured   bool           `json:"configured"`
	Provider     *string        `json:"provider" required:"true" nullable:"true"`
	IsEnabled    bool           `json:"isEnabled"`
	ConfiguredAt *time.Time     `json:"configuredAt" required:"true" nullable:"true"`
	KeyID        *string        `json:"keyId,omitempty" doc:"Id of the keyring key that seals the API key (not the API key)."`
	Settings     map[string]any `json:"settings,omitempty" doc:"Settings without secrets."`
	PendingJobs  int            `json:"pendingJobs" doc:"Grant/revoke jobs not yet done (vendor down or back-off); follow-ups waiting for their time are not counted."`
	// ScheduledJobs are follow-ups waiting for an occurrence window to end.
	ScheduledJobs int `json:"scheduledJobs" doc:"Follow-ups waiting for their time: moving a recurring booking's grant to its next occurrence, or revoking it after the last."`
}

// integration is a stored row with the secrets opened.
type integration struct {
	EntityID     int64
	Provider     string
	APIKey       string
	ClientSecret string
	Settings     map[string]any
	Enabled      bool
	Location     *time.Location
}

func (in *integration) leadLag() (time.Duration, time.Duration) {
	return minutes(in.Settings["leadMinutes"]), minutes(in.Settings["lagMinutes"])
}

func minutes(v any) time.Duration {
	if f, ok := v.(float64); ok {
		return time.Duration(f) * time.Minute
	}
	return defaultLeadLag * time.Minute
}

var errNoKeyring = apperr.Conflict("no secret key is configured (GATEHOUSE_SECRET_KEY): door integrations cannot store their API key")

func validKey(k string) bool {
	if len(k) < 8 || len(k) > 512 {
		return false
	}
	for _, r := range k {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// Configure stores (or replaces) the organisation's integration.
func (s *Service) Configure(ctx context.Context, entityID int64, in ConfigureInput) (*Status, error) {
	if s.Secrets == nil {
		return nil, errNoKeyring
	}
	provider := strings.ToUpper(strings.TrimSpace(in.Provider))
	if !slices.Contains(hal.Vendors(), provider) {
		return nil, apperr.Field("provider", "unknown provider %q; one of %s", in.Provider, strings.Join(hal.Vendors(), ", "))
	}
	if !validKey(in.APIKey) {
		return nil, apperr.Field("apiKey", "malformed API key: 8–512 printable ASCII characters without spaces")
	}
	settings := map[string]any{}
	for k, v := range in.Settings {
		settings[k] = v
	}
	for _, k := range []string{"leadMinutes", "lagMinutes"} {
		if v, ok := settings[k]; ok {
			f, isNum := v.(float64)
			if !isNum || f != float64(int(f)) || f < 0 || f > maxLeadLagMins {
				return nil, apperr.Field("settings."+k, "must be an integer number of minutes between 0 and %d", maxLeadLagMins)
			}
		}
	}
	if v, ok := settings["baseUrl"]; ok {
		str, _ := v.(string)
		u, err := url.Parse(str)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, apperr.Field("settings.baseUrl", "must be an http(s) URL")
		}
	}
	var clientSecret string
	if v, ok := settings["clientSecret"]; ok {
		clientSecret, _ = v.(string)
		delete(settings, "clientSecret")
	}
	if err := s.sealWebhookSecret(ctx, entityID, settings); err != nil {
		return nil, err
	}
	if provider == "BRIVO" {
		for _, k := range []string{"clientId", "groupId"} {
			if _, ok := settings[k]; !ok {
				return nil, apperr.Field("settings."+k, "is required for BRIVO")
			}
		}
		if clientSecret == "" {
			return nil, apperr.Field("settings.clientSecret", "is required for BRIVO")
		}
	}
	// The vendor's own factory validates its settings (no network call).
	full := map[string]any{}
	for k, v := range settings {
		full[k] = v
	}
	if clientSecret != "" {
		full["clientSecret"] = clientSecret
	}
	raw, _ := json.Marshal(full)
	f, _ := hal.Vendor(provider)
	if _, err := f(hal.VendorConfig{Provider: provider, EntityID: entityID, APIKey: in.APIKey, Settings: raw, Location: time.UTC}, s.HTTPClient); err != nil {
		var fe *hal.FieldError
		if errors.As(err, &fe) {
			return nil, apperr.Field(fe.Field, "%s", fe.Message)
		}
		return nil, apperr.Field("settings", "rejected by the %s adapter", provider)
	}
	sealed, err := s.Secrets.Seal([]byte(in.APIKey), fmt.Sprintf(aadAPIKey, entityID))
	if err != nil {
		return nil, err
	}
	var sealedSecret *string
	if clientSecret != "" {
		v, err := s.Secrets.Seal([]byte(clientSecret), fmt.Sprintf(aadClientSecret, entityID))
		if err != nil {
			return nil, err
		}
		sealedSecret = &v
	}
	enabled := in.IsEnabled == nil || *in.IsEnabled
	setJSON, _ := json.Marshal(settings)
	now := s.Clock.Now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE access_integrations SET provider = $1, api_key_sealed = $2, key_id = $3, client_secret_sealed = $4,
			settings = $5, is_enabled = $6, configured_at = $7, updated_at = $7, version = version + 1 WHERE entity_id = $8`,
			provider, sealed, s.Secrets.CurrentKeyID(), sealedSecret, string(setJSON), enabled, now, entityID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO access_integrations (entity_id, provider, api_key_sealed, key_id, client_secret_sealed, settings,
			is_enabled, configured_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)`,
			entityID, provider, sealed, s.Secrets.CurrentKeyID(), sealedSecret, string(setJSON), enabled, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.wakeWork()
	return s.Status(ctx, entityID)
}

// Status reports the integration without secrets.
func (s *Service) Status(ctx context.Context, entityID int64) (*Status, error) {
	var st Status
	var provider, keyID, settings string
	var at time.Time
	err := s.DB.QueryRowContext(ctx, `SELECT provider, key_id, settings, is_enabled, configured_at FROM access_integrations WHERE entity_id = $1`, entityID).
		Scan(&provider, &keyID, &settings, &st.IsEnabled, store.Time(&at))
	if store.IsNoRows(err) {
		return &Status{}, nil
	}
	if err != nil {
		return nil, err
	}
	at = at.UTC()
	st.Configured, st.Provider, st.ConfiguredAt, st.KeyID = true, &provider, &at, &keyID
	_ = json.Unmarshal([]byte(settings), &st.Settings)
	redactSettings(st.Settings)
	now := s.dueNow()
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_jobs j WHERE j.entity_id = $1 AND `+outstandingJob("$2"), entityID, now).Scan(&st.PendingJobs); err != nil {
		return nil, err
	}
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_jobs j WHERE j.entity_id = $1 AND j.status = 'PENDING' AND NOT (`+outstandingJob("$2")+`)`, entityID, now).Scan(&st.ScheduledJobs); err != nil {
		return nil, err
	}
	return &st, nil
}

// load reads and opens an organisation's integration (nil when none).
func (s *Service) load(ctx context.Context, q store.Querier, entityID int64) (*integration, error) {
	var in integration
	var sealed, settings, tz string
	var secretSealed *string
	err := q.QueryRowContext(ctx, `SELECT i.provider, i.api_key_sealed, i.client_secret_sealed, i.settings, i.is_enabled, e.timezone
		FROM access_integrations i JOIN entities e ON e.id = i.entity_id WHERE i.entity_id = $1`, entityID).
		Scan(&in.Provider, &sealed, &secretSealed, &settings, &in.Enabled, &tz)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	in.EntityID = entityID
	if err := json.Unmarshal([]byte(settings), &in.Settings); err != nil {
		return nil, err
	}
	if in.Location, err = time.LoadLocation(tz); err != nil {
		in.Location = time.UTC
	}
	if s.Secrets == nil {
		return nil, errNoKeyring
	}
	key, err := s.Secrets.Open(sealed, fmt.Sprintf(aadAPIKey, entityID))
	if err != nil {
		return nil, fmt.Errorf("open API key: %w", err)
	}
	in.APIKey = string(key)
	if secretSealed != nil {
		cs, err := s.Secrets.Open(*secretSealed, fmt.Sprintf(aadClientSecret, entityID))
		if err != nil {
			return nil, fmt.Errorf("open client secret: %w", err)
		}
		in.ClientSecret = string(cs)
	}
	return &in, nil
}

// adapter builds the vendor adapter of an integration.
func (s *Service) adapter(in *integration) (hal.Adapter, error) {
	f, ok := hal.Vendor(in.Provider)
	if !ok {
		return nil, hal.NewError(hal.Unsupported, in.Provider, "configure", errors.New("the provider is no longer registered"))
	}
	full := map[string]any{}
	for k, v := range in.Settings {
		full[k] = v
	}
	if in.ClientSecret != "" {
		full["clientSecret"] = in.ClientSecret
	}
	raw, _ := json.Marshal(full)
	return f(hal.VendorConfig{Provider: in.Provider, EntityID: in.EntityID, APIKey: in.APIKey, Settings: raw, Location: in.Location}, s.HTTPClient)
}

// Lister is optionally implemented by vendor adapters that can list the
// credentials they hold (external ids); the reconciler uses it to find drift.
type Lister interface {
	ListCredentials(ctx context.Context) ([]string, error)
}
