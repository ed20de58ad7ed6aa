package integration

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/httpapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// AccessCredential is an AccessCredential record.
type AccessCredential struct {
	ID                   int64      `json:"id"`
	MemberID             int64      `json:"memberId"`
	BookingID            *int64     `json:"bookingId" required:"true" nullable:"true"`
	ExternalCredentialID string     `json:"externalCredentialId"`
	Provider             string     `json:"provider"`
	IsActive             bool       `json:"isActive"`
	ValidFrom            *time.Time `json:"validFrom" required:"true" nullable:"true"`
	ValidUntil           *time.Time `json:"validUntil" required:"true" nullable:"true"`
	GrantedAt            time.Time  `json:"grantedAt"`
	RevokedAt            *time.Time `json:"revokedAt" required:"true" nullable:"true"`
	CreatedAt            time.Time  `json:"createdAt"`
}

// AccessLogEntry is one vendor attempt.
type AccessLogEntry struct {
	ID                   int64     `json:"id"`
	JobID                *int64    `json:"jobId" required:"true" nullable:"true"`
	BookingID            *int64    `json:"bookingId" required:"true" nullable:"true"`
	MemberID             *int64    `json:"memberId" required:"true" nullable:"true"`
	Action               string    `json:"action" enum:"GRANT,REVOKE,RECONCILE"`
	Provider             string    `json:"provider"`
	Outcome              string    `json:"outcome" enum:"SUCCESS,RETRY,REJECTED,SKIPPED,MISSING"`
	Attempt              int       `json:"attempt"`
	ExternalCredentialID *string   `json:"externalCredentialId" required:"true" nullable:"true"`
	Detail               *string   `json:"detail" required:"true" nullable:"true"`
	CreatedAt            time.Time `json:"createdAt"`
}

// Job is a queued vendor job.
type AccessJob struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind" enum:"GRANT,REVOKE,MOVE"`
	BookingID  int64      `json:"bookingId"`
	MemberID   int64      `json:"memberId"`
	ValidFrom  *time.Time `json:"validFrom" required:"true" nullable:"true"`
	ValidUntil *time.Time `json:"validUntil" required:"true" nullable:"true"`
	Status     string     `json:"status" enum:"PENDING,DONE,FAILED_PERMANENT"`
	Attempts   int        `json:"attempts"`
	NextRunAt  time.Time  `json:"nextRunAt"`
	LastError  *string    `json:"lastError" required:"true" nullable:"true"`
	// Scheduled marks a follow-up: it runs at nextRunAt, when the granted
	// occurrence's window ends (MOVE to the next occurrence, REVOKE after the last).
	Scheduled bool      `json:"scheduled" doc:"A follow-up that runs at nextRunAt, when the granted occurrence's window ends: MOVE to the next occurrence (validFrom/validUntil as planned when scheduled) or REVOKE after the last."`
	CreatedAt time.Time `json:"createdAt"`
}

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Routes registers the /api/integrations/access endpoints (CLUB_ADMIN+).
func Routes(api huma.API, s *Service) {
	WebhookRoutes(api, s) // public, signature-authenticated (webhook.go)
	admin := auth.Allow(auth.ClubAdmin)
	tags := []string{"Door integrations"}
	httpapi.Register(api, huma.Operation{OperationID: "configureAccessIntegration", Method: http.MethodPost, Path: "/api/integrations/access/configure", Tags: tags,
		Summary: "Configure the door integration",
		Description: "Stores the organisation's vendor integration. The API key (and a Brivo clientSecret) are sealed with the server keyring and never returned; " +
			"configuring again replaces them. 422 for an unknown provider, a malformed key or missing settings; 409 when the server has no secret key.",
		DefaultStatus: http.StatusOK, Errors: []int{409}},
		admin, func(ctx context.Context, p *auth.Principal, in *httpapi.Body[ConfigureInput]) (*httpapi.Body[*Status], error) {
			st, err := s.Configure(ctx, p.EntityID, in.Body)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Status]{Body: st}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getAccessIntegrationStatus", Method: http.MethodGet, Path: "/api/integrations/access/status", Tags: tags,
		Summary: "Door integration status", Description: "Whether an integration is configured and enabled; never the key."},
		admin, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[*Status], error) {
			st, err := s.Status(ctx, p.EntityID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Status]{Body: st}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listAccessIntegrationLogs", Method: http.MethodGet, Path: "/api/integrations/access/logs", Tags: tags,
		Summary: "Door integration log", Description: "Every grant/revoke attempt against the vendor with its outcome, newest first."},
		admin, func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.PageQuery
			MemberID  int64  `query:"memberId" minimum:"0"`
			BookingID int64  `query:"bookingId" minimum:"0"`
			Action    string `query:"action" enum:"GRANT,REVOKE,RECONCILE,"`
			Outcome   string `query:"outcome" enum:"SUCCESS,RETRY,REJECTED,SKIPPED,MISSING,"`
		}) (*httpapi.Body[httpapi.Page[AccessLogEntry]], error) {
			where, args := `entity_id = $1`, []any{p.EntityID}
			add := func(col string, v any) {
				args = append(args, v)
				where += " AND " + col + " = $" + itoa(len(args))
			}
			if in.MemberID > 0 {
				add("member_id", in.MemberID)
			}
			if in.BookingID > 0 {
				add("booking_id", in.BookingID)
			}
			if in.Action != "" {
				add("action", in.Action)
			}
			if in.Outcome != "" {
				add("outcome", in.Outcome)
			}
			var total int
			if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_logs WHERE `+where, args...).Scan(&total); err != nil {
				return nil, err
			}
			rows, err := s.DB.QueryContext(ctx, `SELECT id, job_id, booking_id, member_id, action, provider, outcome, attempt, external_credential_id, detail, created_at
				FROM access_logs WHERE `+where+` ORDER BY id DESC LIMIT `+itoa(in.Size)+` OFFSET `+itoa(in.Offset()), args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var items []AccessLogEntry
			for rows.Next() {
				var e AccessLogEntry
				if err := rows.Scan(&e.ID, &e.JobID, &e.BookingID, &e.MemberID, &e.Action, &e.Provider, &e.Outcome, &e.Attempt, &e.ExternalCredentialID, &e.Detail, store.Time(&e.CreatedAt)); err != nil {
					return nil, err
				}
				e.CreatedAt = e.CreatedAt.UTC()
				items = append(items, e)
			}
			return &httpapi.Body[httpapi.Page[AccessLogEntry]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, rows.Err()
		})
	httpapi.Register(api, huma.Operation{OperationID: "listAccessCredentials", Method: http.MethodGet, Path: "/api/integrations/access/credentials", Tags: tags,
		Summary: "Vendor credentials", Description: "AccessCredential records granted for bookings, newest first; `?memberId=` filters."},
		admin, func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.PageQuery
			MemberID int64 `query:"memberId" minimum:"0"`
		}) (*httpapi.Body[httpapi.Page[AccessCredential]], error) {
			where, args := `entity_id = $1`, []any{p.EntityID}
			if in.MemberID > 0 {
				where += ` AND member_id = $2`
				args = append(args, in.MemberID)
			}
			var total int
			if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_credentials WHERE `+where, args...).Scan(&total); err != nil {
				return nil, err
			}
			rows, err := s.DB.QueryContext(ctx, `SELECT id, member_id, booking_id, external_credential_id, provider, is_active, valid_from, valid_until, granted_at, revoked_at, created_at
				FROM access_credentials WHERE `+where+` ORDER BY id DESC LIMIT `+itoa(in.Size)+` OFFSET `+itoa(in.Offset()), args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var items []AccessCredential
			for rows.Next() {
				var c AccessCredential
				if err := rows.Scan(&c.ID, &c.MemberID, &c.BookingID, &c.ExternalCredentialID, &c.Provider, &c.IsActive, store.NullTime(&c.ValidFrom), store.NullTime(&c.ValidUntil),
					store.Time(&c.GrantedAt), store.NullTime(&c.RevokedAt), store.Time(&c.CreatedAt)); err != nil {
					return nil, err
				}
				c.ValidFrom, c.ValidUntil, c.RevokedAt = utcp(c.ValidFrom), utcp(c.ValidUntil), utcp(c.RevokedAt)
				c.GrantedAt, c.CreatedAt = c.GrantedAt.UTC(), c.CreatedAt.UTC()
				items = append(items, c)
			}
			return &httpapi.Body[httpapi.Page[AccessCredential]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, rows.Err()
		})
	httpapi.Register(api, huma.Operation{OperationID: "listAccessJobs", Method: http.MethodGet, Path: "/api/integrations/access/jobs", Tags: tags,
		Summary: "Vendor job queue", Description: "Grant/revoke/move jobs with attempts, next run and last error (`?status=PENDING` shows what is still outstanding)."},
		admin, func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.PageQuery
			Status string `query:"status" enum:"PENDING,DONE,FAILED_PERMANENT,"`
		}) (*httpapi.Body[httpapi.Page[AccessJob]], error) {
			where, args := `entity_id = $1`, []any{p.EntityID}
			if in.Status != "" {
				where += ` AND status = $2`
				args = append(args, in.Status)
			}
			var total int
			if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_jobs WHERE `+where, args...).Scan(&total); err != nil {
				return nil, err
			}
			rows, err := s.DB.QueryContext(ctx, `SELECT id, kind, booking_id, member_id, valid_from, valid_until, status, attempts, next_run_at, last_error, created_at, event_id
				FROM access_jobs WHERE `+where+` ORDER BY id DESC LIMIT `+itoa(in.Size)+` OFFSET `+itoa(in.Offset()), args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var items []AccessJob
			for rows.Next() {
				var j AccessJob
				var ev *string
				if err := rows.Scan(&j.ID, &j.Kind, &j.BookingID, &j.MemberID, store.NullTime(&j.ValidFrom), store.NullTime(&j.ValidUntil), &j.Status, &j.Attempts,
					store.Time(&j.NextRunAt), &j.LastError, store.Time(&j.CreatedAt), &ev); err != nil {
					return nil, err
				}
				j.Scheduled = isScheduled(ev)
				j.ValidFrom, j.ValidUntil = utcp(j.ValidFrom), utcp(j.ValidUntil)
				j.NextRunAt, j.CreatedAt = j.NextRunAt.UTC(), j.CreatedAt.UTC()
				items = append(items, j)
			}
			return &httpapi.Body[httpapi.Page[AccessJob]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, rows.Err()
		})
	httpapi.Register(api, huma.Operation{OperationID: "reconcileAccessIntegration", Method: http.MethodPost, Path: "/api/integrations/access/reconcile", Tags: tags,
		Summary: "Reconcile now", Description: "Compares bookings, recorded credentials and (when the adapter can list them) the vendor's, and queues the repairs. 409 when not configured or disabled.",
		DefaultStatus: http.StatusOK, Errors: []int{409}},
		admin, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[*ReconcileResult], error) {
			r, err := s.Reconcile(ctx, p.EntityID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*ReconcileResult]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "enableAccessIntegration", Method: http.MethodPost, Path: "/api/integrations/access/enable", Tags: tags,
		Summary:       "Enable or disable the door integration",
		Description:   "Switches the configured integration on or off without re-entering the key. While disabled no grants are made; revocations wait (visible as pending). 409 when not configured.",
		DefaultStatus: http.StatusOK, Errors: []int{409}},
		admin, func(ctx context.Context, p *auth.Principal, in *httpapi.Body[EnableInput]) (*httpapi.Body[*Status], error) {
			st, err := s.SetEnabled(ctx, p.EntityID, in.Body.IsEnabled)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Status]{Body: st}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "testAccessIntegration", Method: http.MethodPost, Path: "/api/integrations/access/test", Tags: tags,
		Summary: "Test the connection",
		Description: "Runs one cheap read-only call against the vendor with the stored key and settings (sign-in or a credential list; for GANTNER, which configured terminals are connected now), also while disabled. " +
			"A vendor that is down or refuses the key is `ok: false` with the reason; 409 when not configured.",
		DefaultStatus: http.StatusOK, Errors: []int{409}},
		admin, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[*TestResult], error) {
			r, err := s.TestConnection(ctx, p.EntityID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*TestResult]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "retryAccessJob", Method: http.MethodPost, Path: "/api/integrations/access/jobs/{id}/retry", Tags: tags,
		Summary:       "Retry a job now",
		Description:   "Makes a pending job due now (skipping its back-off); a FAILED_PERMANENT job is queued again with its attempts reset. 409 for a job that is done.",
		DefaultStatus: http.StatusOK, Errors: []int{404, 409}},
		admin, func(ctx context.Context, p *auth.Principal, in *struct {
			ID int64 `path:"id" minimum:"1"`
		}) (*httpapi.Body[*AccessJob], error) {
			j, err := s.RetryJob(ctx, p.EntityID, in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*AccessJob]{Body: j}, nil
		})
}

// TestResult is the answer of POST /api/integrations/access/test.
type TestResult struct {
	OK        bool   `json:"ok" doc:"The vendor answered the check."`
	Provider  string `json:"provider"`
	Operation string `json:"operation" doc:"What was tried (e.g. list credentials, sign in)."`
	Message   string `json:"message" doc:"The vendor's answer or the error (never the key)."`
	LatencyMs int64  `json:"latencyMs"`
}

// Pinger is optionally implemented by vendor adapters that have a cheap,
// read-only call proving the key and settings work (sign-in, a list).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Prober is optionally implemented by vendor adapters whose check has more to
// say than "the key works": GANTNER has no vendor to sign in to (terminals
// dial in), so its answer is which configured terminals are connected now.
// operation and message fill the TestResult; an error makes it ok: false.
type Prober interface {
	Probe(ctx context.Context) (operation, message string, err error)
}

// TestConnection runs one cheap read-only vendor call with the stored key and
// settings (also while the integration is disabled).
func (s *Service) TestConnection(ctx context.Context, entityID int64) (*TestResult, error) {
	in, err := s.load(ctx, s.DB, entityID)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return nil, apperr.Conflict("no door integration is configured")
	}
	ad, err := s.adapter(in)
	if err != nil {
		return &TestResult{Provider: in.Provider, Operation: "configure", Message: err.Error()}, nil
	}
	cctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	res := &TestResult{Provider: in.Provider}
	start := time.Now()
	switch a := ad.(type) {
	case Prober:
		res.Operation, res.Message, err = a.Probe(cctx)
	case Pinger:
		res.Operation = "sign in"
		err = a.Ping(cctx)
	case Lister:
		res.Operation = "list credentials"
		var ids []string
		ids, err = a.ListCredentials(cctx)
		if err == nil {
			res.Message = fmt.Sprintf("the vendor holds %d credential(s) in the configured group", len(ids))
		}
	default:
		res.Operation = "none"
		res.Message = "the " + in.Provider + " adapter has no read-only check; the settings were validated when saved"
		return res, nil
	}
	res.LatencyMs = time.Since(start).Milliseconds()
	if err != nil {
		res.Message = err.Error()
		if len(res.Message) > 500 {
			res.Message = res.Message[:500]
		}
		return res, nil
	}
	res.OK = true
	if res.Message == "" {
		res.Message = "the vendor accepted the key"
	}
	return res, nil
}

// EnableInput is the body of POST /api/integrations/access/enable.
type EnableInput struct {
	IsEnabled bool `json:"isEnabled"`
}

// SetEnabled switches the configured integration on or off (the key stays).
func (s *Service) SetEnabled(ctx context.Context, entityID int64, enabled bool) (*Status, error) {
	res, err := s.DB.ExecContext(ctx, `UPDATE access_integrations SET is_enabled = $1, updated_at = $2, version = version + 1 WHERE entity_id = $3`,
		enabled, s.Clock.Now(), entityID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.Conflict("no door integration is configured")
	}
	s.wakeWork()
	return s.Status(ctx, entityID)
}

// RetryJob makes a pending job due now; a FAILED_PERMANENT job is queued again
// with its attempts reset. 404 for another organisation's or an unknown job,
// 409 for a job that is done.
func (s *Service) RetryJob(ctx context.Context, entityID, id int64) (*AccessJob, error) {
	var status string
	err := s.DB.QueryRowContext(ctx, `SELECT status FROM access_jobs WHERE id = $1 AND entity_id = $2`, id, entityID).Scan(&status)
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("job")
	}
	if err != nil {
		return nil, err
	}
	now := s.dueNow()
	switch status {
	case StatusPending:
		// A job a worker is running right now (its lease not yet over) is left
		// alone: making it due would let a second worker run it at the same time.
		var res sql.Result
		res, err = s.DB.ExecContext(ctx, `UPDATE access_jobs SET next_run_at = $1, updated_at = $2
			WHERE id = $3 AND status = 'PENDING' AND (leased_until IS NULL OR leased_until <= $1)`, now, s.Clock.Now(), id)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return nil, apperr.Conflict("the job is running right now; look again in a moment")
			}
		}
	case StatusFailed:
		_, err = s.DB.ExecContext(ctx, `UPDATE access_jobs SET status = 'PENDING', attempts = 0, next_run_at = $1, updated_at = $2 WHERE id = $3 AND status = 'FAILED_PERMANENT'`, now, s.Clock.Now(), id)
	default:
		return nil, apperr.Conflict("the job is already done")
	}
	if err != nil {
		return nil, err
	}
	j, err := s.job(ctx, entityID, id)
	s.wakeWork()
	return j, err
}

func (s *Service) job(ctx context.Context, entityID, id int64) (*AccessJob, error) {
	var j AccessJob
	var ev *string
	err := s.DB.QueryRowContext(ctx, `SELECT id, kind, booking_id, member_id, valid_from, valid_until, status, attempts, next_run_at, last_error, created_at, event_id
		FROM access_jobs WHERE id = $1 AND entity_id = $2`, id, entityID).Scan(&j.ID, &j.Kind, &j.BookingID, &j.MemberID, store.NullTime(&j.ValidFrom), store.NullTime(&j.ValidUntil),
		&j.Status, &j.Attempts, store.Time(&j.NextRunAt), &j.LastError, store.Time(&j.CreatedAt), &ev)
	j.Scheduled = isScheduled(ev)
	if store.IsNoRows(err) {
		return nil, apperr.NotFound("job")
	}
	if err != nil {
		return nil, err
	}
	j.ValidFrom, j.ValidUntil = utcp(j.ValidFrom), utcp(j.ValidUntil)
	j.NextRunAt, j.CreatedAt = j.NextRunAt.UTC(), j.CreatedAt.UTC()
	return &j, nil
}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{digits[n%10]}, b...)
	}
	return string(b)
}

func isScheduled(eventID *string) bool {
	return eventID != nil && strings.HasPrefix(*eventID, scheduledPrefix)
}
