package access

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/apperr"
)

// Rule codes.
const (
	RuleMembershipTier  = "MEMBERSHIP_TIER"
	RuleTimeRestriction = "TIME_RESTRICTION"
	RuleDayOfWeek       = "DAY_OF_WEEK"
	RuleBlacklist       = "BLACKLIST"
)

// RuleCodes lists the rule types.
var RuleCodes = []string{RuleMembershipTier, RuleTimeRestriction, RuleDayOfWeek, RuleBlacklist}

var weekdays = map[string]time.Weekday{"SUN": time.Sunday, "MON": time.Monday, "TUE": time.Tuesday, "WED": time.Wednesday,
	"THU": time.Thursday, "FRI": time.Friday, "SAT": time.Saturday}

// Exemption lets members of some contracts pass a time or day rule (a coworking
// floor's opening hours that residents may ignore, for example).
type Exemption struct {
	ExemptTemplateIDs []int64 `json:"exemptTemplateIds,omitempty"`
	ExemptMinTierRank *int    `json:"exemptMinTierRank,omitempty"`
}

func (e Exemption) exempts(c *ContractState) bool {
	if c == nil {
		return false
	}
	if e.ExemptMinTierRank != nil && c.TierRank >= *e.ExemptMinTierRank {
		return true
	}
	return slices.Contains(e.ExemptTemplateIDs, c.TemplateID)
}

// MembershipTierConfig admits members whose active contract is of one of the
// templates, or of at least the tier rank; with both, either suffices.
type MembershipTierConfig struct {
	AllowedTemplateIDs []int64 `json:"allowedTemplateIds,omitempty"`
	MinTierRank        *int    `json:"minTierRank,omitempty"`
}

// TimeRestrictionConfig admits between allowFrom (inclusive) and allowUntil
// (exclusive), local time. allowFrom > allowUntil is an overnight window
// (22:00–06:00); allowUntil may be 24:00.
type TimeRestrictionConfig struct {
	AllowFrom  string `json:"allowFrom"`
	AllowUntil string `json:"allowUntil"`
	Exemption
}

// DayOfWeekConfig admits on the listed local weekdays (MON … SUN).
type DayOfWeekConfig struct {
	AllowedDays []string `json:"allowedDays"`
	Exemption
}

// BlacklistConfig refuses the listed members.
type BlacklistConfig struct {
	BlockedMemberIDs []int64 `json:"blockedMemberIds"`
}

// CompiledRule is a rule ready to evaluate: config parsed once, when loaded.
type CompiledRule struct {
	ID       int64
	Name     string
	Cd       string
	Priority int

	tier      MembershipTierConfig
	from, to  int // minutes of day
	exemption Exemption
	days      [7]bool
	blocked   []int64
}

// RuleRefs are the ids a rule's config names; the service checks they exist in
// the organisation.
type RuleRefs struct {
	TemplateIDs []int64
	MemberIDs   []int64
}

func strictDecode(raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	return nil
}

func cfgErr(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return apperr.Invalid("config: "+msg, apperr.FieldError{Field: "config", Message: msg})
}

// CompileRule validates a rule's config for its type and returns the rule ready
// to evaluate, the config in canonical form, and the ids it references.
func CompileRule(id int64, name, ruleCd string, priority int, raw json.RawMessage) (*CompiledRule, json.RawMessage, RuleRefs, error) {
	r := &CompiledRule{ID: id, Name: name, Cd: ruleCd, Priority: priority}
	var refs RuleRefs
	if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '{' {
		return nil, nil, refs, cfgErr("must be a JSON object")
	}
	var canonical any
	switch ruleCd {
	case RuleMembershipTier:
		var c MembershipTierConfig
		if err := strictDecode(raw, &c); err != nil {
			return nil, nil, refs, cfgErr("MEMBERSHIP_TIER takes {\"allowedTemplateIds\":[…]} and/or {\"minTierRank\":n}: %v", err)
		}
		if len(c.AllowedTemplateIDs) == 0 && c.MinTierRank == nil {
			return nil, nil, refs, cfgErr("MEMBERSHIP_TIER needs allowedTemplateIds or minTierRank")
		}
		if c.MinTierRank != nil && (*c.MinTierRank < 0 || *c.MinTierRank > 1000) {
			return nil, nil, refs, cfgErr("minTierRank must be 0–1000")
		}
		for _, id := range c.AllowedTemplateIDs {
			if id < 1 {
				return nil, nil, refs, cfgErr("allowedTemplateIds must be template ids")
			}
		}
		slices.Sort(c.AllowedTemplateIDs)
		c.AllowedTemplateIDs = slices.Compact(c.AllowedTemplateIDs)
		r.tier, canonical, refs.TemplateIDs = c, c, c.AllowedTemplateIDs
	case RuleTimeRestriction:
		var c TimeRestrictionConfig
		if err := strictDecode(raw, &c); err != nil {
			return nil, nil, refs, cfgErr("TIME_RESTRICTION takes {\"allowFrom\":\"HH:MM\",\"allowUntil\":\"HH:MM\"}: %v", err)
		}
		from, err := ParseClockTime(c.AllowFrom, false)
		if err != nil {
			return nil, nil, refs, cfgErr("allowFrom: %v", err)
		}
		to, err := ParseClockTime(c.AllowUntil, true)
		if err != nil {
			return nil, nil, refs, cfgErr("allowUntil: %v", err)
		}
		if from == to {
			return nil, nil, refs, cfgErr("allowFrom and allowUntil are equal: an empty window; for no restriction, use no rule")
		}
		if err := checkExemption(&c.Exemption); err != nil {
			return nil, nil, refs, err
		}
		r.from, r.to, r.exemption, canonical = from.Minutes, to.Minutes, c.Exemption, c
		refs.TemplateIDs = c.ExemptTemplateIDs
	case RuleDayOfWeek:
		var c DayOfWeekConfig
		if err := strictDecode(raw, &c); err != nil {
			return nil, nil, refs, cfgErr("DAY_OF_WEEK takes {\"allowedDays\":[\"MON\",…]}: %v", err)
		}
		if len(c.AllowedDays) == 0 {
			return nil, nil, refs, cfgErr("allowedDays must name at least one day (MON … SUN)")
		}
		var norm []string
		for _, d := range c.AllowedDays {
			wd, ok := weekdays[strings.ToUpper(d)]
			if !ok {
				return nil, nil, refs, cfgErr("allowedDays: %q is not one of MON, TUE, WED, THU, FRI, SAT, SUN", d)
			}
			if !r.days[wd] {
				r.days[wd] = true
			}
		}
		for _, d := range []string{"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"} {
			if r.days[weekdays[d]] {
				norm = append(norm, d)
			}
		}
		if err := checkExemption(&c.Exemption); err != nil {
			return nil, nil, refs, err
		}
		c.AllowedDays = norm
		r.exemption, canonical = c.Exemption, c
		refs.TemplateIDs = c.ExemptTemplateIDs
	case RuleBlacklist:
		var c BlacklistConfig
		if err := strictDecode(raw, &c); err != nil {
			return nil, nil, refs, cfgErr("BLACKLIST takes {\"blockedMemberIds\":[…]}: %v", err)
		}
		if c.BlockedMemberIDs == nil {
			c.BlockedMemberIDs = []int64{}
		}
		for _, id := range c.BlockedMemberIDs {
			if id < 1 {
				return nil, nil, refs, cfgErr("blockedMemberIds must be member ids")
			}
		}
		slices.Sort(c.BlockedMemberIDs)
		c.BlockedMemberIDs = slices.Compact(c.BlockedMemberIDs)
		r.blocked, canonical, refs.MemberIDs = c.BlockedMemberIDs, c, c.BlockedMemberIDs
	default:
		return nil, nil, refs, apperr.Field("ruleCd", "must be one of %s", strings.Join(RuleCodes, ", "))
	}
	b, err := json.Marshal(canonical)
	if err != nil {
		return nil, nil, refs, err
	}
	return r, b, refs, nil
}

func checkExemption(e *Exemption) error {
	if e.ExemptMinTierRank != nil && (*e.ExemptMinTierRank < 0 || *e.ExemptMinTierRank > 1000) {
		return cfgErr("exemptMinTierRank must be 0–1000")
	}
	for _, id := range e.ExemptTemplateIDs {
		if id < 1 {
			return cfgErr("exemptTemplateIds must be template ids")
		}
	}
	slices.Sort(e.ExemptTemplateIDs)
	e.ExemptTemplateIDs = slices.Compact(e.ExemptTemplateIDs)
	return nil
}

// inWindow reports whether minute m of the day lies in [from, to), where
// from > to wraps past midnight.
func inWindow(m, from, to int) bool {
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to
}

// check evaluates the rule; it returns "" when the rule passes, otherwise why not.
func (r *CompiledRule) check(in *Input, local time.Time) string {
	switch r.Cd {
	case RuleMembershipTier:
		c := in.Contract
		if c != nil && (slices.Contains(r.tier.AllowedTemplateIDs, c.TemplateID) ||
			r.tier.MinTierRank != nil && c.TierRank >= *r.tier.MinTierRank) {
			return ""
		}
		return "membership tier not admitted"
	case RuleTimeRestriction:
		if r.exemption.exempts(in.Contract) {
			return ""
		}
		if inWindow(local.Hour()*60+local.Minute(), r.from, r.to) {
			return ""
		}
		return fmt.Sprintf("open %s–%s only", ClockTime{r.from}, ClockTime{r.to})
	case RuleDayOfWeek:
		if r.exemption.exempts(in.Contract) || r.days[local.Weekday()] {
			return ""
		}
		return "not open on " + strings.ToUpper(local.Weekday().String()[:3])
	case RuleBlacklist:
		if slices.Contains(r.blocked, in.MemberID) {
			return "access blocked for this member"
		}
		return ""
	}
	return "unknown rule type"
}
