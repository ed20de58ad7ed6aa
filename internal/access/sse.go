package access

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/events"
	"github.com/gatehouse/gatehouse/internal/httpapi"
)

type liveFeedIn struct {
	ZoneQuery
	Accept string `header:"Accept" doc:"text/event-stream for the live stream; anything else for the JSON list."`
}

// wantsStream reports whether the Accept header asks for server-sent events.
func wantsStream(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// registerLiveFeed registers GET /api/checkin/live-feed: the newest check-ins as
// JSON, or — with Accept: text/event-stream — a stream of new ones as they are
// decided, by this process or any other replica (the bus tails the outbox).
func registerLiveFeed(api huma.API, svc *Service, tags []string) {
	schema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[LiveFeed](), true, "LiveFeed")
	op := huma.Operation{OperationID: "liveFeed", Method: http.MethodGet, Path: "/api/checkin/live-feed", Tags: tags,
		Summary: "The live check-in feed",
		Description: "Without `Accept: text/event-stream`: the last 50 check-ins of the organisation as JSON, newest first. " +
			"With it: a server-sent event stream. Each decision or check-out is one event (`event: checkin.granted|checkin.denied|checkin.checkout`, `id:` the event id, `data:` the CheckIn as JSON); " +
			"a comment line (`: ping`) is sent every 15 s while idle. The stream carries the decisions of every replica. Read the JSON list first, then follow the stream.",
		Errors: []int{404},
		Responses: map[string]*huma.Response{"200": {Description: "The feed", Content: map[string]*huma.MediaType{
			"application/json":  {Schema: schema},
			"text/event-stream": {Schema: &huma.Schema{Type: "string", Description: "Server-sent events; data is a CheckIn as JSON."}},
		}}}}
	httpapi.Register(api, op, liveFeedPolicy, func(ctx context.Context, p *auth.Principal, in *liveFeedIn) (*huma.StreamResponse, error) {
		zone := in.ptr()
		if !wantsStream(in.Accept) {
			items, err := svc.RecentCheckIns(ctx, scope(p), zone, LiveFeedSize)
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", "application/json")
				hc.SetStatus(http.StatusOK)
				_ = json.NewEncoder(hc.BodyWriter()).Encode(LiveFeed{Items: items})
			}}, nil
		}
		if zone != nil {
			if ok, err := svc.ZoneExists(ctx, p.EntityID, *zone); err != nil {
				return nil, err
			} else if !ok {
				return nil, httpapi.NewProblem(http.StatusNotFound, "zone not found")
			}
		}
		return &huma.StreamResponse{Body: func(hc huma.Context) {
			svc.stream(hc.Context(), p.EntityID, zone, hc)
		}}, nil
	})
}

// streamTarget is the part of huma.Context a stream writes to.
type streamTarget interface {
	SetHeader(name, value string)
	SetStatus(code int)
	BodyWriter() io.Writer
}

// stream writes server-sent events until the client goes or the server stops.
func (s *Service) stream(ctx context.Context, entityID int64, zoneID *int64, hc streamTarget) {
	// Subscribe before answering, so nothing decided after the client's request
	// reached us is missed.
	sub := s.Bus.Subscribe(func(e events.Event) bool {
		if e.EntityID != entityID || !strings.HasPrefix(e.Type, "checkin.") {
			return false
		}
		if zoneID == nil {
			return true
		}
		var z struct {
			ZoneID *int64 `json:"zoneId"`
		}
		return json.Unmarshal(e.Data, &z) == nil && z.ZoneID != nil && *z.ZoneID == *zoneID
	})
	defer sub.Close()
	hc.SetHeader("Content-Type", "text/event-stream")
	hc.SetHeader("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	hc.SetStatus(http.StatusOK)
	w := hc.BodyWriter()
	flush := func() bool {
		if rw, ok := w.(http.ResponseWriter); ok {
			return http.NewResponseController(rw).Flush() == nil
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		return true
	}
	if _, err := io.WriteString(w, "retry: 3000\n: connected\n\n"); err != nil || !flush() {
		return
	}
	beat := time.NewTicker(s.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stopped:
			return
		case <-beat.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil || !flush() {
				return
			}
		case e := <-sub.C:
			// Event data is one line of JSON, so a single data: field suffices.
			if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", e.ID, e.Type, e.Data); err != nil || !flush() {
				return
			}
		}
	}
}
