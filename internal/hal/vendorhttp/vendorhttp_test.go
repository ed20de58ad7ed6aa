package vendorhttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
)

func TestSendMapsStatusesAndHonoursRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		case "/bad":
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"message":"key sk_live_secret is wrong"}`))
		default:
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	c := &Client{Provider: "TEST", HTTP: srv.Client(), Timeout: time.Second, Log: slogDiscard(),
		Secrets: func() []string { return []string{"sk_live_secret"} }, ErrorKeys: []string{"message"}}
	ctx := context.Background()

	_, err := c.Send(ctx, Call{Op: "unlock", Method: "POST", URL: srv.URL + "/busy"})
	if hal.KindOf(err) != hal.Unreachable {
		t.Fatalf("429: kind %v", hal.KindOf(err))
	}
	// The queue looks for this interface to wait as long as the vendor asked.
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(err, &ra) || ra.RetryAfter() != 7*time.Second {
		t.Fatalf("429: no retry hint in %v", err)
	}

	code, err := c.Send(ctx, Call{Op: "provision", Method: "POST", URL: srv.URL + "/bad"})
	if code != 400 || hal.KindOf(err) != hal.Rejected || strings.Contains(err.Error(), "sk_live_secret") || !strings.Contains(err.Error(), "is wrong") {
		t.Fatalf("400: %d %v", code, err)
	}

	var out struct{ OK bool }
	if code, err := c.Send(ctx, Call{Op: "events", Method: "GET", URL: srv.URL + "/", Out: &out}); code != 200 || err != nil || !out.OK {
		t.Fatalf("200: %d %v %+v", code, err, out)
	}

	srv.Close()
	_, err = c.Send(ctx, Call{Op: "unlock", Method: "POST", URL: srv.URL + "/?card=4242"})
	if hal.KindOf(err) != hal.Unreachable || strings.Contains(err.Error(), "4242") {
		t.Fatalf("down: %v", err)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"": 0, "30": 30 * time.Second, "nonsense": 0, "999999": 24 * time.Hour,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	} {
		if got := RetryAfter(h, now); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}
