package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/auth"
)

// Register adds an operation that only callers admitted by policy may call. The
// principal is resolved by the authentication middleware; handlers receive it
// and take the organisation from it, never from the request.
func Register[I, O any](api huma.API, op huma.Operation, policy auth.Policy, handler func(ctx context.Context, p *auth.Principal, in *I) (*O, error)) {
	if !policy.Public {
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Description = strings.TrimSpace(op.Description + "\n\n**Who may call:** " + describePolicy(policy))
		for _, s := range []int{401, 403} {
			op.Errors = appendUnique(op.Errors, s)
		}
	}
	op.Errors = appendUnique(op.Errors, 400, 422)
	if _, created := any((*O)(nil)).(interface{ created() }); created && op.DefaultStatus == 0 {
		op.DefaultStatus = http.StatusCreated // documents 201, which Created answers
	}
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		p := auth.FromContext(ctx)
		if !policy.Public {
			if p == nil {
				return nil, NewProblem(http.StatusUnauthorized, "authentication required: send Authorization: Bearer <token>")
			}
			if !policy.Admits(p) {
				return nil, NewProblem(http.StatusForbidden, "your role may not do this")
			}
		}
		out, err := handler(ctx, p, in)
		if err != nil {
			return nil, FromError(ctx, err)
		}
		return out, nil
	})
}

func appendUnique(list []int, v ...int) []int {
	for _, x := range v {
		if !slices.Contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}

func describePolicy(p auth.Policy) string {
	var parts []string
	for _, r := range p.Roles {
		switch r {
		case auth.Staff:
			parts = append(parts, "STAFF and above")
		case auth.ClubAdmin:
			parts = append(parts, "CLUB_ADMIN and above")
		default:
			parts = append(parts, string(r))
		}
	}
	for _, k := range p.Kinds {
		parts = append(parts, "device "+string(k))
	}
	return strings.Join(parts, ", ")
}

// Body wraps a response body (huma reads the Body field).
type Body[T any] struct {
	Body T
}

// Created wraps a 201 response body.
type Created[T any] struct {
	Status int `json:"-"`
	Body   T
}

func (*Created[T]) created() {}

// NewCreated returns a 201 response.
func NewCreated[T any](v T) *Created[T] { return &Created[T]{Status: http.StatusCreated, Body: v} }

// IDPath is the input of operations on /…/{id}.
type IDPath struct {
	ID int64 `path:"id" minimum:"1" doc:"The object's id."`
}
