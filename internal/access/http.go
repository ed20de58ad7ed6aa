package access

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

func scope(p *auth.Principal) Scope { return Scope{EntityID: p.EntityID, Location: p.Location} }

// Who may do what. Devices decide check-ins but never manage anything; a MEMBER
// sees only its own credentials and history.
var (
	readZones      = auth.Allow(auth.Staff, auth.Trainer)
	manage         = auth.Allow(auth.ClubAdmin)
	readOccupancy  = auth.Allow(auth.Staff, auth.Trainer, auth.Member).AllowDevices(auth.DeviceKinds...)
	staffOnly      = auth.Allow(auth.Staff)
	readSelf       = auth.Allow(auth.Staff, auth.Member)
	historyPolicy  = auth.Allow(auth.Staff, auth.Trainer, auth.Member)
	checkInPolicy  = auth.Allow(auth.Staff).AllowDevices(auth.Kiosk, auth.Reader)
	liveFeedPolicy = auth.Allow(auth.Staff)
)

// selfOnly hides other members from a MEMBER caller (404, as if absent).
func selfOnly(p *auth.Principal, memberID int64) error {
	if p.Role == auth.Member && (p.MemberID == nil || *p.MemberID != memberID) {
		return apperr.NotFound("member")
	}
	return nil
}

type zoneTreeOut struct {
	Items      []*Zone `json:"items" nullable:"false" doc:"Top-level zones; each carries its children."`
	Page       int     `json:"page"`
	Size       int     `json:"size"`
	TotalItems int     `json:"totalItems" doc:"Top-level zones."`
	TotalPages int     `json:"totalPages"`
	TotalZones int     `json:"totalZones" doc:"All zones in the tree."`
}

type zoneUpdateBody struct {
	ZoneInput
	Version int64 `json:"version" minimum:"1" doc:"The version you read; a stale one answers 409."`
}

type ruleUpdateBody struct {
	RuleInput
	Version int64 `json:"version" minimum:"1"`
}

type unlockBody struct {
	DurationSeconds int `json:"durationSeconds,omitempty" minimum:"1" maximum:"3600" default:"5" doc:"How long the door stays open (1–3600, default 5)."`
}

type checkoutBody struct {
	MemberID int64  `json:"memberId" minimum:"1"`
	ZoneID   *int64 `json:"zoneId,omitempty" minimum:"1" doc:"Absent = the main entrance."`
}

type historyIn struct {
	MemberID int64  `path:"memberId" minimum:"1"`
	From     string `query:"from" maxLength:"40" doc:"A date (YYYY-MM-DD, local) or an RFC 3339 instant; inclusive."`
	To       string `query:"to" maxLength:"40" doc:"A date (inclusive: the whole day) or an RFC 3339 instant (exclusive)."`
	httpapi.PageQuery
}

// MemberPath is the input of operations on a member's access data.
type MemberPath struct {
	MemberID int64 `path:"memberId" minimum:"1"`
}

// ZoneQuery filters by zone (0 or absent: all zones).
type ZoneQuery struct {
	ZoneID int64 `query:"zoneId" minimum:"0" doc:"Only this zone."`
}

func (q ZoneQuery) ptr() *int64 {
	if q.ZoneID == 0 {
		return nil
	}
	return &q.ZoneID
}

// Routes registers the access-control and check-in operations.
func Routes(api huma.API, svc *Service) {
	ztag := []string{"Access zones"}
	httpapi.Register(api, huma.Operation{OperationID: "listZones", Method: http.MethodGet, Path: "/api/access/zones", Tags: ztag,
		Summary: "The zone tree", Description: "All zones of the organisation as a tree: top-level zones with their `children`, each level sorted by name. Inactive zones are included (active=false)."},
		readZones, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[zoneTreeOut], error) {
			roots, total, err := svc.ZoneTree(ctx, scope(p))
			if err != nil {
				return nil, err
			}
			pages := 0
			if len(roots) > 0 {
				pages = 1
			}
			return &httpapi.Body[zoneTreeOut]{Body: zoneTreeOut{Items: roots, Size: len(roots), TotalItems: len(roots), TotalPages: pages, TotalZones: total}}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "createZone", Method: http.MethodPost, Path: "/api/access/zones", Tags: ztag,
		Summary: "Create a zone", Description: "Zones nest BUILDING > FLOOR > ROOM/AREA > LOCKER (rooms and areas may nest in each other)."},
		manage, func(ctx context.Context, p *auth.Principal, in *struct{ Body ZoneInput }) (*httpapi.Created[*Zone], error) {
			z, err := svc.CreateZone(ctx, scope(p), in.Body)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(z), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getZone", Method: http.MethodGet, Path: "/api/access/zones/{id}", Tags: ztag,
		Summary: "Get a zone", Errors: []int{404}}, readZones,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*Zone], error) {
			z, err := svc.GetZone(ctx, scope(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Zone]{Body: z}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "updateZone", Method: http.MethodPut, Path: "/api/access/zones/{id}", Tags: ztag,
		Summary: "Update a zone", Errors: []int{404, 409}}, manage,
		func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.IDPath
			Body zoneUpdateBody
		}) (*httpapi.Body[*Zone], error) {
			z, err := svc.UpdateZone(ctx, scope(p), in.ID, in.Body.Version, in.Body.ZoneInput)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Zone]{Body: z}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "deactivateZone", Method: http.MethodDelete, Path: "/api/access/zones/{id}", Tags: ztag,
		Summary: "Deactivate a zone", Description: "Zones are never deleted (their history stays): the zone becomes inactive, and check-ins to it or to zones inside it are denied ZONE_INACTIVE.",
		DefaultStatus: http.StatusNoContent, Errors: []int{404}}, manage,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*struct{}, error) {
			return nil, svc.DeactivateZone(ctx, scope(p), in.ID)
		})
	httpapi.Register(api, huma.Operation{OperationID: "zoneOccupancy", Method: http.MethodGet, Path: "/api/access/zones/{id}/occupancy", Tags: ztag,
		Summary: "A zone's live occupancy", Errors: []int{404}}, readOccupancy,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*Occupancy], error) {
			o, err := svc.GetOccupancy(ctx, scope(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Occupancy]{Body: o}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "unlockZone", Method: http.MethodPost, Path: "/api/access/zones/{id}/unlock", Tags: ztag,
		Summary: "Unlock a zone's door remotely", Description: "Sends the unlock through the zone's door adapter and records it in the audit (GET /api/access/unlocks), whatever the outcome. `success` is false when the door did not confirm in time or refused.",
		Errors: []int{404}}, manage,
		func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.IDPath
			Body *unlockBody `required:"false"`
		}) (*httpapi.Body[*DoorResult], error) {
			secs := 0
			if in.Body != nil {
				secs = in.Body.DurationSeconds
			}
			r, err := svc.UnlockZone(ctx, p, in.ID, secs)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*DoorResult]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "bindZoneDoor", Method: http.MethodPut, Path: "/api/access/zones/{id}/door", Tags: ztag,
		Summary: "Bind a zone to a door adapter", Errors: []int{404}}, manage,
		func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.IDPath
			Body DoorInput
		}) (*httpapi.Body[*Zone], error) {
			z, err := svc.BindDoor(ctx, scope(p), in.ID, in.Body)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Zone]{Body: z}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "zoneDoorEvents", Method: http.MethodGet, Path: "/api/access/zones/{id}/door/events", Tags: ztag,
		Summary: "What the zone's door system reports", Description: "The newest events of the door adapter (for the simulated door: the commands it received), newest first.",
		Errors: []int{404, 503}}, staffOnly,
		func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.IDPath
			Limit int `query:"limit" minimum:"1" maximum:"200" default:"50"`
		}) (*httpapi.Body[[]hal.Event], error) {
			evs, err := svc.DoorEvents(ctx, scope(p), in.ID, in.Limit)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[[]hal.Event]{Body: evs}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listUnlocks", Method: http.MethodGet, Path: "/api/access/unlocks", Tags: ztag,
		Summary: "The remote-unlock audit", Errors: []int{404}}, manage,
		func(ctx context.Context, p *auth.Principal, in *struct {
			ZoneQuery
			httpapi.PageQuery
		}) (*httpapi.Body[httpapi.Page[Unlock]], error) {
			items, total, err := svc.ListUnlocks(ctx, scope(p), in.ptr(), in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[Unlock]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, nil
		})

	rtag := []string{"Access rules"}
	httpapi.Register(api, huma.Operation{OperationID: "listRules", Method: http.MethodGet, Path: "/api/access/rules", Tags: rtag,
		Summary: "List rules", Errors: []int{404}}, staffOnly,
		func(ctx context.Context, p *auth.Principal, in *struct {
			ZoneQuery
			httpapi.PageQuery
		}) (*httpapi.Body[httpapi.Page[Rule]], error) {
			items, total, err := svc.ListRules(ctx, scope(p), in.ptr(), in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[Rule]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "createRule", Method: http.MethodPost, Path: "/api/access/rules", Tags: rtag,
		Summary: "Create a rule", Description: "Rules of a zone apply to the zones inside it too. All active rules must pass; the highest-priority failing rule names the denial."},
		manage, func(ctx context.Context, p *auth.Principal, in *struct{ Body RuleInput }) (*httpapi.Created[*Rule], error) {
			r, err := svc.CreateRule(ctx, scope(p), in.Body)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(r), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "updateRule", Method: http.MethodPut, Path: "/api/access/rules/{id}", Tags: rtag,
		Summary: "Update a rule", Errors: []int{404, 409}}, manage,
		func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.IDPath
			Body ruleUpdateBody
		}) (*httpapi.Body[*Rule], error) {
			r, err := svc.UpdateRule(ctx, scope(p), in.ID, in.Body.Version, in.Body.RuleInput)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Rule]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "deleteRule", Method: http.MethodDelete, Path: "/api/access/rules/{id}", Tags: rtag,
		Summary: "Delete a rule", DefaultStatus: http.StatusNoContent, Errors: []int{404}}, manage,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*struct{}, error) {
			return nil, svc.DeleteRule(ctx, scope(p), in.ID)
		})

	ctag := []string{"Credentials"}
	httpapi.Register(api, huma.Operation{OperationID: "listCredentials", Method: http.MethodGet, Path: "/api/access/credentials/{memberId}", Tags: ctag,
		Summary: "A member's credentials", Errors: []int{404}}, readSelf,
		func(ctx context.Context, p *auth.Principal, in *struct {
			MemberPath
			httpapi.PageQuery
		}) (*httpapi.Body[httpapi.Page[Credential]], error) {
			if err := selfOnly(p, in.MemberID); err != nil {
				return nil, err
			}
			all, err := svc.ListCredentials(ctx, scope(p), in.MemberID)
			if err != nil {
				return nil, err
			}
			from := min(in.Offset(), len(all))
			to := min(from+in.Size, len(all))
			return &httpapi.Body[httpapi.Page[Credential]]{Body: httpapi.NewPage(all[from:to], in.PageQuery, len(all))}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "createCredential", Method: http.MethodPost, Path: "/api/access/credentials", Tags: ctag,
		Summary: "Issue a credential", Description: "Identifiers are unique per organisation among credentials that are not revoked. Card numbers are stored without separators, in upper case. For QR_CODE the identifier may be omitted: the server generates one.",
		Errors: []int{404, 409}}, staffOnly,
		func(ctx context.Context, p *auth.Principal, in *struct{ Body NewCredential }) (*httpapi.Created[*Credential], error) {
			c, err := svc.CreateCredential(ctx, scope(p), in.Body)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(c), nil
		})
	for _, a := range []struct{ action, summary string }{
		{ActionActivate, "Activate a credential (PROVISIONED or SUSPENDED → ACTIVE)"},
		{ActionSuspend, "Suspend a credential (ACTIVE → SUSPENDED)"},
		{ActionRevoke, "Revoke a credential (final)"},
	} {
		action := a.action
		httpapi.Register(api, huma.Operation{OperationID: action + "Credential", Method: http.MethodPost, Path: "/api/access/credentials/{id}/" + action, Tags: ctag,
			Summary: a.summary, Description: "An invalid transition answers 409.", Errors: []int{404, 409}}, staffOnly,
			func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*Credential], error) {
				c, err := svc.TransitionCredential(ctx, scope(p), in.ID, action)
				if err != nil {
					return nil, err
				}
				return &httpapi.Body[*Credential]{Body: c}, nil
			})
	}

	ktag := []string{"Check-in"}
	httpapi.Register(api, huma.Operation{OperationID: "checkIn", Method: http.MethodPost, Path: "/api/checkin", Tags: ktag,
		Summary: "Check a member in (the access decision)",
		Description: "Identify the member in exactly one way — `credential` (the fallback chain applies), `credentialId`, `memberNumber` (kiosks and staff) or `memberId` (staff, MANUAL) — and get the recorded decision: 200 with the CheckIn, `statusCd` GRANTED or DENIED with `denialCode`. " +
			"A denial is a recorded decision, not an HTTP error. A device with a zone binding checks into that zone. `eventId` makes a device's retry return the first result.",
		Errors: []int{403, 404, 409}}, checkInPolicy,
		func(ctx context.Context, p *auth.Principal, in *struct{ Body CheckInRequest }) (*httpapi.Body[*CheckIn], error) {
			ci, err := svc.CheckIn(ctx, p, in.Body)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*CheckIn]{Body: ci}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "checkOut", Method: http.MethodPost, Path: "/api/checkin/checkout", Tags: ktag,
		Summary: "Check a member out", Description: "Closes the member's open check-in to the zone and frees its place. Nothing open → 409.",
		Errors: []int{404, 409}}, checkInPolicy,
		func(ctx context.Context, p *auth.Principal, in *struct{ Body checkoutBody }) (*httpapi.Body[*CheckIn], error) {
			sc := scope(p)
			if p.Role == auth.Device && p.ZoneID != nil && in.Body.ZoneID == nil {
				in.Body.ZoneID = p.ZoneID
			}
			ci, err := svc.CheckOut(ctx, sc, in.Body.MemberID, in.Body.ZoneID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*CheckIn]{Body: ci}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "checkInHistory", Method: http.MethodGet, Path: "/api/checkin/history/{memberId}", Tags: ktag,
		Summary: "A member's check-in history", Errors: []int{404}}, historyPolicy,
		func(ctx context.Context, p *auth.Principal, in *historyIn) (*httpapi.Body[httpapi.Page[CheckIn]], error) {
			if err := selfOnly(p, in.MemberID); err != nil {
				return nil, err
			}
			from, err := ParseRangeBound("from", in.From, p.Location, false)
			if err != nil {
				return nil, queryProblem("from", err.Error(), in.From)
			}
			to, err := ParseRangeBound("to", in.To, p.Location, true)
			if err != nil {
				return nil, queryProblem("to", err.Error(), in.To)
			}
			items, total, err := svc.History(ctx, scope(p), in.MemberID, from, to, in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[CheckIn]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, nil
		})
	registerLiveFeed(api, svc, ktag)
}
