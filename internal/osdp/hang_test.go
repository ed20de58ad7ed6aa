package osdp_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
)

// A line whose other end never reads: every Write on a net.Pipe blocks.
// Cancelling ctx must still stop Run at once (it used to wait inside Write
// for ever, and a harness waiting for Run before closing the PD side of
// the pipe then never finished).
func TestRunReturnsWhileWriteBlocked(t *testing.T) {
	guard(t)
	cp, deaf := net.Pipe()
	t.Cleanup(func() { _ = deaf.Close() })
	bus, err := osdp.NewBus(cp, fastConfig(), osdp.PDConfig{Address: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bus.Run(ctx) }()
	time.Sleep(50 * time.Millisecond) // let it block in the first Write
	cancel()
	start := time.Now()
	if err := mustAwait(t, done, stopWait, "Bus.Run to return after cancel while a Write blocks"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run took %v to return after cancel", d)
	}
	// Run closed its end, which ends the blocked Write too.
	if _, err := cp.Write([]byte{0}); err == nil {
		t.Error("transport still open after Run returned")
	}
}

// Without a cancel, a Write that never completes fails the transport
// instead of freezing the bus.
func TestRunFailsOnStalledWrite(t *testing.T) {
	guard(t)
	cp, deaf := net.Pipe()
	t.Cleanup(func() { _ = deaf.Close() })
	bus, err := osdp.NewBus(cp, fastConfig(), osdp.PDConfig{Address: 1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- bus.Run(context.Background()) }()
	if err := mustAwait(t, done, 10*time.Second, "Bus.Run to give up on a stalled Write"); !errors.Is(err, osdp.ErrWriteStalled) {
		t.Fatalf("Run: %v, want ErrWriteStalled", err)
	}
}

// stuckConn accepts writes but its Read ignores Close, like a blocking
// os.File: the reader goroutine cannot be stopped.
type stuckConn struct {
	release chan struct{}
	once    sync.Once
}

func (s *stuckConn) Read([]byte) (int, error) {
	<-s.release
	return 0, errors.New("released")
}
func (s *stuckConn) Write(b []byte) (int, error) { return len(b), nil }
func (s *stuckConn) Close() error                { return nil }
func (s *stuckConn) unblock()                    { s.once.Do(func() { close(s.release) }) }

// lockedBuffer is a bytes.Buffer safe for the bus goroutine to log into.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Run returns even over a transport whose Close does not interrupt Read;
// it says so in the log instead of hanging.
func TestRunReturnsWhenCloseDoesNotInterruptRead(t *testing.T) {
	guard(t)
	rw := &stuckConn{release: make(chan struct{})}
	t.Cleanup(rw.unblock) // let the reader go before goleak looks
	var log lockedBuffer
	cfg := fastConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	bus, err := osdp.NewBus(rw, cfg, osdp.PDConfig{Address: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bus.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := mustAwait(t, done, stopWait, "Bus.Run to return over a transport that cannot be interrupted"); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(log.String(), "did not interrupt") {
		t.Errorf("stuck reader not logged; log:\n%s", log.String())
	}
}

// Scan, too, stops at once when its context ends during a blocked Write.
func TestScanStopsWhileWriteBlocked(t *testing.T) {
	guard(t)
	cp, deaf := net.Pipe()
	t.Cleanup(func() { _ = deaf.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := osdp.Scan(ctx, cp, osdp.ScanOptions{Addresses: []byte{1, 2}})
		done <- err
	}()
	if err := mustAwait(t, done, stopWait, "Scan to return after its context ended"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Scan: %v", err)
	}
}
