package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/booking"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/store"
)

// settle is how long a gap in outbox ids may still be filled by a transaction
// that took its id earlier and commits later (PostgreSQL sequences); the cursor
// does not pass a younger gap.
const settle = 10 * time.Second

const consumeBatch = 200

// consumeFloor is the least time between two looks at the outbox: a booking
// event becomes a job at most this much later than it would at once.
const consumeFloor = 50 * time.Millisecond

// bookingEvent is the part of a booking.* event the integration reads.
type bookingEvent struct {
	Booking struct {
		ID            int64      `json:"id"`
		StartDateTime time.Time  `json:"startDateTime"`
		EndDateTime   time.Time  `json:"endDateTime"`
		SeriesEnd     *time.Time `json:"seriesEnd"`
		BookedForType string     `json:"bookedForType"`
		BookedForID   *int64     `json:"bookedForId"`
		StatusCd      string     `json:"statusCd"`
	} `json:"booking"`
	Member *struct {
		ID        int64  `json:"id"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Email     string `json:"email"`
	} `json:"member"`
	Scope string `json:"scope"`
}

// job is one row of access_jobs.
type job struct {
	ID         int64
	EntityID   int64
	Kind       string
	BookingID  int64
	MemberID   int64
	Member     hal.Person
	ValidFrom  *time.Time
	ValidUntil *time.Time
	Attempts   int
}

// accessWindow is what a vendor grant covers: [start−lead, end+lag] of one
// occurrence, as UTC instants (the organisation's time zone and DST are
// already in them).
type accessWindow struct{ From, Until time.Time }

// desiredWindow is the one definition, shared by the consumer, the worker
// and the reconciler, of what the vendor should hold for a booking at the
// instant at: the window of the booking's current-or-next occurrence — the
// first whose end+lag is after at (cancelled and moved-away occurrences
// skipped, moved ones at their new time; see booking.NextOccurrence). A
// recurring booking therefore opens the doors around one occurrence at a
// time, never for the whole series; when that window ends the grant moves on
// (a scheduled follow-up job, see scheduleFollowUp). ok is false when nothing
// should be held: the booking is gone, not a CONFIRMED member booking, or has
// no occurrence left. status is the booking's stored status ("" when gone).
func desiredWindow(ctx context.Context, q store.Querier, entityID, bookingID int64, loc *time.Location, lead, lag time.Duration, at time.Time) (w accessWindow, status string, ok bool, err error) {
	b, err := booking.Load(ctx, q, entityID, bookingID)
	if err != nil || b == nil {
		return w, "", false, err
	}
	if b.StatusCd != booking.StatusConfirmed || b.BookedForType != booking.ForMember {
		return w, b.StatusCd, false, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	// An occurrence counts while its end+lag is ahead: it ends after at−lag.
	iv, found, err := b.NextOccurrence(loc, at.Add(-lag))
	if err != nil || !found {
		return w, b.StatusCd, false, err
	}
	return accessWindow{From: iv.Start.Add(-lead).UTC(), Until: iv.End.Add(lag).UTC()}, b.StatusCd, true, nil
}

// cardNumber is the credential identifier a booking's vendor credential
// carries: the booking id in decimal. Card-based clouds need a number (Brivo's
// card formats refuse anything else; exivo takes it as the medium's id) and
// the same value on every attempt, so that look-up-before-create finds what
// an earlier, timed-out attempt created. Adapters that keep no cards (Kisi,
// Salto KS) ignore it. Brivo folds it into its format's range (see
// brivo.Adapter.cardNumber).
func cardNumber(bookingID int64) string { return strconv.FormatInt(bookingID, 10) }

// scheduledPrefix marks follow-up jobs (event_id "schedule:<booking>:<until
// unix>:<scheduling job>"): a MOVE or REVOKE due when the current
// occurrence's window ends. The scheduling job's id is part of the key so a
// follow-up that is run early ("retry now") can schedule itself again.
const scheduledPrefix = "schedule:"

// outstandingJob is an SQL condition on access_jobs alias j: a pending job
// that is due or under way — not a follow-up still waiting for its time
// (those do not hold back the reconciler or count as outstanding work). $now
// is the placeholder of the current instant.
func outstandingJob(now string) string {
	return `j.status = 'PENDING' AND NOT (j.event_id LIKE '` + scheduledPrefix + `%' AND j.attempts = 0 AND j.next_run_at > ` + now + `)`
}

// consume moves booking events from the outbox into jobs. The cursor row is
// locked, read and advanced in the same transaction as the job inserts, so an
// event becomes a job exactly once, whatever crashes and however many replicas.
func (s *Service) consume(ctx context.Context) (int, error) {
	if busy, err := s.bookingEventsWaiting(ctx); err != nil || !busy {
		return 0, err
	}
	n := 0
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		lock := ""
		if tx.Dialect() == store.Postgres {
			lock = " FOR UPDATE"
		}
		var cursor int64
		if err := tx.QueryRowContext(ctx, `SELECT last_id FROM integration_cursors WHERE name = 'access'`+lock).Scan(&cursor); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, event_id, entity_id, type, data FROM outbox WHERE id > $1 ORDER BY id LIMIT $2`, cursor, consumeBatch)
		if err != nil {
			return err
		}
		type ev struct {
			id               int64
			eventID, typ, dt string
			entity           int64
		}
		var evs []ev
		for rows.Next() {
			var e ev
			if err := rows.Scan(&e.id, &e.eventID, &e.entity, &e.typ, &e.dt); err != nil {
				rows.Close()
				return err
			}
			evs = append(evs, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := time.Now()
		s.mu.Lock()
		next := cursor
		var take []ev
		for _, e := range evs {
			blocked := false
			for gap := next + 1; gap < e.id; gap++ {
				seen, ok := s.gaps[gap]
				if !ok {
					s.gaps[gap] = now
					seen = now
				}
				if now.Sub(seen) < settle {
					blocked = true
					break
				}
			}
			if blocked {
				break
			}
			for gap := next + 1; gap < e.id; gap++ {
				delete(s.gaps, gap)
			}
			delete(s.gaps, e.id)
			take = append(take, e)
			next = e.id
		}
		s.mu.Unlock()
		for _, e := range take {
			if !strings.HasPrefix(e.typ, "booking.") {
				continue
			}
			ok, err := s.jobFromEvent(ctx, tx, e.eventID, e.entity, e.typ, []byte(e.dt))
			if err != nil {
				return fmt.Errorf("event %s: %w", e.eventID, err)
			}
			if ok {
				n++
			}
		}
		if next != cursor {
			_, err := tx.ExecContext(ctx, `UPDATE integration_cursors SET last_id = $1 WHERE name = 'access'`, next)
			return err
		}
		return nil
	})
	return n, err
}

// bookingEventsWaiting reports, without taking a lock, whether consume has
// work: a booking event past the cursor, or a cursor a whole batch behind.
// Most events are check-ins; the locked cursor transaction is a write (one
// WAL flush on PostgreSQL, the write lock on SQLite) and ran once per commit
// anywhere in the app before. Now it runs for booking events, and to advance
// over other events once per batch, so the scan here stays short.
// An event committed after this look wakes the loop again (Emitter's wake).
func (s *Service) bookingEventsWaiting(ctx context.Context) (bool, error) {
	// The next batch of events past the cursor, in id order: ORDER BY id
	// LIMIT makes PostgreSQL walk the primary key from the cursor on (a plain
	// "id > cursor" filter made it scan the whole table).
	var n, bookings int
	err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN x.type LIKE 'booking.%' THEN 1 ELSE 0 END), 0)
		FROM (SELECT o.type FROM outbox o WHERE o.id > (SELECT last_id FROM integration_cursors WHERE name = 'access')
			ORDER BY o.id LIMIT $1) x`, consumeBatch).Scan(&n, &bookings)
	return bookings > 0 || n == consumeBatch, err
}

// jobFromEvent enqueues the job a booking event calls for, if the organisation
// has an enabled integration and the booking is a member's.
func (s *Service) jobFromEvent(ctx context.Context, tx *store.Tx, eventID string, entityID int64, typ string, data []byte) (bool, error) {
	var enabled bool
	var settings, tz string
	err := tx.QueryRowContext(ctx, `SELECT i.is_enabled, i.settings, e.timezone FROM access_integrations i JOIN entities e ON e.id = i.entity_id
		WHERE i.entity_id = $1`, entityID).Scan(&enabled, &settings, &tz)
	if store.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var e bookingEvent
	if err := json.Unmarshal(data, &e); err != nil {
		slog.Warn("integration: unreadable booking event", "event", eventID, "err", err)
		return false, nil
	}
	b := e.Booking
	if b.BookedForType != "MEMBER" || b.BookedForID == nil || e.Member == nil {
		return false, nil
	}
	var kind string
	switch typ {
	case "booking.confirmed":
		kind = KindGrant
	case "booking.rescheduled":
		kind = KindMove
	case "booking.cancelled":
		kind = KindRevoke
		if b.StatusCd != "CANCELLED" {
			// One occurrence of a series: the booking holds, but if that was
			// the occurrence granted now the grant moves on to the next one.
			kind = KindMove
		}
	case "booking.completed":
		kind = KindRevoke
	default:
		return false, nil
	}
	if kind != KindRevoke && (!enabled || b.StatusCd != "CONFIRMED") {
		return false, nil
	}
	j := job{EntityID: entityID, Kind: kind, BookingID: b.ID, MemberID: *b.BookedForID,
		Member: hal.Person{ExternalID: hal.MemberExternalID(*b.BookedForID), FirstName: e.Member.FirstName, LastName: e.Member.LastName, Email: e.Member.Email}}
	if kind != KindRevoke {
		in := integration{}
		_ = json.Unmarshal([]byte(settings), &in.Settings)
		lead, lag := in.leadLag()
		loc, err := clock.Location(tz)
		if err != nil {
			loc = time.UTC
		}
		// The booking as it is now (a later change may already be committed).
		w, _, ok, err := desiredWindow(ctx, tx, entityID, b.ID, loc, lead, lag, s.Clock.Now())
		if err != nil {
			return false, err
		}
		if ok {
			j.ValidFrom, j.ValidUntil = &w.From, &w.Until
		} else {
			j.Kind = KindRevoke // nothing left to hold
		}
	}
	return true, s.enqueue(ctx, tx, j, &eventID)
}

// enqueue adds a job that is due now.
func (s *Service) enqueue(ctx context.Context, q store.Querier, j job, eventID *string) error {
	return s.enqueueAt(ctx, q, j, eventID, time.Time{})
}

// enqueueAt adds a job due at notBefore (zero: now). Any follow-up of the
// booking that has not started yet is dropped first: the new job computes
// the booking's window when it runs and schedules its own follow-up, so at
// most one waits per booking.
func (s *Service) enqueueAt(ctx context.Context, q store.Querier, j job, eventID *string, notBefore time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM access_jobs WHERE booking_id = $1 AND entity_id = $2 AND status = 'PENDING' AND attempts = 0
		AND event_id LIKE '`+scheduledPrefix+`%'`, j.BookingID, j.EntityID); err != nil {
		return err
	}
	person, _ := json.Marshal(j.Member)
	now := s.Clock.Now()
	due := time.Now().UTC()
	if !notBefore.IsZero() {
		due = notBefore.UTC()
	}
	_, err := q.ExecContext(ctx, `INSERT INTO access_jobs (entity_id, kind, booking_id, member_id, member, valid_from, valid_until, event_id, status,
		attempts, next_run_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING', 0, $9, $10, $10)`,
		j.EntityID, j.Kind, j.BookingID, j.MemberID, string(person), j.ValidFrom, j.ValidUntil, eventID, due, now)
	if err != nil && store.IsUniqueViolation(err) {
		return nil // this event was already turned into a job
	}
	return err
}

// scheduleFollowUp queues what happens when the window just granted ends: a
// MOVE to the next occurrence's window, or a REVOKE after the last one. It is
// a durable job with a not-before time, so it survives restarts; the
// reconciler repairs a missed one (it compares with the same desiredWindow).
func (s *Service) scheduleFollowUp(ctx context.Context, in *integration, j job, cur accessWindow) error {
	lead, lag := in.leadLag()
	next, _, ok, err := desiredWindow(ctx, s.DB, j.EntityID, j.BookingID, in.Location, lead, lag, cur.Until)
	if err != nil {
		return err
	}
	f := job{EntityID: j.EntityID, Kind: KindRevoke, BookingID: j.BookingID, MemberID: j.MemberID, Member: j.Member}
	if ok {
		f.Kind, f.ValidFrom, f.ValidUntil = KindMove, &next.From, &next.Until
	}
	key := fmt.Sprintf("%s%d:%d:%d", scheduledPrefix, j.BookingID, cur.Until.Unix(), j.ID)
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return s.enqueueAt(ctx, tx, f, &key, cur.Until) })
}

// dueNow is the instant jobs are due against. Back-off delays are wall-clock
// time (time.Now), follow-ups are booking time (the service clock); in
// production the two agree, tests pin or advance the service clock.
func (s *Service) dueNow() time.Time {
	now, clk := time.Now().UTC(), s.Clock.Now().UTC()
	if clk.After(now) {
		return clk
	}
	return now
}

// claim leases due jobs: the oldest pending job of each booking only (a
// booking's jobs run in order), FOR UPDATE SKIP LOCKED on PostgreSQL so
// replicas never run one job twice.
func (s *Service) claim(ctx context.Context, limit int) ([]job, error) {
	var out []job
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		lock := ""
		if tx.Dialect() == store.Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		now := s.dueNow()
		rows, err := tx.QueryContext(ctx, `SELECT j.id, j.entity_id, j.kind, j.booking_id, j.member_id, j.member, j.valid_from, j.valid_until, j.attempts
			FROM access_jobs j WHERE j.status = 'PENDING' AND j.next_run_at <= $1
			AND (j.leased_until IS NULL OR j.leased_until <= $1)
			AND NOT EXISTS (SELECT 1 FROM access_jobs e WHERE e.booking_id = j.booking_id AND e.status = 'PENDING' AND e.id < j.id)
			ORDER BY j.next_run_at, j.id LIMIT $2`+lock, now, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var j job
			var person string
			if err := rows.Scan(&j.ID, &j.EntityID, &j.Kind, &j.BookingID, &j.MemberID, &person, store.NullTime(&j.ValidFrom), store.NullTime(&j.ValidUntil), &j.Attempts); err != nil {
				rows.Close()
				return err
			}
			_ = json.Unmarshal([]byte(person), &j.Member)
			out = append(out, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			out[i].Attempts++
			if _, err := tx.ExecContext(ctx, `UPDATE access_jobs SET attempts = $1, leased_until = $2, updated_at = $3 WHERE id = $4`,
				out[i].Attempts, now.Add(Lease), s.Clock.Now(), out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// RunDue runs the due jobs once and returns how many ran.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	jobs, err := s.claim(ctx, 20)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		s.runJob(ctx, j)
	}
	return len(jobs), nil
}

// retryAfter is implemented by vendor errors that say when to come back (429).
type retryAfter interface{ RetryAfter() time.Duration }

// backoff is the delay before attempt+1: exponential with jitter, or the
// vendor's Retry-After when it gave one.
func backoff(attempt int, err error) time.Duration {
	var ra retryAfter
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		return ra.RetryAfter() + time.Duration(rand.Int64N(int64(BaseBackoff)/4+1))
	}
	d := BaseBackoff
	for i := 1; i < attempt && d < MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, MaxBackoff)
	// "equal jitter": half fixed, half random.
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// runJob executes one job and records its outcome.
func (s *Service) runJob(ctx context.Context, j job) {
	err := s.execute(ctx, j)
	status, next, lastErr := StatusDone, time.Now().UTC(), ""
	if err != nil {
		lastErr = scrub(err.Error())
		kind := hal.KindOf(err)
		permanent := (kind == hal.Rejected || kind == hal.Unsupported) && j.Kind != KindRevoke
		if j.Kind != KindRevoke && j.Attempts >= MaxGrantAttempts {
			permanent = true
		}
		if permanent {
			status = StatusFailed
		} else {
			status = StatusPending
			next = next.Add(backoff(j.Attempts, err))
		}
	}
	var le *string
	if lastErr != "" {
		le = &lastErr
	}
	if _, err := s.DB.ExecContext(context.WithoutCancel(ctx), `UPDATE access_jobs SET status = $1, next_run_at = $2, last_error = $3, updated_at = $4, leased_until = NULL WHERE id = $5`,
		status, next, le, s.Clock.Now(), j.ID); err != nil {
		slog.Warn("integration: record job outcome", "job", j.ID, "err", err)
	}
}

// logAttempt records one vendor call (the admin's log view).
func (s *Service) logAttempt(ctx context.Context, j job, provider, action, outcome, extID string, err error) {
	var detail *string
	if err != nil {
		d := scrub(err.Error())
		detail = &d
	}
	var ext *string
	if extID != "" {
		ext = &extID
	}
	var jobID *int64
	if j.ID != 0 {
		jobID = &j.ID
	}
	if _, e := s.DB.ExecContext(context.WithoutCancel(ctx), `INSERT INTO access_logs (entity_id, job_id, booking_id, member_id, action, provider, outcome, attempt,
		external_credential_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		j.EntityID, jobID, j.BookingID, j.MemberID, action, provider, outcome, j.Attempts, ext, detail, s.Clock.Now()); e != nil {
		slog.Warn("integration: write access log", "err", e)
	}
}

func outcomeOf(err error) string {
	if err == nil {
		return "SUCCESS"
	}
	switch hal.KindOf(err) {
	case hal.Rejected, hal.Unsupported:
		return "REJECTED"
	}
	return "RETRY"
}

type activeCred struct {
	ID         int64
	ExternalID string
	ValidFrom  *time.Time
	ValidUntil *time.Time
}

func (s *Service) activeCreds(ctx context.Context, bookingID, entityID int64) ([]activeCred, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, external_credential_id, valid_from, valid_until FROM access_credentials
		WHERE booking_id = $1 AND entity_id = $2 AND is_active = TRUE ORDER BY id`, bookingID, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activeCred
	for rows.Next() {
		var c activeCred
		if err := rows.Scan(&c.ID, &c.ExternalID, store.NullTime(&c.ValidFrom), store.NullTime(&c.ValidUntil)); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func sameInstant(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Truncate(time.Second).Equal(b.Truncate(time.Second))
}

// execute performs a job against the vendor. Every step is idempotent, so a
// retry after a crash or a timeout that the vendor did act on is harmless.
func (s *Service) execute(ctx context.Context, j job) error {
	in, err := s.load(ctx, s.DB, j.EntityID)
	if err != nil {
		return err
	}
	if in == nil || !in.Enabled {
		if j.Kind == KindRevoke {
			// A revocation waits (visible as pending) until the integration is back.
			creds, err := s.activeCreds(ctx, j.BookingID, j.EntityID)
			if err != nil || len(creds) > 0 {
				return errors.Join(err, errors.New("integration disabled: revocation waits"))
			}
			return nil
		}
		s.logAttempt(ctx, j, providerOf(in), KindGrant, "SKIPPED", "", errors.New("integration not enabled"))
		return nil
	}
	ad, err := s.adapter(in)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	creds, err := s.activeCreds(ctx, j.BookingID, j.EntityID)
	if err != nil {
		return err
	}
	keep, keepExt := int64(0), ""
	var granted *accessWindow
	if j.Kind != KindRevoke {
		// Still wanted, and for which occurrence? Computed now, not taken
		// from the job: the booking may have changed or the job may run
		// late (back-off, downtime), and then the right window has moved on.
		lead, lag := in.leadLag()
		w, status, ok, err := desiredWindow(ctx, s.DB, j.EntityID, j.BookingID, in.Location, lead, lag, s.Clock.Now())
		if err != nil {
			return err
		}
		if status != "CONFIRMED" {
			s.logAttempt(ctx, j, in.Provider, KindGrant, "SKIPPED", "", fmt.Errorf("booking is %s", strings.ToLower(orNone(status))))
			return nil
		}
		if ok {
			// Show in the job list what is being granted.
			if !sameInstant(j.ValidFrom, &w.From) || !sameInstant(j.ValidUntil, &w.Until) {
				j.ValidFrom, j.ValidUntil = &w.From, &w.Until
				if _, err := s.DB.ExecContext(ctx, `UPDATE access_jobs SET valid_from = $1, valid_until = $2 WHERE id = $3`, w.From, w.Until, j.ID); err != nil {
					return err
				}
			}
			for _, c := range creds {
				if sameInstant(c.ValidFrom, j.ValidFrom) && sameInstant(c.ValidUntil, j.ValidUntil) {
					keep, keepExt = c.ID, c.ExternalID
				}
			}
			if keep == 0 {
				cred := hal.Credential{EntityID: j.EntityID, MemberID: j.MemberID, TypeCd: "VENDOR", Identifier: cardNumber(j.BookingID),
					ValidFrom: j.ValidFrom, ExpiresAt: j.ValidUntil, Member: &j.Member}
				ext, err := ad.ProvisionCredential(cctx, cred)
				s.logAttempt(ctx, j, in.Provider, KindGrant, outcomeOf(err), ext, err)
				if err != nil {
					return err
				}
				now := s.Clock.Now()
				if err := s.DB.QueryRowContext(ctx, `INSERT INTO access_credentials (entity_id, member_id, booking_id, provider, external_credential_id, is_active,
				valid_from, valid_until, granted_at, created_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8, $8) RETURNING id`,
					j.EntityID, j.MemberID, j.BookingID, in.Provider, ext, j.ValidFrom, j.ValidUntil, now).Scan(&keep); err != nil {
					return err
				}
				keepExt = ext
			}
			granted = &w
		}
		// !ok: the series has no occurrence left; fall through and revoke.
	}
	// Revoke: every active credential of the booking; move/grant: the others.
	for _, c := range creds {
		if c.ID == keep {
			continue
		}
		if c.ExternalID != "" && c.ExternalID != keepExt {
			err := ad.RevokeCredential(cctx, c.ExternalID)
			s.logAttempt(ctx, j, in.Provider, KindRevoke, outcomeOf(err), c.ExternalID, err)
			if err != nil {
				return err
			}
		}
		// Same external id as the kept one: adapters that find the
		// member's card or user again (Brivo, exivo, Salto KS) changed its
		// window in place, so the vendor must not revoke it; only the old
		// record is closed.
		if _, err := s.DB.ExecContext(ctx, `UPDATE access_credentials SET is_active = FALSE, revoked_at = $1 WHERE id = $2`, s.Clock.Now(), c.ID); err != nil {
			return err
		}
	}
	if granted != nil {
		return s.scheduleFollowUp(ctx, in, j, *granted)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "gone"
	}
	return s
}

func providerOf(in *integration) string {
	if in == nil {
		return "NONE"
	}
	return in.Provider
}

// Run consumes events, runs due jobs and reconciles periodically until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(Poll)
	defer t.Stop()
	lastReconcile := time.Now()
	// Looking for due jobs is a transaction of its own; most wakes are
	// commits of other features (check-ins) that queue none.
	jobsDue := true
	var lastConsume time.Time
	for {
		// Wakes come with every commit in the app; under load, look at the
		// outbox at most every consumeFloor and take what gathered meanwhile.
		if wait := consumeFloor - time.Since(lastConsume); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		lastConsume = time.Now()
		n, err := s.consume(ctx)
		if err != nil && ctx.Err() == nil {
			slog.Warn("integration: consume outbox", "err", err)
		}
		jobsDue = jobsDue || n > 0
		for jobsDue && ctx.Err() == nil {
			n, err := s.RunDue(ctx)
			if err != nil && ctx.Err() == nil {
				slog.Warn("integration: run jobs", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		jobsDue = false
		if time.Since(lastReconcile) >= ReconcileEvery {
			lastReconcile = time.Now()
			if err := s.ReconcileAll(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("integration: reconcile", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			jobsDue = true
		case <-s.work:
			jobsDue = true
		case <-s.wake:
		}
	}
}

// emailPattern finds e-mail addresses, also URL-encoded (a vendor error can
// quote the request URL with the member's address in its query).
var emailPattern = regexp.MustCompile(`(?i)[a-z0-9._%+-]+(@|%40)[a-z0-9.-]+\.[a-z]{2,}`)

// scrub makes an error text fit for the admin log and the job's last error:
// no e-mail addresses (personal data the log does not need) and at most 500
// bytes. Keys and tokens never reach error texts: adapters leave them out.
func scrub(s string) string {
	s = emailPattern.ReplaceAllString(s, "<e-mail>")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}
