package course

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

// Who may do what. Club admins and trainers manage courses (a trainer only
// its own); staff register anyone and mark attendance; a MEMBER registers
// and cancels itself.
var (
	readCourses   = auth.Allow(auth.Staff, auth.Trainer, auth.Member)
	manageCourses = auth.Allow(auth.ClubAdmin, auth.Trainer)
	registerPol   = auth.Allow(auth.Staff, auth.Member)
	rosterPol     = auth.Allow(auth.Staff, auth.Trainer)
	memberOnly    = auth.Allow(auth.Member)
)

type listIn struct {
	StatusCd         string `query:"statusCd" enum:"ACTIVE,PAUSED,CANCELLED" doc:"Only courses in this status."`
	CategoryCd       string `query:"categoryCd" enum:"FITNESS,YOGA,MARTIAL_ARTS,DANCE,SWIMMING,OTHER"`
	InstructorUserID int64  `query:"instructorUserId" minimum:"0"`
	ResourceID       int64  `query:"resourceId" minimum:"0"`
	httpapi.PageQuery
}

type createIn struct {
	SkipConflicts bool `query:"skipConflicts" doc:"Leave out the sessions whose resource slot is taken (listed in skipped) instead of refusing with 409."`
	Body          CourseInput
}

type courseUpdateBody struct {
	CourseInput
	Version int64 `json:"version" minimum:"1" doc:"The version you read; a stale one answers 409."`
}

type updateIn struct {
	httpapi.IDPath
	SkipConflicts bool `query:"skipConflicts" doc:"On a schedule change: leave out the sessions whose resource slot is taken."`
	Body          courseUpdateBody
}

type courseRegisterBody struct {
	MemberID int64 `json:"memberId,omitempty" minimum:"0" doc:"The member; a MEMBER caller may leave it out (itself)."`
}

type registerIn struct {
	httpapi.IDPath
	Body courseRegisterBody
}

type unregisterIn struct {
	httpapi.IDPath
	MemberID int64 `path:"memberId" minimum:"1"`
}

type participantsIn struct {
	httpapi.IDPath
	SessionDate string `query:"sessionDate" doc:"YYYY-MM-DD (local); default the next session."`
}

type courseAttendanceBody struct {
	SessionDate string           `json:"sessionDate" doc:"YYYY-MM-DD, the local date of the session."`
	Attendance  []AttendanceMark `json:"attendance" maxItems:"1000"`
}

type attendanceIn struct {
	httpapi.IDPath
	Body courseAttendanceBody
}

type feedOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func parseDate(s, loc string) (*clock.Date, error) {
	if s == "" {
		return nil, nil
	}
	d, err := clock.ParseDate(s)
	if err != nil {
		p := httpapi.NewProblem(http.StatusUnprocessableEntity, loc+": "+err.Error())
		p.Errors = []*huma.ErrorDetail{{Location: loc, Message: err.Error(), Value: s}}
		return nil, p
	}
	return &d, nil
}

// Routes registers the course operations.
func Routes(api huma.API, svc *Service) {
	tag := []string{"Courses"}
	httpapi.Register(api, huma.Operation{OperationID: "listCourses", Method: http.MethodGet, Path: "/api/courses", Tags: tag,
		Summary: "List courses"}, readCourses,
		func(ctx context.Context, p *auth.Principal, in *listIn) (*httpapi.Body[httpapi.Page[Course]], error) {
			items, total, err := svc.List(ctx, ScopeOf(p), ListFilter{StatusCd: in.StatusCd, CategoryCd: in.CategoryCd,
				InstructorUserID: in.InstructorUserID, ResourceID: in.ResourceID}, in.Size, in.Offset())
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[httpapi.Page[Course]]{Body: httpapi.NewPage(items, in.PageQuery, total)}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "createCourse", Method: http.MethodPost, Path: "/api/courses", Tags: tag,
		Summary: "Create a course",
		Description: "The schedule (recurrenceRule from startDate at startTime, durationMinutes, until endDate) is expanded in the organisation's time zone. " +
			"With a resourceId every session from now on is booked on the resource (one series booking, bookedForType COURSE); a session that collides " +
			"with another booking answers 409 with conflictingSessions (and the booking service's conflicts), unless ?skipConflicts=true. A TRAINER creates its own courses.",
		Errors: []int{409}}, manageCourses,
		func(ctx context.Context, p *auth.Principal, in *createIn) (*httpapi.Created[*CourseSaved], error) {
			c, err := svc.Create(ctx, ScopeOf(p), in.Body, in.SkipConflicts)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(c), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getCourse", Method: http.MethodGet, Path: "/api/courses/{id}", Tags: tag,
		Summary: "Get a course with its next sessions", Errors: []int{404}}, readCourses,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[*CourseDetail], error) {
			c, err := svc.Get(ctx, ScopeOf(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*CourseDetail]{Body: c}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "updateCourse", Method: http.MethodPut, Path: "/api/courses/{id}", Tags: tag,
		Summary: "Update, reschedule, pause or cancel a course",
		Description: "A schedule or resource change releases the old booking from now on and books the new schedule (409 with conflictingSessions, " +
			"or ?skipConflicts=true). PAUSED and CANCELLED release the future sessions; CANCELLED is final. A raised maxParticipants promotes from the wait list.",
		Errors: []int{404, 409}}, manageCourses,
		func(ctx context.Context, p *auth.Principal, in *updateIn) (*httpapi.Body[*CourseSaved], error) {
			c, err := svc.Update(ctx, ScopeOf(p), in.ID, in.Body.Version, in.Body.CourseInput, in.SkipConflicts)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*CourseSaved]{Body: c}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "registerForCourse", Method: http.MethodPost, Path: "/api/courses/{id}/register", Tags: tag,
		Summary: "Register a member for a course",
		Description: "REGISTERED while seats are free; when full, WAIT_LIST (with waitListPosition) if the course has a wait list, else 409 (course-full). " +
			"The member needs an active contract (409 contract-inactive); a second active registration is 409 (duplicate). Emits course.registered or course.waitlisted.",
		Errors: []int{404, 409}}, registerPol,
		func(ctx context.Context, p *auth.Principal, in *registerIn) (*httpapi.Created[*CourseRegistration], error) {
			mid := in.Body.MemberID
			if mid == 0 {
				if p.Role != auth.Member || p.MemberID == nil {
					return nil, apperr.Field("memberId", "is required")
				}
				mid = *p.MemberID
			}
			r, err := svc.Register(ctx, ScopeOf(p), in.ID, mid)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(r), nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "cancelCourseRegistration", Method: http.MethodDelete, Path: "/api/courses/{id}/register/{memberId}",
		Tags: tag, Summary: "Cancel a registration",
		Description: "Cancels the member's active registration (or wait-list place). A freed seat goes to the first on the wait list in the same " +
			"transaction (course.promoted), exactly once, in registration order. Emits course.cancelled.",
		Errors: []int{404}}, registerPol,
		func(ctx context.Context, p *auth.Principal, in *unregisterIn) (*httpapi.Body[*CourseRegistration], error) {
			r, err := svc.CancelRegistration(ctx, ScopeOf(p), in.ID, in.MemberID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*CourseRegistration]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listCourseRegistrations", Method: http.MethodGet, Path: "/api/courses/{id}/registrations",
		Tags: tag, Summary: "All registrations of a course, in registration order", Errors: []int{404}}, rosterPol,
		func(ctx context.Context, p *auth.Principal, in *httpapi.IDPath) (*httpapi.Body[[]CourseRegistration], error) {
			rs, err := svc.Registrations(ctx, ScopeOf(p), in.ID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[[]CourseRegistration]{Body: rs}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "getCourseParticipants", Method: http.MethodGet, Path: "/api/courses/{id}/participants",
		Tags: tag, Summary: "Roster of a session", Description: "REGISTERED members with their attendance for the session, and the wait list.",
		Errors: []int{404}}, rosterPol,
		func(ctx context.Context, p *auth.Principal, in *participantsIn) (*httpapi.Body[*CourseRoster], error) {
			d, err := parseDate(in.SessionDate, "query.sessionDate")
			if err != nil {
				return nil, err
			}
			r, err := svc.Participants(ctx, ScopeOf(p), in.ID, d)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*CourseRoster]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "markCourseAttendance", Method: http.MethodPost, Path: "/api/courses/{id}/attendance",
		Tags: tag, Summary: "Mark attendance for a session",
		Description: "sessionDate must be a session of the course's schedule that has begun. Overrides automatic check-in marks.",
		Errors:      []int{404}}, rosterPol,
		func(ctx context.Context, p *auth.Principal, in *attendanceIn) (*httpapi.Body[*CourseRoster], error) {
			if in.Body.SessionDate == "" {
				return nil, apperr.Field("sessionDate", "is required")
			}
			d, err := clock.ParseDate(in.Body.SessionDate)
			if err != nil {
				return nil, apperr.Field("sessionDate", "%s", err.Error())
			}
			r, err := svc.MarkAttendance(ctx, ScopeOf(p), in.ID, d, in.Body.Attendance)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[*CourseRoster]{Body: r}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "listMyCourses", Method: http.MethodGet, Path: "/api/me/courses", Tags: tag,
		Summary: "The caller's courses (MEMBER)", Description: "Active registrations (REGISTERED and WAIT_LIST with position) with their next sessions."},
		memberOnly,
		func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Body[[]MyCourse], error) {
			if p.MemberID == nil {
				return &httpapi.Body[[]MyCourse]{Body: []MyCourse{}}, nil
			}
			out, err := svc.MyCourses(ctx, ScopeOf(p), *p.MemberID)
			if err != nil {
				return nil, err
			}
			return &httpapi.Body[[]MyCourse]{Body: out}, nil
		})
	httpapi.Register(api, huma.Operation{OperationID: "rotateMyCoursesFeedToken", Method: http.MethodPost, Path: "/api/me/courses/feed-token", Tags: tag,
		Summary:     "Issue a new feed token for the caller's courses (MEMBER)",
		Description: "Returns a secret for GET /api/me/courses.ics?token=…, for calendar apps that cannot send an Authorization header. Shown once; only its hash is stored. Issuing a new one revokes the old.",
		Errors:      []int{404}}, memberOnly,
		func(ctx context.Context, p *auth.Principal, _ *struct{}) (*httpapi.Created[*CourseFeedToken], error) {
			if p.MemberID == nil {
				return nil, apperr.NotFound("member")
			}
			t, err := svc.RotateFeedToken(ctx, ScopeOf(p), *p.MemberID)
			if err != nil {
				return nil, err
			}
			return httpapi.NewCreated(t), nil
		})
	registerMemberFeed(api, svc)
	registerPublic(api, svc)
}

type memberFeedIn struct {
	Token string `query:"token" maxLength:"100" doc:"The member's course feed token (POST /api/me/courses/feed-token), for calendar apps that cannot send an Authorization header."`
}

// registerMemberFeed adds the member's own course feed. It admits two
// credentials, so it is registered with huma directly: a MEMBER bearer token,
// or the member's course feed token in the query (calendar apps cannot send
// headers). The request log never records query strings.
func registerMemberFeed(api huma.API, svc *Service) {
	oapi := api.OpenAPI()
	if oapi.Components.SecuritySchemes == nil {
		oapi.Components.SecuritySchemes = map[string]*huma.SecurityScheme{}
	}
	oapi.Components.SecuritySchemes["courseFeedToken"] = &huma.SecurityScheme{Type: "apiKey", In: "query", Name: "token",
		Description: "A member's course feed token (POST /api/me/courses/feed-token); valid only for GET /api/me/courses.ics."}
	huma.Register(api, huma.Operation{OperationID: "getMyCoursesCalendar", Method: http.MethodGet, Path: "/api/me/courses.ics", Tags: []string{"Courses"},
		Summary: "iCalendar feed of the caller's courses (MEMBER)",
		Description: "The member's REGISTERED courses as recurring VEVENTs. Subscribe with the feed token: /api/me/courses.ics?token=ghm_…\n\n" +
			"**Who may call:** MEMBER (bearer), or anyone with the member's course feed token.",
		Security: []map[string][]string{{"bearer": {}}, {"courseFeedToken": {}}},
		Errors:   []int{400, 401, 403, 422},
		Responses: map[string]*huma.Response{"200": {Description: "The feed", Content: map[string]*huma.MediaType{
			"text/calendar": {Schema: &huma.Schema{Type: "string"}}}}},
	}, func(ctx context.Context, in *memberFeedIn) (*feedOut, error) {
		var sc Scope
		if p := auth.FromContext(ctx); p != nil {
			if !memberOnly.Admits(p) {
				return nil, httpapi.NewProblem(http.StatusForbidden, "your role may not do this")
			}
			sc = ScopeOf(p)
		} else if in.Token != "" {
			var err error
			if sc, err = svc.memberByFeedToken(ctx, in.Token); err != nil {
				return nil, httpapi.FromError(ctx, err)
			}
		} else {
			return nil, httpapi.NewProblem(http.StatusUnauthorized, "authentication required: send Authorization: Bearer <token> or ?token=<feed token>")
		}
		var mid int64 = -1
		if sc.MemberID != nil {
			mid = *sc.MemberID
		}
		b, err := svc.MemberFeed(ctx, sc, mid)
		if err != nil {
			return nil, httpapi.FromError(ctx, err)
		}
		return &feedOut{ContentType: "text/calendar; charset=utf-8", ContentDisposition: `inline; filename="my-courses.ics"`, Body: b}, nil
	})
}

// registerPublic adds the public schedule and its .ics feed. Both live on
// /api/courses/schedule/{entityId}[.ics], which Go's ServeMux cannot route
// next to /api/courses/{id}/participants (neither pattern is more specific),
// nor split inside a segment. So one handler is routed on the more general
// pattern /api/courses/{segment}/{entityId} (participants stays the more
// specific one) and answers only for segment "schedule"; the two operations
// are documented as the API contract names them.
func registerPublic(api huma.API, svc *Service) {
	oapi := api.OpenAPI()
	schema := oapi.Components.Schemas.Schema(reflect.TypeFor[CourseSchedule](), true, "Schedule")
	problem := map[string]*huma.MediaType{"application/problem+json": {Schema: oapi.Components.Schemas.Schema(reflect.TypeFor[httpapi.Problem](), true, "")}}
	errs := map[string]*huma.Response{}
	for _, code := range []string{"404", "422"} {
		errs[code] = &huma.Response{Description: http.StatusText(atoi(code)), Content: problem}
	}
	entityParam := &huma.Param{Name: "entityId", In: "path", Required: true, Schema: &huma.Schema{Type: "integer", Format: "int64", Minimum: ptr(1.0)}}
	// An empty security requirement: no authentication.
	public := []map[string][]string{{}}
	jsonResp := map[string]*huma.Response{"200": {Description: "The week's sessions", Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}}
	for k, v := range errs {
		jsonResp[k] = v
	}
	oapi.AddOperation(&huma.Operation{OperationID: "getCourseSchedule", Method: http.MethodGet, Path: "/api/courses/schedule/{entityId}",
		Tags: []string{"Courses"}, Summary: "Public weekly course schedule",
		Description: "No authentication. The sessions of the ISO week (Monday–Sunday, organisation's time zone) that contains ?week=YYYY-MM-DD (default this week): " +
			"course, time, room, instructor display name and free seats; no personal data.",
		Security: public,
		Parameters: []*huma.Param{entityParam, {Name: "week", In: "query", Schema: &huma.Schema{Type: "string", Format: "date"},
			Description: "Any day of the wanted week, YYYY-MM-DD."}},
		Responses: jsonResp})
	icsResp := map[string]*huma.Response{"200": {Description: "The feed", Content: map[string]*huma.MediaType{"text/calendar": {Schema: &huma.Schema{Type: "string"}}}}}
	for k, v := range errs {
		icsResp[k] = v
	}
	oapi.AddOperation(&huma.Operation{OperationID: "getCourseScheduleCalendar", Method: http.MethodGet, Path: "/api/courses/schedule/{entityId}.ics",
		Tags: []string{"Courses"}, Summary: "Public iCalendar feed of the course schedule",
		Description: "No authentication. Every ACTIVE course as a recurring VEVENT (DTSTART with TZID, RRULE, EXDATE) with a VTIMEZONE.",
		Security:    public, Parameters: []*huma.Param{entityParam}, Responses: icsResp})

	api.Adapter().Handle(&huma.Operation{Method: http.MethodGet, Path: "/api/courses/{segment}/{entityId}"}, func(hc huma.Context) {
		r, w := humago.Unwrap(hc)
		ctx := r.Context()
		if r.PathValue("segment") != "schedule" {
			httpapi.WriteProblem(w, httpapi.NewProblem(http.StatusNotFound, "no API operation GET "+r.URL.Path))
			return
		}
		raw := r.PathValue("entityId")
		ics := strings.HasSuffix(raw, ".ics")
		id, err := strconv.ParseInt(strings.TrimSuffix(raw, ".ics"), 10, 64)
		if err != nil || id < 1 {
			p := httpapi.NewProblem(http.StatusUnprocessableEntity, "entityId: must be a positive integer")
			p.Errors = []*huma.ErrorDetail{{Location: "path.entityId", Message: "must be a positive integer", Value: raw}}
			httpapi.WriteProblem(w, p)
			return
		}
		if ics {
			b, err := svc.PublicFeed(ctx, id)
			if err != nil {
				httpapi.WriteProblem(w, httpapi.FromError(ctx, err))
				return
			}
			w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
			w.Header().Set("Content-Disposition", `inline; filename="courses-`+strconv.FormatInt(id, 10)+`.ics"`)
			_, _ = w.Write(b)
			return
		}
		week, err := parseDate(r.URL.Query().Get("week"), "query.week")
		if err != nil {
			httpapi.WriteProblem(w, httpapi.FromError(ctx, err))
			return
		}
		sch, err := svc.WeekSchedule(ctx, id, week)
		if err != nil {
			httpapi.WriteProblem(w, httpapi.FromError(ctx, err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		_ = json.NewEncoder(w).Encode(sch)
	})
}

func ptr[T any](v T) *T { return &v }

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
