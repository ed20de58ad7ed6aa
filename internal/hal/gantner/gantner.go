// Package gantner is a door adapter for Gantner Gen7 (GT7) terminals.
//
// Gantner publishes no REST API. What is publicly visible (vendor-apis.md §6,
// 🟡 unverified) is that Gen7 terminals connect OUTBOUND to a host over a
// WebSocket and exchange JSON envelopes {Cmd, MT: Evt|Req|Rsp, Data, TID, GID,
// State}: the terminal reports App.CardIdent (UID, RfStandard, CardType,
// Segments), LockStateChanged and Heartbeat events; the host answers a card
// with App.StartUnlockProcess (UnlockingTime_ms, Relays[{Id, OnTime_ms}],
// DisplayText) or App.StartDenyProcess, and can set App.SetLockState.
//
// So this package is host-side: a Hub accepts terminal connections
// (Hub.Upgrade, for an endpoint that has authenticated the terminal — see
// internal/gantnerhost; or Hub.Serve over any Conn), answers card idents with
// the Decider's decision, and drives unlocks. A terminal is held under the
// key of the organisation it authenticated for (TerminalKey), and both
// adapters — the zone doors (Hub.Doors) and an organisation's integration
// (Hub.Adapter) — look terminals up under their own organisation only; a
// door's ExternalDoorID is the bare terminal id. The terminal decides
// nothing itself and stores no cards, so ProvisionCredential/RevokeCredential
// and Occupancy are hal.Unsupported; RecentEvents lists what the terminal
// reported since it connected (an in-memory ring).
//
// Unverified (written from field names only, no protocol document): the exact
// casing/shape of Data members, whether a Rsp echoes TID, the meaning of
// State, heartbeat timing, and the WebSocket path and subprotocol the
// terminal uses. Verify against Gantner's protocol documentation before use.
package gantner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
)

// Provider is the provider name zones and integrations use.
const Provider = "GANTNER"

// Message types.
const (
	MTEvent    = "Evt"
	MTRequest  = "Req"
	MTResponse = "Rsp"
)

// Commands (Cmd values).
const (
	CmdCardIdent       = "App.CardIdent"
	CmdStartUnlock     = "App.StartUnlockProcess"
	CmdStartDeny       = "App.StartDenyProcess"
	CmdSetLockState    = "App.SetLockState"
	CmdLockStateChange = "LockStateChanged"
	CmdHeartbeat       = "Heartbeat"
)

// Envelope is one message in either direction.
type Envelope struct {
	Cmd   string          `json:"Cmd"`
	MT    string          `json:"MT"`
	Data  json.RawMessage `json:"Data,omitempty"`
	TID   string          `json:"TID,omitempty"`
	GID   string          `json:"GID,omitempty"`
	State json.RawMessage `json:"State,omitempty"`
}

// CardIdent is the Data of App.CardIdent.
type CardIdent struct {
	UID        string          `json:"UID"`
	RfStandard string          `json:"RfStandard,omitempty"`
	CardType   string          `json:"CardType,omitempty"`
	Segments   json.RawMessage `json:"Segments,omitempty"`
}

// Relay is one relay of an unlock.
type Relay struct {
	ID       int `json:"Id"`
	OnTimeMS int `json:"OnTime_ms"`
}

// StartUnlock is the Data of App.StartUnlockProcess.
type StartUnlock struct {
	UnlockingTimeMS int     `json:"UnlockingTime_ms"`
	Relays          []Relay `json:"Relays,omitempty"`
	DisplayText     string  `json:"DisplayText,omitempty"`
}

// StartDeny is the Data of App.StartDenyProcess.
type StartDeny struct {
	DisplayText string `json:"DisplayText,omitempty"`
}

// Conn is one message-oriented connection to a terminal (a WebSocket, or a
// line-delimited JSON stream in tests). Reads happen in one goroutine, writes
// are serialised by the session.
type Conn interface {
	ReadMessage() ([]byte, error)
	WriteMessage([]byte) error
	Close() error
}

// Decision is the host's answer to a card.
type Decision struct {
	Grant       bool
	HoldOpen    time.Duration
	DisplayText string
}

// Decider decides a card ident (typically the access service's check-in).
type Decider func(ctx context.Context, terminalID string, card CardIdent) Decision

// DenyAll is the default decider.
func DenyAll(context.Context, string, CardIdent) Decision {
	return Decision{DisplayText: "No access"}
}

const eventRing = 200

// Hub holds the connected terminals. Safe for concurrent use.
type Hub struct {
	decide Decider
	relay  int
	now    func() time.Time

	mu       sync.Mutex
	sessions map[string]*session
	events   map[string][]hal.Event // per terminal, oldest first
	nextTID  int64
}

// NewHub returns a hub answering cards with decide (nil: deny all).
func NewHub(decide Decider) *Hub {
	if decide == nil {
		decide = DenyAll
	}
	return &Hub{decide: decide, relay: 1, now: time.Now, sessions: map[string]*session{}, events: map[string][]hal.Event{}}
}

// Default is the process-wide hub the registered GANTNER vendor uses.
var Default = NewHub(nil)

// SetDecider replaces the decider.
func (h *Hub) SetDecider(d Decider) {
	if d == nil {
		d = DenyAll
	}
	h.mu.Lock()
	h.decide = d
	h.mu.Unlock()
}

type session struct {
	id      string
	conn    Conn
	wmu     sync.Mutex
	pending map[string]chan Envelope // TID → response
	done    chan struct{}
}

// Serve runs a terminal connection under key (TerminalKey: the adapters look
// terminals up by organisation) until it fails or ctx ends; a second
// connection with the same key replaces the first.
func (h *Hub) Serve(ctx context.Context, key string, c Conn) error {
	return h.ServeWith(ctx, key, c, nil)
}

// TerminalKey is the hub id of a terminal that connected for an
// organisation (the mounted endpoint authenticates it with a device key of
// that organisation). Scoping the id keeps two organisations that happen to
// use the same terminal id apart: a zone's door reaches only its own
// organisation's terminal (see Hub.Doors).
func TerminalKey(entityID int64, terminalID string) string {
	return strconv.FormatInt(entityID, 10) + "/" + terminalID
}

// answerKey marks the context of a card decision: the Decider runs under it,
// so a door command for that same terminal made while deciding (the access
// service opens the zone's door after a granted check-in) is folded into
// the card's answer instead of being sent as a second unlock — which could
// not complete anyway, since the connection's reader is busy deciding.
type answerKey struct{}

type answer struct {
	terminal string
	mu       sync.Mutex
	unlocked bool
	hold     time.Duration
}

// ServeWith is Serve with a decider for this connection only (nil: the
// hub's): the mounted endpoint decides with the identity and zone it
// authenticated the terminal with.
func (h *Hub) ServeWith(ctx context.Context, terminalID string, c Conn, decider Decider) error {
	s := &session{id: terminalID, conn: c, pending: map[string]chan Envelope{}, done: make(chan struct{})}
	h.mu.Lock()
	if old := h.sessions[terminalID]; old != nil {
		_ = old.conn.Close()
	}
	h.sessions[terminalID] = s
	h.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer func() {
		stop()
		_ = c.Close()
		h.mu.Lock()
		if h.sessions[terminalID] == s {
			delete(h.sessions, terminalID)
		}
		h.mu.Unlock()
		close(s.done)
	}()
	for {
		raw, err := c.ReadMessage()
		if err != nil {
			return err
		}
		var env Envelope
		if json.Unmarshal(raw, &env) != nil {
			continue // not an envelope: ignored
		}
		switch {
		case env.MT == MTResponse:
			h.mu.Lock()
			ch := s.pending[env.TID]
			delete(s.pending, env.TID)
			h.mu.Unlock()
			if ch != nil {
				ch <- env
			}
		case env.Cmd == CmdCardIdent:
			var card CardIdent
			if json.Unmarshal(env.Data, &card) != nil || card.UID == "" {
				continue
			}
			h.record(terminalID, "CARD_IDENT", "card "+hal.Mask(card.UID))
			h.mu.Lock()
			decide := h.decide
			h.mu.Unlock()
			if decider != nil {
				decide = decider
			}
			ans := &answer{terminal: terminalID}
			d := decide(context.WithValue(ctx, answerKey{}, ans), terminalID, card)
			ans.mu.Lock()
			if d.Grant && d.HoldOpen <= 0 && ans.unlocked {
				d.HoldOpen = ans.hold
			}
			ans.mu.Unlock()
			var out Envelope
			if d.Grant {
				out = h.unlockMsg(d.HoldOpen, d.DisplayText)
			} else {
				data, _ := json.Marshal(StartDeny{DisplayText: d.DisplayText})
				out = Envelope{Cmd: CmdStartDeny, MT: MTRequest, Data: data, TID: h.tid()}
			}
			if err := s.write(out); err != nil {
				return err
			}
			kind := "DENY"
			if d.Grant {
				kind = "UNLOCK"
			}
			h.record(terminalID, kind, "answer to card "+hal.Mask(card.UID))
		case env.Cmd == CmdLockStateChange:
			var st struct{ LockStatus string }
			_ = json.Unmarshal(env.Data, &st)
			h.record(terminalID, "LOCK_STATE", "lock state "+st.LockStatus)
		case env.Cmd == CmdHeartbeat:
			// Heartbeats keep the connection; nothing to record.
		}
	}
}

func (h *Hub) tid() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextTID++
	return strconv.FormatInt(h.nextTID, 10)
}

func (h *Hub) unlockMsg(hold time.Duration, text string) Envelope {
	ms := int(hold / time.Millisecond)
	data, _ := json.Marshal(StartUnlock{UnlockingTimeMS: ms, Relays: []Relay{{ID: h.relay, OnTimeMS: ms}}, DisplayText: text})
	return Envelope{Cmd: CmdStartUnlock, MT: MTRequest, Data: data, TID: h.tid()}
}

func (s *session) write(e Envelope) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.conn.WriteMessage(b)
}

func (h *Hub) record(terminal, kind, detail string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := append(h.events[terminal], hal.Event{At: h.now().UTC(), Kind: kind, ExternalDoorID: terminal, Detail: detail})
	if len(ev) > eventRing {
		ev = slices.Clone(ev[len(ev)-eventRing:])
	}
	h.events[terminal] = ev
}

// Connected lists the keys (TerminalKey) of the connected terminals.
func (h *Hub) Connected() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.sessions))
	for id := range h.sessions {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// ---- hal.Adapter ----

// Adapter is the hub as seen by one organisation's GANTNER integration: it
// may address only the terminals of settings.terminalIds, and only as they
// connected for that organisation (TerminalKey), like the zone doors — a
// terminal of another organisation with the same id is not connected as far
// as this adapter is concerned.
type Adapter struct {
	hub       *Hub
	provider  string
	entityID  int64
	terminals []string
}

// Settings are the integration settings.
type Settings struct {
	TerminalIDs []string `json:"terminalIds"`
}

func init() {
	hal.RegisterVendor(Provider, func(cfg hal.VendorConfig, _ *http.Client) (hal.Adapter, error) {
		return Default.Adapter(cfg)
	})
}

// Adapter builds the adapter of one organisation (cfg.EntityID) on the hub.
func (h *Hub) Adapter(cfg hal.VendorConfig) (*Adapter, error) {
	// Without the organisation there is nothing to scope the terminal ids
	// by; refusing beats silently addressing nobody's (or everybody's) terminals.
	if cfg.EntityID <= 0 {
		return nil, errors.New("gantner: the integration's organisation (VendorConfig.EntityID) is required")
	}
	var s Settings
	if len(cfg.Settings) > 0 && json.Unmarshal(cfg.Settings, &s) != nil {
		return nil, &hal.FieldError{Field: "settings", Message: "must be a JSON object with terminalIds"}
	}
	if len(s.TerminalIDs) == 0 {
		return nil, &hal.FieldError{Field: "settings.terminalIds", Message: "list the Gen7 terminal ids of this organisation"}
	}
	for _, id := range s.TerminalIDs {
		if !validTerminal(id) {
			return nil, &hal.FieldError{Field: "settings.terminalIds", Message: "terminal ids are 1–64 letters, digits, '-', '_' or '.'"}
		}
	}
	p := Provider
	if cfg.Provider != "" {
		p = cfg.Provider
	}
	return &Adapter{hub: h, provider: p, entityID: cfg.EntityID, terminals: slices.Compact(slices.Sorted(slices.Values(s.TerminalIDs)))}, nil
}

func validTerminal(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) < 0
}

// Provider implements hal.Adapter.
func (a *Adapter) Provider() string { return a.provider }

// ValidateDoor implements hal.DoorValidator.
func (a *Adapter) ValidateDoor(d hal.Door) error {
	if !slices.Contains(a.terminals, d.ExternalDoorID) {
		return &hal.FieldError{Field: "externalDoorId", Message: "must be one of the integration's terminalIds"}
	}
	return nil
}

// ProvisionCredential is unsupported: the terminal stores no cards, the host decides each ident.
func (a *Adapter) ProvisionCredential(context.Context, hal.Credential) (string, error) {
	return "", hal.NewError(hal.Unsupported, a.provider, "provision", errors.New("Gen7 terminals ask the host about every card; there is nothing to provision"))
}

// RevokeCredential is unsupported (see ProvisionCredential).
func (a *Adapter) RevokeCredential(context.Context, string) error {
	return hal.NewError(hal.Unsupported, a.provider, "revoke", errors.New("Gen7 terminals ask the host about every card; there is nothing to revoke"))
}

// Occupancy is unsupported.
func (a *Adapter) Occupancy(context.Context, hal.Door) (hal.Occupancy, error) {
	return hal.Occupancy{}, hal.NewError(hal.Unsupported, a.provider, "occupancy", errors.New("Gen7 terminals keep no count"))
}

// UnlockDoor sends App.StartUnlockProcess to the organisation's terminal and
// waits for its Rsp.
func (a *Adapter) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	if !slices.Contains(a.terminals, d.ExternalDoorID) {
		return hal.DoorResult{}, hal.NewError(hal.Rejected, a.provider, "unlock", errors.New("externalDoorId is not one of the integration's terminals"))
	}
	return a.hub.unlockTerminal(ctx, a.provider, TerminalKey(a.entityID, d.ExternalDoorID), holdOpen)
}

// RecentEvents lists what the organisation's terminal reported since it connected, newest first.
func (a *Adapter) RecentEvents(_ context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	if !slices.Contains(a.terminals, d.ExternalDoorID) {
		return nil, hal.NewError(hal.Rejected, a.provider, "events", errors.New("externalDoorId is not one of the integration's terminals"))
	}
	return a.hub.recent(TerminalKey(a.entityID, d.ExternalDoorID), d.ExternalDoorID, limit), nil
}

// TerminalStatus is which of the integration's terminals are connected to
// this process right now (for the organisation), each list sorted.
type TerminalStatus struct {
	Connected []string
	Missing   []string
}

// Terminals reports which configured terminals are connected right now.
func (a *Adapter) Terminals() TerminalStatus {
	var st TerminalStatus
	a.hub.mu.Lock()
	defer a.hub.mu.Unlock()
	for _, id := range a.terminals {
		if a.hub.sessions[TerminalKey(a.entityID, id)] != nil {
			st.Connected = append(st.Connected, id)
		} else {
			st.Missing = append(st.Missing, id)
		}
	}
	return st
}

// Probe is the integration's connection test (integration.Prober). Gen7
// terminals dial in, so there is no vendor to call: the useful answer is
// which configured terminals are connected now. It fails (Unreachable) while
// any is missing, naming it, so an admin sees the terminal to look at.
func (a *Adapter) Probe(context.Context) (operation, message string, err error) {
	st := a.Terminals()
	operation = "connected terminals"
	if len(st.Missing) > 0 {
		msg := fmt.Sprintf("%d of %d terminal(s) not connected: %s", len(st.Missing), len(a.terminals), strings.Join(st.Missing, ", "))
		if len(st.Connected) > 0 {
			msg += "; connected: " + strings.Join(st.Connected, ", ")
		}
		return operation, "", hal.NewError(hal.Unreachable, a.provider, "test", errors.New(msg))
	}
	return operation, fmt.Sprintf("all %d terminal(s) connected: %s", len(st.Connected), strings.Join(st.Connected, ", ")), nil
}

// unlockTerminal unlocks the terminal connected under key (see TerminalKey).
// Called while that terminal's card is being decided (the access service
// opening the door after a granted check-in), it only sets the hold-open
// time of the card's answer.
func (h *Hub) unlockTerminal(ctx context.Context, provider, key string, holdOpen time.Duration) (hal.DoorResult, error) {
	if a, ok := ctx.Value(answerKey{}).(*answer); ok && a.terminal == key {
		a.mu.Lock()
		a.unlocked, a.hold = true, holdOpen
		a.mu.Unlock()
		return hal.DoorResult{Success: true, Message: "unlock sent with the answer to the card"}, nil
	}
	h.mu.Lock()
	s := h.sessions[key]
	h.mu.Unlock()
	if s == nil {
		return hal.DoorResult{}, hal.NewError(hal.Unreachable, provider, "unlock", errors.New("the terminal is not connected"))
	}
	return h.unlock(ctx, provider, s, key, holdOpen)
}

// recent lists the events of the terminal connected under key, newest first,
// naming it by its bare id (the key is internal to the hub).
func (h *Hub) recent(key, terminalID string, limit int) []hal.Event {
	h.mu.Lock()
	ev := slices.Clone(h.events[key])
	h.mu.Unlock()
	slices.Reverse(ev)
	for i := range ev {
		ev[i].ExternalDoorID = terminalID
	}
	limit = max(limit, 0)
	if len(ev) > limit {
		ev = ev[:limit]
	}
	if ev == nil {
		ev = []hal.Event{}
	}
	return ev
}

// unlock sends App.StartUnlockProcess on a session and waits for its Rsp.
func (h *Hub) unlock(ctx context.Context, provider string, s *session, eventID string, holdOpen time.Duration) (hal.DoorResult, error) {
	const op = "unlock"
	if holdOpen <= 0 {
		holdOpen = 5 * time.Second
	}
	msg := h.unlockMsg(holdOpen, "")
	ch := make(chan Envelope, 1)
	h.mu.Lock()
	s.pending[msg.TID] = ch
	h.mu.Unlock()
	cleanup := func() {
		h.mu.Lock()
		delete(s.pending, msg.TID)
		h.mu.Unlock()
	}
	if err := s.write(msg); err != nil {
		cleanup()
		return hal.DoorResult{}, hal.NewError(hal.Unreachable, provider, op, errors.New("write to the terminal failed"))
	}
	select {
	case rsp := <-ch:
		if failed(rsp.State) {
			return hal.DoorResult{}, hal.NewError(hal.Rejected, provider, op, fmt.Errorf("the terminal refused: %s", clip(string(rsp.State))))
		}
		h.record(eventID, "UNLOCK", fmt.Sprintf("remote unlock %s", holdOpen))
		return hal.DoorResult{Success: true, Message: "unlock started"}, nil
	case <-s.done:
		cleanup()
		return hal.DoorResult{}, hal.NewError(hal.Unreachable, provider, op, errors.New("the terminal disconnected"))
	case <-ctx.Done():
		cleanup()
		return hal.DoorResult{}, hal.NewError(hal.Unreachable, provider, op, ctx.Err())
	}
}

// failed reads a Rsp State: absent, 0, "OK"/"Ok" or {"Code":0} mean success
// (assumption: the State format is not publicly documented).
func failed(state json.RawMessage) bool {
	if len(state) == 0 || string(state) == "null" {
		return false
	}
	var n json.Number
	if json.Unmarshal(state, &n) == nil {
		return n.String() != "0"
	}
	var s string
	if json.Unmarshal(state, &s) == nil {
		return !strings.EqualFold(s, "ok") && s != "0" && s != ""
	}
	var o struct{ Code *int }
	if json.Unmarshal(state, &o) == nil && o.Code != nil {
		return *o.Code != 0
	}
	return false
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// ---- zone doors ----

// Doors returns the hub as the door adapter of zones (provider GANTNER in the
// app's hal.Registry): a zone's externalDoorId is the terminal id, scoped by
// the zone's organisation (TerminalKey), so a zone reaches only a terminal
// that connected with a device key of its own organisation.
func (h *Hub) Doors() hal.Adapter { return &zoneDoors{hub: h} }

type zoneDoors struct{ hub *Hub }

func (z *zoneDoors) Provider() string { return Provider }

// ValidateDoor implements hal.DoorValidator: the terminal id's format (which
// terminal connects is only known when it does).
func (z *zoneDoors) ValidateDoor(d hal.Door) error {
	if !validTerminal(d.ExternalDoorID) {
		return &hal.FieldError{Field: "externalDoorId", Message: "a Gen7 terminal id: 1–64 letters, digits, '-', '_' or '.'"}
	}
	return nil
}

func (z *zoneDoors) ProvisionCredential(context.Context, hal.Credential) (string, error) {
	return "", hal.NewError(hal.Unsupported, Provider, "provision", errors.New("Gen7 terminals ask the host about every card; there is nothing to provision"))
}

func (z *zoneDoors) RevokeCredential(context.Context, string) error {
	return hal.NewError(hal.Unsupported, Provider, "revoke", errors.New("Gen7 terminals ask the host about every card; there is nothing to revoke"))
}

func (z *zoneDoors) Occupancy(context.Context, hal.Door) (hal.Occupancy, error) {
	return hal.Occupancy{}, hal.NewError(hal.Unsupported, Provider, "occupancy", errors.New("Gen7 terminals keep no count"))
}

// UnlockDoor unlocks the organisation's terminal (see Hub.unlockTerminal).
func (z *zoneDoors) UnlockDoor(ctx context.Context, d hal.Door, holdOpen time.Duration) (hal.DoorResult, error) {
	return z.hub.unlockTerminal(ctx, Provider, TerminalKey(d.EntityID, d.ExternalDoorID), holdOpen)
}

// RecentEvents lists what the organisation's terminal reported since it connected, newest first.
func (z *zoneDoors) RecentEvents(_ context.Context, d hal.Door, limit int) ([]hal.Event, error) {
	return z.hub.recent(TerminalKey(d.EntityID, d.ExternalDoorID), d.ExternalDoorID, limit), nil
}

var (
	_ hal.Adapter       = (*zoneDoors)(nil)
	_ hal.DoorValidator = (*zoneDoors)(nil)
	_ hal.Adapter       = (*Adapter)(nil)
	_ hal.DoorValidator = (*Adapter)(nil)
)

// ValidTerminalID reports whether id is a usable terminal id (1–64 letters,
// digits, '-', '_' or '.').
func ValidTerminalID(id string) bool { return validTerminal(id) }
