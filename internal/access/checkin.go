package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/sim"
	"github.com/gatehouse/gatehouse/internal/member"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Check-in methods.
var Methods = []string{"QR", "NFC", "BLE", "MANUAL", "CARD", "PIN"}

// CheckInRequest is the body of POST /api/checkin.
type CheckInRequest struct {
	ZoneID       *int64               `json:"zoneId,omitempty" minimum:"1" doc:"The zone entered; absent = the main entrance (or the zone the device is bound to)."`
	MethodCd     string               `json:"methodCd" enum:"QR,NFC,BLE,MANUAL,CARD,PIN"`
	DirectionCd  string               `json:"directionCd,omitempty" enum:"IN,OUT" doc:"Default IN. OUT closes the member's open check-in to the zone (an exit reader)."`
	MemberID     *int64               `json:"memberId,omitempty" minimum:"1" doc:"Manual check-in by staff (methodCd MANUAL)."`
	MemberNumber *string              `json:"memberNumber,omitempty" minLength:"1" maxLength:"40" doc:"A member number typed at a kiosk (kiosks and staff). Digits alone also match the generated form: 123 → M000123."`
	CredentialID *int64               `json:"credentialId,omitempty" minimum:"1" doc:"A credential by its id."`
	Credential   *PresentedCredential `json:"credential,omitempty" doc:"A credential as read: type and identifier; the fallback chain applies."`
	DeviceID     *string              `json:"deviceId,omitempty" minLength:"1" maxLength:"100" doc:"The reader or kiosk. Devices are always recorded as themselves; staff may name one (needed with eventId)."`
	EventID      *string              `json:"eventId,omitempty" minLength:"1" maxLength:"100" doc:"The device's idempotency key: the same key again returns the first result."`

	// verified is a member another feature has already identified (see
	// CheckInVerified); never set from JSON.
	verified *int64
}

// PresentedCredential is a credential as a reader saw it.
type PresentedCredential struct {
	TypeCd     string     `json:"typeCd" enum:"NFC_CARD,BLE_TOKEN,QR_CODE,RFID,WIEGAND,PIN"`
	Identifier Identifier `json:"identifier"`
}

// Identifier is a credential identifier as a reader sends it: a string, or a
// number (some readers send card numbers as JSON numbers). It is read as text.
// Its schema accepts both so that validation never echoes a card number back in
// a problem document.
type Identifier string

// Schema implements huma.SchemaProvider. It constrains nothing: the service
// validates the identifier, so that schema validation never echoes a card number
// back in a problem document.
func (Identifier) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Description: "As read: a string (a number is accepted). Never logged or echoed in errors."}
}

// Schema implements huma.SchemaProvider: the object's shape without required
// members, for the same reason (a missing typeCd would echo the identifier); the
// service checks both members.
func (PresentedCredential) Schema(r huma.Registry) *huma.Schema {
	types := make([]any, len(CredentialTypes))
	for i, t := range CredentialTypes {
		types[i] = t
	}
	return &huma.Schema{Type: huma.TypeObject, AdditionalProperties: false,
		Description: "A credential as read. Both members are required.",
		Properties: map[string]*huma.Schema{
			"typeCd":     {Type: huma.TypeString, Enum: types},
			"identifier": Identifier("").Schema(r),
		}}
}

// UnmarshalJSON reads a string or a number.
func (id *Identifier) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = Identifier(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("identifier must be a string")
	}
	*id = Identifier(n.String())
	return nil
}

// DoorHoldOpen is how long a granted check-in holds the door open.
const DoorHoldOpen = 5 * time.Second

// identity is who the presented identification names.
type identity struct {
	unknown    bool
	hint       *string
	memberID   int64
	memberName string
	cred       *Credential
	invalid    string // a phone token that names the member but does not count
}

// chainZone is a zone of the decision's zone chain plus what the service needs.
type chainZone struct {
	ZoneState
	resetTime string
	lastReset *time.Time
	door      hal.Door
	provider  string
}

var errReplayed = errors.New("replayed")

// CheckIn identifies the member, decides, records the decision and, when
// granted, opens the door. A denial is a recorded decision, not an error: errors
// are for requests that cannot be decided (bad input, unknown zone or member id,
// a caller without the right).
func (s *Service) CheckIn(ctx context.Context, p *auth.Principal, req CheckInRequest) (*CheckIn, error) {
	sc := Scope{EntityID: p.EntityID, Location: p.Location}
	if req.DirectionCd == "" {
		req.DirectionCd = In
	}
	if err := s.checkRequest(p, &req); err != nil {
		return nil, err
	}
	deviceID := req.DeviceID
	if p.Role == auth.Device {
		own := strconv.FormatInt(p.DeviceID, 10)
		deviceID = &own
	}
	if req.EventID != nil {
		if ci, err := byEvent(ctx, s.DB, p.EntityID, *deviceID, *req.EventID); err != nil || ci != nil {
			return ci, err
		}
	}
	var chain []chainZone
	if req.ZoneID != nil {
		var err error
		if chain, err = s.loadChain(ctx, sc, *req.ZoneID); err != nil {
			return nil, err
		}
	}
	id, err := s.identify(ctx, sc, p, req)
	if err != nil {
		return nil, err
	}
	if req.DirectionCd == Out && !id.unknown {
		var zone *chainZone
		if len(chain) > 0 {
			zone = &chain[0]
		}
		return s.checkout(ctx, sc, id.memberID, req.ZoneID, CheckoutExit, zone, id.memberName)
	}

	now := s.Clock.Now().Truncate(time.Microsecond)
	in := &Input{Now: now, Location: sc.Location, Unknown: id.unknown, MemberID: id.memberID}
	for _, z := range chain {
		in.Zones = append(in.Zones, z.ZoneState)
	}
	if id.cred != nil {
		in.Credential = &CredentialState{StatusCd: id.cred.StatusCd, ExpiresAt: id.cred.ExpiresAt}
	}
	if id.invalid != "" {
		in.Credential = &CredentialState{StatusCd: StatusActive, Invalid: id.invalid}
	}
	if !id.unknown {
		if in.Contract, in.OpenSince, err = s.memberState(ctx, sc, id.memberID, req.ZoneID); err != nil {
			return nil, err
		}
	}

	var out, replay *CheckIn
	err = s.inTx(ctx, func(tx *store.Tx) error {
		replay = nil
		d := Decide(in)
		if len(chain) > 0 && (chain[0].lastReset == nil || chain[0].lastReset.Before(d.Boundary)) && !in.Unknown {
			// The zone is past its reset and nobody swept it yet: sweep now, in
			// this transaction, and decide again on the fresh state.
			swept, err := s.sweepZone(ctx, tx, p.EntityID, chain[0].ID, d.Boundary)
			if err != nil {
				return err
			}
			if swept {
				again := *in
				again.Zones = slices.Clone(in.Zones)
				if err := tx.QueryRowContext(ctx, `SELECT current_occupancy FROM access_zones WHERE id = $1`, chain[0].ID).Scan(&again.Zones[0].Current); err != nil {
					return err
				}
				if again.OpenSince, err = openSince(ctx, tx, p.EntityID, id.memberID, req.ZoneID); err != nil {
					return err
				}
				d = Decide(&again)
			}
		}
		if len(chain) == 0 && d.StaleOpen {
			ids, err := closeOpen(ctx, tx, `entity_id = $3 AND member_id = $4 AND zone_id IS NULL`, d.Boundary, p.EntityID, id.memberID)
			if err != nil {
				return err
			}
			if err := s.emitClosed(ctx, tx, p.EntityID, ids); err != nil {
				return err
			}
		}
		ci := &CheckIn{EntityID: p.EntityID, ZoneID: req.ZoneID, MethodCd: req.MethodCd, DirectionCd: req.DirectionCd,
			DeviceID: deviceID, EventID: req.EventID, CheckedInAt: now, CreatedAt: now, Version: 1, CredentialHint: id.hint}
		if !id.unknown {
			ci.MemberID, ci.MemberName = &id.memberID, &id.memberName
		}
		if len(chain) > 0 {
			ci.ZoneName = &chain[0].Name
		}
		if id.cred != nil {
			ci.CredentialID = &id.cred.ID
		}
		setDecision(ci, d)
		inserted, err := insertCheckIn(ctx, tx, ci)
		if err != nil {
			return err
		}
		if !inserted && req.EventID != nil {
			if replay, err = byEvent(ctx, tx, p.EntityID, *deviceID, *req.EventID); err != nil {
				return err
			}
			if replay != nil {
				return errReplayed
			}
		}
		if !inserted && d.StatusCd == Granted {
			// Another request let this member in meanwhile: the open-check-in
			// index refused the second one.
			setDecision(ci, deny(CodeAntiPassback, "Already checked in"))
			if inserted, err = insertCheckIn(ctx, tx, ci); err != nil {
				return err
			}
		}
		if !inserted {
			return fmt.Errorf("check-in was not recorded")
		}
		if id.cred != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE credentials SET last_used_at = $1 WHERE id = $2`, now, id.cred.ID); err != nil {
				return err
			}
		}
		if ci.StatusCd == Granted && len(chain) > 0 && chain[0].MaxOccupancy != nil {
			// The occupancy limit, enforced by the database: the row lock
			// serialises writers and the condition is checked on the newest row.
			// Every check-in at the zone queues for this lock until the holder
			// commits, so it is taken as late as possible: only the event and the
			// commit come after it. Unlimited zones keep no counter (occupancyExpr).
			n, err := rowsAffected(tx.ExecContext(ctx, `UPDATE access_zones SET current_occupancy = current_occupancy + 1
				WHERE id = $1 AND (max_occupancy IS NULL OR current_occupancy < max_occupancy)`, chain[0].ID))
			if err != nil {
				return err
			}
			if n == 0 {
				max := 0
				if chain[0].MaxOccupancy != nil {
					max = *chain[0].MaxOccupancy
				}
				setDecision(ci, deny(CodeZoneFull, fmt.Sprintf("Zone %q is full (%d/%d)", chain[0].Name, max, max)))
				if _, err := tx.ExecContext(ctx, `UPDATE check_ins SET status_cd = $1, denial_code = $2, denial_reason = $3 WHERE id = $4`,
					ci.StatusCd, ci.DenialCode, ci.DenialReason, ci.ID); err != nil {
					return err
				}
			}
		}
		out = ci
		typ := "checkin.granted"
		if ci.StatusCd == Denied {
			typ = "checkin.denied"
		}
		return s.Events.Emit(ctx, tx, p.EntityID, typ, now, ci)
	})
	if errors.Is(err, errReplayed) {
		replay.Replayed = true
		return replay, nil
	}
	if err != nil {
		return nil, err
	}
	if out.StatusCd == Granted {
		var z *chainZone
		if len(chain) > 0 {
			z = &chain[0]
		}
		out.Door = s.openDoor(ctx, p.EntityID, z, DoorHoldOpen)
	}
	return out, nil
}

func setDecision(ci *CheckIn, d Decision) {
	ci.StatusCd = d.StatusCd
	ci.DenialCode, ci.DenialReason = nil, nil
	if d.StatusCd == Denied {
		code, reason := d.Code, d.Reason
		ci.DenialCode, ci.DenialReason = &code, &reason
	}
}

// insertCheckIn records a check-in; it reports false when a unique index (the
// open check-in of the member and zone, or the device's event id) refused it.
func insertCheckIn(ctx context.Context, tx *store.Tx, ci *CheckIn) (bool, error) {
	err := tx.QueryRowContext(ctx, `INSERT INTO check_ins (entity_id, member_id, zone_id, method_cd, direction_cd, status_cd,
		denial_code, denial_reason, credential_id, credential_hint, device_id, event_id, checked_in_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) ON CONFLICT DO NOTHING RETURNING id`,
		ci.EntityID, ci.MemberID, ci.ZoneID, ci.MethodCd, ci.DirectionCd, ci.StatusCd, ci.DenialCode, ci.DenialReason,
		ci.CredentialID, ci.CredentialHint, ci.DeviceID, ci.EventID, ci.CheckedInAt).Scan(&ci.ID)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

func byEvent(ctx context.Context, q store.Querier, entityID int64, deviceID, eventID string) (*CheckIn, error) {
	ci, err := scanCheckIn(q.QueryRowContext(ctx, `SELECT `+checkInCols+checkInFrom+`WHERE ci.entity_id = $1 AND ci.device_id = $2 AND ci.event_id = $3`,
		entityID, deviceID, eventID))
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err == nil {
		ci.Replayed = true
	}
	return ci, err
}

// memberState reads what the decision needs of the member, in one round trip:
// the contract that counts today (member.ActiveContractSQL) and when the
// member's open check-in to the zone began (openSince), either possibly nil.
func (s *Service) memberState(ctx context.Context, sc Scope, memberID int64, zoneID *int64) (*ContractState, *time.Time, error) {
	var tpl *int64
	var tier *string
	var rank *int
	var since *time.Time
	err := s.DB.QueryRowContext(ctx, `SELECT k.template_id, k.tier_cd, k.tier_rank,
			(SELECT checked_in_at FROM check_ins WHERE entity_id = $2 AND member_id = $1
				AND COALESCE(zone_id, 0) = $4 AND status_cd = 'GRANTED' AND checked_out_at IS NULL)
		FROM (SELECT 1 AS one) x LEFT JOIN (`+member.ActiveContractSQL(`c.template_id, t.tier_cd, t.tier_rank`)+`) k ON 1 = 1`,
		memberID, sc.EntityID, s.Members.ActiveOn(sc), zoneKey(zoneID)).Scan(&tpl, &tier, &rank, store.NullTime(&since))
	if err != nil {
		return nil, nil, err
	}
	var c *ContractState
	if tpl != nil {
		c = &ContractState{TemplateID: *tpl, TierCd: *tier, TierRank: *rank}
	}
	return c, since, nil
}

func openSince(ctx context.Context, q store.Querier, entityID, memberID int64, zoneID *int64) (*time.Time, error) {
	var since time.Time
	err := q.QueryRowContext(ctx, `SELECT checked_in_at FROM check_ins WHERE entity_id = $1 AND member_id = $2
		AND COALESCE(zone_id, 0) = $3 AND status_cd = 'GRANTED' AND checked_out_at IS NULL`,
		entityID, memberID, zoneKey(zoneID)).Scan(store.Time(&since))
	if store.IsNoRows(err) {
		return nil, nil
	}
	return &since, err
}

func zoneKey(z *int64) int64 {
	if z == nil {
		return 0
	}
	return *z
}

// checkRequest enforces who may identify members how, and the device rules.
func (s *Service) checkRequest(p *auth.Principal, req *CheckInRequest) error {
	n := 0
	for _, set := range []bool{req.MemberID != nil, req.MemberNumber != nil, req.CredentialID != nil, req.Credential != nil, req.verified != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return apperr.Invalid("identify the member in exactly one way: memberId, memberNumber, credentialId or credential",
			apperr.FieldError{Field: "memberId", Message: "give exactly one of memberId, memberNumber, credentialId, credential"})
	}
	staff := p.Role != auth.Device && p.AtLeast(auth.Staff)
	kiosk := p.Role == auth.Device && p.DeviceKind == auth.Kiosk
	if req.MemberID != nil {
		if !staff {
			return apperr.Forbidden("only staff may check a member in by id (manual check-in)")
		}
		if req.MethodCd != "MANUAL" {
			return apperr.Field("methodCd", "a check-in by memberId is MANUAL")
		}
	}
	if req.MemberNumber != nil && !staff && !kiosk {
		return apperr.Forbidden("only kiosks and staff may identify a member by member number")
	}
	if req.Credential != nil && !slices.Contains(CredentialTypes, req.Credential.TypeCd) {
		if req.Credential.TypeCd == "" {
			return apperr.Field("credential.typeCd", "is required (one of %s)", strings.Join(CredentialTypes, ", "))
		}
		return apperr.Field("credential.typeCd", "must be one of %s", strings.Join(CredentialTypes, ", "))
	}
	if req.Credential != nil {
		if l := len(strings.TrimSpace(string(req.Credential.Identifier))); l == 0 || l > 255 {
			return apperr.Field("credential.identifier", "must be 1–255 characters")
		}
	}
	if p.Role == auth.Device {
		own := strconv.FormatInt(p.DeviceID, 10)
		if req.DeviceID != nil && *req.DeviceID != own {
			return apperr.Field("deviceId", "a device is recorded as itself (%s); omit deviceId", own)
		}
		if p.ZoneID != nil {
			if req.ZoneID == nil {
				req.ZoneID = p.ZoneID
			} else if *req.ZoneID != *p.ZoneID {
				return apperr.Forbidden(fmt.Sprintf("this device is bound to zone %d", *p.ZoneID))
			}
		}
	} else if req.EventID != nil && req.DeviceID == nil {
		return apperr.Field("deviceId", "an eventId is unique per device: name the deviceId")
	}
	return nil
}

// identify resolves the request's identification to a member. Unknown
// credentials and member numbers are not errors: they are recorded as denials.
func (s *Service) identify(ctx context.Context, sc Scope, p *auth.Principal, req CheckInRequest) (identity, error) {
	var id identity
	switch {
	case req.verified != nil:
		name, err := memberName(ctx, s.DB, sc.EntityID, `m.id = $2`, *req.verified)
		if err != nil {
			return id, err
		}
		if name == nil {
			return id, apperr.NotFound("member")
		}
		id.memberID, id.memberName = *req.verified, *name
	case req.MemberID != nil:
		name, err := memberName(ctx, s.DB, sc.EntityID, `m.id = $2`, *req.MemberID)
		if err != nil {
			return id, err
		}
		if name == nil {
			return id, apperr.NotFound("member")
		}
		id.memberID, id.memberName = *req.MemberID, *name
	case req.MemberNumber != nil:
		return s.byMemberNumber(ctx, sc, *req.MemberNumber)
	case req.CredentialID != nil:
		c, err := s.getCredential(ctx, s.DB, sc, *req.CredentialID)
		if err != nil {
			return id, err
		}
		name, err := memberName(ctx, s.DB, sc.EntityID, `m.id = $2`, c.MemberID)
		if err != nil || name == nil {
			return id, err
		}
		hint := hal.Mask(c.Identifier)
		id.memberID, id.memberName, id.cred, id.hint = c.MemberID, *name, c, &hint
	default:
		pc := req.Credential
		if pc.TypeCd == TypeQR && s.PhoneTokens != nil {
			if id, ok, err := s.phoneToken(ctx, sc, string(pc.Identifier)); ok || err != nil {
				return id, err
			}
		}
		c, name, err := s.lookupPresented(ctx, sc, pc.TypeCd, string(pc.Identifier))
		if err != nil {
			return id, err
		}
		if c == nil {
			// The end of the fallback chain: a kiosk's or the front desk's
			// reader may have scanned a member number (printed on old cards).
			staff := p.Role != auth.Device && p.AtLeast(auth.Staff)
			if pc.TypeCd != TypePIN && (staff || p.Role == auth.Device && p.DeviceKind == auth.Kiosk) {
				return s.byMemberNumber(ctx, sc, string(pc.Identifier))
			}
			hint := hal.Mask(strings.TrimSpace(string(pc.Identifier)))
			return identity{unknown: true, hint: &hint}, nil
		}
		hint := hal.Mask(c.Identifier)
		id.memberID, id.memberName, id.cred, id.hint = c.MemberID, name, c, &hint
	}
	return id, nil
}

func memberName(ctx context.Context, q store.Querier, entityID int64, cond string, args ...any) (*string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT m.first_name || ' ' || m.last_name FROM members m WHERE m.entity_id = $1 AND `+cond,
		append([]any{entityID}, args...)...).Scan(&name)
	if store.IsNoRows(err) {
		return nil, nil
	}
	return &name, err
}

func (s *Service) byMemberNumber(ctx context.Context, sc Scope, typed string) (identity, error) {
	typed = strings.TrimSpace(typed)
	cands := []string{typed, strings.ToUpper(typed)}
	if n, err := strconv.Atoi(typed); err == nil && n > 0 && n < 1_000_000 {
		cands = append(cands, fmt.Sprintf("M%06d", n))
	}
	var id identity
	var name string
	err := s.DB.QueryRowContext(ctx, `SELECT m.id, m.first_name || ' ' || m.last_name FROM members m
		WHERE m.entity_id = $1 AND m.member_number IN ($2, $3, $4) ORDER BY m.member_number = $2 DESC, m.id LIMIT 1`,
		sc.EntityID, cands[0], cands[1], cands[len(cands)-1]).Scan(&id.memberID, &name)
	hint := hal.Mask(typed)
	if store.IsNoRows(err) {
		return identity{unknown: true, hint: &hint}, nil
	}
	id.memberName, id.hint = name, &hint
	return id, err
}

// lookupPresented walks the credential fallback chain: the presented type first,
// then NFC_CARD → BLE_TOKEN → QR_CODE (→ RFID → WIEGAND), each with the
// identifier as read and in its card-number forms (cardForms: separators,
// case, hex ↔ decimal). A credential that is not revoked
// wins over a revoked one (identifiers are reused after revocation), so a
// revoked card is reported as CREDENTIAL_INVALID rather than unknown.
func (s *Service) lookupPresented(ctx context.Context, sc Scope, typeCd, raw string) (*Credential, string, error) {
	raw = strings.TrimSpace(raw)
	cands := []string{raw}
	order := []string{TypePIN}
	if typeCd != TypePIN {
		for _, c := range cardForms(raw) {
			if c != raw {
				cands = append(cands, c)
			}
		}
		order = append([]string{typeCd}, fallbackOrder...)
	}
	args := []any{sc.EntityID}
	ph := make([]string, len(cands))
	for i, c := range cands {
		args = append(args, c)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+credentialCols+`, m.first_name || ' ' || m.last_name FROM credentials c
		JOIN members m ON m.id = c.member_id WHERE c.entity_id = $1 AND c.identifier IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var best *Credential
	var bestName string
	rank := func(c *Credential) [4]int {
		t := slices.Index(order, c.TypeCd)
		revoked, exact := 0, 0
		if c.StatusCd == StatusRevoked {
			revoked = 1
		}
		if c.Identifier != raw {
			exact = 1
		}
		return [4]int{revoked, t, exact, -int(c.ID)}
	}
	for rows.Next() {
		var name string
		c, err := scanCredential(rows, &name)
		if err != nil {
			return nil, "", err
		}
		if !slices.Contains(order, c.TypeCd) {
			continue
		}
		if best == nil || less(rank(c), rank(best)) {
			best, bestName = c, name
		}
	}
	return best, bestName, rows.Err()
}

func less(a, b [4]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// loadChain reads the zone and its ancestors with their active rules, in one
// query: a row per (zone, rule), a zone without rules once with NULL rule
// columns.
func (s *Service) loadChain(ctx context.Context, sc Scope, zoneID int64) ([]chainZone, error) {
	rows, err := s.DB.QueryContext(ctx, `WITH RECURSIVE chain(id, depth) AS (
			SELECT id, 0 FROM access_zones WHERE id = $1 AND entity_id = $2
			UNION ALL
			SELECT z.parent_zone_id, c.depth + 1 FROM access_zones z JOIN chain c ON z.id = c.id
			WHERE z.parent_zone_id IS NOT NULL AND c.depth < 32)
		SELECT z.id, z.name, z.active, z.max_occupancy, z.current_occupancy, z.requires_contract_tier,
			(SELECT MIN(t.tier_rank) FROM contract_templates t WHERE t.entity_id = z.entity_id AND t.tier_cd = z.requires_contract_tier),
			z.reset_time, z.last_reset_at, z.door_provider, z.door_external_id, z.door_settings,
			r.id, r.name, r.rule_cd, r.config, r.priority
		FROM chain c JOIN access_zones z ON z.id = c.id
		LEFT JOIN access_rules r ON r.zone_id = z.id AND r.entity_id = $2 AND r.active = TRUE
		ORDER BY c.depth, r.id`, zoneID, sc.EntityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var chain []chainZone
	for rows.Next() {
		var z chainZone
		var ext *string
		var settings []byte
		var ruleID *int64
		var ruleName, ruleCd *string
		var ruleCfg []byte
		var prio *int
		if err := rows.Scan(&z.ID, &z.Name, &z.Active, &z.MaxOccupancy, &z.Current, &z.RequiredTier, &z.RequiredTierRank,
			&z.resetTime, store.NullTime(&z.lastReset), &z.provider, &ext, &settings,
			&ruleID, &ruleName, &ruleCd, &ruleCfg, &prio); err != nil {
			return nil, err
		}
		if n := len(chain); n == 0 || chain[n-1].ID != z.ID {
			z.Reset, _ = ParseClockTime(z.resetTime, false)
			z.door = hal.Door{EntityID: sc.EntityID, ZoneID: z.ID, ExternalDoorID: defaultDoorID(z.ID, ext), Settings: json.RawMessage(settings)}
			chain = append(chain, z)
		}
		if ruleID == nil {
			continue
		}
		r, _, _, err := CompileRule(*ruleID, *ruleName, *ruleCd, *prio, ruleCfg)
		if err != nil {
			// A stored rule that no longer compiles must not open doors: it
			// fails closed, naming itself.
			slog.Warn("access: stored rule does not compile; it denies", "rule", *ruleID, "err", err)
			r = &CompiledRule{ID: *ruleID, Name: *ruleName, Cd: "INVALID", Priority: *prio}
		}
		last := &chain[len(chain)-1]
		last.Rules = append(last.Rules, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(chain) == 0 {
		return nil, apperr.NotFound("zone")
	}
	return chain, nil
}

// openDoor sends the unlock after the decision has committed, within the door
// budget and whatever the client does meanwhile (the member is at the door).
func (s *Service) openDoor(ctx context.Context, entityID int64, z *chainZone, hold time.Duration) *DoorResult {
	provider, door := sim.Provider, hal.Door{EntityID: entityID, ExternalDoorID: "main-entrance"}
	if z != nil {
		provider, door = z.provider, z.door
	}
	res := &DoorResult{Adapter: provider}
	if s.Doors == nil {
		res.Message = "no door adapters are configured"
		return res
	}
	a, err := s.Doors.Get(provider)
	if err != nil {
		res.Message = err.Error()
		return res
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.DoorTimeout)
	defer cancel()
	r, err := a.UnlockDoor(dctx, door, hold)
	if err != nil {
		slog.Warn("access: door command failed", "provider", provider, "door", door.ExternalDoorID, "kind", hal.KindOf(err).String(), "err", err)
		res.Message = fmt.Sprintf("door %s: %s", hal.KindOf(err), err)
		return res
	}
	res.Success, res.Message = r.Success, r.Message
	return res
}

// CheckOut closes the member's open check-in to a zone (nil: the main entrance).
func (s *Service) CheckOut(ctx context.Context, sc Scope, memberID int64, zoneID *int64) (*CheckIn, error) {
	if ok, err := memberExists(ctx, s.DB, sc.EntityID, memberID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("member")
	}
	if zoneID != nil {
		if ok, err := s.ZoneExists(ctx, sc.EntityID, *zoneID); err != nil {
			return nil, err
		} else if !ok {
			return nil, apperr.NotFound("zone")
		}
	}
	return s.checkout(ctx, sc, memberID, zoneID, CheckoutManual, nil, "")
}

// checkout closes the open check-in. zone is the zone as the caller just read
// it and memberName the member's name, or nil and "": what the caller knows
// saves queries (the zone's reset state, the names in the result).
func (s *Service) checkout(ctx context.Context, sc Scope, memberID int64, zoneID *int64, reason string, zone *chainZone, memberName string) (*CheckIn, error) {
	now := s.Clock.Now().Truncate(time.Microsecond)
	if zoneID != nil {
		// A forgotten check-in from before the reset is already closed.
		var err error
		if zone != nil {
			_, err = s.sweepIfDue(ctx, sc, *zoneID, now, zone.resetTime, zone.lastReset)
		} else {
			_, err = s.sweepZoneIfDue(ctx, sc, *zoneID, now)
		}
		if err != nil {
			return nil, err
		}
	}
	var out *CheckIn
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if zoneID == nil {
			ids, err := closeOpen(ctx, tx, `entity_id = $3 AND member_id = $4 AND zone_id IS NULL`, LastReset(now, sc.Location, ClockTime{}), sc.EntityID, memberID)
			if err != nil {
				return err
			}
			if err := s.emitClosed(ctx, tx, sc.EntityID, ids); err != nil {
				return err
			}
		}
		var err error
		out, err = scanCheckIn(tx.QueryRowContext(ctx, `UPDATE check_ins SET checked_out_at = $1, checkout_reason_cd = $2, version = version + 1
			WHERE entity_id = $3 AND member_id = $4 AND COALESCE(zone_id, 0) = $5 AND status_cd = 'GRANTED' AND checked_out_at IS NULL
			RETURNING `+checkInReturning, now, reason, sc.EntityID, memberID, zoneKey(zoneID)))
		if store.IsNoRows(err) {
			where := "the main entrance"
			if zoneID != nil {
				where = fmt.Sprintf("zone %d", *zoneID)
			}
			return apperr.Conflict("member %d is not checked in to %s: there is nothing to check out", memberID, where).With("memberId", memberID)
		}
		if err != nil {
			return err
		}
		if zone != nil && memberName != "" {
			out.MemberName, out.ZoneName = &memberName, &zone.Name
		} else if out, err = getCheckIn(ctx, tx, sc.EntityID, out.ID); err != nil {
			return err
		}
		if err := s.Events.Emit(ctx, tx, sc.EntityID, "checkin.checkout", now, out); err != nil {
			return err
		}
		if zoneID != nil {
			// Last: the zone row's lock is held until the commit (see CheckIn).
			// An unlimited zone keeps no counter, and the row of a zone that
			// the condition does not select is not locked.
			if _, err := tx.ExecContext(ctx, `UPDATE access_zones SET current_occupancy = current_occupancy - 1
				WHERE id = $1 AND max_occupancy IS NOT NULL AND current_occupancy > 0`, *zoneID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
