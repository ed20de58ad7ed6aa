package osdpdoor

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ErrNoSecrets: a secure reader needs the app keyring to store its key.
var ErrNoSecrets = errors.New("osdp: secure readers need a secret keyring (GATEHOUSE_SECRET_KEY) to store their keys")

// ManagerConfig is what the manager needs.
type ManagerConfig struct {
	DB     *store.DB
	Clock  clock.Clock
	Access *access.Service
	Auth   *auth.Service
	Events *events.Emitter
	// Tail, when set, makes zone changes reload the readers at once.
	Tail    *events.Bus
	Secrets *secret.Keyring // nil: secure readers refuse (ErrNoSecrets)
	// Bus is the template of the lines' bus timings (zero: osdp defaults).
	Bus osdp.Config
	// Dial overrides how lines connect (tests).
	Dial func(ctx context.Context, connection string, baud int) (io.ReadWriteCloser, error)
	// ReloadEvery is how often the zone bindings are re-read (default 5 s);
	// Reload does it at once.
	ReloadEvery time.Duration
	// LockRetry is how often a replica that does not drive a line tries to
	// take it over (PostgreSQL; default 1 s).
	LockRetry time.Duration
	Logger    *slog.Logger
}

// readerRow is what the manager keeps per configured reader.
type readerRow struct {
	id        int64
	deviceID  int64
	zoneID    int64
	direction string
	loc       *time.Location
}

// Manager runs the OSDP readers of every organisation: it builds the lines
// from the zones bound to provider OSDP, turns reads into check-ins (as the
// reader's DEVICE principal), shows the decision on the reader, keeps the
// reader status and keys in osdp_readers and emits door.reader_* events.
type Manager struct {
	cfg     ManagerConfig
	Adapter *Adapter

	boot string
	seq  atomic.Uint64

	reloadMu sync.Mutex
	mu       sync.Mutex
	readers  map[doorKey]readerRow

	workers []chan job
	pins    sync.Map // doorKey -> *pinBuf: keypad entry in progress
	wg      sync.WaitGroup
	reload  chan struct{}
}

type job struct {
	line LineKey
	r    Reader
	ev   osdp.Event
	at   time.Time
}

const workers = 4

// NewManager builds the manager and its adapter (register m.Adapter in the
// hal registry). Run starts it.
func NewManager(cfg ManagerConfig) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.ReloadEvery <= 0 {
		cfg.ReloadEvery = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	m := &Manager{cfg: cfg, boot: hex.EncodeToString(b[:]), readers: map[doorKey]readerRow{}, reload: make(chan struct{}, 1)}
	for range workers {
		m.workers = append(m.workers, make(chan job, 256))
	}
	opt := Options{Bus: cfg.Bus, Logger: cfg.Logger, Hooks: Hooks{OnEvent: m.onEvent, NewKey: m.newKey}}
	if cfg.Dial != nil {
		opt.Dial = cfg.Dial
	}
	if cfg.DB != nil && cfg.DB.Dialect() == store.Postgres {
		opt.Lock, opt.LockRetry = m.lockLine, cfg.LockRetry
	}
	m.Adapter = New(opt)
	return m
}

// Run reloads the configuration, serves the readers and stops them when ctx
// ends (it returns after every line and worker stopped).
func (m *Manager) Run(ctx context.Context) {
	for _, ch := range m.workers {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-ch:
					m.handle(ctx, j)
				}
			}
		}()
	}
	t := time.NewTicker(m.cfg.ReloadEvery)
	defer t.Stop()
	var zones <-chan events.Event
	if m.cfg.Tail != nil {
		sub := m.cfg.Tail.Subscribe(func(e events.Event) bool {
			return strings.HasPrefix(e.Type, "zone.") || e.Type == EventKeyCleared
		})
		defer sub.Close()
		zones = sub.C
	}
	for {
		if err := m.Reload(ctx); err != nil && ctx.Err() == nil {
			m.cfg.Logger.Warn("osdp: reloading the reader configuration", "err", err)
		}
		select {
		case <-ctx.Done():
			m.Adapter.Close()
			m.wg.Wait()
			return
		case <-t.C:
		case <-m.reload:
		case e := <-zones:
			if e.Type == EventKeyCleared {
				m.forget(e)
			}
		}
	}
}

// Poke makes Run reload soon (after a zone's door binding changed).
func (m *Manager) Poke() {
	select {
	case m.reload <- struct{}{}:
	default:
	}
}

func keyAAD(id int64) string { return fmt.Sprintf("osdp_reader:%d", id) }

// Reload reads the zones bound to OSDP, makes sure each reader has its row
// (and its DEVICE identity), loads the stored keys and applies the lines.
func (m *Manager) Reload(ctx context.Context) error {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	rows, err := m.cfg.DB.QueryContext(ctx, `SELECT z.id, z.entity_id, z.door_external_id, z.door_settings, e.timezone
		FROM access_zones z JOIN entities e ON e.id = z.entity_id
		WHERE UPPER(z.door_provider) = 'OSDP' AND z.active = TRUE ORDER BY z.id`)
	if err != nil {
		return err
	}
	type binding struct {
		zoneID, entityID int64
		Binding
		loc *time.Location
	}
	var bs []binding
	for rows.Next() {
		var b binding
		var ext *string
		var settings, tz string
		if err := rows.Scan(&b.zoneID, &b.entityID, &ext, &settings, &tz); err != nil {
			rows.Close()
			return err
		}
		if ext == nil {
			m.cfg.Logger.Warn("osdp: zone bound to OSDP without an external door id (line:address)", "zone", b.zoneID)
			continue
		}
		if b.Binding, err = ParseBinding(*ext, []byte(settings)); err != nil {
			m.cfg.Logger.Warn("osdp: zone's door binding", "zone", b.zoneID, "err", err)
			continue
		}
		if b.loc, err = time.LoadLocation(tz); err != nil {
			b.loc = time.UTC
		}
		bs = append(bs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	lines := map[LineKey]*Line{}
	readers := map[doorKey]readerRow{}
	for _, b := range bs {
		k := LineKey{b.entityID, b.Ref.Line}
		l := lines[k]
		if l == nil {
			l = &Line{EntityID: b.entityID, Name: b.Ref.Line, Connection: b.Settings.Connection, Baud: b.Settings.Baud}
			lines[k] = l
		} else if l.Connection != b.Settings.Connection || l.Baud != b.Settings.Baud {
			m.cfg.Logger.Warn("osdp: zone names a line with another connection; ignored", "zone", b.zoneID, "line", b.Ref.Line)
			continue
		}
		for _, spec := range b.Readers {
			ref := DoorRef{b.Ref.Line, spec.Address}
			dk := doorKey{b.entityID, ref.Line, ref.Address}
			if _, dup := readers[dk]; dup {
				m.cfg.Logger.Warn("osdp: two zones bound to the same reader; the second is ignored", "zone", b.zoneID, "reader", ref.String())
				continue
			}
			row, key, confirmed, err := m.ensureRow(ctx, b.entityID, b.zoneID, ref, b.Settings.Secure)
			if err != nil {
				return err
			}
			row.direction, row.loc = spec.Direction, b.loc
			readers[dk] = row
			l.Readers = append(l.Readers, Reader{ZoneID: b.zoneID, Address: spec.Address, Secure: b.Settings.Secure,
				Direction: spec.Direction, Output: spec.Output, SCBK: key, KeyConfirmed: confirmed})
		}
	}
	m.mu.Lock()
	m.readers = readers
	m.mu.Unlock()
	out := make([]Line, 0, len(lines))
	for _, l := range lines {
		sort.Slice(l.Readers, func(i, j int) bool { return l.Readers[i].Address < l.Readers[j].Address })
		out = append(out, *l)
	}
	m.Adapter.Apply(out)
	return m.touchOnline(ctx)
}

// touchOnline records that online readers were seen (the bus polls them
// continuously; a reader that stops answering goes offline with an event).
func (m *Manager) touchOnline(ctx context.Context) error {
	now := m.cfg.Clock.Now()
	for _, st := range m.Adapter.Statuses(0) {
		if !st.Online {
			continue
		}
		if _, err := m.cfg.DB.ExecContext(ctx, `UPDATE osdp_readers SET last_seen_at = $1 WHERE entity_id = $2 AND line = $3 AND address = $4`,
			now, st.EntityID, st.Line, st.Address); err != nil {
			return err
		}
	}
	return nil
}

// ensureRow returns the reader's row, creating it (and the READER device it
// checks members in as) on first sight, and its stored key.
func (m *Manager) ensureRow(ctx context.Context, entityID, zoneID int64, ref DoorRef, secure bool) (readerRow, *osdp.Key, bool, error) {
	return m.ensureRowOnce(ctx, entityID, zoneID, ref, secure, false)
}

func (m *Manager) ensureRowOnce(ctx context.Context, entityID, zoneID int64, ref DoorRef, secure, retried bool) (readerRow, *osdp.Key, bool, error) {
	var row readerRow
	var sealed *string
	var confirmed bool
	var dev *int64
	var zone int64
	err := m.cfg.DB.QueryRowContext(ctx, `SELECT id, device_id, zone_id, scbk_sealed, key_confirmed FROM osdp_readers
		WHERE entity_id = $1 AND line = $2 AND address = $3`, entityID, ref.Line, int(ref.Address)).Scan(&row.id, &dev, &zone, &sealed, &confirmed)
	switch {
	case err == nil:
		if zone != zoneID {
			if _, err := m.cfg.DB.ExecContext(ctx, `UPDATE osdp_readers SET zone_id = $1, updated_at = $2 WHERE id = $3`, zoneID, m.cfg.Clock.Now(), row.id); err != nil {
				return row, nil, false, err
			}
		}
	case errors.Is(err, sql.ErrNoRows):
		d, err := m.cfg.Auth.CreateDevice(ctx, entityID, "OSDP reader "+ref.String(), auth.Reader, &zoneID)
		if err != nil {
			return row, nil, false, fmt.Errorf("osdp: reader device: %w", err)
		}
		dev = &d.ID
		now := m.cfg.Clock.Now()
		if err := m.cfg.DB.QueryRowContext(ctx, `INSERT INTO osdp_readers (entity_id, zone_id, line, address, device_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, entityID, zoneID, ref.Line, int(ref.Address), d.ID, now).Scan(&row.id); err != nil {
			if store.IsUniqueViolation(err) && !retried {
				// Another replica created the row first: use it.
				return m.ensureRowOnce(ctx, entityID, zoneID, ref, secure, true)
			}
			return row, nil, false, err
		}
	default:
		return row, nil, false, err
	}
	row.zoneID = zoneID
	if dev != nil {
		row.deviceID = *dev
	}
	if sealed == nil || !secure {
		return row, nil, false, nil
	}
	if m.cfg.Secrets == nil {
		m.setError(ctx, row.id, ErrNoSecrets.Error())
		return row, nil, false, nil
	}
	raw, err := m.cfg.Secrets.Open(*sealed, keyAAD(row.id))
	if err != nil || len(raw) != len(osdp.Key{}) {
		// Not fatal for the other readers: this one stays offline (the
		// handshake with no key fails unless the reader is back in install mode).
		m.setError(ctx, row.id, "stored reader key cannot be opened with the configured secret keys")
		return row, nil, false, nil
	}
	var key osdp.Key
	copy(key[:], raw)
	return row, &key, confirmed, nil
}

func (m *Manager) setError(ctx context.Context, id int64, msg string) {
	_, _ = m.cfg.DB.ExecContext(ctx, `UPDATE osdp_readers SET last_error = $1 WHERE id = $2`, truncate(msg, 300), id)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func (m *Manager) row(k LineKey, addr byte) (readerRow, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.readers[doorKey{k.EntityID, k.Name, addr}]
	return r, ok
}

// newKey generates a reader's SCBK, seals it (aad binds it to the reader's
// row) and stores it before the bus sends KEYSET.
func (m *Manager) newKey(ctx context.Context, k LineKey, r Reader) (osdp.Key, error) {
	if m.cfg.Secrets == nil {
		return osdp.Key{}, ErrNoSecrets
	}
	row, ok := m.row(k, r.Address)
	if !ok {
		return osdp.Key{}, errors.New("osdp: reader has no row")
	}
	key, err := osdp.GenerateKey()
	if err != nil {
		return osdp.Key{}, err
	}
	sealed, err := m.cfg.Secrets.Seal(key[:], keyAAD(row.id))
	if err != nil {
		return osdp.Key{}, err
	}
	if _, err := m.cfg.DB.ExecContext(ctx, `UPDATE osdp_readers SET scbk_sealed = $1, key_confirmed = FALSE, updated_at = $2 WHERE id = $3`,
		sealed, m.cfg.Clock.Now(), row.id); err != nil {
		return osdp.Key{}, err
	}
	m.cfg.Logger.Info("osdp: reader key generated and stored; sending KEYSET", "reader", DoorRef{k.Name, r.Address}.String())
	return key, nil
}

// onEvent runs on a bus goroutine: it only queues.
func (m *Manager) onEvent(k LineKey, r Reader, ev osdp.Event) {
	h := fnv.New32a()
	_, _ = fmt.Fprintf(h, "%d/%s/%d", k.EntityID, k.Name, r.Address)
	select {
	case m.workers[h.Sum32()%workers] <- job{line: k, r: r, ev: ev, at: time.Now()}:
	default:
		m.cfg.Logger.Error("osdp: event queue full; event dropped", "reader", DoorRef{k.Name, r.Address}.String())
	}
}

type pinBuf struct {
	digits []byte
	at     time.Time
}

const pinTimeout = 10 * time.Second

func (m *Manager) handle(ctx context.Context, j job) {
	row, ok := m.row(j.line, j.r.Address)
	if !ok {
		return
	}
	switch e := j.ev.(type) {
	case osdp.EventOnline:
		m.status(ctx, row, j.line, j.r, true, e.Secure, "")
	case osdp.EventOffline:
		msg := "offline"
		if e.Err != nil {
			msg = e.Err.Error()
		}
		m.status(ctx, row, j.line, j.r, false, false, truncate(msg, 300))
	case osdp.EventLocalStatus:
		m.tamper(ctx, row, j.line, j.r, e.Tamper)
	case osdp.EventProvisioned:
		_, err := m.cfg.DB.ExecContext(ctx, `UPDATE osdp_readers SET key_confirmed = TRUE, updated_at = $1 WHERE id = $2`, m.cfg.Clock.Now(), row.id)
		m.logErr("provisioned", err)
	case osdp.EventCard:
		typeCd, ident := CardCredential(e.Card)
		_, err := m.cfg.DB.ExecContext(ctx, `UPDATE osdp_readers SET last_card_at = $1, last_seen_at = $1 WHERE id = $2`, m.cfg.Clock.Now(), row.id)
		m.logErr("card", err)
		m.checkIn(ctx, row, j.line, j.r, "CARD", typeCd, ident)
	case osdp.EventKeypad:
		dk := doorKey{j.line.EntityID, j.line.Name, j.r.Address}
		v, _ := m.pins.LoadOrStore(dk, &pinBuf{})
		b := v.(*pinBuf)
		if time.Since(b.at) > pinTimeout {
			b.digits = b.digits[:0]
		}
		b.at = time.Now()
		for _, c := range []byte(osdp.KeypadText(e.Keypad.Keys)) {
			switch {
			case c == '*':
				b.digits = b.digits[:0]
			case c == '#':
				pin := string(b.digits)
				clear(b.digits)
				b.digits = b.digits[:0]
				m.checkIn(ctx, row, j.line, j.r, "PIN", access.TypePIN, pin)
			case c >= '0' && c <= '9' && len(b.digits) < 16:
				b.digits = append(b.digits, c)
			}
		}
	}
}

func (m *Manager) logErr(what string, err error) {
	if err != nil {
		m.cfg.Logger.Warn("osdp: recording reader "+what, "err", err)
	}
}

// ReaderEvent is the payload of door.reader_online/offline/tamper.
type ReaderEvent struct {
	ReaderID      int64  `json:"readerId"`
	ZoneID        int64  `json:"zoneId"`
	Line          string `json:"line"`
	Address       int    `json:"address"`
	SecureChannel bool   `json:"secureChannel"`
	Tamper        *bool  `json:"tamper,omitempty"`
	Error         string `json:"error,omitempty"`
	// ByUserID is the admin who cleared or rotated the key.
	ByUserID int64 `json:"byUserId,omitempty"`
}

func (m *Manager) status(ctx context.Context, row readerRow, k LineKey, r Reader, online, secure bool, errMsg string) {
	now := m.cfg.Clock.Now()
	typ := "door.reader_offline"
	if online {
		typ = "door.reader_online"
	}
	var lastErr *string
	if errMsg != "" {
		lastErr = &errMsg
	}
	ev := ReaderEvent{ReaderID: row.id, ZoneID: row.zoneID, Line: k.Name, Address: int(r.Address), SecureChannel: secure, Error: errMsg}
	err := m.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		q := `UPDATE osdp_readers SET online = $1, secure_channel = $2, last_error = $3, updated_at = $4 WHERE id = $5`
		if online {
			q = `UPDATE osdp_readers SET online = $1, secure_channel = $2, last_error = $3, updated_at = $4, last_seen_at = $4 WHERE id = $5`
		}
		if _, err := tx.ExecContext(ctx, q, online, secure, lastErr, now, row.id); err != nil {
			return err
		}
		return m.cfg.Events.Emit(ctx, tx, k.EntityID, typ, now, ev)
	})
	m.logErr(typ, err)
}

func (m *Manager) tamper(ctx context.Context, row readerRow, k LineKey, r Reader, tamper bool) {
	now := m.cfg.Clock.Now()
	err := m.cfg.DB.InTx(ctx, func(tx *store.Tx) error {
		var was bool
		if err := tx.QueryRowContext(ctx, `SELECT tamper FROM osdp_readers WHERE id = $1`, row.id).Scan(&was); err != nil {
			return err
		}
		if was == tamper {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE osdp_readers SET tamper = $1, last_seen_at = $2, updated_at = $2 WHERE id = $3`, tamper, now, row.id); err != nil {
			return err
		}
		t := tamper
		return m.cfg.Events.Emit(ctx, tx, k.EntityID, "door.reader_tamper", now,
			ReaderEvent{ReaderID: row.id, ZoneID: row.zoneID, Line: k.Name, Address: int(r.Address), Tamper: &t})
	})
	m.logErr("tamper", err)
}

// CardCredential maps a card read to the credential Gatehouse matches: a
// Wiegand read with a known layout and good parity is WIEGAND with
// osdp.CardIdentifier's form ("H10301:12:3456"); anything else is NFC_CARD
// with the card data in upper-case hex (the UID, for 13.56 MHz readers).
func CardCredential(c osdp.RawCard) (typeCd, identifier string) {
	if _, err := osdp.DecodeWiegand(int(c.Bits), c.Data); err == nil {
		return access.TypeWiegand, osdp.CardIdentifier(c)
	}
	return access.TypeNFC, strings.ToUpper(hex.EncodeToString(c.Data))
}

// checkIn asks the access service as the reader's DEVICE principal (a
// READER device of the organisation, bound to the reader's zone), then shows
// the decision on the reader. A granted check-in has already pulsed the
// relay through the zone's door binding (this adapter); an exit read (OUT)
// that checks out pulses it here.
func (m *Manager) checkIn(ctx context.Context, row readerRow, k LineKey, r Reader, method, typeCd, ident string) {
	zone := row.zoneID
	p := &auth.Principal{Role: auth.Device, EntityID: k.EntityID, Location: row.loc, DeviceID: row.deviceID,
		DeviceKind: auth.Reader, ZoneID: &zone}
	evID := fmt.Sprintf("osdp-%s-%d", m.boot, m.seq.Add(1))
	req := access.CheckInRequest{ZoneID: &zone, MethodCd: method, DirectionCd: row.direction, EventID: &evID,
		Credential: &access.PresentedCredential{TypeCd: typeCd, Identifier: access.Identifier(ident)}}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ci, err := m.cfg.Access.CheckIn(cctx, p, req)
	door := hal.Door{EntityID: k.EntityID, ZoneID: zone, ExternalDoorID: DoorRef{k.Name, r.Address}.String()}
	granted := err == nil && ci.StatusCd == access.Granted
	if err != nil {
		// The error never contains the identifier (access never echoes it).
		m.cfg.Logger.Warn("osdp: check-in failed", "reader", door.ExternalDoorID, "method", method, "err", err)
	}
	if granted && ci.Door == nil {
		if _, err := m.Adapter.UnlockDoor(cctx, door, access.DoorHoldOpen); err != nil {
			m.cfg.Logger.Warn("osdp: exit unlock failed", "reader", door.ExternalDoorID, "err", err)
		}
	}
	if err := m.Adapter.Feedback(cctx, door, granted, access.DoorHoldOpen); err != nil {
		m.cfg.Logger.Warn("osdp: reader feedback failed", "reader", door.ExternalDoorID, "err", err)
	}
}

// StoredStatus is a reader's row as GET /api/access/readers shows it.
type StoredStatus struct {
	ID            int64      `json:"id"`
	ZoneID        int64      `json:"zoneId"`
	Line          string     `json:"line"`
	Address       int        `json:"address"`
	ExternalDoor  string     `json:"externalDoorId"`
	DeviceID      *int64     `json:"deviceId,omitempty" doc:"The READER device check-ins are recorded as."`
	Online        bool       `json:"online"`
	SecureChannel bool       `json:"secureChannel"`
	KeyStored     bool       `json:"keyStored" doc:"A secure-channel key is stored (sealed) for the reader."`
	Tamper        bool       `json:"tamper"`
	LastCardAt    *time.Time `json:"lastCardAt,omitempty"`
	LastSeenAt    *time.Time `json:"lastSeenAt,omitempty"`
	LastError     *string    `json:"lastError,omitempty"`
}

// List returns an organisation's readers (zoneID 0: all zones).
func (m *Manager) List(ctx context.Context, entityID, zoneID int64) ([]StoredStatus, error) {
	rows, err := m.cfg.DB.QueryContext(ctx, `SELECT id, zone_id, line, address, device_id, online, secure_channel,
		scbk_sealed IS NOT NULL, tamper, last_card_at, last_seen_at, last_error
		FROM osdp_readers WHERE entity_id = $1 AND ($2 = 0 OR zone_id = $2) ORDER BY line, address`, entityID, zoneID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StoredStatus{}
	for rows.Next() {
		var s StoredStatus
		if err := rows.Scan(&s.ID, &s.ZoneID, &s.Line, &s.Address, &s.DeviceID, &s.Online, &s.SecureChannel, &s.KeyStored,
			&s.Tamper, store.NullTime(&s.LastCardAt), store.NullTime(&s.LastSeenAt), &s.LastError); err != nil {
			return nil, err
		}
		s.ExternalDoor = DoorRef{s.Line, byte(s.Address)}.String()
		out = append(out, s)
	}
	return out, rows.Err()
}
