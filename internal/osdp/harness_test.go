package osdp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fastConfig scales the protocol timings down ~20x so that offline
// detection and back-off happen within a test's patience.
func fastConfig() osdp.Config {
	return osdp.Config{
		Baud:           115200,
		ReplyTimeout:   40 * time.Millisecond,
		PollInterval:   5 * time.Millisecond,
		RetryInterval:  10 * time.Millisecond,
		BusyRetry:      10 * time.Millisecond,
		OfflineTimeout: 300 * time.Millisecond,
		ReconnectMin:   20 * time.Millisecond,
		ReconnectMax:   80 * time.Millisecond,
	}
}

const eventWait = 5 * time.Second

// stopWait bounds the wait for a goroutine (Bus.Run, pdsim.Serve) to
// return once it has been told to stop. They return at once; the margin
// is for a loaded CI machine.
const stopWait = 5 * time.Second

// hangLimit is the longest any test here may run, cleanups included,
// before guard declares it hung. The slowest takes about 2 s.
const hangLimit = 60 * time.Second

// allStacks returns the stack of every goroutine.
func allStacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// await receives from ch, waiting at most d. On timeout it marks the test
// failed with every goroutine's stack, so that whatever is stuck shows up
// at once, and reports false. It only uses Errorf, so cleanups may call it.
func await[T any](t testing.TB, ch <-chan T, d time.Duration, what string) (T, bool) {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v, true
	case <-timer.C:
		t.Errorf("still waiting for %s after %v; goroutines:\n%s", what, d, allStacks())
		var zero T
		return zero, false
	}
}

// mustAwait is await that stops the test on timeout.
func mustAwait[T any](t testing.TB, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	v, ok := await(t, ch, d, what)
	if !ok {
		t.FailNow()
	}
	return v
}

var guarded sync.Map // testing.TB -> bool

// guard is the backstop for a wait that has no deadline: if t, cleanups
// included, is still running after hangLimit, the test binary panics with
// every goroutine's stack, as go test -timeout would, but within a minute
// instead of CI's 15. Helpers that start goroutines call it before they
// register their cleanups (cleanups run last-in first-out, so the guard's
// runs last).
func guard(t testing.TB) {
	if _, loaded := guarded.LoadOrStore(t, true); loaded {
		return
	}
	name := t.Name()
	timer := time.AfterFunc(hangLimit, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("%s is still running after %v: it hangs; the goroutine stacks follow", name, hangLimit))
	})
	t.Cleanup(func() {
		timer.Stop()
		guarded.Delete(t)
	})
}

// harness runs a Bus and collects its events.
type harness struct {
	t        *testing.T
	bus      *osdp.Bus
	events   chan osdp.Event
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once

	mu   sync.Mutex
	keys map[byte]osdp.Key // what the KeyProvider "persisted"
}

func startBus(t *testing.T, rw io.ReadWriteCloser, cfg osdp.Config, pds ...osdp.PDConfig) *harness {
	t.Helper()
	guard(t)
	h := &harness{t: t, events: make(chan osdp.Event, 4096), done: make(chan error, 1), keys: map[byte]osdp.Key{}}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	cfg.OnEvent = func(e osdp.Event) {
		select {
		case h.events <- e:
		case <-ctx.Done():
		}
	}
	if cfg.KeyProvider == nil {
		cfg.KeyProvider = func(_ context.Context, addr byte, _ osdp.PDID) (osdp.Key, error) {
			k, err := osdp.GenerateKey()
			if err != nil {
				return k, err
			}
			h.mu.Lock()
			h.keys[addr] = k
			h.mu.Unlock()
			return k, nil
		}
	}
	bus, err := osdp.NewBus(rw, cfg, pds...)
	if err != nil {
		t.Fatal(err)
	}
	h.bus = bus
	go func() { h.done <- bus.Run(ctx) }()
	t.Cleanup(h.stop)
	return h
}

// stop cancels Run and waits for it to return. It is idempotent.
func (h *harness) stop() {
	h.stopOnce.Do(func() {
		h.cancel()
		err, ok := await(h.t, h.done, stopWait, "Bus.Run to return after cancel")
		if ok && err != nil && !errors.Is(err, osdp.ErrClosed) {
			h.t.Errorf("Run: %v", err)
		}
	})
}

func (h *harness) storedKey(addr byte) (osdp.Key, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k, ok := h.keys[addr]
	return k, ok
}

// waitEvent returns the next event of type T (for addr) that satisfies
// match, skipping others.
func waitEvent[T osdp.Event](h *harness, addr byte, match func(T) bool) T {
	h.t.Helper()
	deadline := time.After(eventWait)
	for {
		select {
		case e := <-h.events:
			if v, ok := e.(T); ok && e.PD() == addr && (match == nil || match(v)) {
				return v
			}
		case <-deadline:
			var zero T
			st, _ := h.bus.Status(addr)
			h.t.Fatalf("timed out waiting for %T from PD %d (status %+v, line %+v)", zero, addr, st, h.bus.Stats())
			return zero
		}
	}
}

// noEvent fails if an event of type T for addr arrives within d.
func noEvent[T osdp.Event](h *harness, addr byte, d time.Duration) {
	h.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case e := <-h.events:
			if _, ok := e.(T); ok && e.PD() == addr {
				h.t.Fatalf("unexpected %T: %+v", e, e)
			}
		case <-deadline:
			return
		}
	}
}

// serveSim runs the simulator on one end of a transport until the test ends.
func serveSim(t *testing.T, rw io.ReadWriteCloser, pds ...*pdsim.PD) {
	t.Helper()
	guard(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = pdsim.Serve(ctx, rw, pds...)
	}()
	t.Cleanup(func() {
		cancel()
		_ = rw.Close()
		await(t, done, stopWait, "pdsim.Serve to return after cancel and Close")
	})
}

// pipePair returns a connected in-memory line.
func pipePair(t *testing.T, pds ...*pdsim.PD) io.ReadWriteCloser {
	cp, pd := net.Pipe()
	serveSim(t, pd, pds...)
	return cp
}

// tcpPair serves the PDs on a loopback listener and dials it.
func tcpPair(t *testing.T, pds ...*pdsim.PD) io.ReadWriteCloser {
	t.Helper()
	guard(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = pdsim.ServeListener(ctx, ln, pds...)
	}()
	t.Cleanup(func() {
		cancel()
		await(t, done, stopWait, "pdsim.ServeListener to return after cancel")
	})
	dctx, dcancel := context.WithTimeout(context.Background(), eventWait)
	defer dcancel()
	c, err := osdp.DialTCP(dctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// faultyConn wraps the PD side of a line and lets a test mangle or drop
// what the PD sends.
type faultyConn struct {
	io.ReadWriteCloser
	mu     sync.Mutex
	mangle func(b []byte) []byte // nil result drops the write
}

func (f *faultyConn) setMangle(m func([]byte) []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mangle = m
}

func (f *faultyConn) Write(b []byte) (int, error) {
	f.mu.Lock()
	m := f.mangle
	f.mu.Unlock()
	if m != nil {
		out := m(append([]byte(nil), b...))
		if out == nil {
			return len(b), nil
		}
		if _, err := f.ReadWriteCloser.Write(out); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return f.ReadWriteCloser.Write(b)
}

func newSecurePD(addr byte, key osdp.Key) *pdsim.PD {
	return pdsim.New(pdsim.Config{Address: addr, SCBK: &key})
}

func testKey(seed byte) osdp.Key {
	var k osdp.Key
	for i := range k {
		k[i] = seed + byte(i)*7
	}
	return k
}
