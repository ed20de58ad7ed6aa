package member

import (
	"context"
	"mime"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

func scope(p *auth.Principal) Scope { return Scope{EntityID: p.EntityID, Location: p.Location} }

// Who may do what with members. Trainers read members for rosters and
// attendance; a MEMBER sees only itself.
var (
	readMembers  = auth.Allow(auth.Staff, auth.Trainer)
	writeMembers = auth.Allow(auth.Staff)
	readSelf     = auth.Allow(auth.Staff, auth.Trainer, auth.Member)
	manageTiers  = auth.Allow(auth.ClubAdmin)
	importPolicy = auth.Allow(auth.ClubAdmin)
)

// selfOnly hides other members from a MEMBER caller (404, as if absent).
func selfOnly(p *auth.Principal, memberID int64) error {
	if p.Role == auth.Member && (p.MemberID == nil || *p.MemberID != memberID) {
		return apperr.NotFound("member")
	}
	return nil
}

type listIn struct {
	Query string `query:"query" maxLength:"100" doc:"Matches name, e-mail, member number or phone."`
	httpapi.PageQuery
}

type createIn struct{ Body Fields }

type updateBody struct {
	Fields
	Version int64 `json:"version" minimum:"1" doc:"The version you read; a stale one answers 409."`
}

type updateIn struct {
	httpapi.IDPath
	Body updateBody
}

type importIn struct {
	Partial     bool   `query:"partial" doc:"Import the valid rows even when others are invalid."`
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"text/csv"`
}

type templateIn struct{ Body NewTemplate }

type contractBody struct {
	TemplateID int64   `json:"templateId" minimum:"1"`
	StartDate  string  `json:"startDate" format:"date" doc:"YYYY-MM-DD"`
	EndDate    *string `json:"endDate,omitempty" format:"date" doc:"YYYY-MM-DD, inclusive; absent = open-ended."`
	StatusCd   string  `json:"statusCd,omitempty" enum:"ACTIVE,SUSPENDED,CANCELLED" doc:"Default ACTIVE."`
}

type contractIn struct {
	httpapi.IDPath
	Body contractBody
}

type contractUpdateBody struct {
	StartDate string  `json:"startDate" format:"date"`
	EndDate   *string `json:"endDate,omitempty" format:"date"`
	StatusCd  string  `json:"statusCd" enum:"ACTIVE,SUSPENDED,CANCELLED"`
	Version   int64   `json:"version" minimum:"1"`
}

type contractUpdateIn struct {
	httpapi.IDPath
	Body contractUpdateBody
}

func dates(start string, end *string) (clock.Date, *clock.Date) {
	// The schema already checked format: date.
	s, _ := clock.ParseDate(start)
	if end == nil {
		return s, nil
	}
	e, _ := clock.ParseDate(*end)
	return s, &e
}

// Routes registers the member, template and contract operations.
func Routes(api huma.API, svc *Service) {
	tag := []string{"Members"}
	httpapi.Register(api, huma.Operation{OperationID: "listMembers", Method: http.MethodGet, Path: "/api/members", Tags: tag,
		Summary: "List and search members"}, readMembers,
		func(ctx context.Context, p *auth.Principal, in *listIn) (*httpapi.Body[httpapi.Page[Member]], error) {
			items, total, err := svc.List(ctx, scope(p), in.Query, in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[Member]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "createMember", Method: http.MethodPost, Path: "/api/members", Tags: tag,
		Summary: "Create a member", Errors: []int{409}}, writeMembers,
		func(ctx context.Context, p *auth.Principal, in *createIn) (*httpapi.Created[*Member], error) {
			m, err := svc.Create(ctx, scope(p), in.Body)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(m), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getMember", Method: http.MethodGet, Path: "/api/members/{id}", Tags: tag,
		Summary: "Get a member", Errors: []int{404}}, readSelf,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*Member], error) {
			if err := selfOnly(p, in.ID); err != nil {
				return nil, err
			}
			m, err := svc.Get(ctx, scope(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Member]{Body: m}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "updateMember", Method: http.MethodPut, Path: "/api/members/{id}", Tags: tag,
		Summary: "Update a member", Errors: []int{404, 409}}, writeMembers,
		func(ctx context.Context, p *auth.Principal, in *updateIn) (*httpapi.Body[*Member], error) {
			m, err := svc.Update(ctx, scope(p), in.ID, in.Body.Version, in.Body.Fields)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Member]{Body: m}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "importMembers", Method: http.MethodPost, Path: "/api/members/import", Tags: tag,
		Summary:      "Import members from CSV",
		Description:  "Header row: firstName,lastName,email,phone,memberNumber (any order; phone and memberNumber optional; ',' or ';'). Without ?partial=true nothing is imported when any row is invalid: 422 with rowErrors.",
		MaxBodyBytes: 5 << 20, Errors: []int{413, 415}}, importPolicy,
		func(ctx context.Context, p *auth.Principal, in *importIn) (*httpapi.Body[*ImportResult], error) {
			mt, _, _ := mime.ParseMediaType(in.ContentType)
			if mt != "text/csv" && mt != "text/plain" && mt != "application/vnd.ms-excel" {
				return nil, httpapi.NewProblem(http.StatusUnsupportedMediaType, "send the file as Content-Type: text/csv")
			}
			res, err := svc.Import(ctx, scope(p), in.RawBody, in.Partial)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*ImportResult]{Body: res}, nil
		})

	ctag := []string{"Contracts"}
	httpapi.Register(api, huma.Operation{OperationID: "createContractTemplate", Method: http.MethodPost, Path: "/api/contract-templates", Tags: ctag,
		Summary: "Create a contract template"}, manageTiers,
		func(ctx context.Context, p *auth.Principal, in *templateIn) (*httpapi.Created[*Template], error) {
			t, err := svc.CreateTemplate(ctx, scope(p), in.Body)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(t), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listContractTemplates", Method: http.MethodGet, Path: "/api/contract-templates", Tags: ctag,
		Summary: "List contract templates"}, readMembers,
		func(ctx context.Context, p *auth.Principal, in *httpapi.PageQuery) (*httpapi.Body[httpapi.Page[Template]], error) {
			all, err := svc.ListTemplates(ctx, scope(p))
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[Template]]{Body: pageOf(all, *in)}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "createContract", Method: http.MethodPost, Path: "/api/members/{id}/contracts", Tags: ctag,
		Summary: "Give a member a contract", Errors: []int{404}}, writeMembers,
		func(ctx context.Context, p *auth.Principal, in *contractIn) (*httpapi.Created[*Contract], error) {
			start, end := dates(in.Body.StartDate, in.Body.EndDate)
			c, err := svc.CreateContract(ctx, scope(p), in.ID, ContractInput{TemplateID: in.Body.TemplateID, StartDate: start, EndDate: end, StatusCd: in.Body.StatusCd})
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(c), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listContracts", Method: http.MethodGet, Path: "/api/members/{id}/contracts", Tags: ctag,
		Summary: "List a member's contracts", Errors: []int{404}}, readSelf,
		func(ctx context.Context, p *auth.Principal, in *struct {
			httpapi.IDPath
			httpapi.PageQuery
		}) (*httpapi.Body[httpapi.Page[Contract]], error) {
			if err := selfOnly(p, in.ID); err != nil {
				return nil, err
			}
			all, err := svc.Contracts(ctx, scope(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[Contract]]{Body: pageOf(all, in.PageQuery)}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "updateContract", Method: http.MethodPut, Path: "/api/contracts/{id}", Tags: ctag,
		Summary: "Change a contract's dates or status", Errors: []int{404, 409}}, writeMembers,
		func(ctx context.Context, p *auth.Principal, in *contractUpdateIn) (*httpapi.Body[*Contract], error) {
			start, end := dates(in.Body.StartDate, in.Body.EndDate)
			c, err := svc.UpdateContract(ctx, scope(p), in.ID, in.Body.Version, ContractInput{StartDate: start, EndDate: end, StatusCd: in.Body.StatusCd})
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Contract]{Body: c}, nil
		})
}

// pageOf pages a short list held in memory (templates, a member's contracts).
func pageOf[T any](all []T, q httpapi.PageQuery) httpapi.Page[T] {
	from := min(q.Offset(), len(all))
	to := min(from+q.Size, len(all))
	return httpapi.NewPage(all[from:to], q, len(all))
}
