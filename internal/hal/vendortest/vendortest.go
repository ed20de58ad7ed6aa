// Package vendortest holds what the fake vendor servers of the door adapters'
// tests share: JSON replies, injected failures, simulated latency and a URL
// nothing listens on. It is imported by tests and test fakes only.
package vendortest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// WriteJSON answers with v as JSON and the status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Failure is an answer a test injects in place of the fake's own.
type Failure struct {
	Status     int
	RetryAfter string // the Retry-After header, when set
	Body       string // the vendor's error JSON; empty: the fake's default
}

// Write answers the failure; defaultBody stands in for an empty Body.
func (f *Failure) Write(w http.ResponseWriter, defaultBody string) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	io.WriteString(w, cmp.Or(f.Body, defaultBody))
}

// Failures is the queue of injected answers a fake takes one per request.
// The zero value is empty; it is safe for concurrent use.
type Failures struct {
	mu    sync.Mutex
	queue []Failure
}

// Add queues answers in order.
func (q *Failures) Add(fs ...Failure) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = append(q.queue, fs...)
}

// AddN queues n answers of status (with the fake's default body).
func (q *Failures) AddN(status int, retryAfter string, n int) {
	for range n {
		q.Add(Failure{Status: status, RetryAfter: retryAfter})
	}
}

// Next takes the next queued answer, nil when none is.
func (q *Failures) Next() *Failure {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queue) == 0 {
		return nil
	}
	f := q.queue[0]
	q.queue = q.queue[1:]
	return &f
}

// Delay holds the request for latency, and reports false when the client gave
// up first (the handler should then return without answering). The body is
// read first: only then does the server notice a client that goes away (and
// cancel r.Context()); r.Body is replaced by the buffered copy.
func Delay(r *http.Request, latency time.Duration) bool {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if latency <= 0 {
		return true
	}
	select {
	case <-time.After(latency):
		return true
	case <-r.Context().Done():
		return false
	}
}

// ClosedURL is an http URL on which nothing listens (connection refused).
func ClosedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// DebugLog is a debug-level text logger whose lines the test reads back
// with Logs; it is safe for the adapters' concurrent requests.
func DebugLog() (*slog.Logger, *LogBuffer) {
	b := &LogBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// LogBuffer keeps what a logger wrote.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Logs is everything written so far.
func (b *LogBuffer) Logs() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NoSecrets fails the test for every secret that shows in the logs or in
// one of the errors (adapters must mask them all).
func NoSecrets(t testing.TB, logs string, errs []error, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("secret %q in logs", s)
		}
		for _, e := range errs {
			if strings.Contains(e.Error(), s) {
				t.Errorf("secret %q in error %v", s, e)
			}
		}
	}
}
