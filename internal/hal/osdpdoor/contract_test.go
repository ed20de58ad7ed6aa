package osdpdoor_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/osdpdoor"
	"github.com/gatehouse/gatehouse/internal/osdp"
	"github.com/gatehouse/gatehouse/internal/osdp/pdsim"
)

// pdObserver reads the relay commands the simulated reader received.
type pdObserver struct {
	pd   *pdsim.PD
	door string
}

func (o pdObserver) Unlocks() []haltest.Unlock {
	var out []haltest.Unlock
	for _, c := range o.pd.OutputCommands() {
		if c.Control == osdp.OutputTempOn {
			out = append(out, haltest.Unlock{ExternalDoorID: o.door, HoldOpen: time.Duration(c.Timer) * 100 * time.Millisecond})
		}
	}
	return out
}

// The adapter contract, with a simulated reader over TCP behind the adapter.
func TestOSDPAdapterContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		pd := pdsim.New(pdsim.Config{Address: 1})
		addr := serveSim(t, pd)
		a := osdpdoor.New(osdpdoor.Options{Bus: fastBus()})
		a.Apply([]osdpdoor.Line{
			{EntityID: 1, Name: "front", Connection: addr, Baud: 115200, Readers: []osdpdoor.Reader{{ZoneID: 7, Address: 1, Direction: "IN"}}},
			{EntityID: 1, Name: "dead", Connection: "tcp://127.0.0.1:1", Baud: 9600, Readers: []osdpdoor.Reader{{ZoneID: 8, Address: 1, Direction: "IN"}}},
		})
		waitFor(t, "reader online", func() bool {
			for _, s := range a.Statuses(1) {
				if s.Line == "front" && s.Online {
					return true
				}
			}
			return false
		})
		return &haltest.Harness{
			Adapter:    a,
			Door:       hal.Door{EntityID: 1, ZoneID: 7, ExternalDoorID: "front:1"},
			Credential: hal.Credential{ID: 1, EntityID: 1, MemberID: 9, TypeCd: "WIEGAND", Identifier: "H10301:12:3456"},
			Observer:   pdObserver{pd, "front:1"},
			// A reader that does not answer in time: silent.
			SetLatency:  func(d time.Duration) { pd.SetSilent(d > 0) },
			Unreachable: func() hal.Door { return hal.Door{EntityID: 1, ZoneID: 8, ExternalDoorID: "dead:1"} },
			// Events come from the adapter's memory.
			UnreachableOps:     []string{haltest.OpUnlock},
			Unsupported:        []string{haltest.OpProvision, haltest.OpRevoke, haltest.OpOccupancy},
			UnlocksAreEvents:   true,
			HoldOpenResolution: 100 * time.Millisecond,
			Close:              a.Close,
		}
	})
}
