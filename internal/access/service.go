package access

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Scope is who is asking: the organisation and its time zone.
type Scope = member.Scope

// Service is access control and check-in over one database.
type Service struct {
	DB      *store.DB
	Clock   clock.Clock
	Events  *events.Emitter
	Members *member.Service
	Bus     *events.Bus
	Doors   *hal.Registry
	// PhoneTokens recognises rotating phone tokens presented as QR_CODE
	// credentials (the member pass, internal/phone); nil: none.
	PhoneTokens PhoneTokenResolver

	// DoorTimeout is the time budget of a door command; a door that has not
	// answered by then is reported as unreachable (the decision stands).
	DoorTimeout time.Duration
	// Heartbeat is how often an idle live-feed stream sends a comment line, so
	// proxies keep it open and dead clients are noticed.
	Heartbeat time.Duration
	// SweepEvery is how often the sweeper looks for zones past their reset.
	SweepEvery time.Duration

	stopOnce sync.Once
	stopped  chan struct{}
	// writer queues this service's write transactions on SQLite. SQLite has one
	// writer; without the queue, waiting writers sleep in its busy handler (1, 2,
	// 5 … 100 ms steps) instead of taking the lock the moment it is free.
	writer sync.Mutex
}

// NewService builds the service with production defaults.
func NewService(db *store.DB, clk clock.Clock, em *events.Emitter, members *member.Service, bus *events.Bus, doors *hal.Registry) *Service {
	return &Service{DB: db, Clock: clk, Events: em, Members: members, Bus: bus, Doors: doors,
		DoorTimeout: 2 * time.Second, Heartbeat: 15 * time.Second, SweepEvery: time.Minute, stopped: make(chan struct{})}
}

// Stop ends the live streams (server shutdown: http.Server.Shutdown does not
// interrupt handlers that never return on their own).
func (s *Service) Stop() { s.stopOnce.Do(func() { close(s.stopped) }) }

// retryable reports PostgreSQL's deadlock and serialisation failures: the
// transaction was rolled back and running it again is safe.
func retryable(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "SQLSTATE 40P01") || strings.Contains(m, "SQLSTATE 40001")
}

// inTx runs fn in a transaction, again (up to three times) if the database
// chose it as a deadlock victim.
func (s *Service) inTx(ctx context.Context, fn func(tx *store.Tx) error) error {
	if s.DB.Dialect() == store.SQLite {
		s.writer.Lock()
		defer s.writer.Unlock()
	}
	var err error
	for attempt := range 3 {
		if err = s.DB.InTx(ctx, fn); !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

// rowsAffected returns how many rows a statement changed.
func rowsAffected(res interface{ RowsAffected() (int64, error) }, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
