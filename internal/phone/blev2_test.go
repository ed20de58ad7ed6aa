package phone

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"
)

func testMemberKey(member int64, handle uint32) []byte {
	return BLEMemberKey(orgKey(bytes.Repeat([]byte{1}, 32), 7), member, handle)
}

func TestAdvertV2(t *testing.T) {
	// The byte budget of one legacy advertisement (31 bytes): Flags (3),
	// the 16-bit UUID list (4), Service Data header (len, 0x16, UUID: 4) and
	// the payload.
	if 3+4+4+BLEPayloadLenV2 != 31 || 1+BLEEIDLen+4+bleMAC2Len != BLEPayloadLenV2 {
		t.Fatal("the v2 payload does not fill exactly one legacy advertisement")
	}
	key := testMemberKey(5, 0xCAFE)
	step := uint32(StepOf(t0))
	b := BuildAdvertV2(key, step)
	if len(b) != BLEPayloadLenV2 || b[0] != BLEVersion2 {
		t.Fatalf("payload %x", b)
	}
	a, err := ParseAdvertV2(b)
	if err != nil || a.Step != step || a.EID != BLEEphemeralID(key, step) || !bytes.Equal(a.bytes(), b) {
		t.Fatal(a, err)
	}
	if !hmac.Equal(bleMAC2(key, b[:bleSigned2Len]), a.MAC[:]) {
		t.Fatal("MAC does not verify")
	}
	if !bytes.Equal(BuildAdvertV2(key, step), b) {
		t.Fatal("a step's payload must not change (the server de-duplicates it)")
	}
	// The handle is not on the air.
	if bytes.Contains(b, []byte{0, 0, 0xCA, 0xFE}) {
		t.Fatalf("handle in %x", b)
	}
	// Every single-bit change is refused by the MAC (or is no longer v2).
	for i := range len(b) * 8 {
		bad := append([]byte(nil), b...)
		bad[i/8] ^= 1 << (i % 8)
		ad, err := ParseAdvertV2(bad)
		if err != nil {
			continue
		}
		if ad.EID == a.EID && ad.Step == a.Step && ad.MAC == a.MAC {
			t.Fatalf("bit %d: parsed as the original", i)
		}
		if hmac.Equal(bleMAC2(key, bad[:bleSigned2Len]), ad.MAC[:]) && ad.EID == BLEEphemeralID(key, ad.Step) {
			t.Fatalf("bit %d: tampered payload verifies", i)
		}
	}
	// v1 and v2 of the same key share nothing on the air.
	v1 := BuildAdvert(key, 0xCAFE, step)
	if bytes.Equal(v1[9:], b[9:]) || bytes.Contains(b, v1[9:13]) {
		t.Fatal("v1 and v2 MACs coincide")
	}
	for _, c := range []struct {
		b   []byte
		ver byte
	}{{b, BLEVersion2}, {v1, BLEVersion}} {
		if v, s, err := PeekAdvert(c.b); err != nil || v != c.ver || s != step {
			t.Fatalf("peek %x: %d %d %v", c.b, v, s, err)
		}
	}
	for _, bad := range [][]byte{nil, b[:19], append([]byte{3}, b[1:]...), append(b, 0)} {
		if _, _, err := PeekAdvert(bad); !errors.Is(err, ErrAdvert) {
			t.Fatalf("peek accepted %x", bad)
		}
	}
}

// The test vector of docs/phone-credentials.md, for app developers.
func TestAdvertV2Vector(t *testing.T) {
	step := uint32(StepOf(time.Date(2026, 11, 21, 11, 1, 0, 0, time.UTC)))
	got := hex.EncodeToString(BuildAdvertV2(make([]byte, 32), step))
	if step != 59841962 || got != "02"+"5334f73dd33c1c2e"+"03911daa"+"be5d5f46f37a61" {
		t.Fatalf("step %d payload %s", step, got)
	}
}

// The eid changes at every step, and a day of one member's eids never repeats
// (an observer cannot link two steps by the id).
func TestEIDRotates(t *testing.T) {
	key := testMemberKey(5, 0xCAFE)
	first := uint32(StepOf(t0))
	seen := map[EID]uint32{}
	for s := first; s < first+24*3600/30; s++ {
		e := BLEEphemeralID(key, s)
		if prev, dup := seen[e]; dup {
			t.Fatalf("eid of step %d repeats step %d", s, prev)
		}
		seen[e] = s
	}
	if BLEEphemeralID(key, first) == BLEEphemeralID(testMemberKey(6, 0xCAFE), first) {
		t.Fatal("two members share an eid")
	}
}

func testMembers(n int) map[int64]*bleEntry {
	m := make(map[int64]*bleEntry, n)
	for i := range n {
		id := int64(i + 1)
		m[id] = &bleEntry{memberID: id, handle: uint32(1000 + i), gen: 1, key: testMemberKey(id, uint32(1000+i))}
	}
	return m
}

// countingLoader is a database stand-in that counts its reads.
type countingLoader struct {
	members map[int64]*bleEntry
	loads   int
	err     error
}

func (c *countingLoader) load(_ context.Context, _ int64, _ map[int64]*bleEntry) (map[int64]*bleEntry, error) {
	c.loads++
	if c.err != nil {
		return nil, c.err
	}
	out := make(map[int64]*bleEntry, len(c.members))
	for k, v := range c.members {
		e := *v
		out[k] = &e
	}
	return out, nil
}

// N members, every step of the window: each eid finds exactly its member.
func TestEIDIndexNoCollisions(t *testing.T) {
	const n = 5000
	ld := &countingLoader{members: testMembers(n)}
	x := newEIDIndex()
	now := t0
	cur := uint32(StepOf(now))
	ctx := context.Background()
	for _, step := range []uint32{cur - 1, cur, cur + 1} {
		for id, e := range ld.members {
			c, err := x.lookup(ctx, 7, step, BLEEphemeralID(e.key, step), now, ld.load)
			if err != nil || len(c) != 1 || c[0].memberID != id {
				t.Fatalf("member %d step %d: %v %v", id, step, c, err)
			}
		}
	}
	if ld.loads != 1 {
		t.Fatalf("%d loads for one index", ld.loads)
	}
	// Another organisation's index knows none of them.
	other := &countingLoader{members: map[int64]*bleEntry{}}
	if c, _ := x.lookup(ctx, 8, cur, BLEEphemeralID(ld.members[1].key, cur), now, other.load); len(c) != 0 {
		t.Fatal("found in another organisation")
	}
	// Steps that left the window are dropped.
	later := now.Add(3 * Step)
	if _, err := x.lookup(ctx, 7, cur+3, EID{}, later, ld.load); err != nil {
		t.Fatal(err)
	}
	o := x.org(7)
	o.mu.Lock()
	kept := len(o.steps)
	o.mu.Unlock()
	if kept != 1 {
		t.Fatalf("%d steps kept", kept)
	}
}

// Colliding eids (here: two entries with the same key) give every candidate,
// so that the MAC of each is tried; a revoked one is skipped.
func TestEIDIndexCollision(t *testing.T) {
	key := testMemberKey(1, 1)
	ld := &countingLoader{members: map[int64]*bleEntry{
		1: {memberID: 1, handle: 1, gen: 1, key: key},
		2: {memberID: 2, handle: 2, gen: 1, key: key},
		3: {memberID: 3, handle: 3, gen: 1, key: testMemberKey(3, 3)},
	}}
	x := newEIDIndex()
	step := uint32(StepOf(t0))
	c, err := x.lookup(context.Background(), 7, step, BLEEphemeralID(key, step), t0, ld.load)
	if err != nil || len(c) != 2 || c[0].memberID == c[1].memberID {
		t.Fatalf("candidates %v %v", c, err)
	}
	x.forget(7, c[0])
	// forget schedules a reload (the database stand-in still has both).
	c2, _ := x.lookup(context.Background(), 7, step, BLEEphemeralID(key, step), t0, ld.load)
	if len(c2) != 2 || ld.loads != 2 {
		t.Fatalf("after forget: %v, %d loads", c2, ld.loads)
	}
	x.forget(7, c2[0])
	x.org(7).mu.Lock()
	x.org(7).dirty = false // as if the reload had not happened yet
	x.org(7).mu.Unlock()
	if c3, _ := x.lookup(context.Background(), 7, step, BLEEphemeralID(key, step), t0, ld.load); len(c3) != 1 || c3[0] == c2[0] {
		t.Fatalf("a revoked entry is still a candidate: %v", c3)
	}
}

// Unknown eids reload the index only when it is older than stale, and never
// more than once per gap per organisation; provisioning reloads at once.
func TestEIDIndexRefresh(t *testing.T) {
	ld := &countingLoader{members: testMembers(3)}
	x := newEIDIndex()
	ctx := context.Background()
	now := t0
	step := uint32(StepOf(now))
	garbage := func() {
		for i := range 100 {
			if c, err := x.lookup(ctx, 7, step, EID{byte(i), 1}, now, ld.load); err != nil || len(c) != 0 {
				t.Fatal(c, err)
			}
		}
	}
	garbage()
	if ld.loads != 1 {
		t.Fatalf("%d loads for a fresh index", ld.loads)
	}
	// A key provisioned on another replica: found after stale, not before.
	newKey := testMemberKey(99, 99)
	ld.members[99] = &bleEntry{memberID: 99, handle: 99, gen: 1, key: newKey}
	if c, _ := x.lookup(ctx, 7, step, BLEEphemeralID(newKey, step), now, ld.load); len(c) != 0 || ld.loads != 1 {
		t.Fatalf("reloaded a fresh index: %d", ld.loads)
	}
	now = now.Add(x.stale)
	if c, _ := x.lookup(ctx, 7, step, BLEEphemeralID(newKey, step), now, ld.load); len(c) != 1 || ld.loads != 2 {
		t.Fatalf("stale index not reloaded: %v %d", c, ld.loads)
	}
	// A garbage flood costs at most one load per gap, even if stale is short.
	x.stale = 0
	for i := range 30 {
		now = now.Add(100 * time.Millisecond)
		garbage()
		if want := 2 + (i+1)/10; ld.loads != want {
			t.Fatalf("after %v: %d loads, want %d", time.Duration(i+1)*100*time.Millisecond, ld.loads, want)
		}
	}
	// Provisioning on this replica: the next lookup reloads, whatever the age.
	x.stale = time.Hour
	before := ld.loads
	x.invalidate(7)
	garbage()
	if ld.loads != before+1 {
		t.Fatalf("invalidate: %d loads", ld.loads-before)
	}
	// A failed load keeps the index dirty, so the next lookup tries again.
	x.invalidate(7)
	ld.err = errors.New("database down")
	if _, err := x.lookup(ctx, 7, step, EID{}, now, ld.load); err == nil {
		t.Fatal("load error swallowed")
	}
	ld.err = nil
	before = ld.loads
	garbage()
	if ld.loads != before+1 {
		t.Fatal("not reloaded after a failed load")
	}
}

func FuzzParseAdvertV2(f *testing.F) {
	f.Add(BuildAdvertV2(make([]byte, 32), 2))
	f.Add(BuildAdvert(make([]byte, 32), 1, 2))
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, step, perr := PeekAdvert(b)
		a, err := ParseAdvertV2(b)
		if err != nil {
			if perr == nil && v == BLEVersion2 {
				t.Fatal("peek accepts what the parser refuses")
			}
			return
		}
		if len(b) != BLEPayloadLenV2 || b[0] != BLEVersion2 || !bytes.Equal(a.bytes(), b) || perr != nil || v != BLEVersion2 || step != a.Step {
			t.Fatalf("inconsistent parse of %x: %+v", b, a)
		}
		// Only the real key's payload of that step verifies.
		key := make([]byte, 32)
		ok := a.EID == BLEEphemeralID(key, a.Step) && hmac.Equal(bleMAC2(key, b[:bleSigned2Len]), a.MAC[:])
		if ok != bytes.Equal(b, BuildAdvertV2(key, a.Step)) {
			t.Fatalf("verification of %x disagrees with BuildAdvertV2", b)
		}
	})
}

// Cost of the index for an organisation of 10,000 provisioned phones
// (docs/phone-credentials.md, "Server: finding the member").
const benchMembers = 10000

// BenchmarkEIDIndexBuild: the eids of one step (the first report of each
// step pays this; a full window is three).
func BenchmarkEIDIndexBuild(b *testing.B) {
	members := testMembers(benchMembers)
	step := uint32(StepOf(t0))
	b.ReportAllocs()
	for b.Loop() {
		buildStep(members, step)
	}
}

// BenchmarkEIDIndexDerive: deriving 10,000 member keys (a cold load; reloads
// reuse the keys that did not change).
func BenchmarkEIDIndexDerive(b *testing.B) {
	ok := orgKey(bytes.Repeat([]byte{1}, 32), 7)
	b.ReportAllocs()
	for b.Loop() {
		for i := range benchMembers {
			BLEMemberKey(ok, int64(i+1), uint32(1000+i))
		}
	}
}

// BenchmarkEIDLookup: one report's lookup in a built index plus the MAC
// check (the database confirmation and the check-in are not included).
func BenchmarkEIDLookup(b *testing.B) {
	ld := &countingLoader{members: testMembers(benchMembers)}
	x := newEIDIndex()
	step := uint32(StepOf(t0))
	ad := BuildAdvertV2(ld.members[4242].key, step)
	p, _ := ParseAdvertV2(ad)
	ctx := context.Background()
	if _, err := x.lookup(ctx, 7, step, p.EID, t0, ld.load); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, _ := x.lookup(ctx, 7, step, p.EID, t0, ld.load)
		if len(c) != 1 || !hmac.Equal(bleMAC2(c[0].key, ad[:bleSigned2Len]), p.MAC[:]) {
			b.Fatal("not found")
		}
	}
}

// Lookups, provisioning and revocations at once (run with -race): every
// lookup of a live key finds it, and concurrent lookups share one load.
func TestEIDIndexConcurrent(t *testing.T) {
	members := testMembers(200)
	var mu sync.Mutex
	loads := 0
	load := func(_ context.Context, _ int64, prev map[int64]*bleEntry) (map[int64]*bleEntry, error) {
		mu.Lock()
		loads++
		mu.Unlock()
		out := make(map[int64]*bleEntry, len(members))
		for k, v := range members {
			e := *v
			out[k] = &e
		}
		return out, nil
	}
	x := newEIDIndex()
	step := uint32(StepOf(t0))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := int64((g*31+i)%len(members) + 1)
				if g == 0 && i%50 == 0 {
					x.invalidate(7)
				}
				c, err := x.lookup(context.Background(), 7, step, BLEEphemeralID(members[id].key, step), t0, load)
				if err != nil || len(c) != 1 || c[0].memberID != id {
					t.Errorf("member %d: %v %v", id, c, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if loads > 1+4 {
		t.Fatalf("%d loads for 1 first load and 4 invalidations", loads)
	}
}
