package access

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func rule(t testing.TB, id int64, name, cd string, prio int, cfg string) *CompiledRule {
	t.Helper()
	r, _, _, err := CompileRule(id, name, cd, prio, json.RawMessage(cfg))
	if err != nil {
		t.Fatalf("compile %s %s: %v", cd, cfg, err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

// baseInput is a premium member at an open gym inside an open building.
func baseInput(t testing.TB) *Input {
	loc, _ := time.LoadLocation("Europe/Berlin")
	return &Input{
		Now:        time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC), // Saturday 12:00 Berlin
		Location:   loc,
		Credential: &CredentialState{StatusCd: "ACTIVE"},
		MemberID:   7,
		Contract:   &ContractState{TemplateID: 3, TierCd: "PREMIUM", TierRank: 20},
		Zones: []ZoneState{
			{ID: 2, Name: "Gym", Active: true, MaxOccupancy: ptr(40), Current: 12},
			{ID: 1, Name: "Building", Active: true},
		},
	}
}

func TestDecideGrantsAndDeniesInOrder(t *testing.T) {
	cases := []struct {
		name   string
		change func(in *Input)
		code   string
		reason string
	}{
		{"granted", func(in *Input) {}, "", ""},
		{"unknown credential", func(in *Input) { in.Unknown = true; in.Contract = nil }, CodeUnknownCredential, "Unknown credential"},
		{"suspended credential", func(in *Input) { in.Credential.StatusCd = "SUSPENDED" }, CodeCredentialInvalid, "suspended"},
		{"provisioned credential", func(in *Input) { in.Credential.StatusCd = "PROVISIONED" }, CodeCredentialInvalid, "provisioned"},
		{"revoked credential beats a missing contract", func(in *Input) { in.Credential.StatusCd = "REVOKED"; in.Contract = nil }, CodeCredentialInvalid, "revoked"},
		{"expired credential", func(in *Input) { in.Credential.ExpiresAt = ptr(in.Now) }, CodeCredentialInvalid, "expired"},
		{"credential valid until later", func(in *Input) { in.Credential.ExpiresAt = ptr(in.Now.Add(time.Second)) }, "", ""},
		{"manual check-in has no credential", func(in *Input) { in.Credential = nil }, "", ""},
		{"zone inactive", func(in *Input) { in.Zones[0].Active = false }, CodeZoneInactive, `"Gym" is closed`},
		{"ancestor inactive", func(in *Input) { in.Zones[1].Active = false }, CodeZoneInactive, `"Building" (containing "Gym")`},
		{"no contract", func(in *Input) { in.Contract = nil }, CodeContractInactive, "No active contract"},
		{"tier too low", func(in *Input) { in.Zones[0].RequiredTier, in.Zones[0].RequiredTierRank = ptr("RESIDENT"), ptr(30) }, CodeTierTooLow, "requires tier RESIDENT"},
		{"ancestor tier too low", func(in *Input) { in.Zones[1].RequiredTier, in.Zones[1].RequiredTierRank = ptr("RESIDENT"), ptr(30) }, CodeTierTooLow, "RESIDENT"},
		{"tier reached", func(in *Input) { in.Zones[0].RequiredTier, in.Zones[0].RequiredTierRank = ptr("PREMIUM"), ptr(20) }, "", ""},
		{"tier code no template has", func(in *Input) { in.Zones[0].RequiredTier = ptr("GONE") }, CodeTierTooLow, "GONE"},
		{"open check-in today", func(in *Input) { in.OpenSince = ptr(in.Now.Add(-time.Hour)) }, CodeAntiPassback, "since 11:00"},
		{"open check-in from yesterday is stale", func(in *Input) { in.OpenSince = ptr(in.Now.Add(-13 * time.Hour)) }, "", ""},
		{"full", func(in *Input) { in.Zones[0].Current = 40 }, CodeZoneFull, "full (40/40)"},
		{"anti-passback beats full", func(in *Input) { in.Zones[0].Current = 40; in.OpenSince = ptr(in.Now) }, CodeAntiPassback, ""},
		{"ancestor's limit does not apply", func(in *Input) { in.Zones[1].MaxOccupancy = ptr(1); in.Zones[1].Current = 1 }, "", ""},
		{"main entrance", func(in *Input) { in.Zones = nil }, "", ""},
		{"main entrance, no contract", func(in *Input) { in.Zones = nil; in.Contract = nil }, CodeContractInactive, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := baseInput(t)
			c.change(in)
			d := Decide(in)
			if d.Code != c.code || (c.code == "") != (d.StatusCd == Granted) {
				t.Fatalf("got %s %s %q, want %q", d.StatusCd, d.Code, d.Reason, c.code)
			}
			if !strings.Contains(d.Reason, c.reason) {
				t.Fatalf("reason %q lacks %q", d.Reason, c.reason)
			}
		})
	}
	in := baseInput(t)
	in.OpenSince = ptr(in.Now.Add(-13 * time.Hour))
	if d := Decide(in); !d.StaleOpen || !d.Boundary.Equal(time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("stale open check-in: %+v", d)
	}
}

func TestRulesAllMustPassAndTheHighestPriorityFailureNamesTheDenial(t *testing.T) {
	in := baseInput(t) // Saturday 12:00 Berlin, member 7, template 3, rank 20
	in.Zones[0].Rules = []*CompiledRule{
		rule(t, 10, "Weekdays", RuleDayOfWeek, 1, `{"allowedDays":["MON","TUE","WED","THU","FRI"]}`),
		rule(t, 11, "Mornings", RuleTimeRestriction, 5, `{"allowFrom":"06:00","allowUntil":"10:00"}`),
	}
	in.Zones[1].Rules = []*CompiledRule{rule(t, 12, "Banned", RuleBlacklist, 3, `{"blockedMemberIds":[7]}`)}
	d := Decide(in)
	if d.Code != CodeRuleFailed || d.RuleID != 11 || !strings.Contains(d.Reason, `Rule "Mornings": open 06:00–10:00 only`) {
		t.Fatalf("got %+v", d)
	}
	// Equal priorities: the nearer zone's rule names the denial.
	in.Zones[1].Rules[0].Priority = 5
	if d := Decide(in); d.RuleID != 11 {
		t.Fatalf("tie: %+v", d)
	}
	in.Zones[1].Rules[0].Priority = 9
	if d := Decide(in); d.RuleID != 12 || !strings.Contains(d.Reason, "blocked") {
		t.Fatalf("ancestor's rule applies: %+v", d)
	}
	// A failing MEMBERSHIP_TIER rule is TIER_TOO_LOW.
	in.Zones[0].Rules = []*CompiledRule{rule(t, 20, "Sauna premium only", RuleMembershipTier, 0, `{"allowedTemplateIds":[5]}`)}
	in.Zones[1].Rules = nil
	if d := Decide(in); d.Code != CodeTierTooLow || d.RuleID != 20 {
		t.Fatalf("tier rule: %+v", d)
	}
	in.Zones[0].Rules = []*CompiledRule{rule(t, 20, "Premium+", RuleMembershipTier, 0, `{"allowedTemplateIds":[5],"minTierRank":20}`)}
	if d := Decide(in); d.StatusCd != Granted {
		t.Fatalf("either condition suffices: %+v", d)
	}
}

func TestTimeAndDayRulesUseLocalTime(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	night := rule(t, 1, "Night owls", RuleTimeRestriction, 0, `{"allowFrom":"22:00","allowUntil":"06:00"}`)
	day := rule(t, 2, "Day", RuleTimeRestriction, 0, `{"allowFrom":"06:00","allowUntil":"24:00"}`)
	weekend := rule(t, 3, "Weekend", RuleDayOfWeek, 0, `{"allowedDays":["sat","SUN"]}`)
	residents := rule(t, 4, "Opening hours", RuleTimeRestriction, 0, `{"allowFrom":"07:00","allowUntil":"20:00","exemptMinTierRank":30}`)
	cases := []struct {
		r    *CompiledRule
		at   string
		rank int
		ok   bool
	}{
		{night, "2026-11-21 21:59", 0, false},
		{night, "2026-11-21 22:00", 0, true},
		{night, "2026-11-22 00:00", 0, true},
		{night, "2026-11-22 05:59", 0, true},
		{night, "2026-11-22 06:00", 0, false},
		{day, "2026-11-21 23:59", 0, true},
		{day, "2026-11-22 00:00", 0, false},
		{weekend, "2026-11-21 00:00", 0, true},  // Saturday
		{weekend, "2026-11-23 00:00", 0, false}, // Monday
		{weekend, "2026-11-22 23:59", 0, true},  // Sunday
		{residents, "2026-11-21 03:00", 20, false},
		{residents, "2026-11-21 03:00", 30, true},
		{residents, "2026-11-21 19:59", 0, true},
	}
	for _, c := range cases {
		in := baseInput(t)
		in.Now = at(c.at).UTC()
		in.Contract.TierRank = c.rank
		in.Zones[0].Rules = []*CompiledRule{c.r}
		if got := Decide(in).StatusCd == Granted; got != c.ok {
			t.Errorf("%s at %s (rank %d): granted=%v, want %v", c.r.Name, c.at, c.rank, got, c.ok)
		}
	}
}

// Spring forward, Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST, so a
// 02:00–03:00 window never opens that night; an overnight window simply loses an
// hour. Fall back, 25 October 2026: 03:00 CEST goes back to 02:00 CET, so the
// 02:00–03:00 window is open for two real hours.
func TestRulesOnDSTNights(t *testing.T) {
	w := rule(t, 1, "Small hours", RuleTimeRestriction, 0, `{"allowFrom":"02:00","allowUntil":"03:00"}`)
	over := rule(t, 2, "Overnight", RuleTimeRestriction, 0, `{"allowFrom":"22:00","allowUntil":"06:00"}`)
	sunday := rule(t, 3, "Sundays", RuleDayOfWeek, 0, `{"allowedDays":["SUN"]}`)
	grant := func(r *CompiledRule, utc time.Time) bool {
		in := baseInput(t)
		in.Now = utc
		in.Zones[0].Rules = []*CompiledRule{r}
		return Decide(in).StatusCd == Granted
	}
	// Spring forward: scan the whole night minute by minute.
	open := 0
	for m := time.Date(2026, 3, 28, 20, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC)); m = m.Add(time.Minute) {
		if grant(w, m) {
			open++
		}
	}
	if open != 0 {
		t.Errorf("spring forward: the 02:00–03:00 window was open %d minutes", open)
	}
	if grant(w, time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC)) || grant(w, time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)) {
		t.Error("spring forward: 01:59 CET or 03:00 CEST admitted")
	}
	overMinutes := 0
	for m := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)); m = m.Add(time.Minute) {
		if grant(over, m) {
			overMinutes++
		}
	}
	if overMinutes != 7*60 {
		t.Errorf("spring forward: the 22:00–06:00 window lasted %d minutes, want 420", overMinutes)
	}
	if !grant(sunday, time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)) || grant(sunday, time.Date(2026, 3, 28, 22, 59, 0, 0, time.UTC)) {
		t.Error("spring forward: Sunday starts at local midnight (23:00 UTC)")
	}

	// Fall back.
	open = 0
	for m := time.Date(2026, 10, 24, 20, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)); m = m.Add(time.Minute) {
		if grant(w, m) {
			open++
		}
	}
	if open != 120 {
		t.Errorf("fall back: the 02:00–03:00 window was open %d minutes, want 120", open)
	}
	for _, m := range []time.Time{time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 59, 0, 0, time.UTC)} {
		if !grant(w, m) {
			t.Errorf("fall back: %v (02:xx local) refused", m)
		}
	}
	if grant(w, time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC)) {
		t.Error("fall back: 03:00 CET admitted")
	}
	overMinutes = 0
	for m := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC)); m = m.Add(time.Minute) {
		if grant(over, m) {
			overMinutes++
		}
	}
	if overMinutes != 9*60 {
		t.Errorf("fall back: the 22:00–06:00 window lasted %d minutes, want 540", overMinutes)
	}
}

// The anti-passback reset follows the zone's local reset time across DST.
func TestAntiPassbackResetOnDSTNights(t *testing.T) {
	in := baseInput(t)
	in.Zones[0].Reset = ClockTime{Minutes: 150} // 02:30
	// Spring forward: in at 01:50 CET (00:50 UTC); the reset happens at the jump
	// (01:00 UTC) — at 03:05 CEST the member may enter again.
	in.OpenSince = ptr(time.Date(2026, 3, 29, 0, 50, 0, 0, time.UTC))
	in.Now = time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC)
	if d := Decide(in); d.Code != CodeAntiPassback {
		t.Fatalf("before the reset: %+v", d)
	}
	in.Now = time.Date(2026, 3, 29, 1, 5, 0, 0, time.UTC)
	if d := Decide(in); d.StatusCd != Granted || !d.StaleOpen {
		t.Fatalf("after the reset: %+v", d)
	}
	// Fall back: the reset is at the first 02:30 (00:30 UTC); a check-in at the
	// second 02:10 (01:10 UTC) is after it and blocks re-entry.
	in.OpenSince = ptr(time.Date(2026, 10, 25, 1, 10, 0, 0, time.UTC))
	in.Now = time.Date(2026, 10, 25, 1, 40, 0, 0, time.UTC)
	if d := Decide(in); d.Code != CodeAntiPassback {
		t.Fatalf("fall back, after the reset: %+v", d)
	}
	in.OpenSince = ptr(time.Date(2026, 10, 25, 0, 20, 0, 0, time.UTC))
	if d := Decide(in); d.StatusCd != Granted {
		t.Fatalf("fall back, in before the reset: %+v", d)
	}
}

func TestCompileRuleValidates(t *testing.T) {
	bad := []struct{ cd, cfg, want string }{
		{RuleMembershipTier, `{}`, "needs allowedTemplateIds or minTierRank"},
		{RuleMembershipTier, `{"allowedTemplateIds":[0]}`, "template ids"},
		{RuleMembershipTier, `{"minTierRank":-1}`, "0–1000"},
		{RuleMembershipTier, `{"tiers":["GOLD"]}`, "unknown field"},
		{RuleTimeRestriction, `{"allowFrom":"6:00","allowUntil":"22:00"}`, "allowFrom"},
		{RuleTimeRestriction, `{"allowFrom":"06:00","allowUntil":"25:00"}`, "allowUntil"},
		{RuleTimeRestriction, `{"allowFrom":"06:00","allowUntil":"06:00"}`, "empty window"},
		{RuleTimeRestriction, `{"allowFrom":"24:00","allowUntil":"06:00"}`, "allowFrom"},
		{RuleDayOfWeek, `{"allowedDays":[]}`, "at least one day"},
		{RuleDayOfWeek, `{"allowedDays":["MONDAY"]}`, "MONDAY"},
		{RuleBlacklist, `{"blockedMemberIds":"42"}`, "BLACKLIST takes"},
		{RuleBlacklist, `[1,2]`, "JSON object"},
		{"VIP", `{}`, "ruleCd"},
	}
	for _, c := range bad {
		if _, _, _, err := CompileRule(1, "x", c.cd, 0, json.RawMessage(c.cfg)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %q", c.cd, c.cfg, err, c.want)
		}
	}
	_, canon, refs, err := CompileRule(1, "x", RuleDayOfWeek, 0, json.RawMessage(`{"allowedDays":["sun","mon","MON"],"exemptTemplateIds":[4,2,4]}`))
	if err != nil || string(canon) != `{"allowedDays":["MON","SUN"],"exemptTemplateIds":[2,4]}` || len(refs.TemplateIDs) != 2 {
		t.Fatalf("canonical %s refs %v: %v", canon, refs, err)
	}
}
