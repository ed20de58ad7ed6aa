package phone

import (
	"context"
	"sync"
	"time"
)

// eidIndex finds the provisioned key behind a v2 ephemeral id. An eid is a
// keyed hash of the step, so the server cannot invert it: it computes, per
// organisation, the eids of all provisioned keys for the steps a report may
// carry (now−1 … now+1) and looks the reported eid up. The index is only a
// hint: the MAC and the database (is this still the member's key?) decide.
type eidIndex struct {
	// stale: when an eid is not found and the index is older than this, it is
	// reloaded (a key provisioned on another replica). gap bounds those
	// reloads per organisation, so that a flood of garbage eids cannot turn
	// into a flood of database reads.
	stale, gap time.Duration

	mu   sync.Mutex
	orgs map[int64]*orgEIDs
}

func newEIDIndex() *eidIndex {
	return &eidIndex{stale: 5 * time.Second, gap: time.Second, orgs: map[int64]*orgEIDs{}}
}

// bleEntry is one provisioned key with its derived member key.
type bleEntry struct {
	memberID int64
	handle   uint32
	gen      uint64
	key      []byte
	revoked  bool // guarded by orgEIDs.mu: the database no longer has it
}

// stepEIDs is one step's eids. Collisions are so rare (see blev2.go) that
// they live in a second map instead of costing every eid a slice.
type stepEIDs struct {
	one  map[EID]*bleEntry
	more map[EID][]*bleEntry
}

// bleLoader reads an organisation's provisioned keys; prev are the entries
// of the last load, whose derived keys may be reused.
type bleLoader func(ctx context.Context, entityID int64, prev map[int64]*bleEntry) (map[int64]*bleEntry, error)

type orgEIDs struct {
	load sync.Mutex // one database load at a time per organisation

	mu       sync.Mutex
	loaded   bool
	dirty    bool // a key was provisioned or found revoked: reload before the next lookup
	loadedAt time.Time
	forcedAt time.Time // the last reload caused by an unknown eid
	members  map[int64]*bleEntry
	steps    map[uint32]*stepEIDs
}

func (x *eidIndex) org(entityID int64) *orgEIDs {
	x.mu.Lock()
	defer x.mu.Unlock()
	o := x.orgs[entityID]
	if o == nil {
		o = &orgEIDs{}
		x.orgs[entityID] = o
	}
	return o
}

// invalidate is called when this replica provisions a key: the next lookup
// reloads, so the new key works at once. (The old key is refused at once
// anyway: every match is confirmed against the database.)
func (x *eidIndex) invalidate(entityID int64) {
	o := x.org(entityID)
	o.mu.Lock()
	o.dirty = true
	o.mu.Unlock()
}

// forget marks an entry the database no longer has (revoked on another
// replica) and schedules a reload, which will likely find its successor.
// An entry is forgotten once, so replaying its payloads cannot force reloads.
func (x *eidIndex) forget(entityID int64, e *bleEntry) {
	o := x.org(entityID)
	o.mu.Lock()
	if !e.revoked {
		e.revoked = true
		o.dirty = true
	}
	o.mu.Unlock()
}

// lookup returns the keys whose eid at step is eid (normally none or one).
// step must already be inside the accepted window: the index builds a step's
// eids on first use.
func (x *eidIndex) lookup(ctx context.Context, entityID int64, step uint32, eid EID, now time.Time, load bleLoader) ([]*bleEntry, error) {
	o := x.org(entityID)
	if err := o.ensure(ctx, entityID, now, load, nil); err != nil {
		return nil, err
	}
	if c := o.find(step, eid, now); len(c) > 0 {
		return c, nil
	}
	if err := o.ensure(ctx, entityID, now, load, x); err != nil {
		return nil, err
	}
	return o.find(step, eid, now), nil
}

// ensure loads the organisation's keys when they were never loaded or are
// dirty; with refresh set (an eid was not found), also when they are older
// than refresh.stale and no such reload happened within refresh.gap.
func (o *orgEIDs) ensure(ctx context.Context, entityID int64, now time.Time, load bleLoader, refresh *eidIndex) error {
	o.load.Lock()
	defer o.load.Unlock()
	// Decided under the load lock: goroutines that queued behind a load find
	// it done and do not repeat it.
	o.mu.Lock()
	need := !o.loaded || o.dirty
	if !need && refresh != nil && now.Sub(o.loadedAt) >= refresh.stale && now.Sub(o.forcedAt) >= refresh.gap {
		need = true
		o.forcedAt = now
	}
	prev := o.members
	// Cleared before reading, so that a provisioning committed during the
	// read marks it dirty again rather than being lost.
	wasDirty := o.dirty
	o.dirty = false
	o.mu.Unlock()
	if !need {
		return nil
	}
	members, err := load(ctx, entityID, prev)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.dirty = o.dirty || wasDirty
		return err
	}
	o.members, o.steps = members, map[uint32]*stepEIDs{}
	o.loaded, o.loadedAt = true, now
	return nil
}

// find looks eid up among step's eids, computing them on first use and
// dropping steps that left the window.
func (o *orgEIDs) find(step uint32, eid EID, now time.Time) []*bleEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	cur := StepOf(now)
	for s := range o.steps {
		if uint64(s)+1 < cur {
			delete(o.steps, s)
		}
	}
	st := o.steps[step]
	if st == nil {
		st = buildStep(o.members, step)
		o.steps[step] = st
	}
	var out []*bleEntry
	if e := st.one[eid]; e != nil && !e.revoked {
		out = append(out, e)
	}
	for _, e := range st.more[eid] {
		if !e.revoked {
			out = append(out, e)
		}
	}
	return out
}

// buildStep computes every key's eid at step: one HMAC per key.
func buildStep(members map[int64]*bleEntry, step uint32) *stepEIDs {
	st := &stepEIDs{one: make(map[EID]*bleEntry, len(members))}
	for _, e := range members {
		id := BLEEphemeralID(e.key, step)
		if _, taken := st.one[id]; taken {
			if st.more == nil {
				st.more = map[EID][]*bleEntry{}
			}
			st.more[id] = append(st.more[id], e)
			continue
		}
		st.one[id] = e
	}
	return st
}
