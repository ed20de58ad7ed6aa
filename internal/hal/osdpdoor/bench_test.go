package osdpdoor_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// benchTransports are the lines the benchmark runs over: TCP loopback always,
// a pty (a serial device, as an RS-485 adapter appears) on Linux.
var benchTransports = map[string]func(testing.TB, ...*pdsim.PD) string{"tcp": serveSim}

// BenchmarkCardToRelay measures the whole pipeline: the simulated reader
// (over TCP loopback, and over a pty) queues a card read → the CP polls it → check-in on
// SQLite as the reader's device → the relay command reaches the simulator.
// Each iteration is 200 reads by 200 members; p50/p99/max are reported. Each card arrives at a random phase of the
// poll cycle, so about half a poll interval is waiting for the poll, for
// the default poll interval (50 ms) and a 10 ms one.
//
//	go test -run '^$' -bench CardToRelay -benchtime 1x ./internal/hal/osdpdoor
func BenchmarkCardToRelay(b *testing.B) {
	transports := slices.Sorted(maps.Keys(benchTransports))
	for _, transport := range transports {
		for _, poll := range []time.Duration{50 * time.Millisecond, 10 * time.Millisecond} {
			b.Run(fmt.Sprintf("%s/poll=%s", transport, poll), func(b *testing.B) {
				cardToRelay(b, benchTransports[transport], poll)
			})
		}
	}
}

func cardToRelay(b *testing.B, serve func(testing.TB, ...*pdsim.PD) string, poll time.Duration) {
	{
		{
			const reads = 200
			s := newSite(b, storetest.SQLite(b), func(c *osdp.Config) {
				*c = osdp.Config{PollInterval: poll} // the other timings: defaults
			})
			for i := range reads {
				s.member(b, i, "WIEGAND", fmt.Sprintf("H10301:1:%d", 1000+i))
			}
			pd := pdsim.New(pdsim.Config{Address: 1})
			s.bind(b, "bench:1", map[string]any{"connection": serve(b, pd)})
			waitFor(b, "reader online", func() bool { return s.reader(b)["online"] == true })
			var lat []time.Duration
			b.ResetTimer()
			for range b.N {
				// Members are checked in once: a new batch needs new check-outs.
				if _, err := s.h.App.DB.ExecContext(b.Context(), `DELETE FROM check_ins`); err != nil {
					b.Fatal(err)
				}
				for i := range reads {
					// A card arrives at a random phase of the poll cycle.
					time.Sleep(rand.N(poll))
					outs, leds := len(pd.OutputCommands()), len(pd.LEDs())
					start := time.Now()
					if err := pd.PresentWiegand(osdp.FormatH10301, 1, uint64(1000+i)); err != nil {
						b.Fatal(err)
					}
					deadline := start.Add(patience)
					for len(pd.OutputCommands()) == outs {
						if time.Now().After(deadline) {
							b.Fatalf("read %d: no relay command", i)
						}
						time.Sleep(50 * time.Microsecond)
					}
					lat = append(lat, time.Since(start))
					// Let the LED/beep feedback finish before the next card.
					waitFor(b, "feedback", func() bool { return len(pd.LEDs()) > leds && len(pd.Buzzes()) > 0 })
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
			b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
			b.Logf("%d reads, poll %s: p50 %s p99 %s max %s", len(lat), poll, pct(0.5), pct(0.99), lat[len(lat)-1])
		}
	}
}
