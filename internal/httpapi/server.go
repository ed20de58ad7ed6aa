package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Deps are what the core routes need.
type Deps struct {
	DB      *store.DB
	Auth    *auth.Service
	Version string
	UI      http.Handler
}

// Server holds the router and the OpenAPI-aware API that features register on.
type Server struct {
	Mux  *http.ServeMux
	API  huma.API
	deps Deps
}

// New builds the server with the core routes: health, metrics, OpenAPI, docs,
// authentication, organisations, users and devices.
func New(d Deps) *Server {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Gatehouse API", d.Version)
	cfg.Info.Description = "Access control, check-in and scheduling for gyms, studios, coworking hubs and makerspaces. " +
		"Errors are RFC 9457 problem documents (application/problem+json). Lists are paginated with ?page (0-based) and ?size (≤ 200)."
	cfg.OpenAPIPath = "/api/openapi"
	cfg.DocsPath = "" // served by our own offline renderer below
	cfg.SchemasPath = "/api/schemas"
	cfg.CreateHooks = nil // no $schema links in bodies: clients echo objects back
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A session token from POST /api/auth/login, or a device key from POST /api/devices."},
	}
	// Calendar days travel as "YYYY-MM-DD" strings.
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeFor[clock.Date](), reflect.TypeFor[string]())
	api := humago.New(mux, cfg)
	api.UseMiddleware(authenticate(api, d.Auth))
	s := &Server{Mux: mux, API: api, deps: d}

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.Ping(ctx); err != nil {
			WriteProblem(w, NewProblem(http.StatusServiceUnavailable, "database unreachable"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	})
	mux.Handle("GET /metrics", metricsHandler())
	mux.HandleFunc("GET /api/docs", func(w http.ResponseWriter, r *http.Request) { renderDocs(w, api.OpenAPI()) })
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, errorf(http.StatusNotFound, "no API operation %s %s", r.Method, r.URL.Path))
	})
	if d.UI != nil {
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				WriteProblem(w, errorf(http.StatusMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path))
				return
			}
			d.UI.ServeHTTP(w, r)
		})
	}
	registerAuthRoutes(api, d.Auth)
	return s
}

// Handler returns the router wrapped in the middleware every request passes.
func (s *Server) Handler() http.Handler {
	return recoverer(observe(securityHeaders(s.Mux)))
}

type clientKey struct{}

// ClientAddress is the caller's IP address (for rate limits and audit).
func ClientAddress(ctx context.Context) string {
	a, _ := ctx.Value(clientKey{}).(string)
	return a
}

// authenticate resolves the bearer token into a principal for every operation.
// A bad token fails only operations that need one; public ones ignore it.
func authenticate(api huma.API, svc *auth.Service) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		h := ctx.Header("Authorization")
		if h == "" {
			next(ctx)
			return
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "the Authorization header must be: Bearer <token>")
			return
		}
		p, err := svc.Authenticate(ctx.Context(), strings.TrimSpace(token))
		if err != nil {
			if ctx.Operation().Security == nil {
				next(ctx) // public operation: an old token does no harm
				return
			}
			prob := FromError(ctx.Context(), err)
			ctx.SetHeader("Content-Type", "application/problem+json")
			ctx.SetStatus(prob.Status)
			_ = api.Marshal(ctx.BodyWriter(), "application/json", prob)
			return
		}
		if rec, ok := ctx.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			rec.entityID, rec.userID, rec.deviceID = p.EntityID, p.UserID, p.DeviceID
		}
		next(huma.WithContext(ctx, auth.WithPrincipal(ctx.Context(), p)))
	}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type requestInfoKey struct{}

type requestInfo struct {
	entityID, userID, deviceID int64
}

// observe logs one structured line per request and records metrics. It logs
// the path without the query string and never headers or bodies, so tokens,
// passwords and card numbers cannot reach the log.
func observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		info := &requestInfo{}
		ctx := context.WithValue(r.Context(), clientKey{}, clientIP(r))
		ctx = context.WithValue(ctx, requestInfoKey{}, info)
		rw := &statusWriter{ResponseWriter: w, status: 200}
		req := r.WithContext(ctx)
		next.ServeHTTP(rw, req)
		d := time.Since(start)
		route := req.Pattern // set by the mux on the request it was given
		if route == "" {
			route = "unmatched"
		}
		observeRequest(r.Method, route, rw.status, d)
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" || strings.HasPrefix(r.URL.Path, "/assets/") {
			return
		}
		level := slog.LevelInfo
		if rw.status >= 500 {
			level = slog.LevelError
		}
		slog.LogAttrs(r.Context(), level, "request",
			slog.String("id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rw.status), slog.Duration("duration", d),
			slog.Int64("entity", info.entityID), slog.Int64("user", info.userID), slog.Int64("device", info.deviceID))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// Flush keeps server-sent event streams working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a logged 500 problem instead of a dropped connection.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.ErrorContext(r.Context(), "panic", "path", r.URL.Path, "panic", v)
				WriteProblem(w, NewProblem(http.StatusInternalServerError, "an internal error occurred; it has been logged"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
