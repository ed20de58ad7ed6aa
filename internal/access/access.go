// Package access is access control and check-in: zones (a hierarchy with
// occupancy and a reset time), rules, credentials, the check-in decision and the
// service around it (check-in/out, history, live feed, remote unlock).
//
// The decision itself (Decide) is a pure function of plain values with the clock
// passed in, so it is tested and benchmarked without a database. The service
// loads its inputs, calls it, and lets the database enforce the two invariants
// that concurrent requests could otherwise break: occupancy never exceeds the
// maximum (a conditional UPDATE whose rows-affected count is checked) and a
// member is never inside a zone twice (a partial unique index on open check-ins).
// See docs/access-control.md.
package access

import (
	"encoding/json"
	"time"
)

// Zone types, outermost first.
const (
	ZoneBuilding = "BUILDING"
	ZoneFloor    = "FLOOR"
	ZoneRoom     = "ROOM"
	ZoneArea     = "AREA"
	ZoneLocker   = "LOCKER"
)

// Check-in values.
const (
	Granted = "GRANTED"
	Denied  = "DENIED"
	In      = "IN"
	Out     = "OUT"
)

// Denial codes, machine-readable.
const (
	CodeContractInactive  = "CONTRACT_INACTIVE"
	CodeTierTooLow        = "TIER_TOO_LOW"
	CodeRuleFailed        = "RULE_FAILED"
	CodeAntiPassback      = "ANTI_PASSBACK"
	CodeZoneFull          = "ZONE_FULL"
	CodeZoneInactive      = "ZONE_INACTIVE"
	CodeCredentialInvalid = "CREDENTIAL_INVALID"
	CodeUnknownCredential = "UNKNOWN_CREDENTIAL"
)

// Checkout reasons.
const (
	CheckoutManual = "CHECKOUT" // POST /api/checkin/checkout
	CheckoutExit   = "EXIT"     // an OUT reading at a door
	CheckoutReset  = "RESET"    // closed by the zone's daily reset
)

// Zone is an AccessZone.
type Zone struct {
	ID                   int64     `json:"id"`
	EntityID             int64     `json:"entityId"`
	Name                 string    `json:"name"`
	TypeCd               string    `json:"typeCd" enum:"BUILDING,FLOOR,ROOM,AREA,LOCKER"`
	ParentZoneID         *int64    `json:"parentZoneId" required:"true" nullable:"true"`
	MaxOccupancy         *int      `json:"maxOccupancy" required:"true" nullable:"true" doc:"Capacity limit; null = unlimited."`
	CurrentOccupancy     int       `json:"currentOccupancy" doc:"Members inside now (granted check-ins not yet closed)."`
	RequiresContractTier *string   `json:"requiresContractTier" required:"true" nullable:"true" doc:"Minimum contract tier code (compared by tier rank); null = any active contract."`
	ResetTime            string    `json:"resetTime" doc:"HH:MM local time at which forgotten check-outs are closed (anti-passback reset)."`
	Door                 Door      `json:"door"`
	Active               bool      `json:"active"`
	CreatedAt            time.Time `json:"createdAt"`
	UpdatedAt            time.Time `json:"updatedAt"`
	Version              int64     `json:"version"`
	Children             []*Zone   `json:"children,omitempty" doc:"Sub-zones (in the tree listing)."`
}

// Door is a zone's binding to a door adapter.
type Door struct {
	Provider       string          `json:"provider" doc:"Door adapter, e.g. SIMULATED."`
	ExternalDoorID string          `json:"externalDoorId" doc:"The adapter's id of the door (default zone-<id>)."`
	Settings       json.RawMessage `json:"settings" doc:"Adapter-specific settings (JSON object)."`
}

// Rule is an AccessRule.
type Rule struct {
	ID        int64           `json:"id"`
	EntityID  int64           `json:"entityId"`
	ZoneID    int64           `json:"zoneId"`
	Name      string          `json:"name"`
	RuleCd    string          `json:"ruleCd" enum:"MEMBERSHIP_TIER,TIME_RESTRICTION,DAY_OF_WEEK,BLACKLIST"`
	Config    json.RawMessage `json:"config"`
	Priority  int             `json:"priority" doc:"Higher is evaluated first; the highest-priority failing rule names the denial."`
	Active    bool            `json:"active"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
	Version   int64           `json:"version"`
}

// Credential is a card, token, QR payload or PIN of a member.
type Credential struct {
	ID         int64      `json:"id"`
	EntityID   int64      `json:"entityId"`
	MemberID   int64      `json:"memberId"`
	TypeCd     string     `json:"typeCd" enum:"NFC_CARD,BLE_TOKEN,QR_CODE,RFID,WIEGAND,PIN"`
	Identifier string     `json:"identifier" doc:"Card number, token, QR payload or PIN."`
	StatusCd   string     `json:"statusCd" enum:"PROVISIONED,ACTIVE,SUSPENDED,REVOKED"`
	ExternalID *string    `json:"externalId" required:"true" nullable:"true" doc:"Id in a vendor system."`
	IssuedAt   time.Time  `json:"issuedAt"`
	ExpiresAt  *time.Time `json:"expiresAt" required:"true" nullable:"true"`
	LastUsedAt *time.Time `json:"lastUsedAt" required:"true" nullable:"true"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	Version    int64      `json:"version"`
}

// CheckIn is one recorded decision (and, when granted, a visit).
type CheckIn struct {
	ID               int64       `json:"id"`
	EntityID         int64       `json:"entityId"`
	MemberID         *int64      `json:"memberId" required:"true" nullable:"true" doc:"Null for an unknown credential."`
	MemberName       *string     `json:"memberName" required:"true" nullable:"true"`
	ZoneID           *int64      `json:"zoneId" required:"true" nullable:"true" doc:"Null = main entrance."`
	ZoneName         *string     `json:"zoneName" required:"true" nullable:"true"`
	MethodCd         string      `json:"methodCd" enum:"QR,NFC,BLE,MANUAL,CARD,PIN"`
	DirectionCd      string      `json:"directionCd" enum:"IN,OUT"`
	StatusCd         string      `json:"statusCd" enum:"GRANTED,DENIED"`
	DenialCode       *string     `json:"denialCode" required:"true" nullable:"true" enum:"CONTRACT_INACTIVE,TIER_TOO_LOW,RULE_FAILED,ANTI_PASSBACK,ZONE_FULL,ZONE_INACTIVE,CREDENTIAL_INVALID,UNKNOWN_CREDENTIAL"`
	DenialReason     *string     `json:"denialReason" required:"true" nullable:"true"`
	CredentialID     *int64      `json:"credentialId" required:"true" nullable:"true"`
	CredentialHint   *string     `json:"credentialHint" required:"true" nullable:"true" doc:"The presented identifier, masked to its last four characters."`
	DeviceID         *string     `json:"deviceId" required:"true" nullable:"true"`
	EventID          *string     `json:"eventId" required:"true" nullable:"true"`
	CheckedInAt      time.Time   `json:"checkedInAt"`
	CheckedOutAt     *time.Time  `json:"checkedOutAt" required:"true" nullable:"true"`
	CheckoutReasonCd *string     `json:"checkoutReasonCd" required:"true" nullable:"true" enum:"CHECKOUT,EXIT,RESET"`
	CreatedAt        time.Time   `json:"createdAt"`
	Version          int64       `json:"version"`
	Door             *DoorResult `json:"door,omitempty" doc:"The door command's outcome (POST /api/checkin when granted)."`
	Replayed         bool        `json:"replayed,omitempty" doc:"True when this is the stored result of an eventId sent before."`
}

// DoorResult is the outcome of a door command.
type DoorResult struct {
	Success bool   `json:"success"`
	Adapter string `json:"adapter"`
	Message string `json:"message"`
}
