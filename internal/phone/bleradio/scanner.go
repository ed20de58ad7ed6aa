package bleradio

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/phone"
)

// ScannerConfig configures a gateway. Zero durations and sizes take the defaults.
type ScannerConfig struct {
	Server    string // base URL, e.g. https://gatehouse.example
	DeviceKey string // a GATEWAY device key, sent as Authorization: Bearer
	ZoneID    *int64 // nil: the zone the gateway key is bound to
	ReaderID  string // names the RSSI calibration (PUT /api/ble/readers/{readerId})
	Client    *http.Client
	Clock     clock.Clock

	// QueueSize bounds the sightings waiting for the server (default 256); the
	// oldest is dropped first, being the first to go stale anyway.
	QueueSize int
	// MaxAge is how long a sighting is worth sending (default 60 s: the server
	// answers STALE beyond it).
	MaxAge time.Duration
	// Resend is how soon a payload that was not decided (OUT_OF_RANGE, a
	// failed post) may be reported again: the member may come closer within
	// the same step (default 1 s).
	Resend time.Duration
	// RetryMin and RetryMax bound the back-off while the server is unreachable
	// or answers 5xx/429 (default 250 ms … 10 s).
	RetryMin, RetryMax time.Duration

	// OnResult, when set, is told what became of each sighting sent or dropped.
	OnResult func(Result)
}

// Result is what became of one reported sighting.
type Result struct {
	Token   string
	RSSI    int
	Status  int    // the HTTP status; 0 when it never got an answer
	Outcome string // 200: the decision (GRANTED, DENIED); 202: the reason; DROPPED
	Err     error  // the problem detail of a refusal, or why it was dropped
}

// Scanner is the gateway: it keeps the advertisements carrying our service
// data, drops repeats of a payload already sent or decided, and posts the rest
// to POST /api/ble/reports from one sender with a bounded queue.
type Scanner struct {
	cfg  ScannerConfig
	wake chan struct{}

	mu      sync.Mutex
	seen    map[string]*seenPayload
	queue   []queued
	dropped int
}

type seenPayload struct {
	expires time.Time // after this the server refuses the payload anyway
	queued  bool
	done    bool // decided, a duplicate, or refused: never again
	sent    time.Time
}

type queued struct {
	token  string
	rssi   int
	seenAt time.Time
}

// NewScanner checks the configuration and fills in the defaults.
func NewScanner(cfg ScannerConfig) (*Scanner, error) {
	if cfg.Server == "" || cfg.DeviceKey == "" {
		return nil, errors.New("bleradio: the scanner needs the server URL and a GATEWAY device key")
	}
	cfg.Server = strings.TrimRight(cfg.Server, "/")
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 256
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 2 * phone.Step
	}
	if cfg.Resend <= 0 {
		cfg.Resend = time.Second
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 250 * time.Millisecond
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(10*time.Second, cfg.RetryMin)
	}
	return &Scanner{cfg: cfg, wake: make(chan struct{}, 1), seen: map[string]*seenPayload{}}, nil
}

// Run scans with rx and posts until ctx ends.
func (s *Scanner) Run(ctx context.Context, rx Receiver) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.send(ctx) })
	err := rx.Scan(ctx, func(sg Sighting) { s.Observe(sg) })
	cancel()
	wg.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Dropped is how many sightings the full queue pushed out.
func (s *Scanner) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Observe takes one advertisement; it reports whether it was queued for the
// server (false: not ours, or a repeat).
func (s *Scanner) Observe(sg Sighting) bool {
	queuedAny := false
	for _, sd := range sg.ServiceData {
		if sd.UUID != phone.BLEServiceUUID {
			continue
		}
		// v2, and v1 while the server still accepts it (phones not yet
		// updated): the gateway forwards either unchanged and needs no key.
		_, step, err := phone.PeekAdvert(sd.Data)
		if err != nil {
			continue // someone else's use of the placeholder UUID, or an unknown version
		}
		if s.enqueue(hex.EncodeToString(sd.Data), uint64(step), sg.RSSI) {
			queuedAny = true
		}
	}
	return queuedAny
}

func (s *Scanner) enqueue(token string, step uint64, rssi int) bool {
	now := s.cfg.Clock.Now()
	var dropped *queued
	s.mu.Lock()
	for t, e := range s.seen {
		if now.After(e.expires) && !e.queued {
			delete(s.seen, t)
		}
	}
	e := s.seen[token]
	if e == nil {
		e = &seenPayload{expires: phone.Expiry(step).Add(s.cfg.MaxAge)}
		s.seen[token] = e
	}
	if e.done || e.queued || (!e.sent.IsZero() && now.Sub(e.sent) < s.cfg.Resend) {
		s.mu.Unlock()
		return false
	}
	e.queued = true
	s.queue = append(s.queue, queued{token: token, rssi: rssi, seenAt: now})
	if len(s.queue) > s.cfg.QueueSize {
		d := s.queue[0]
		dropped = &d
		s.queue = s.queue[1:]
		if old := s.seen[d.token]; old != nil {
			old.queued = false
		}
		s.dropped++
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	if dropped != nil {
		s.result(Result{Token: dropped.token, RSSI: dropped.rssi, Outcome: "DROPPED", Err: errors.New("queue full")})
	}
	return true
}

func (s *Scanner) result(r Result) {
	if s.cfg.OnResult != nil {
		s.cfg.OnResult(r)
	}
}

func (s *Scanner) next(ctx context.Context) (queued, bool) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			q := s.queue[0]
			s.mu.Unlock()
			return q, true
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return queued{}, false
		case <-s.wake:
		}
	}
}

// send posts the queue's head until it is answered, then the next. The head
// stays queued while it is retried, so that the queue bound covers it too.
func (s *Scanner) send(ctx context.Context) {
	delay := s.cfg.RetryMin
	for {
		q, ok := s.next(ctx)
		if !ok {
			return
		}
		var r Result
		if s.cfg.Clock.Now().Sub(q.seenAt) > s.cfg.MaxAge {
			r = Result{Token: q.token, RSSI: q.rssi, Outcome: "DROPPED", Err: errors.New("too old to report")}
		} else {
			var retry bool
			r, retry = s.post(ctx, q)
			if retry {
				if !sleep(ctx, delay) {
					return
				}
				delay = min(2*delay, s.cfg.RetryMax)
				continue
			}
		}
		delay = s.cfg.RetryMin
		s.finish(q, r)
		s.result(r)
	}
}

// finish removes the head (unless the full queue already dropped it) and
// remembers whether its payload may be reported again.
func (s *Scanner) finish(q queued, r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 && s.queue[0] == q {
		s.queue = s.queue[1:]
	}
	e := s.seen[q.token]
	if e == nil {
		return
	}
	e.queued = false
	e.sent = s.cfg.Clock.Now()
	// OUT_OF_RANGE may change as the member walks up; everything else about
	// this payload is final.
	e.done = r.Outcome != "OUT_OF_RANGE" && r.Outcome != "DROPPED"
}

// post sends one report; retry says the server was not reached or is failing.
func (s *Scanner) post(ctx context.Context, q queued) (Result, bool) {
	res := Result{Token: q.token, RSSI: q.rssi}
	body := phone.BLEReport{ZoneID: s.cfg.ZoneID, Token: q.token, RSSI: q.rssi, SeenAt: q.seenAt}
	if s.cfg.ReaderID != "" {
		body.ReaderID = &s.cfg.ReaderID
	}
	b, err := json.Marshal(body)
	if err != nil {
		res.Err = err
		return res, false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.Server+"/api/ble/reports", bytes.NewReader(b))
	if err != nil {
		res.Err = err
		return res, false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.cfg.DeviceKey)
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		res.Err = err
		return res, true
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	res.Status = resp.StatusCode
	var out struct {
		StatusCd string `json:"statusCd"`
		Reason   string `json:"reason"`
		Detail   string `json:"detail"`
	}
	_ = json.Unmarshal(raw, &out)
	switch {
	case resp.StatusCode == http.StatusOK:
		res.Outcome = out.StatusCd
	case resp.StatusCode == http.StatusAccepted:
		res.Outcome = out.Reason
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		res.Err = fmt.Errorf("server answered %d", resp.StatusCode)
		return res, true
	default:
		res.Outcome = "REFUSED"
		res.Err = fmt.Errorf("server refused the report (%d): %s", resp.StatusCode, out.Detail)
	}
	return res, false
}
