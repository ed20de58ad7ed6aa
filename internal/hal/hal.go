// Package hal is the hardware abstraction layer: one interface for every door
// system (OSDP readers, vendor clouds, the simulated door), typed errors that say
// what went wrong in terms a caller can act on, and a registry that finds an
// adapter by provider name. Each zone names its provider and door id, so one site
// can mix vendors. Adapters live in subpackages (hal/sim, …) and import only this
// package; the access service depends on the interface, never on an adapter.
package hal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Door addresses one door of an adapter: the zone it guards and the adapter's own
// identifier for it, with adapter-specific settings (JSON object).
type Door struct {
	EntityID       int64           `json:"entityId"`
	ZoneID         int64           `json:"zoneId"`
	ExternalDoorID string          `json:"externalDoorId"`
	Settings       json.RawMessage `json:"settings,omitempty"`
}

// Credential is what an adapter needs to provision a card or token. Identifier is
// the full value: adapters must never log it (use Mask).
type Credential struct {
	ID         int64
	EntityID   int64
	MemberID   int64
	TypeCd     string
	Identifier string
	// ValidFrom and ExpiresAt bound when the credential opens doors (a booking's
	// window for vendor clouds); nil = from now / without end.
	ValidFrom *time.Time
	ExpiresAt *time.Time
	// Member identifies the person to vendor systems that keep their own user
	// records (Kisi, Brivo, …). Never logged.
	Member *Person
}

// MemberExternalIDPrefix starts the external id Gatehouse gives a member in
// vendor clouds ("gatehouse-member-42"): adapters that list what they hold
// tell Gatehouse's users from the ones an administrator made by it.
const MemberExternalIDPrefix = "gatehouse-member-"

// MemberExternalID is a member's stable external id in vendor clouds.
func MemberExternalID(memberID int64) string {
	return MemberExternalIDPrefix + strconv.FormatInt(memberID, 10)
}

// Person is what a vendor cloud needs to create or find its user record.
type Person struct {
	ExternalID string // stable id on our side: MemberExternalID
	FirstName  string
	LastName   string
	Email      string
}

// DoorResult is the outcome of a door command.
type DoorResult struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// Occupancy is what the door system itself counts, when it counts.
type Occupancy struct {
	Known   bool      `json:"known"`
	Current int       `json:"current"`
	At      time.Time `json:"at"`
}

// Event is something the door system reports (a command it ran, a forced door …).
type Event struct {
	At             time.Time `json:"at"`
	Kind           string    `json:"kind" doc:"UNLOCK, PROVISION, REVOKE, …"`
	ExternalDoorID string    `json:"externalDoorId,omitempty"`
	Detail         string    `json:"detail"`
}

// Adapter is the seed's AccessControlAdapter. Every method takes a context whose
// deadline is the caller's time budget: a door that does not answer in time is
// reported as unreachable, never waited for indefinitely.
type Adapter interface {
	// Provider is the name zones use to select this adapter (e.g. SIMULATED).
	Provider() string
	// ProvisionCredential enrols a credential and returns the vendor's id for it.
	ProvisionCredential(ctx context.Context, c Credential) (externalID string, err error)
	// RevokeCredential withdraws a credential by the vendor's id.
	RevokeCredential(ctx context.Context, externalID string) error
	// UnlockDoor opens a door and holds it open for holdOpen.
	UnlockDoor(ctx context.Context, d Door, holdOpen time.Duration) (DoorResult, error)
	// Occupancy reports the door system's own count, if it keeps one.
	Occupancy(ctx context.Context, d Door) (Occupancy, error)
	// RecentEvents lists the newest events of a door, newest first.
	RecentEvents(ctx context.Context, d Door, limit int) ([]Event, error)
}

// DoorValidator is implemented by adapters that can check a door binding
// (external door id and settings) before it is saved, so a zone is never
// bound to a door its adapter cannot drive. Registry.ValidateDoor calls it.
type DoorValidator interface {
	ValidateDoor(d Door) error
}

// FieldError is a validation error that names the binding field at fault
// ("externalDoorId", "settings.connection", "settings.readers[1].address" …).
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ErrorKind classifies adapter failures.
type ErrorKind int

// Kinds of adapter failure.
const (
	// Unsupported: the adapter cannot do this at all (e.g. no occupancy counter).
	Unsupported ErrorKind = iota + 1
	// Unreachable: the door system did not answer (network, timeout, offline).
	// Retrying later may succeed.
	Unreachable
	// Rejected: the door system answered and refused (unknown door, bad key).
	// Retrying the same request will not help.
	Rejected
)

func (k ErrorKind) String() string {
	switch k {
	case Unsupported:
		return "unsupported"
	case Unreachable:
		return "unreachable"
	case Rejected:
		return "rejected"
	}
	return "unknown"
}

// Error is an adapter failure with its kind, the provider and the operation.
type Error struct {
	Kind     ErrorKind
	Provider string
	Op       string
	Err      error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %s: %s", e.Provider, e.Op, e.Kind)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, hal.ErrUnreachable) match any error of that kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Provider == "" && t.Op == "" && t.Err == nil && t.Kind == e.Kind
}

// Sentinels for errors.Is.
var (
	ErrUnsupported = &Error{Kind: Unsupported}
	ErrUnreachable = &Error{Kind: Unreachable}
	ErrRejected    = &Error{Kind: Rejected}
)

// NewError builds a typed adapter error.
func NewError(kind ErrorKind, provider, op string, err error) *Error {
	return &Error{Kind: kind, Provider: provider, Op: op, Err: err}
}

// KindOf reports the kind of an adapter error; a context deadline counts as
// unreachable (the door did not answer within the budget).
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Unreachable
	}
	return 0
}

// Registry finds adapters by provider name (case-insensitive).
type Registry struct {
	mu       sync.RWMutex
	adapters map[string]Adapter
}

// NewRegistry returns a registry holding the given adapters.
func NewRegistry(adapters ...Adapter) *Registry {
	r := &Registry{adapters: map[string]Adapter{}}
	for _, a := range adapters {
		r.Register(a)
	}
	return r
}

// Register adds or replaces the adapter of its provider.
func (r *Registry) Register(a Adapter) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.adapters[strings.ToUpper(a.Provider())] = a
}

// Get returns the adapter of a provider, or an Unsupported error.
func (r *Registry) Get(provider string) (Adapter, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.adapters[strings.ToUpper(provider)]
	if !ok {
		return nil, NewError(Unsupported, provider, "lookup", errors.New("no adapter is registered for this provider"))
	}
	return a, nil
}

// Providers lists the registered provider names, sorted.
func (r *Registry) Providers() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.adapters))
	for k := range r.adapters {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether a provider is registered.
func (r *Registry) Has(provider string) bool {
	return slices.Contains(r.Providers(), strings.ToUpper(provider))
}

// ValidateDoor checks a door binding with the provider's adapter: an
// Unsupported error for an unknown provider, the adapter's error when it
// implements DoorValidator and rejects d, else nil.
func (r *Registry) ValidateDoor(provider string, d Door) error {
	a, err := r.Get(provider)
	if err != nil {
		return err
	}
	if v, ok := a.(DoorValidator); ok {
		return v.ValidateDoor(d)
	}
	return nil
}

// Mask shows only the last four characters of an identifier (card number,
// token), so a log line or event can name a credential without revealing it.
func Mask(identifier string) string {
	r := []rune(identifier)
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	return "••••" + string(r[len(r)-4:])
}
