package bleradio

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/clock"
	"github.com/gatehouse/gatehouse/internal/phone"
)

var start = time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)

func testKey() phone.BLEKey {
	return phone.BLEKey{Handle: 0xDEADBEEF, Key: strings.Repeat("ab", 32), ServiceUUID: "0xFFF0", StepSeconds: 30, ServerTime: start, KeyGeneration: 1}
}

type recorder struct {
	ads  [][]byte
	stop int
}

func (r *recorder) Advertise(b []byte) error {
	r.ads = append(r.ads, append([]byte(nil), b...))
	return nil
}
func (r *recorder) StopAdvertising() error { r.stop++; return nil }

func TestBroadcasterSteps(t *testing.T) {
	clk := clock.NewFixed(start.Add(5 * time.Second))
	rec := &recorder{}
	key, _ := hex.DecodeString(testKey().Key)
	// The phone's clock is 40 s behind the server's: it counts on the server's.
	b, err := NewBroadcaster(rec, clk, testKey(), Offset(start.Add(45*time.Second), clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	serverStep := uint32(phone.StepOf(start.Add(45 * time.Second)))
	if want := phone.BuildAdvertV2(key, serverStep); !bytes.Equal(b.Payload(), want) {
		t.Fatalf("payload %x, want %x", b.Payload(), want)
	}
	for i := range 3 {
		changed, err := b.Update()
		if err != nil || changed != (i == 0) {
			t.Fatalf("update %d: %v %v", i, changed, err)
		}
	}
	clk.Advance(14 * time.Second) // server time 11:00:59, same step
	if changed, _ := b.Update(); changed {
		t.Fatal("re-advertised within a step")
	}
	clk.Advance(time.Second)
	if changed, _ := b.Update(); !changed || len(rec.ads) != 2 {
		t.Fatalf("no new advertisement at the step boundary: %d", len(rec.ads))
	}
	// v2: a new ephemeral id at each step, and the handle is never on the air.
	first, err1 := phone.ParseAdvertV2(rec.ads[0])
	second, err2 := phone.ParseAdvertV2(rec.ads[1])
	if err1 != nil || err2 != nil || second.Step != serverStep+1 || second.EID != phone.BLEEphemeralID(key, serverStep+1) || first.EID == second.EID {
		t.Fatalf("adverts %+v %+v %v %v", first, second, err1, err2)
	}
	for _, ad := range rec.ads {
		if bytes.Contains(ad, []byte{0xDE, 0xAD, 0xBE, 0xEF}) {
			t.Fatalf("the handle is broadcast: %x", ad)
		}
	}
	if err := b.Stop(); err != nil || rec.stop != 1 {
		t.Fatal("stop")
	}
	_ = b.Stop()
	if rec.stop != 1 {
		t.Fatal("stopped twice")
	}
	for _, k := range []phone.BLEKey{{Handle: 1, Key: "zz", StepSeconds: 30}, {Handle: 1, Key: testKey().Key}} {
		if _, err := NewBroadcaster(rec, clk, k, 0); err == nil {
			t.Fatalf("accepted %+v", k)
		}
	}
}

// Run advertises at once and stops when cancelled.
func TestBroadcasterRun(t *testing.T) {
	air := NewAir()
	rx := air.Receiver(-50)
	heard := make(chan Sighting, 4)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = rx.Scan(ctx, func(s Sighting) { heard <- s }) })
	<-rx.Started()
	b, _ := NewBroadcaster(air.Advertiser("aa:bb"), clock.System{}, testKey(), 0)
	wg.Go(func() { _ = b.Run(ctx) })
	select {
	case s := <-heard:
		if s.RSSI != -50 || s.Address != "aa:bb" || len(s.ServiceData) != 1 || s.ServiceData[0].UUID != phone.BLEServiceUUID {
			t.Fatalf("sighting %+v", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing advertised")
	}
	cancel()
	wg.Wait()
	air.Pulse()
	if len(air.ads) != 0 {
		t.Fatal("still advertising after Run returned")
	}
}

type fakeServer struct {
	fail   atomic.Int64 // answer 503 this many times
	mu     sync.Mutex
	bodies []phone.BLEReport
	auth   []string
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/ble/reports" {
		http.NotFound(w, r)
		return
	}
	if f.fail.Add(-1) >= 0 {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	var b phone.BLEReport
	_ = json.NewDecoder(r.Body).Decode(&b)
	f.mu.Lock()
	f.bodies = append(f.bodies, b)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"statusCd":"GRANTED"}`))
}

func advert(step uint32) []byte {
	key, _ := hex.DecodeString(testKey().Key)
	return phone.BuildAdvertV2(key, step)
}

// Foreign service data is ignored; the server being down is retried with the
// same report; the report carries the gateway key and the configured fields.
func TestScannerFiltersAndRetries(t *testing.T) {
	fs := &fakeServer{}
	fs.fail.Store(2)
	srv := httptest.NewServer(fs)
	defer srv.Close()
	clk := clock.NewFixed(start)
	zone := int64(7)
	results := make(chan Result, 8)
	sc, err := NewScanner(ScannerConfig{Server: srv.URL + "/", DeviceKey: "gw-key", ZoneID: &zone, ReaderID: "door-1", Clock: clk,
		RetryMin: time.Millisecond, OnResult: func(r Result) { results <- r }})
	if err != nil {
		t.Fatal(err)
	}
	ours := advert(uint32(phone.StepOf(start)))
	for _, s := range []Sighting{
		{ServiceData: []ServiceData{{UUID: 0x180F, Data: ours}}},                                         // another service
		{ServiceData: []ServiceData{{UUID: phone.BLEServiceUUID, Data: ours[:len(ours)-1]}}},             // truncated
		{ServiceData: []ServiceData{{UUID: phone.BLEServiceUUID, Data: append([]byte{3}, ours[1:]...)}}}, // an unknown version
		{},
	} {
		if sc.Observe(s) {
			t.Fatalf("queued %+v", s)
		}
	}
	// v1 phones are still forwarded during the deprecation period (the server decides).
	key, _ := hex.DecodeString(testKey().Key)
	v1 := phone.BuildAdvert(key, 0xDEADBEEF, uint32(phone.StepOf(start)))
	if !sc.Observe(Sighting{RSSI: -70, ServiceData: []ServiceData{{UUID: phone.BLEServiceUUID, Data: v1}}}) {
		t.Fatal("a v1 advertisement was not queued")
	}
	sc.mu.Lock()
	sc.queue, sc.seen = nil, map[string]*seenPayload{}
	sc.mu.Unlock()
	if !sc.Observe(Sighting{RSSI: -61, ServiceData: []ServiceData{{UUID: phone.BLEServiceUUID, Data: ours}}}) {
		t.Fatal("our advertisement was not queued")
	}
	if sc.Observe(Sighting{RSSI: -62, ServiceData: []ServiceData{{UUID: phone.BLEServiceUUID, Data: ours}}}) {
		t.Fatal("a repeat of a queued payload was queued")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sc.send(ctx)
	select {
	case r := <-results:
		if r.Status != 200 || r.Outcome != "GRANTED" || r.Err != nil {
			t.Fatalf("result %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("not delivered after the server came back")
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.bodies) != 1 || fs.auth[0] != "Bearer gw-key" {
		t.Fatalf("posts %+v %v", fs.bodies, fs.auth)
	}
	b := fs.bodies[0]
	if b.Token != hex.EncodeToString(ours) || b.RSSI != -61 || *b.ZoneID != 7 || *b.ReaderID != "door-1" || !b.SeenAt.Equal(start) {
		t.Fatalf("body %+v", b)
	}
	if fs.fail.Load() >= 0 {
		t.Fatal("the failures were not retried")
	}
}

// With the server unreachable the queue stays bounded: the oldest sightings go.
func TestScannerQueueBound(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	clk := clock.NewFixed(start)
	var dropped []Result
	var mu sync.Mutex
	sc, _ := NewScanner(ScannerConfig{Server: "http://" + addr, DeviceKey: "k", Clock: clk, QueueSize: 3, RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond,
		OnResult: func(r Result) { mu.Lock(); dropped = append(dropped, r); mu.Unlock() }})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sc.send(ctx) })
	base := uint32(phone.StepOf(start))
	for i := range 5 {
		sc.Observe(Sighting{ServiceData: []ServiceData{{UUID: phone.BLEServiceUUID, Data: advert(base - uint32(i))}}})
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	wg.Wait()
	sc.mu.Lock()
	n := len(sc.queue)
	sc.mu.Unlock()
	if n != 3 || sc.Dropped() != 2 {
		t.Fatalf("queue %d dropped %d", n, sc.Dropped())
	}
	mu.Lock()
	if len(dropped) != 2 || dropped[0].Outcome != "DROPPED" || dropped[0].Token != hex.EncodeToString(advert(base)) {
		t.Fatalf("dropped %+v", dropped)
	}
	mu.Unlock()
	// A sighting the server would call stale is dropped, not sent.
	clk.Advance(2 * time.Minute)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go sc.send(ctx2)
	deadline := time.Now().Add(5 * time.Second)
	for sc.pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if sc.pending() != 0 {
		t.Fatal("stale sightings were kept")
	}
}

func (s *Scanner) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}
