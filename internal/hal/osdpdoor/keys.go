package osdpdoor

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Audit events of the key endpoints (outbox; data: ReaderEvent).
const (
	// EventRekeyed: an admin rotated a reader's key (error set when the
	// reader did not take it).
	EventRekeyed = "door.reader_rekeyed"
	// EventKeyCleared: an admin made Gatehouse forget a reader's key.
	EventKeyCleared = "door.reader_key_cleared"
)

// storedReader is a reader's row for the key endpoints.
type storedReader struct {
	id, zoneID int64
	line       string
	address    byte
	sealed     *string
	confirmed  bool
}

func (m *Manager) storedReader(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, entityID, id int64) (storedReader, error) {
	var r storedReader
	var addr int
	err := q.QueryRowContext(ctx, `SELECT id, zone_id, line, address, scbk_sealed, key_confirmed FROM osdp_readers
		WHERE id = $1 AND entity_id = $2`, id, entityID).Scan(&r.id, &r.zoneID, &r.line, &addr, &r.sealed, &r.confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("reader")
	}
	r.address = byte(addr)
	return r, err
}

func (m *Manager) audit(ctx context.Context, tx *store.Tx, entityID int64, typ string, r storedReader, p *auth.Principal, secure bool, errMsg string) error {
	return m.cfg.Events.Emit(ctx, tx, entityID, typ, m.cfg.Clock.Now(), ReaderEvent{ReaderID: r.id, ZoneID: r.zoneID, Line: r.line,
		Address: int(r.address), SecureChannel: secure, Error: errMsg, ByUserID: p.UserID})
}

// Rekey rotates the secure-channel key of an online secure reader: a new
// random key is sealed and stored (committed) before KEYSET is sent; the
// reader then handshakes under it. A reader that refuses (NAK) keeps its old
// key, and so does the row. Only the replica that drives the reader's line
// can do it (409 elsewhere).
func (m *Manager) Rekey(ctx context.Context, p *auth.Principal, id int64) (*StoredStatus, error) {
	if m.cfg.Secrets == nil {
		return nil, apperr.Conflict("%s", ErrNoSecrets.Error())
	}
	r, err := m.storedReader(ctx, m.cfg.DB, p.EntityID, id)
	if err != nil {
		return nil, err
	}
	k := LineKey{p.EntityID, r.line}
	rd, ok := m.Adapter.readerOf(k, r.address)
	if !ok || !rd.Secure {
		return nil, apperr.Conflict("reader %s is not configured as a secure reader", DoorRef{r.line, r.address})
	}
	driving, online, secure := m.Adapter.ReaderLink(k, r.address)
	switch {
	case !driving:
		return nil, apperr.Conflict("reader %s: this replica does not drive the line (it is offline or driven by another replica); retry there", DoorRef{r.line, r.address})
	case !online || !secure:
		return nil, apperr.Conflict("reader %s is not online with a secure channel", DoorRef{r.line, r.address})
	}
	key, err := osdp.GenerateKey()
	if err != nil {
		return nil, err
	}
	sealed, err := m.cfg.Secrets.Seal(key[:], keyAAD(r.id))
	if err != nil {
		return nil, err
	}
	if _, err := m.cfg.DB.ExecContext(ctx, `UPDATE osdp_readers SET scbk_sealed = $1, key_confirmed = FALSE, updated_at = $2 WHERE id = $3`,
		sealed, m.cfg.Clock.Now(), r.id); err != nil {
		return nil, err
	}
	m.cfg.Logger.Info("osdp: reader key rotated and stored; sending KEYSET", "reader", DoorRef{r.line, r.address}.String())
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	sendErr := m.Adapter.SetKey(sctx, k, r.address, key)
	var nak *osdp.NakError
	refused := errors.As(sendErr, &nak)
	err = m.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		if refused {
			// The reader answered and refused: it still has the old key.
			if _, err := tx.ExecContext(ctx, `UPDATE osdp_readers SET scbk_sealed = $1, key_confirmed = $2, updated_at = $3 WHERE id = $4`,
				r.sealed, r.confirmed, m.cfg.Clock.Now(), r.id); err != nil {
				return err
			}
		}
		msg := ""
		if sendErr != nil {
			msg = truncate(sendErr.Error(), 300)
		}
		return m.audit(ctx, tx, p.EntityID, EventRekeyed, r, p, true, msg)
	})
	if refused {
		m.Adapter.updateReader(k, r.address, func(rd *Reader) {
			rd.SCBK, rd.KeyConfirmed = nil, false
			if old, ok := m.openKey(r); ok {
				rd.SCBK, rd.KeyConfirmed = &old, r.confirmed
			}
		})
	}
	if err != nil {
		return nil, err
	}
	if sendErr != nil {
		if refused {
			return nil, apperr.Conflict("reader %s refused the new key; it keeps the old one: %v", DoorRef{r.line, r.address}, sendErr)
		}
		if hal.KindOf(sendErr) == hal.Unreachable {
			return nil, apperr.Conflict("reader %s did not confirm the new key (%v); the new key is stored and is tried at the next handshake", DoorRef{r.line, r.address}, sendErr)
		}
		return nil, sendErr
	}
	return m.get(ctx, p.EntityID, r.id)
}

func (m *Manager) openKey(r storedReader) (osdp.Key, bool) {
	var key osdp.Key
	if r.sealed == nil || m.cfg.Secrets == nil {
		return key, false
	}
	raw, err := m.cfg.Secrets.Open(*r.sealed, keyAAD(r.id))
	if err != nil || len(raw) != len(key) {
		return key, false
	}
	copy(key[:], raw)
	return key, true
}

// ClearKey forgets a reader's stored key, e.g. for a replaced or factory
// reset reader: the line restarts and a secure reader is expected in install
// mode again (it gets a new key at its first handshake). Works on any
// replica: the one driving the line reloads at the event.
func (m *Manager) ClearKey(ctx context.Context, p *auth.Principal, id int64) error {
	var line string
	var addr byte
	err := m.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := m.storedReader(ctx, tx, p.EntityID, id)
		if err != nil {
			return err
		}
		line, addr = r.line, r.address
		if _, err := tx.ExecContext(ctx, `UPDATE osdp_readers SET scbk_sealed = NULL, key_confirmed = FALSE, updated_at = $1 WHERE id = $2`,
			m.cfg.Clock.Now(), r.id); err != nil {
			return err
		}
		m.cfg.Logger.Info("osdp: reader key cleared", "reader", DoorRef{r.line, r.address}.String())
		return m.audit(ctx, tx, p.EntityID, EventKeyCleared, r, p, false, "")
	})
	if err == nil && m.cfg.Tail == nil {
		// Without the event tail, restart the line here (with it, every
		// replica does at the event, the one driving the line included).
		m.Adapter.ForgetKey(LineKey{p.EntityID, line}, addr)
	}
	return err
}

// forget restarts a line at a door.reader_key_cleared event.
func (m *Manager) forget(e events.Event) {
	var ev ReaderEvent
	if err := json.Unmarshal(e.Data, &ev); err != nil {
		m.cfg.Logger.Warn("osdp: reading a key-cleared event", "err", err)
		return
	}
	m.Adapter.ForgetKey(LineKey{e.EntityID, ev.Line}, byte(ev.Address))
}

func (m *Manager) get(ctx context.Context, entityID, id int64) (*StoredStatus, error) {
	list, err := m.List(ctx, entityID, 0)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, apperr.NotFound("reader")
}

// lockLine takes the PostgreSQL session-level advisory lock of a line on a
// dedicated connection, held while the line runs: a replica that dies loses
// its connection and with it the lock, and another takes the line over. The
// key hashes the schema, organisation and line name.
func (m *Manager) lockLine(ctx context.Context, k LineKey) (<-chan struct{}, func(), error) {
	conn, err := m.cfg.DB.SQL().Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended('gatehouse.osdp_line:' || current_schema() || ':' || $1 || ':' || $2, 0))`,
		fmt.Sprint(k.EntityID), k.Name).Scan(&got); err != nil {
		discard(conn)
		return nil, nil, err
	}
	if !got {
		_ = conn.Close()
		return nil, nil, ErrLineHeld
	}
	lost, stop, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				pctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				err := conn.PingContext(pctx)
				cancel()
				if err != nil {
					m.cfg.Logger.Warn("osdp: line lock connection lost", "line", k.Name, "err", err)
					close(lost)
					return
				}
			}
		}
	}()
	release := func() {
		close(stop)
		<-done
		// Ending the session releases the lock (never return the connection
		// to the pool with the lock held).
		discard(conn)
	}
	return lost, release, nil
}

// discard closes a dedicated connection's session instead of pooling it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
