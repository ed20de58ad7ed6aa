package integration

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ReconcileResult says what a reconciliation found and queued.
type ReconcileResult struct {
	GrantsQueued    int `json:"grantsQueued" doc:"Confirmed member bookings without an active credential."`
	RevokesQueued   int `json:"revokesQueued" doc:"Active credentials of ended, cancelled or completed bookings."`
	MissingAtVendor int `json:"missingAtVendor" doc:"Active credentials the vendor no longer holds (re-granted)."`
	RevokedAtVendor int `json:"revokedAtVendor" doc:"Credentials revoked here but still held by the vendor (revoked again)."`
}

// ReconcileAll reconciles every enabled integration.
func (s *Service) ReconcileAll(ctx context.Context) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT entity_id FROM access_integrations WHERE is_enabled = TRUE`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := s.Reconcile(ctx, id); err != nil {
			return fmt.Errorf("organisation %d: %w", id, err)
		}
	}
	return nil
}

// Reconcile compares what should exist with what is recorded and what the
// vendor holds, and queues the repairs.
func (s *Service) Reconcile(ctx context.Context, entityID int64) (*ReconcileResult, error) {
	in, err := s.load(ctx, s.DB, entityID)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return nil, apperr.Conflict("no door integration is configured")
	}
	if !in.Enabled {
		return nil, apperr.Conflict("the door integration is disabled")
	}
	res := &ReconcileResult{}
	now := s.Clock.Now()
	ad, err := s.adapter(in)
	if err != nil {
		return nil, err
	}
	// 1. Vendor drift (adapters that can list what they hold).
	if l, ok := ad.(Lister); ok {
		held, err := l.ListCredentials(ctx)
		if err != nil {
			return nil, err
		}
		rows, err := s.DB.QueryContext(ctx, `SELECT id, external_credential_id, is_active, booking_id, member_id FROM access_credentials
			WHERE entity_id = $1 AND provider = $2 AND (is_active = TRUE OR revoked_at >= $3)`, entityID, in.Provider, now.AddDate(0, 0, -30))
		if err != nil {
			return nil, err
		}
		type rec struct {
			id, booking, member int64
			ext                 string
			active              bool
		}
		var recs []rec
		for rows.Next() {
			var r rec
			var b *int64
			if err := rows.Scan(&r.id, &r.ext, &r.active, &b, &r.member); err != nil {
				rows.Close()
				return nil, err
			}
			if b != nil {
				r.booking = *b
			}
			recs = append(recs, r)
		}
		rows.Close()
		for _, r := range recs {
			present := slices.Contains(held, r.ext)
			switch {
			case r.active && !present:
				// Lost at the vendor: mark it and let step 2 queue a new grant.
				if _, err := s.DB.ExecContext(ctx, `UPDATE access_credentials SET is_active = FALSE, revoked_at = $1 WHERE id = $2`, now, r.id); err != nil {
					return nil, err
				}
				s.logAttempt(ctx, job{EntityID: entityID, BookingID: r.booking, MemberID: r.member}, in.Provider, "RECONCILE", "MISSING", r.ext, nil)
				res.MissingAtVendor++
			case !r.active && present:
				err := ad.RevokeCredential(ctx, r.ext)
				s.logAttempt(ctx, job{EntityID: entityID, BookingID: r.booking, MemberID: r.member}, in.Provider, KindRevoke, outcomeOf(err), r.ext, err)
				if err == nil {
					res.RevokedAtVendor++
				}
			}
		}
	}
	lead, lag := in.leadLag()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// 2. Confirmed member bookings whose window has not ended, without an
		// active credential or a pending job.
		rows, err := tx.QueryContext(ctx, `SELECT b.id, b.start_at, b.end_at, b.series_end, m.id, m.first_name, m.last_name, m.email
			FROM resource_bookings b JOIN members m ON m.id = b.booked_for_id AND m.entity_id = b.entity_id
			WHERE b.entity_id = $1 AND b.status_cd = 'CONFIRMED' AND b.booked_for_type = 'MEMBER'
			AND NOT EXISTS (SELECT 1 FROM access_credentials c WHERE c.booking_id = b.id AND c.is_active = TRUE)
			AND NOT EXISTS (SELECT 1 FROM access_jobs j WHERE j.booking_id = b.id AND j.status = 'PENDING')`, entityID)
		if err != nil {
			return err
		}
		var grants []job
		for rows.Next() {
			var j job
			var start, end = new(time.Time), new(time.Time)
			var seriesEnd *time.Time
			if err := rows.Scan(&j.BookingID, store.Time(start), store.Time(end), store.NullTime(&seriesEnd), &j.MemberID, &j.Member.FirstName, &j.Member.LastName, &j.Member.Email); err != nil {
				rows.Close()
				return err
			}
			from, until := window(*start, *end, seriesEnd, lead, lag)
			if !until.After(now) {
				continue
			}
			j.EntityID, j.Kind, j.ValidFrom, j.ValidUntil = entityID, KindGrant, &from, &until
			j.Member.ExternalID = fmt.Sprintf("gatehouse-member-%d", j.MemberID)
			grants = append(grants, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, j := range grants {
			if err := s.enqueue(ctx, tx, j, nil); err != nil {
				return err
			}
		}
		res.GrantsQueued = len(grants)
		// 3. Active credentials whose booking ended, was cancelled or completed.
		rows, err = tx.QueryContext(ctx, `SELECT DISTINCT c.booking_id, c.member_id FROM access_credentials c
			LEFT JOIN resource_bookings b ON b.id = c.booking_id
			WHERE c.entity_id = $1 AND c.is_active = TRUE AND c.booking_id IS NOT NULL
			AND (b.id IS NULL OR b.status_cd <> 'CONFIRMED' OR c.valid_until < $2)
			AND NOT EXISTS (SELECT 1 FROM access_jobs j WHERE j.booking_id = c.booking_id AND j.status = 'PENDING')`, entityID, now)
		if err != nil {
			return err
		}
		var revokes []job
		for rows.Next() {
			j := job{EntityID: entityID, Kind: KindRevoke}
			if err := rows.Scan(&j.BookingID, &j.MemberID); err != nil {
				rows.Close()
				return err
			}
			revokes = append(revokes, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, j := range revokes {
			if err := s.enqueue(ctx, tx, j, nil); err != nil {
				return err
			}
		}
		res.RevokesQueued = len(revokes)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Wake()
	return res, nil
}
