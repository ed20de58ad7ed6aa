package access

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/hal"
)

// PhoneToken is what a PhoneTokenResolver found in a presented identifier.
type PhoneToken struct {
	MemberID int64
	// Invalid, when set, is why the token names the member but does not count
	// (expired, already used): recorded as CREDENTIAL_INVALID with this reason.
	Invalid string
}

// PhoneTokenResolver recognises a rotating phone token (the member QR pass of
// internal/phone) presented as a QR_CODE credential, verifies it and consumes
// it (a pass is accepted once). nil, nil: not a phone token of this
// organisation; the credential fallback chain goes on as usual.
type PhoneTokenResolver func(ctx context.Context, entityID int64, identifier string) (*PhoneToken, error)

// phoneToken asks the resolver; ok reports that it recognised the identifier.
func (s *Service) phoneToken(ctx context.Context, sc Scope, raw string) (identity, bool, error) {
	raw = strings.TrimSpace(raw)
	t, err := s.PhoneTokens(ctx, sc.EntityID, raw)
	if err != nil || t == nil {
		return identity{}, false, err
	}
	name, err := memberName(ctx, s.DB, sc.EntityID, `m.id = $2`, t.MemberID)
	if err != nil {
		return identity{}, false, err
	}
	hint := hal.Mask(raw)
	if name == nil {
		return identity{unknown: true, hint: &hint}, true, nil
	}
	return identity{memberID: t.MemberID, memberName: *name, hint: &hint, invalid: t.Invalid}, true, nil
}

// CheckInVerified runs the check-in decision for a member another feature has
// already identified — a phone credential it verified (internal/phone: a QR
// door code redeemed by the member's session, a BLE token reported by a
// gateway). Everything else is as for POST /api/checkin: the device rules of
// p, the decision, the record, the event and the door on GRANTED. req must not
// identify anybody itself.
func (s *Service) CheckInVerified(ctx context.Context, p *auth.Principal, req CheckInRequest, memberID int64) (*CheckIn, error) {
	req.MemberID, req.MemberNumber, req.CredentialID, req.Credential = nil, nil, nil, nil
	req.verified = &memberID
	return s.CheckIn(ctx, p, req)
}
