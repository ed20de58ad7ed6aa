package phone

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

var (
	doorCodePolicy = auth.Allow(auth.ClubAdmin).AllowDevices(auth.QRDisplay)
	memberPolicy   = auth.Allow(auth.Member)
	gatewayPolicy  = auth.Policy{}.AllowDevices(auth.Gateway)
	bleAdmin       = auth.Allow(auth.ClubAdmin)
	// Master keys are global (phone_keys has no organisation; each
	// organisation's key is derived from them), so a rotation affects every
	// organisation: only the platform operator may start one.
	rotatePolicy = auth.Allow(auth.PlatformAdmin)
)

// RotateResult is the answer of POST /api/phone/keys/rotate.
type RotateResult struct {
	KeyGeneration uint64    `json:"keyGeneration" doc:"The new current master key generation."`
	RotatedAt     time.Time `json:"rotatedAt" doc:"When it became current; codes of the previous generation are accepted until one step (30 s) later."`
}

type zonePath struct {
	ZoneID int64 `path:"zoneId" minimum:"1"`
}

// Routes registers the phone-credential operations.
func Routes(api huma.API, svc *Service) {
	tag := []string{"Phone credentials"}
	httpapi.Register(api, huma.Operation{OperationID: "getQrDoorCode", Method: http.MethodGet, Path: "/api/qr-door/{zoneId}/code", Tags: tag,
		Summary: "The zone's current QR door code", Errors: []int{403, 404},
		Description: "A token bound to the zone and the current 30 s step, and the web route (`/q/{token}`) the member's phone opens. " +
			"The same step always gives the same token; the display fetches again at `expiresAt`. A QR_DISPLAY device must be bound to the zone."},
		doorCodePolicy, func(ctx context.Context, p *auth.Principal, in *zonePath) (*httpapi.Body[*Code], error) {
			c, err := svc.DoorCode(ctx, p, in.ZoneID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Code]{Body: c}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "redeemQrDoor", Method: http.MethodPost, Path: "/api/qr-door/redeem", Tags: tag,
		Summary: "Redeem a QR door code (check in at that door)", Errors: []int{403, 404, 409, 422},
		Description: "Runs the check-in decision for the signed-in member at the code's zone (methodCd QR); GRANTED opens the door for 5 s. " +
			"An expired or forged code answers 422 (`code`: EXPIRED, INVALID); a code this member already used answers 409 (`code`: REPLAY). A denial is a 200 with the recorded CheckIn."},
		memberPolicy, func(ctx context.Context, p *auth.Principal, in *struct{ Body RedeemRequest }) (*httpapi.Body[*access.CheckIn], error) {
			ci, err := svc.Redeem(ctx, p, in.Body.Token)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*access.CheckIn]{Body: ci}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getMyPass", Method: http.MethodGet, Path: "/api/me/pass", Tags: tag,
		Summary: "My rotating QR pass",
		Description: "A personal token for the current 30 s step (never the static credential identifier). Kiosks and readers submit it as " +
			"`credential: {typeCd: \"QR_CODE\", identifier: token}` to POST /api/checkin; it is accepted once."},
		memberPolicy, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[*Code], error) {
			c, err := svc.Pass(ctx, p)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Code]{Body: c}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "rotatePhoneKeys", Method: http.MethodPost, Path: "/api/phone/keys/rotate", Tags: tag,
		Summary: "Rotate the phone-credential master key",
		Description: "Makes a new master key generation current for QR door codes and member passes. Codes signed with the previous " +
			"generation are accepted for one more step (30 s), then refused; older generations never. BLE keys already provisioned " +
			"keep working (they stay bound to the generation they were derived from). The master keys are global — every " +
			"organisation's key is derived from them — so a rotation affects all organisations and is reserved to PLATFORM_ADMIN."},
		rotatePolicy, func(ctx context.Context, _ *auth.Principal, _ *struct{}) (*httpapi.Body[RotateResult], error) {
			gen, at, err := svc.Rotate(ctx)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[RotateResult]{Body: RotateResult{KeyGeneration: gen, RotatedAt: at}}, nil
		})
	bleRoutes(api, svc, tag)
}

// bleReportOut is the CheckIn (200), or the outcome (202) when nothing was
// decided.
type bleReportOut struct {
	Status int `json:"-"`
	Body   bleReportBody
}

type bleReportBody struct {
	*access.CheckIn
	Reason    string   `json:"reason,omitempty" enum:"OUT_OF_RANGE,DUPLICATE,STALE" doc:"202 only: why nothing was decided."`
	DistanceM *float64 `json:"distanceM,omitempty" doc:"202 only: the estimated distance."`
	RangeM    *int     `json:"rangeM,omitempty" doc:"202 only: the zone's range limit."`
}

func bleRoutes(api huma.API, svc *Service, tag []string) {
	httpapi.Register(api, huma.Operation{OperationID: "reportBle", Method: http.MethodPost, Path: "/api/ble/reports", Tags: tag,
		Summary: "A BLE gateway reports a phone's advertisement", Errors: []int{403, 404, 422},
		Description: "Verifies the token, converts RSSI to distance with the reader's calibration, enforces the zone's range (1/3/5 m) and " +
			"de-duplicates repeated advertisements (one decision per token and zone); then the check-in decision (methodCd BLE). " +
			"200 with the CheckIn, or 202 with `reason` OUT_OF_RANGE, DUPLICATE or STALE."},
		gatewayPolicy, func(ctx context.Context, p *auth.Principal, in *struct{ Body BLEReport }) (*bleReportOut, error) {
			ci, outcome, err := svc.Report(ctx, p, in.Body)
			if err != nil {
				return nil, err
			}
			if outcome != nil {
				return &bleReportOut{Status: http.StatusAccepted, Body: bleReportBody{Reason: outcome.Reason, DistanceM: &outcome.DistanceM, RangeM: &outcome.RangeM}}, nil
			}
			return &bleReportOut{Status: http.StatusOK, Body: bleReportBody{CheckIn: ci}}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "provisionBleKey", Method: http.MethodPost, Path: "/api/me/ble-key", Tags: tag,
		Summary:     "Provision my phone's BLE broadcast key",
		Description: "Returns a new key and handle once (the previous key stops working). See docs/phone-credentials.md for the broadcast protocol."},
		memberPolicy, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[*BLEKey], error) {
			k, err := svc.ProvisionBLE(ctx, p)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*BLEKey]{Body: k}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "setBleZone", Method: http.MethodPut, Path: "/api/ble/zones/{zoneId}", Tags: tag,
		Summary: "Set a zone's BLE range limit", Errors: []int{404, 422}},
		bleAdmin, func(ctx context.Context, p *auth.Principal, in *struct {
			ZoneID int64 `path:"zoneId" minimum:"1"`
			Body   BLEConfig
		}) (*httpapi.Body[BLEConfig], error) {
			if err := svc.SetZoneRange(ctx, p, in.ZoneID, in.Body); err != nil {
				return nil, err
			}
			return &httpapi.Body[BLEConfig]{Body: in.Body}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listBleZones", Method: http.MethodGet, Path: "/api/ble/zones", Tags: tag,
		Summary: "BLE range limits of the zones", Description: "Only zones whose range was set; the others use 3 m."},
		bleAdmin, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[[]BLEZoneRange], error) {
			l, err := svc.ZoneRanges(ctx, p)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[[]BLEZoneRange]{Body: l}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listBleReaders", Method: http.MethodGet, Path: "/api/ble/readers", Tags: tag,
		Summary: "Calibrated BLE readers", Description: "Readers without a calibration use txPower -59 dBm and pathLossExponent 2."},
		bleAdmin, func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[[]BLEReaderEntry], error) {
			l, err := svc.Readers(ctx, p)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[[]BLEReaderEntry]{Body: l}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "setBleReader", Method: http.MethodPut, Path: "/api/ble/readers/{readerId}", Tags: tag,
		Summary: "Set a BLE reader's RSSI calibration"},
		bleAdmin, func(ctx context.Context, p *auth.Principal, in *struct {
			ReaderID string `path:"readerId" minLength:"1" maxLength:"100"`
			Body     BLEReader
		}) (*httpapi.Body[BLEReader], error) {
			if err := svc.SetReader(ctx, p, in.ReaderID, in.Body); err != nil {
				return nil, err
			}
			return &httpapi.Body[BLEReader]{Body: in.Body}, nil
		})
}
