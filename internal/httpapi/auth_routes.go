package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/auth"
)

type loginIn struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" doc:"The account's e-mail address."`
		Password string `json:"password" maxLength:"200"`
	}
}

type meOut struct {
	Body struct {
		auth.User
		Entity *auth.Entity `json:"entity,omitempty"`
		Device *deviceSelf  `json:"device,omitempty"`
	}
}

type deviceSelf struct {
	ID     int64           `json:"id"`
	Kind   auth.DeviceKind `json:"kind"`
	ZoneID *int64          `json:"zoneId"`
}

type entityIn struct {
	Body struct {
		Name     string `json:"name" minLength:"1" maxLength:"200"`
		Timezone string `json:"timezone" minLength:"1" maxLength:"64" doc:"IANA time zone, e.g. Europe/Berlin."`
	}
}

type userIn struct {
	Body struct {
		Email    string    `json:"email" maxLength:"254"`
		Password string    `json:"password" minLength:"10" maxLength:"200"`
		Role     auth.Role `json:"role" enum:"PLATFORM_ADMIN,CLUB_ADMIN,STAFF,TRAINER,MEMBER"`
		MemberID *int64    `json:"memberId,omitempty" minimum:"1"`
		EntityID *int64    `json:"entityId,omitempty" minimum:"1" doc:"Another organisation (PLATFORM_ADMIN only)."`
	}
}

type deviceIn struct {
	Body struct {
		Name   string          `json:"name" minLength:"1" maxLength:"200"`
		Kind   auth.DeviceKind `json:"kind" enum:"KIOSK,READER,QR_DISPLAY,GATEWAY"`
		ZoneID *int64          `json:"zoneId,omitempty" minimum:"1"`
	}
}

type devicesIn struct {
	PageQuery
}

func registerAuthRoutes(api huma.API, svc *auth.Service) {
	tag := []string{"Auth"}
	Register(api, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/api/auth/login", Tags: tag,
		Summary: "Log in with e-mail and password", Description: "Returns a session token. Failed attempts are rate-limited per account and per address (429 with Retry-After).",
		Errors: []int{401, 429}},
		auth.Anyone, func(ctx context.Context, _ *auth.Principal, in *loginIn) (*Body[*auth.Session], error) {
			s, err := svc.Login(ctx, in.Body.Email, in.Body.Password, ClientAddress(ctx))
			if err != nil {
				return nil, err
			}
			return &Body[*auth.Session]{s}, nil
		})
	Register(api, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/auth/logout", Tags: tag,
		Summary: "Log out (revoke the session token)", DefaultStatus: http.StatusNoContent},
		auth.Allow(auth.Staff, auth.Trainer, auth.Member), func(ctx context.Context, p *auth.Principal, _ *struct{}) (*struct{}, error) {
			return nil, svc.Logout(ctx, p)
		})
	Register(api, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/api/auth/me", Tags: tag, Summary: "Who am I"},
		auth.Allow(auth.Staff, auth.Trainer, auth.Member).AllowDevices(auth.DeviceKinds...), func(ctx context.Context, p *auth.Principal, _ *struct{}) (*meOut, error) {
			out := &meOut{}
			if p.Role == auth.Device {
				out.Body.Role, out.Body.EntityID = auth.Device, p.EntityID
				out.Body.Device = &deviceSelf{ID: p.DeviceID, Kind: p.DeviceKind, ZoneID: p.ZoneID}
			} else {
				u, err := svc.GetUser(ctx, p.EntityID, p.UserID)
				if err != nil {
					return nil, err
				}
				out.Body.User = *u
			}
			e, err := svc.GetEntity(ctx, p.EntityID)
			if err != nil {
				return nil, err
			}
			out.Body.Entity = e
			return out, nil
		})

	Register(api, huma.Operation{OperationID: "createEntity", Method: http.MethodPost, Path: "/api/entities", Tags: []string{"Organisations"},
		Summary: "Create an organisation"},
		auth.Allow(auth.PlatformAdmin), func(ctx context.Context, _ *auth.Principal, in *entityIn) (*Created[*auth.Entity], error) {
			e, err := svc.CreateEntity(ctx, in.Body.Name, in.Body.Timezone)
			if err != nil {
				return nil, err
			}
			return NewCreated(e), nil
		})

	Register(api, huma.Operation{OperationID: "createUser", Method: http.MethodPost, Path: "/api/users", Tags: []string{"Users"},
		Summary: "Create a login", Errors: []int{409}},
		auth.Allow(auth.ClubAdmin), func(ctx context.Context, p *auth.Principal, in *userIn) (*Created[*auth.User], error) {
			u, err := svc.CreateUser(ctx, p, auth.NewUser{Email: in.Body.Email, Password: in.Body.Password, Role: in.Body.Role, MemberID: in.Body.MemberID, EntityID: in.Body.EntityID})
			if err != nil {
				return nil, err
			}
			return NewCreated(u), nil
		})
	Register(api, huma.Operation{OperationID: "listUsers", Method: http.MethodGet, Path: "/api/users", Tags: []string{"Users"},
		Summary: "List the organisation's logins"},
		auth.Allow(auth.ClubAdmin), func(ctx context.Context, p *auth.Principal, in *devicesIn) (*Body[Page[auth.User]], error) {
			items, total, err := svc.ListUsers(ctx, p.EntityID, in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &Body[Page[auth.User]]{NewPage(items, in.PageQuery, total)}, nil
		})

	devTag := []string{"Devices"}
	Register(api, huma.Operation{OperationID: "createDevice", Method: http.MethodPost, Path: "/api/devices", Tags: devTag,
		Summary: "Register a device", Description: "Returns the device with its apiKey. The key is shown only in this response; it is stored hashed."},
		auth.Allow(auth.ClubAdmin), func(ctx context.Context, p *auth.Principal, in *deviceIn) (*Created[*auth.NewDeviceKey], error) {
			d, err := svc.CreateDevice(ctx, p.EntityID, in.Body.Name, in.Body.Kind, in.Body.ZoneID)
			if err != nil {
				return nil, err
			}
			return NewCreated(d), nil
		})
	Register(api, huma.Operation{OperationID: "listDevices", Method: http.MethodGet, Path: "/api/devices", Tags: devTag, Summary: "List devices"},
		auth.Allow(auth.ClubAdmin), func(ctx context.Context, p *auth.Principal, in *devicesIn) (*Body[Page[auth.DeviceInfo]], error) {
			items, total, err := svc.ListDevices(ctx, p.EntityID, in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &Body[Page[auth.DeviceInfo]]{NewPage(items, in.PageQuery, total)}, nil
		})
	Register(api, huma.Operation{OperationID: "revokeDevice", Method: http.MethodPost, Path: "/api/devices/{id}/revoke", Tags: devTag,
		Summary: "Revoke a device key", Errors: []int{404}},
		auth.Allow(auth.ClubAdmin), func(ctx context.Context, p *auth.Principal, in *IDPath) (*Body[*auth.DeviceInfo], error) {
			d, err := svc.RevokeDevice(ctx, p.EntityID, in.ID)
			if err != nil {
				return nil, err
			}
			return &Body[*auth.DeviceInfo]{d}, nil
		})
}
