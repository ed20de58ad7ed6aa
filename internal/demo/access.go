package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/member"
)

// historyWeeks is how far back the demo's check-in history goes.
const historyWeeks = 6

// seedAccess builds the demo club's zones, rules, devices and credentials, six
// weeks of check-in history, and a few members inside right now.
func seedAccess(ctx context.Context, a *app.App, p *auth.Principal, sc member.Scope, members []*member.Member, templates []*member.Template, rng *rand.Rand) error {
	svc := a.Access
	zone := func(name, typ string, parent *int64, max *int, tier *string) (*access.Zone, error) {
		return svc.CreateZone(ctx, sc, access.ZoneInput{Name: name, TypeCd: typ, ParentZoneID: parent, MaxOccupancy: max, RequiresContractTier: tier})
	}
	n := func(v int) *int { return &v }
	premium, resident := "PREMIUM", templates[4]
	house, err := zone("Harbour House", access.ZoneBuilding, nil, nil, nil)
	if err != nil {
		return err
	}
	ground, err := zone("Ground floor", access.ZoneFloor, &house.ID, nil, nil)
	if err != nil {
		return err
	}
	gym, err := zone("Gym", access.ZoneArea, &ground.ID, n(40), nil)
	if err != nil {
		return err
	}
	sauna, err := zone("Sauna", access.ZoneRoom, &ground.ID, n(12), &premium)
	if err != nil {
		return err
	}
	var lockers []*access.Zone
	for _, name := range []string{"Locker room A", "Locker room B"} {
		l, err := zone(name, access.ZoneRoom, &ground.ID, n(30), nil)
		if err != nil {
			return err
		}
		lockers = append(lockers, l)
	}
	first, err := zone("First floor", access.ZoneFloor, &house.ID, nil, nil)
	if err != nil {
		return err
	}
	studio, err := zone("Studio", access.ZoneRoom, &first.ID, n(25), nil)
	if err != nil {
		return err
	}
	cowork, err := zone("Coworking floor", access.ZoneFloor, &house.ID, n(60), nil)
	if err != nil {
		return err
	}
	rule := func(z int64, name, cd string, prio int, cfg any) error {
		b, _ := json.Marshal(cfg)
		_, err := svc.CreateRule(ctx, sc, access.RuleInput{ZoneID: z, Name: name, RuleCd: cd, Config: b, Priority: prio})
		return err
	}
	for _, r := range []struct {
		zone     int64
		name, cd string
		prio     int
		cfg      any
	}{
		{cowork.ID, "Residents 24/7, premium members too", access.RuleMembershipTier, 10, map[string]any{"allowedTemplateIds": []int64{templates[3].ID, resident.ID}}},
		{cowork.ID, "Opening hours 07:00–20:00 (residents exempt)", access.RuleTimeRestriction, 5, map[string]any{"allowFrom": "07:00", "allowUntil": "20:00", "exemptTemplateIds": []int64{resident.ID}}},
		{gym.ID, "Gym hours", access.RuleTimeRestriction, 0, map[string]any{"allowFrom": "06:00", "allowUntil": "23:00"}},
		{studio.ID, "Classes on weekdays and Saturday", access.RuleDayOfWeek, 0, map[string]any{"allowedDays": []string{"MON", "TUE", "WED", "THU", "FRI", "SAT"}}},
		{house.ID, "House ban", access.RuleBlacklist, 100, map[string]any{"blockedMemberIds": []int64{members[len(members)-1].ID}}},
	} {
		if err := rule(r.zone, r.name, r.cd, r.prio, r.cfg); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		name string
		kind auth.DeviceKind
		zone *int64
	}{{"Front desk kiosk", auth.Kiosk, nil}, {"Gym turnstile", auth.Reader, &gym.ID}, {"Sauna door", auth.Reader, &sauna.ID}, {"Coworking door", auth.Reader, &cowork.ID}} {
		if _, err := a.Auth.CreateDevice(ctx, sc.EntityID, d.name, d.kind, d.zone); err != nil {
			return err
		}
	}

	// Credentials: nine in ten members carry a card, half also a phone QR.
	type visitor struct {
		m     *member.Member
		card  *int64
		tier  int
		daily float64 // chance to come on a given day
	}
	var visitors []visitor
	for i, m := range members {
		v := visitor{m: m, tier: -1, daily: 0.15 + rng.Float64()*0.35}
		if c, err := a.Members.ActiveContract(ctx, a.DB, sc, m.ID); err != nil {
			return err
		} else if c != nil {
			v.tier = c.TierRank
		}
		if i%10 != 9 {
			cr, err := svc.CreateCredential(ctx, sc, access.NewCredential{MemberID: m.ID, TypeCd: access.TypeNFC, Identifier: fmt.Sprintf("04%02X%02X%02X%02X%02X%02X", i, rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256))})
			if err != nil {
				return err
			}
			v.card = &cr.ID
		}
		if i%2 == 0 {
			if _, err := svc.CreateCredential(ctx, sc, access.NewCredential{MemberID: m.ID, TypeCd: access.TypeQR}); err != nil {
				return err
			}
		}
		visitors = append(visitors, v)
	}

	// History: busy mornings and evenings, quieter middays, fewer weekend visits.
	now := a.Clock.Now()
	loc := sc.Location
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	str := func(s string) *string { return &s }
	id := func(v int64) *int64 { return &v }
	kiosk := str("front-desk")
	hours := []int{6, 7, 7, 7, 8, 8, 9, 10, 12, 12, 13, 16, 17, 17, 18, 18, 18, 19, 19, 20, 21}
	var rows []access.NewCheckIn
	for day := historyWeeks * 7; day >= 1; day-- {
		date := today.AddDate(0, 0, -day)
		weekend := date.Weekday() == time.Saturday || date.Weekday() == time.Sunday
		for _, v := range visitors {
			chance := v.daily
			if weekend {
				chance /= 2
			}
			if rng.Float64() > chance {
				continue
			}
			h := hours[rng.IntN(len(hours))]
			in := time.Date(date.Year(), date.Month(), date.Day(), h, rng.IntN(60), rng.IntN(60), 0, loc).UTC()
			method := "NFC"
			if v.card == nil {
				method = "QR"
			}
			if v.tier < 0 {
				// No active contract: refused at the door now and then.
				if rng.IntN(4) == 0 {
					rows = append(rows, access.NewCheckIn{MemberID: id(v.m.ID), ZoneID: id(gym.ID), MethodCd: method, DirectionCd: access.In,
						StatusCd: access.Denied, DenialCode: str(access.CodeContractInactive), DenialReason: str("No active contract"),
						CredentialID: v.card, DeviceID: kiosk, CheckedInAt: in})
				}
				continue
			}
			z, stay := gym.ID, 45+rng.IntN(75)
			switch r := rng.IntN(10); {
			case v.tier >= 30 && r < 7:
				z, stay = cowork.ID, 180+rng.IntN(360)
			case v.tier >= 20 && r < 3:
				z, stay = sauna.ID, 30+rng.IntN(60)
			case r < 2:
				z, stay = studio.ID, 60
			case r < 3:
				z, stay = lockers[rng.IntN(2)].ID, 10+rng.IntN(20)
			}
			out := in.Add(time.Duration(stay) * time.Minute)
			rows = append(rows, access.NewCheckIn{MemberID: id(v.m.ID), ZoneID: id(z), MethodCd: method, DirectionCd: access.In,
				StatusCd: access.Granted, CredentialID: v.card, DeviceID: kiosk, CheckedInAt: in, CheckedOutAt: &out, CheckoutCd: str(access.CheckoutExit)})
			if rng.IntN(60) == 0 { // tapped twice
				rows = append(rows, access.NewCheckIn{MemberID: id(v.m.ID), ZoneID: id(z), MethodCd: method, DirectionCd: access.In,
					StatusCd: access.Denied, DenialCode: str(access.CodeAntiPassback), DenialReason: str("Already checked in"),
					CredentialID: v.card, DeviceID: kiosk, CheckedInAt: in.Add(90 * time.Second)})
			}
		}
		if rng.IntN(3) == 0 {
			rows = append(rows, access.NewCheckIn{ZoneID: id(gym.ID), MethodCd: "NFC", DirectionCd: access.In, StatusCd: access.Denied,
				DenialCode: str(access.CodeUnknownCredential), DenialReason: str("Unknown credential"), DeviceID: kiosk,
				CheckedInAt: time.Date(date.Year(), date.Month(), date.Day(), 18, rng.IntN(60), 0, 0, loc).UTC()})
		}
	}
	if err := svc.InsertHistory(ctx, sc.EntityID, rows); err != nil {
		return err
	}

	// A few members inside right now, through the real decision (which may also
	// deny some, depending on the time of day the demo is created).
	staff := &auth.Principal{Role: auth.ClubAdmin, EntityID: sc.EntityID, Location: loc, UserID: p.UserID, Email: AdminEmail}
	inside := 0
	for _, v := range visitors {
		if inside >= 12 || v.tier < 0 {
			continue
		}
		memberID := v.m.ID
		ci, err := svc.CheckIn(ctx, staff, access.CheckInRequest{ZoneID: &gym.ID, MethodCd: "MANUAL", MemberID: &memberID})
		if err != nil {
			return err
		}
		if ci.StatusCd == access.Granted {
			inside++
		} else {
			break // closed hours: one recorded denial is demo enough
		}
	}
	return nil
}
