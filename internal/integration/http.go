package integration

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

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
	CreatedAt  time.Time  `json:"createdAt"`
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
			rows, err := s.DB.QueryContext(ctx, `SELECT id, kind, booking_id, member_id, valid_from, valid_until, status, attempts, next_run_at, last_error, created_at
				FROM access_jobs WHERE `+where+` ORDER BY id DESC LIMIT `+itoa(in.Size)+` OFFSET `+itoa(in.Offset()), args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var items []AccessJob
			for rows.Next() {
				var j AccessJob
				if err := rows.Scan(&j.ID, &j.Kind, &j.BookingID, &j.MemberID, store.NullTime(&j.ValidFrom), store.NullTime(&j.ValidUntil), &j.Status, &j.Attempts,
					store.Time(&j.NextRunAt), &j.LastError, store.Time(&j.CreatedAt)); err != nil {
					return nil, err
				}
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
