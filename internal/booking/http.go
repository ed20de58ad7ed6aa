package booking

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

// Who may do what. Club admins configure resources; staff manage every
// booking; a MEMBER books for itself and sees and cancels its own bookings;
// trainers read.
var (
	readResources   = auth.Allow(auth.Staff, auth.Trainer, auth.Member)
	manageResources = auth.Allow(auth.ClubAdmin)
	readBookings    = auth.Allow(auth.Staff, auth.Trainer, auth.Member)
	bookOrCancel    = auth.Allow(auth.Staff, auth.Member)
	manageBookings  = auth.Allow(auth.Staff)
	feedTokens      = auth.Allow(auth.Staff)
)

type resourceListIn struct {
	TypeCd   string `query:"typeCd" enum:"ROOM,AREA,EQUIPMENT,VEHICLE,PERSONNEL" doc:"Only resources of this type."`
	StatusCd string `query:"statusCd" enum:"AVAILABLE,MAINTENANCE,RETIRED" doc:"Only resources in this status."`
	httpapi.PageQuery
}

type resourceCreateIn struct{ Body ResourceInput }

type resourceUpdateBody struct {
	ResourceInput
	Version int64 `json:"version" minimum:"1" doc:"The version you read; a stale one answers 409."`
}

type resourceUpdateIn struct {
	httpapi.IDPath
	Body resourceUpdateBody
}

type retireIn struct {
	httpapi.IDPath
	CancelFutureBookings bool `query:"cancelFutureBookings" doc:"Cancel the resource's future bookings (events are emitted) instead of refusing with 409."`
}

type windowIn struct {
	httpapi.IDPath
	From time.Time `query:"from" required:"true" doc:"Window start, RFC 3339."`
	To   time.Time `query:"to" required:"true" doc:"Window end (exclusive), RFC 3339; at most 366 days after from."`
}

type feedIn struct {
	httpapi.IDPath
	Token string `query:"token" maxLength:"100" doc:"The resource's feed token (POST /api/resources/{id}/calendar-token), for calendar apps that cannot send an Authorization header."`
}

type feedOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

type bookingCreateIn struct {
	SkipConflicts bool `query:"skipConflicts" doc:"Create a series without its conflicting occurrences (they become EXDATEs and are listed in skipped) instead of refusing with 409."`
	Body          BookingInput
}

type bookingListIn struct {
	ResourceID         int64     `query:"resourceId" minimum:"0" doc:"Only occurrences of this resource."`
	From               time.Time `query:"from" doc:"Window start, RFC 3339; default now."`
	To                 time.Time `query:"to" doc:"Window end (exclusive), RFC 3339; default from + 7 days; at most 366 days after from."`
	IncludeCancelled   bool      `query:"includeCancelled" doc:"Also list the occurrences of cancelled bookings."`
	IncludeMaintenance bool      `query:"includeMaintenance" doc:"Also list the resources' maintenance-window occurrences, as items with bookedForType MAINTENANCE and bookingId null."`
	Page               int       `query:"page" minimum:"0" maximum:"1000000" default:"0" doc:"0-based page number."`
	Size               int       `query:"size" minimum:"1" maximum:"200" default:"200" doc:"Occurrences per page (at most 200)."`
}

type bookingUpdateIn struct {
	httpapi.IDPath
	SkipConflicts bool `query:"skipConflicts" doc:"Re-materialise a series without its conflicting occurrences (they become EXDATEs and are listed in skipped) instead of refusing with 409."`
	Body          BookingUpdate
}

type cancelBody struct {
	OccurrenceStart *time.Time `json:"occurrenceStart,omitempty" doc:"Cancel only the occurrence of a series that starts here (its current start, or the original start of a moved one). Absent: the whole booking."`
}

type cancelIn struct {
	httpapi.IDPath
	Body *cancelBody `required:"false"`
}

type rescheduleBody struct {
	StartDateTime   time.Time  `json:"startDateTime"`
	EndDateTime     time.Time  `json:"endDateTime"`
	OccurrenceStart *time.Time `json:"occurrenceStart,omitempty" doc:"Move only this occurrence of a series. Absent: the single booking, or the whole series (only before it starts)."`
}

type rescheduleIn struct {
	httpapi.IDPath
	Body rescheduleBody
}

// Routes registers the resource and booking operations.
func Routes(api huma.API, svc *Service) {
	tag := []string{"Resources"}
	httpapi.Register(api, huma.Operation{OperationID: "listResources", Method: http.MethodGet, Path: "/api/resources", Tags: tag,
		Summary: "List resources"}, readResources,
		func(ctx context.Context, p *auth.Principal, in *resourceListIn) (*httpapi.Body[httpapi.Page[Resource]], error) {
			items, total, err := svc.ListResources(ctx, ScopeOf(p), in.TypeCd, in.StatusCd, in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[Resource]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "createResource", Method: http.MethodPost, Path: "/api/resources", Tags: tag,
		Summary:     "Create a resource",
		Description: "Maintenance windows are held like bookings (kind MAINTENANCE) up to the booking horizon; a window that collides with an existing booking answers 409 with conflicts.",
		Errors:      []int{409}}, manageResources,
		func(ctx context.Context, p *auth.Principal, in *resourceCreateIn) (*httpapi.Created[*Resource], error) {
			r, err := svc.CreateResource(ctx, ScopeOf(p), in.Body)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(r), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getResource", Method: http.MethodGet, Path: "/api/resources/{id}", Tags: tag,
		Summary: "Get a resource with its current and upcoming bookings", Errors: []int{404}}, readResources,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*ResourceDetail], error) {
			r, err := svc.GetResource(ctx, ScopeOf(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*ResourceDetail]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "updateResource", Method: http.MethodPut, Path: "/api/resources/{id}", Tags: tag,
		Summary: "Update a resource", Errors: []int{404, 409}}, manageResources,
		func(ctx context.Context, p *auth.Principal, in *resourceUpdateIn) (*httpapi.Body[*Resource], error) {
			r, err := svc.UpdateResource(ctx, ScopeOf(p), in.ID, in.Body.Version, in.Body.ResourceInput)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Resource]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "retireResource", Method: http.MethodDelete, Path: "/api/resources/{id}", Tags: tag,
		Summary:     "Retire a resource",
		Description: "A retired resource takes no new bookings and keeps its history. With future bookings this answers 409 (bookingIds) unless ?cancelFutureBookings=true.",
		Errors:      []int{404, 409}}, manageResources,
		func(ctx context.Context, p *auth.Principal, in *retireIn) (*httpapi.Body[*Resource], error) {
			r, err := svc.RetireResource(ctx, ScopeOf(p), in.ID, in.CancelFutureBookings)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Resource]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getResourceAvailability", Method: http.MethodGet, Path: "/api/resources/{id}/availability", Tags: tag,
		Summary:     "Busy and free intervals of a resource",
		Description: "busy: bookings (kind BOOKING for members' bookings, COURSE, EVENT, MAINTENANCE) and maintenance windows, clipped to the window; free: the gaps. Tentative bookings are listed apart and do not make the resource busy.",
		Errors:      []int{404}}, readResources,
		func(ctx context.Context, p *auth.Principal, in *windowIn) (*httpapi.Body[*Availability], error) {
			if err := windowProblem(in.From, in.To); err != nil {
				return nil, err
			}
			a, err := svc.Availability(ctx, ScopeOf(p), in.ID, in.From, in.To)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Availability]{Body: a}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "rotateResourceCalendarToken", Method: http.MethodPost, Path: "/api/resources/{id}/calendar-token", Tags: tag,
		Summary:     "Issue a new calendar feed token",
		Description: "Returns a secret for the resource's .ics feed URL (?token=…), shown once; only its hash is stored. Issuing a new one revokes the old.",
		Errors:      []int{404}}, feedTokens,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Created[*FeedToken], error) {
			t, err := svc.RotateFeedToken(ctx, ScopeOf(p), in.ID)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(t), nil
		})
	registerFeed(api, svc)

	btag := []string{"Bookings"}
	httpapi.Register(api, huma.Operation{OperationID: "createBooking", Method: http.MethodPost, Path: "/api/bookings", Tags: btag,
		Summary: "Book a resource (single or recurring)",
		Description: "Every occurrence is checked against the resource's bookings and maintenance windows, enforced by the database: " +
			"two overlapping CONFIRMED bookings of one resource can never both exist; adjacent ones (end == start) can. " +
			"A conflict answers 409 with conflicts:[{bookingId,kind,start,end,wantedStart,wantedEnd}]. " +
			"A series with COUNT or UNTIL is checked in full (at most 10000 occurrences); one without an end is checked and held up to the booking horizon " +
			"(2 years by default), and the horizon moves on daily: an occurrence that then meets an existing booking is skipped (EXDATE) and booking.cancelled " +
			"is emitted with reason HORIZON_CONFLICT. A MEMBER books for itself only.",
		Errors: []int{409}}, bookOrCancel,
		func(ctx context.Context, p *auth.Principal, in *bookingCreateIn) (*httpapi.Created[*Created], error) {
			b, err := svc.CreateBooking(ctx, ScopeOf(p), in.Body, in.SkipConflicts)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(b), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listBookings", Method: http.MethodGet, Path: "/api/bookings", Tags: btag,
		Summary:     "Calendar: booking occurrences in a window",
		Description: "Series are expanded in the organisation's time zone, only inside the window. A MEMBER sees its own bookings only.",
		Errors:      []int{404}}, readBookings,
		func(ctx context.Context, p *auth.Principal, in *bookingListIn) (*httpapi.Body[httpapi.Page[Occurrence]], error) {
			from, to := in.From, in.To
			if from.IsZero() {
				from = svc.Clock.Now()
			}
			if to.IsZero() {
				to = from.Add(7 * 24 * time.Hour)
			}
			if err := windowProblem(from, to); err != nil {
				return nil, err
			}
			var rid *int64
			if in.ResourceID > 0 {
				rid = &in.ResourceID
			}
			occ, err := svc.Occurrences(ctx, ScopeOf(p), rid, from, to, in.IncludeCancelled)
			if err != nil {
				return nil, err
			}
			if in.IncludeMaintenance {
				if occ, err = svc.WithMaintenance(ctx, ScopeOf(p), rid, from, to, occ); err != nil {
					return nil, err
				}
			}
			q := httpapi.PageQuery{Page: in.Page, Size: in.Size}
			lo := min(q.Offset(), len(occ))
			hi := min(lo+q.Size, len(occ))
			return &httpapi.Body[httpapi.Page[Occurrence]]{Body: httpapi.NewPage(occ[lo:hi], q, len(occ))}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getBooking", Method: http.MethodGet, Path: "/api/bookings/{id}", Tags: btag,
		Summary: "Get a booking", Errors: []int{404}}, readBookings,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*Booking], error) {
			b, err := svc.GetBooking(ctx, ScopeOf(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Booking]{Body: b}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "cancelBooking", Method: http.MethodPost, Path: "/api/bookings/{id}/cancel", Tags: btag,
		Summary:     "Cancel a booking or one occurrence",
		Description: "Frees the slot at once and emits booking.cancelled. A MEMBER cancels its own bookings only.",
		Errors:      []int{404, 409}}, bookOrCancel,
		func(ctx context.Context, p *auth.Principal, in *cancelIn) (*httpapi.Body[*Booking], error) {
			var occ *time.Time
			if in.Body != nil {
				occ = in.Body.OccurrenceStart
			}
			b, err := svc.Cancel(ctx, ScopeOf(p), in.ID, occ)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Booking]{Body: b}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "rescheduleBooking", Method: http.MethodPost, Path: "/api/bookings/{id}/reschedule", Tags: btag,
		Summary:     "Move a booking or one occurrence",
		Description: "Atomic: the old slot is released and the new one taken in one transaction; if the new time conflicts nothing changes (409 with conflicts).",
		Errors:      []int{404, 409}}, manageBookings,
		func(ctx context.Context, p *auth.Principal, in *rescheduleIn) (*httpapi.Body[*Booking], error) {
			b, err := svc.Reschedule(ctx, ScopeOf(p), in.ID, in.Body.StartDateTime, in.Body.EndDateTime, in.Body.OccurrenceStart)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Booking]{Body: b}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "updateBooking", Method: http.MethodPut, Path: "/api/bookings/{id}", Tags: btag,
		Summary: "Edit a booking (title, notes, booked-for, times, recurrence rule)",
		Description: "Title, notes and booked-for change in place (booking.updated). A new time or rule re-materialises the booking's future occurrences " +
			"atomically with the same conflict checks as a create: a conflict answers 409 with conflicts and nothing changes; ?skipConflicts=true leaves the " +
			"conflicting occurrences of a series out (skipped). A series that has started is split: occurrences that started before now stay, unchanged, " +
			"in a new booking (historyBookingId); moves and cancellations of future occurrences are dropped (booking.rescheduled). A stale version answers 409.",
		Errors: []int{404, 409}}, manageBookings,
		func(ctx context.Context, p *auth.Principal, in *bookingUpdateIn) (*httpapi.Body[*Updated], error) {
			b, err := svc.Update(ctx, ScopeOf(p), in.ID, in.Body, in.SkipConflicts)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Updated]{Body: b}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "confirmBooking", Method: http.MethodPost, Path: "/api/bookings/{id}/confirm", Tags: btag,
		Summary: "Confirm a tentative booking", Description: "Its future occurrences are checked and held like a new booking.",
		Errors: []int{404, 409}}, manageBookings,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*Booking], error) {
			b, err := svc.Confirm(ctx, ScopeOf(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*Booking]{Body: b}, nil
		})
}

// registerFeed adds the .ics feed. It admits two credentials, so it is
// registered with huma directly: a STAFF+ bearer token, or the resource's feed
// token in the query (calendar apps cannot send headers). The request log
// never records query strings, so the token stays out of the logs.
func registerFeed(api huma.API, svc *Service) {
	oapi := api.OpenAPI()
	if oapi.Components.SecuritySchemes == nil {
		oapi.Components.SecuritySchemes = map[string]*huma.SecurityScheme{}
	}
	oapi.Components.SecuritySchemes["feedToken"] = &huma.SecurityScheme{Type: "apiKey", In: "query", Name: "token",
		Description: "A resource's calendar feed token (POST /api/resources/{id}/calendar-token); valid only for that resource's .ics feed."}
	huma.Register(api, huma.Operation{OperationID: "getResourceCalendar", Method: http.MethodGet, Path: "/api/resources/{id}/calendar.ics",
		Tags: []string{"Resources"}, Summary: "iCalendar feed of a resource",
		Description: "RFC 5545 feed with VTIMEZONE, series as RRULE + EXDATE, moved occurrences as RECURRENCE-ID overrides, and maintenance windows. " +
			"Subscribe with the feed token: /api/resources/{id}/calendar.ics?token=ghf_…\n\n**Who may call:** STAFF and above (bearer), or anyone with the resource's feed token.",
		Security: []map[string][]string{{"bearer": {}}, {"feedToken": {}}},
		Errors:   []int{400, 401, 403, 404, 422},
		Responses: map[string]*huma.Response{"200": {Description: "The feed", Content: map[string]*huma.MediaType{
			"text/calendar": {Schema: &huma.Schema{Type: "string"}}}}},
	}, func(ctx context.Context, in *feedIn) (*feedOut, error) {
		var sc Scope
		if p := auth.FromContext(ctx); p != nil {
			if p.Role == auth.Device || !p.AtLeast(auth.Staff) {
				return nil, httpapi.NewProblem(http.StatusForbidden, "your role may not do this")
			}
			sc = ScopeOf(p)
		} else if in.Token != "" {
			var err error
			if sc, err = svc.resourceByFeedToken(ctx, in.ID, in.Token); err != nil {
				return nil, httpapi.FromError(ctx, err)
			}
		} else {
			return nil, httpapi.NewProblem(http.StatusUnauthorized, "authentication required: send Authorization: Bearer <token> or ?token=<feed token>")
		}
		body, err := svc.Feed(ctx, sc, in.ID)
		if err != nil {
			return nil, httpapi.FromError(ctx, err)
		}
		return &feedOut{ContentType: "text/calendar; charset=utf-8",
			ContentDisposition: `inline; filename="resource-` + strconv.FormatInt(in.ID, 10) + `.ics"`, Body: body}, nil
	})
}

// windowProblem checks a query window, naming the query parameter at fault.
func windowProblem(from, to time.Time) error {
	msg := ""
	switch {
	case !to.After(from):
		msg = "must be after from"
	case to.Sub(from) > MaxWindow:
		msg = "must be at most 366 days after from"
	default:
		return nil
	}
	p := httpapi.NewProblem(http.StatusUnprocessableEntity, "to: "+msg)
	p.Errors = []*huma.ErrorDetail{{Location: "query.to", Message: msg}}
	return p
}
