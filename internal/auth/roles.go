// Package auth knows who is calling: users (password login → session token),
// devices (API keys), their roles and their organisation. Every other package
// takes the organisation from the Principal, never from a request body.
package auth

import (
	"context"
	"slices"
	"time"
)

// Role is what a caller may do.
type Role string

// The roles. PLATFORM_ADMIN ⊃ CLUB_ADMIN ⊃ STAFF; TRAINER and MEMBER stand apart;
// DEVICE is a door reader, kiosk, QR display or BLE gateway.
const (
	PlatformAdmin Role = "PLATFORM_ADMIN"
	ClubAdmin     Role = "CLUB_ADMIN"
	Staff         Role = "STAFF"
	Trainer       Role = "TRAINER"
	Member        Role = "MEMBER"
	Device        Role = "DEVICE"
)

// UserRoles are the roles a user account can hold.
var UserRoles = []Role{PlatformAdmin, ClubAdmin, Staff, Trainer, Member}

// ValidUserRole reports whether r is a role a user can hold.
func ValidUserRole(r Role) bool { return slices.Contains(UserRoles, r) }

// DeviceKind is the sort of device a key belongs to.
type DeviceKind string

// Device kinds.
const (
	Kiosk     DeviceKind = "KIOSK"
	Reader    DeviceKind = "READER"
	QRDisplay DeviceKind = "QR_DISPLAY"
	Gateway   DeviceKind = "GATEWAY"
)

// DeviceKinds lists the device kinds.
var DeviceKinds = []DeviceKind{Kiosk, Reader, QRDisplay, Gateway}

// Principal is the authenticated caller.
type Principal struct {
	Role     Role
	EntityID int64
	Location *time.Location // the organisation's time zone

	// Users
	UserID    int64
	Email     string
	MemberID  *int64
	SessionID int64

	// Devices
	DeviceID   int64
	DeviceKind DeviceKind
	ZoneID     *int64
}

// AtLeast reports whether the caller's role includes r in the admin chain
// PLATFORM_ADMIN ⊃ CLUB_ADMIN ⊃ STAFF. TRAINER, MEMBER and DEVICE include only
// themselves.
func (p *Principal) AtLeast(r Role) bool {
	rank := map[Role]int{Staff: 1, ClubAdmin: 2, PlatformAdmin: 3}
	if p.Role == r {
		return true
	}
	return rank[r] > 0 && rank[p.Role] >= rank[r]
}

// Policy says which callers an operation admits.
type Policy struct {
	// Public operations need no authentication.
	Public bool
	// Roles admitted; a role in the admin chain admits the roles above it too.
	Roles []Role
	// Devices admitted by kind (only when DEVICE is in Roles or Kinds is set).
	Kinds []DeviceKind
}

// Anyone is the policy of public operations.
var Anyone = Policy{Public: true}

// Allow builds a policy admitting the given roles (and the roles above them).
func Allow(roles ...Role) Policy { return Policy{Roles: roles} }

// AllowDevices adds device kinds to a policy.
func (p Policy) AllowDevices(kinds ...DeviceKind) Policy {
	p.Kinds = append(slices.Clone(p.Kinds), kinds...)
	return p
}

// Admits reports whether the principal may call an operation with this policy.
func (pol Policy) Admits(p *Principal) bool {
	if pol.Public {
		return true
	}
	if p == nil {
		return false
	}
	if p.Role == Device {
		return slices.Contains(pol.Kinds, p.DeviceKind)
	}
	for _, r := range pol.Roles {
		if p.AtLeast(r) {
			return true
		}
	}
	return false
}

type principalKey struct{}

// WithPrincipal stores the caller in a context.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
