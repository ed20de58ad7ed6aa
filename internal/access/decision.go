package access

import (
	"fmt"
	"time"
)

// Input is everything the check-in decision looks at. The service fills it from
// the database; tests and benchmarks build it by hand.
type Input struct {
	Now      time.Time
	Location *time.Location // the organisation's time zone

	// Unknown is set when nothing matched the presented identification (no
	// credential, no member number); the rest is then irrelevant.
	Unknown bool
	// Credential is the credential presented, nil for a manual check-in.
	Credential *CredentialState
	MemberID   int64
	// Contract is the member's best active contract today, nil if none.
	Contract *ContractState
	// Zones is the target zone followed by its ancestors up to the root; empty
	// for the main entrance (zoneId null).
	Zones []ZoneState
	// OpenSince is when the member's open check-in to this zone began, nil if none.
	OpenSince *time.Time
}

// CredentialState is the part of a credential the decision needs.
type CredentialState struct {
	StatusCd  string
	ExpiresAt *time.Time
	// Invalid, when set, says why a presented phone token (internal/phone: an
	// expired or already used member pass) does not count: CREDENTIAL_INVALID.
	Invalid string
}

// ContractState is the member's active contract.
type ContractState struct {
	TemplateID int64
	TierCd     string
	TierRank   int
}

// ZoneState is one zone of the chain with its own rules.
type ZoneState struct {
	ID           int64
	Name         string
	Active       bool
	MaxOccupancy *int
	Current      int
	// RequiredTier is the zone's minimum tier code; RequiredTierRank its rank
	// (nil when no template carries that code any more: nobody qualifies).
	RequiredTier     *string
	RequiredTierRank *int
	Reset            ClockTime
	Rules            []*CompiledRule
}

// Decision is the outcome.
type Decision struct {
	StatusCd string
	Code     string // "" when granted
	Reason   string // human, ≤ 200 characters
	// RuleID names the rule that denied, if a rule did.
	RuleID int64
	// Boundary is the zone's last reset instant: an open check-in that began
	// before it counts as closed, and the service closes it.
	Boundary time.Time
	// StaleOpen reports that the member's open check-in is older than Boundary.
	StaleOpen bool
}

func deny(code, reason string) Decision {
	if len(reason) > 200 {
		reason = reason[:197] + "…"
	}
	return Decision{StatusCd: Denied, Code: code, Reason: reason}
}

// ResetBoundary is the instant before which an open check-in to the target zone
// (or the main entrance, which resets at local midnight) counts as closed.
func (in *Input) ResetBoundary() time.Time {
	reset := ClockTime{}
	if len(in.Zones) > 0 {
		reset = in.Zones[0].Reset
	}
	return LastReset(in.Now, in.Location, reset)
}

// Decide is the check-in decision, in this order (the first failure names the
// denial):
//
//  1. identification: an unknown credential → UNKNOWN_CREDENTIAL; a credential
//     that is not ACTIVE or has expired → CREDENTIAL_INVALID;
//  2. the zone and every ancestor active → else ZONE_INACTIVE;
//  3. an active contract today → else CONTRACT_INACTIVE;
//  4. the contract's tier rank reaches every zone's requiresContractTier → else
//     TIER_TOO_LOW;
//  5. all active rules of the zone and its ancestors pass; of the failing ones
//     the highest priority (then the nearest zone, then the lowest id) names the
//     denial: TIER_TOO_LOW for MEMBERSHIP_TIER rules, RULE_FAILED otherwise;
//  6. anti-passback: no open check-in to this zone since its last reset →
//     else ANTI_PASSBACK;
//  7. occupancy below maxOccupancy (the target zone's own limit) → else ZONE_FULL.
//
// Steps 6 and 7 are decided again by the database when the check-in is written
// (concurrent requests); Decide gives the answer for what it was shown.
func Decide(in *Input) Decision {
	if in.Unknown {
		return deny(CodeUnknownCredential, "Unknown credential")
	}
	if c := in.Credential; c != nil {
		switch {
		case c.Invalid != "":
			return deny(CodeCredentialInvalid, c.Invalid)
		case c.StatusCd != "ACTIVE":
			return deny(CodeCredentialInvalid, "Credential is "+lower(c.StatusCd))
		case c.ExpiresAt != nil && !in.Now.Before(*c.ExpiresAt):
			return deny(CodeCredentialInvalid, "Credential expired")
		}
	}
	for i := range in.Zones {
		if z := &in.Zones[i]; !z.Active {
			if i == 0 {
				return deny(CodeZoneInactive, fmt.Sprintf("Zone %q is closed", z.Name))
			}
			return deny(CodeZoneInactive, fmt.Sprintf("Zone %q (containing %q) is closed", z.Name, in.Zones[0].Name))
		}
	}
	if in.Contract == nil {
		return deny(CodeContractInactive, "No active contract")
	}
	for i := range in.Zones {
		z := &in.Zones[i]
		if z.RequiredTier != nil && (z.RequiredTierRank == nil || in.Contract.TierRank < *z.RequiredTierRank) {
			return deny(CodeTierTooLow, fmt.Sprintf("Zone %q requires tier %s; contract tier is %s", z.Name, *z.RequiredTier, in.Contract.TierCd))
		}
	}
	if len(in.Zones) > 0 {
		local := in.Now.In(in.Location)
		var worst *CompiledRule
		var why string
		for depth := range in.Zones {
			for _, r := range in.Zones[depth].Rules {
				// Nearer zones come first and ids ascend within a zone (the loader
				// sorts), so a strictly higher priority is needed to take over.
				if worst != nil && r.Priority <= worst.Priority {
					continue
				}
				if reason := r.check(in, local); reason != "" {
					worst, why = r, reason
				}
			}
		}
		if worst != nil {
			code := CodeRuleFailed
			if worst.Cd == RuleMembershipTier {
				code = CodeTierTooLow
			}
			d := deny(code, fmt.Sprintf("Rule %q: %s", worst.Name, why))
			d.RuleID = worst.ID
			return d
		}
	}
	boundary := in.ResetBoundary()
	stale := false
	if in.OpenSince != nil {
		if !in.OpenSince.Before(boundary) {
			d := deny(CodeAntiPassback, "Already checked in since "+in.OpenSince.In(in.Location).Format("15:04"))
			d.Boundary = boundary
			return d
		}
		stale = true
	}
	if len(in.Zones) > 0 {
		z := &in.Zones[0]
		if z.MaxOccupancy != nil && z.Current >= *z.MaxOccupancy {
			d := deny(CodeZoneFull, fmt.Sprintf("Zone %q is full (%d/%d)", z.Name, z.Current, *z.MaxOccupancy))
			d.Boundary, d.StaleOpen = boundary, stale
			return d
		}
	}
	return Decision{StatusCd: Granted, Boundary: boundary, StaleOpen: stale}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
