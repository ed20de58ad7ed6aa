package integration

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ReconcileResult says what a reconciliation found and queued.
type ReconcileResult struct {
	GrantsQueued    int `json:"grantsQueued" doc:"Confirmed member bookings without an active credential."`
	RevokesQueued   int `json:"revokesQueued" doc:"Active credentials of ended, cancelled or completed bookings."`
	MovesQueued     int `json:"movesQueued" doc:"Active credentials whose window is not the current-or-next occurrence's any more (moved on to it)."`
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
			// The vendor's trouble, not ours: 503 with its kind (the detail
			// may quote vendor text; the log of the periodic run has it).
			slog.Warn("integration: reconcile: list credentials", "provider", in.Provider, "kind", hal.KindOf(err).String(), "err", scrub(err.Error()))
			return nil, &apperr.Error{Kind: apperr.KindUnavailable,
				Detail: fmt.Sprintf("%s could not list the credentials it holds (%s); try again later", in.Provider, hal.KindOf(err))}
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
		activeExt := map[string]bool{}
		for _, r := range recs {
			if r.active {
				activeExt[r.ext] = true
			}
		}
		for _, r := range recs {
			present := slices.Contains(held, r.ext)
			if !r.active && activeExt[r.ext] {
				// A closed record of a credential that lives on under an
				// active one (its window was changed in place): not stale.
				continue
			}
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
		// 2. Confirmed member bookings with something left to hold (the
		// same desiredWindow the worker uses), without an active credential
		// or outstanding job.
		rows, err := tx.QueryContext(ctx, `SELECT b.id, m.id, m.first_name, m.last_name, m.email
			FROM resource_bookings b JOIN members m ON m.id = b.booked_for_id AND m.entity_id = b.entity_id
			WHERE b.entity_id = $1 AND b.status_cd = 'CONFIRMED' AND b.booked_for_type = 'MEMBER'
			AND (b.series_end IS NULL OR b.series_end > $2)
			AND NOT EXISTS (SELECT 1 FROM access_credentials c WHERE c.booking_id = b.id AND c.is_active = TRUE)
			AND NOT EXISTS (SELECT 1 FROM access_jobs j WHERE j.booking_id = b.id AND `+outstandingJob("$3")+`)`, entityID, now.Add(-lag), now)
		if err != nil {
			return err
		}
		var cands []job
		for rows.Next() {
			j := job{EntityID: entityID, Kind: KindGrant}
			if err := rows.Scan(&j.BookingID, &j.MemberID, &j.Member.FirstName, &j.Member.LastName, &j.Member.Email); err != nil {
				rows.Close()
				return err
			}
			j.Member.ExternalID = hal.MemberExternalID(j.MemberID)
			cands = append(cands, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, j := range cands {
			w, _, ok, err := desiredWindow(ctx, tx, entityID, j.BookingID, in.Location, lead, lag, now)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			j.ValidFrom, j.ValidUntil = &w.From, &w.Until
			if err := s.enqueue(ctx, tx, j, nil); err != nil {
				return err
			}
			res.GrantsQueued++
		}
		// 3. Active credentials that are not what should be held now: the
		// booking is gone, not confirmed or has no occurrence left (revoke),
		// or the window is another occurrence's (move — also the safety net
		// for a follow-up job that was lost).
		rows, err = tx.QueryContext(ctx, `SELECT c.booking_id, c.member_id, c.valid_from, c.valid_until, m.first_name, m.last_name, m.email
			FROM access_credentials c LEFT JOIN members m ON m.id = c.member_id AND m.entity_id = c.entity_id
			WHERE c.entity_id = $1 AND c.is_active = TRUE AND c.booking_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM access_jobs j WHERE j.booking_id = c.booking_id AND `+outstandingJob("$2")+`)
			ORDER BY c.booking_id, c.id`, entityID, now)
		if err != nil {
			return err
		}
		type held struct {
			j       job
			windows []accessWindow
			partial bool // a record without a window
		}
		var order []int64
		byBooking := map[int64]*held{}
		for rows.Next() {
			var bookingID, memberID int64
			var from, until *time.Time
			var first, last, email *string
			if err := rows.Scan(&bookingID, &memberID, store.NullTime(&from), store.NullTime(&until), &first, &last, &email); err != nil {
				rows.Close()
				return err
			}
			h := byBooking[bookingID]
			if h == nil {
				h = &held{j: job{EntityID: entityID, BookingID: bookingID, MemberID: memberID,
					Member: hal.Person{ExternalID: hal.MemberExternalID(memberID), FirstName: deref(first), LastName: deref(last), Email: deref(email)}}}
				byBooking[bookingID] = h
				order = append(order, bookingID)
			}
			if from == nil || until == nil {
				h.partial = true
			} else {
				h.windows = append(h.windows, accessWindow{From: *from, Until: *until})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range order {
			h := byBooking[id]
			w, _, ok, err := desiredWindow(ctx, tx, entityID, id, in.Location, lead, lag, now)
			if err != nil {
				return err
			}
			j := h.j
			switch {
			case !ok:
				j.Kind = KindRevoke
				res.RevokesQueued++
			case h.partial || len(h.windows) != 1 || !sameInstant(&h.windows[0].From, &w.From) || !sameInstant(&h.windows[0].Until, &w.Until):
				j.Kind, j.ValidFrom, j.ValidUntil = KindMove, &w.From, &w.Until
				res.MovesQueued++
			default:
				continue
			}
			if err := s.enqueue(ctx, tx, j, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.wakeWork()
	return res, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
