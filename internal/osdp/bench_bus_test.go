package osdp_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

// lineLimit is the best possible exchanges per second at baud for a
// command/reply pair of the given wire sizes (8N1 = 10 bits per byte, no
// turnaround time).
func lineLimit(baud, cmdBytes, replyBytes int) float64 {
	return float64(baud) / float64(10*(cmdBytes+replyBytes))
}

// wireSize encodes a frame to learn its length on the wire.
func wireSize(f osdp.Frame, secure bool) int {
	b, _ := f.Encode()
	if secure {
		return len(b) + 2 + 4 // SCB 02 15/16 and MAC
	}
	return len(b)
}

// BenchmarkBusPollRate measures POLL/ACK exchanges per second through the
// whole stack (bus goroutine, link reader, pdsim) over an in-memory pipe,
// next to what a 115200 baud RS-485 line could carry at best.
func BenchmarkBusPollRate(b *testing.B) {
	for _, secure := range []bool{false, true} {
		name := "plain"
		if secure {
			name = "secure"
		}
		b.Run(name, func(b *testing.B) {
			key := osdp.Key{1, 2, 3}
			simCfg := pdsim.Config{Address: 1}
			pdCfg := osdp.PDConfig{Address: 1}
			if secure {
				simCfg.SCBK, pdCfg.SCBK, pdCfg.Secure = &key, &key, true
			}
			guard(b)
			sim := pdsim.New(simCfg)
			cp, pdSide := net.Pipe()
			ctx, cancel := context.WithCancel(context.Background())
			simDone := make(chan struct{})
			go func() { defer close(simDone); _ = pdsim.Serve(ctx, pdSide, sim) }()

			online := make(chan struct{}, 1)
			cfg := osdp.Config{Baud: 115200, PollInterval: time.Second, OnEvent: func(e osdp.Event) {
				if _, ok := e.(osdp.EventOnline); ok {
					select { // never block the bus: it may come online again
					case online <- struct{}{}:
					default:
					}
				}
			}}
			bus, err := osdp.NewBus(cp, cfg, pdCfg)
			if err != nil {
				b.Fatal(err)
			}
			runDone := make(chan struct{})
			go func() { defer close(runDone); _ = bus.Run(ctx) }()
			defer func() {
				cancel()
				await(b, runDone, stopWait, "Bus.Run to return after cancel")
				_ = pdSide.Close()
				await(b, simDone, stopWait, "pdsim.Serve to return after cancel")
			}()
			mustAwait(b, online, eventWait, "the PD to come online")

			start := time.Now()
			b.ResetTimer()
			for b.Loop() {
				if _, err := bus.Send(ctx, 1, osdp.Poll{}); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			poll := osdp.Frame{Mark: true, Addr: 1, CRC: true, Code: osdp.CmdPoll}
			ack := osdp.Frame{Mark: true, Addr: 1, Reply: true, CRC: true, Code: osdp.ReplyAck}
			limit := lineLimit(115200, wireSize(poll, secure), wireSize(ack, secure))
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "polls/s")
			b.ReportMetric(limit, "line-limit-115200-polls/s")
		})
	}
}

// TestLineRateLimit documents the theoretical POLL rate at 115200 baud.
func TestLineRateLimit(t *testing.T) {
	poll := osdp.Frame{Mark: true, Addr: 1, CRC: true, Code: osdp.CmdPoll}
	ack := osdp.Frame{Mark: true, Addr: 1, Reply: true, CRC: true, Code: osdp.ReplyAck}
	plain := lineLimit(115200, wireSize(poll, false), wireSize(ack, false))
	secure := lineLimit(115200, wireSize(poll, true), wireSize(ack, true))
	t.Logf("115200 baud: POLL+ACK %d+%d bytes -> at most %.0f polls/s plaintext; %d+%d bytes -> %.0f polls/s secure",
		wireSize(poll, false), wireSize(ack, false), plain, wireSize(poll, true), wireSize(ack, true), secure)
	if int(plain) != 640 || int(secure) != 384 {
		t.Fatalf("limits %.1f / %.1f, want 640 / 384", plain, secure)
	}
}
