package haltest_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/hal"
	"github.com/gatehouse/gatehouse/internal/hal/haltest"
	"github.com/gatehouse/gatehouse/internal/hal/sim"
)

// simObserver reads the simulated door's command log.
type simObserver struct{ s *sim.Adapter }

func (o simObserver) Unlocks() []haltest.Unlock {
	var out []haltest.Unlock
	for _, c := range o.s.Commands() {
		if c.Op == "UNLOCK" {
			out = append(out, haltest.Unlock{ExternalDoorID: c.Door.ExternalDoorID, HoldOpen: c.HoldOpen})
		}
	}
	return out
}

func TestSimulatedAdapterContract(t *testing.T) {
	haltest.Run(t, func(t *testing.T) *haltest.Harness {
		s := sim.New(1000)
		door := hal.Door{EntityID: 1, ZoneID: 7, ExternalDoorID: "zone-7"}
		return &haltest.Harness{
			Adapter:    s,
			Door:       door,
			Credential: hal.Credential{ID: 1, EntityID: 1, MemberID: 9, TypeCd: "CARD", Identifier: "04A1B2C3D4"},
			Observer:   simObserver{s},
			SetLatency: s.SetLatency,
			Unreachable: func() hal.Door {
				s.SetFailure(hal.NewError(hal.Unreachable, sim.Provider, "unlock", nil))
				return door
			},
			// The simulated door reads its events from memory, so an injected
			// failure does not reach RecentEvents.
			UnreachableOps:   []string{haltest.OpUnlock},
			Unsupported:      []string{haltest.OpOccupancy},
			UnlocksAreEvents: true,
		}
	})
}
