package phone

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/access"
	"github.com/gatehouse/gatehouse/internal/apperr"
	"github.com/gatehouse/gatehouse/internal/auth"
	"github.com/gatehouse/gatehouse/internal/store"
)

// BLE advertisement v1 (docs/phone-credentials.md, "BLE broadcast protocol",
// deprecated: the handle is static, so a phone can be followed; v2 is in
// blev2.go). Service Data for the 16-bit UUID BLEServiceUUID, 21 bytes:
//
//	0      version (0x01)
//	1..4   handle, uint32 big-endian (names the provisioned key)
//	5..8   time step, uint32 big-endian (Unix seconds / 30)
//	9..20  MAC: HMAC-SHA256(member key, "GHBLE1" ‖ bytes 0..8), first 12 bytes
const (
	BLEServiceUUID  = 0xFFF0 // placeholder until a SIG member UUID is assigned; see the docs
	BLEVersion      = 0x01
	BLEPayloadLen   = 21 // v1: one byte more than fits beside Flags and the UUID list (see blev2.go)
	bleMACLen       = 12
	DefaultTxPower  = -59 // dBm at 1 m, a typical phone
	DefaultPathLoss = 2.0 // free space
	DefaultRangeM   = 3
)

// Advert is a parsed BLE service-data payload.
type Advert struct {
	Handle uint32
	Step   uint32
	MAC    [bleMACLen]byte
	signed []byte
}

// ErrAdvert says the payload is not a Gatehouse v1 advertisement.
var ErrAdvert = errors.New("not a Gatehouse BLE advertisement")

// ParseAdvert decodes the 21-byte service data. It never panics.
func ParseAdvert(b []byte) (*Advert, error) {
	if len(b) != BLEPayloadLen || b[0] != BLEVersion {
		return nil, ErrAdvert
	}
	a := &Advert{Handle: binary.BigEndian.Uint32(b[1:5]), Step: binary.BigEndian.Uint32(b[5:9]), signed: append([]byte(nil), b[:9]...)}
	copy(a.MAC[:], b[9:])
	return a, nil
}

// ParseAdvertHex decodes the payload as a gateway reports it (hex, 42 digits).
func ParseAdvertHex(s string) (*Advert, error) {
	if len(s) != 2*BLEPayloadLen {
		return nil, ErrAdvert
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, ErrAdvert
	}
	return ParseAdvert(b)
}

// BLEMemberKey derives a member's broadcast key (provisioned to the phone once).
func BLEMemberKey(orgKey []byte, memberID int64, handle uint32) []byte {
	m := hmac.New(sha256.New, orgKey)
	m.Write([]byte("gatehouse/ble/v1/member/"))
	m.Write(strconv.AppendInt(nil, memberID, 10))
	m.Write([]byte{'/'})
	m.Write(strconv.AppendUint(nil, uint64(handle), 10))
	return m.Sum(nil)
}

// BuildAdvert is what the phone broadcasts at step (the reference broadcaster).
func BuildAdvert(memberKey []byte, handle uint32, step uint32) []byte {
	b := make([]byte, 9, BLEPayloadLen)
	b[0] = BLEVersion
	binary.BigEndian.PutUint32(b[1:5], handle)
	binary.BigEndian.PutUint32(b[5:9], step)
	return append(b, bleMAC(memberKey, b)...)
}

func bleMAC(memberKey, signed []byte) []byte {
	m := hmac.New(sha256.New, memberKey)
	m.Write([]byte("GHBLE1"))
	m.Write(signed)
	return m.Sum(nil)[:bleMACLen]
}

// Distance estimates metres from RSSI with the log-distance path-loss model:
// d = 10^((txPower − rssi) / (10·n)), txPower being the RSSI at 1 m.
func Distance(rssi, txPower int, n float64) float64 {
	if n <= 0 {
		n = DefaultPathLoss
	}
	return math.Pow(10, float64(txPower-rssi)/(10*n))
}

// BLEKey is a provisioned broadcast key, returned once to the member's phone.
type BLEKey struct {
	Handle        uint32    `json:"handle" doc:"Names the key. Broadcast only by the deprecated protocol v1 (bytes 1–4); v2 phones broadcast a rotating id derived from the key instead and never send the handle."`
	Key           string    `json:"key" doc:"The member key, hex (32 bytes). Store it in the phone's secure storage; it is shown only here."`
	ServiceUUID   string    `json:"serviceUuid" doc:"16-bit service UUID of the service data."`
	StepSeconds   int       `json:"stepSeconds"`
	ServerTime    time.Time `json:"serverTime" doc:"The server's clock, to measure the phone's offset."`
	KeyGeneration uint64    `json:"keyGeneration"`
}

// ProvisionBLE makes a new broadcast key for the signed-in member; the previous
// one stops working.
func (s *Service) ProvisionBLE(ctx context.Context, p *auth.Principal) (*BLEKey, error) {
	if p.MemberID == nil {
		return nil, apperr.Forbidden("this account is not linked to a member")
	}
	now := s.Clock.Now()
	keys, err := s.keys.keys(ctx, p.EntityID, now)
	if err != nil {
		return nil, err
	}
	for range 5 {
		var hb [4]byte
		_, _ = rand.Read(hb[:])
		handle := binary.BigEndian.Uint32(hb[:])
		if handle == 0 {
			continue
		}
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM phone_ble_keys WHERE member_id = $1`, *p.MemberID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO phone_ble_keys (member_id, entity_id, handle, key_gen, created_at) VALUES ($1, $2, $3, $4, $5)`,
				*p.MemberID, p.EntityID, int64(handle), int64(keys.Current), now)
			return err
		})
		if store.IsUniqueViolation(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// This replica's eid index learns the new key before the next report.
		// Other replicas reload when they meet an eid they do not know; the
		// old key is refused everywhere at once (matches are confirmed in the
		// database).
		s.eids.invalidate(p.EntityID)
		k := BLEMemberKey(keys.Keys[keys.Current], *p.MemberID, handle)
		return &BLEKey{Handle: handle, Key: hex.EncodeToString(k), ServiceUUID: "0x" + strings.ToUpper(strconv.FormatUint(BLEServiceUUID, 16)),
			StepSeconds: int(Step / time.Second), ServerTime: now, KeyGeneration: keys.Current}, nil
	}
	return nil, errors.New("phone: could not allocate a BLE handle")
}

// BLEReport is the body of POST /api/ble/reports.
type BLEReport struct {
	ZoneID   *int64    `json:"zoneId,omitempty" minimum:"1" doc:"The zone the gateway guards (default: the zone the gateway is bound to)."`
	ReaderID *string   `json:"readerId,omitempty" minLength:"1" maxLength:"100" doc:"The receiving antenna/reader; names its RSSI calibration."`
	Token    string    `json:"token" minLength:"1" maxLength:"100" doc:"The advertisement's service data, unchanged, hex (protocol v2: 40 digits; the deprecated v1: 42)."`
	RSSI     int       `json:"rssi" minimum:"-127" maximum:"20" doc:"Received signal strength, dBm."`
	SeenAt   time.Time `json:"seenAt" doc:"When the gateway received it."`
}

// BLEOutcome is a report that did not lead to a decision.
type BLEOutcome struct {
	Reason    string  `json:"reason" enum:"OUT_OF_RANGE,DUPLICATE,STALE" doc:"Why nothing was decided."`
	DistanceM float64 `json:"distanceM" doc:"The estimated distance."`
	RangeM    int     `json:"rangeM" doc:"The zone's range limit."`
}

// BLEConfig is a zone's BLE range limit.
type BLEConfig struct {
	RangeM int `json:"rangeM" enum:"1,3,5" doc:"Range limit in metres (1, 3 or 5; default 3)."`
}

// BLEReader is a reader's RSSI calibration.
type BLEReader struct {
	TxPower  int     `json:"txPower" minimum:"-120" maximum:"0" doc:"RSSI at 1 m, dBm (default -59)."`
	PathLoss float64 `json:"pathLossExponent" minimum:"1" maximum:"6" doc:"Path-loss exponent n (2 = free space; 2.5–4 indoors)."`
}

// SetZoneRange sets a zone's range limit.
func (s *Service) SetZoneRange(ctx context.Context, p *auth.Principal, zoneID int64, c BLEConfig) error {
	if c.RangeM != 1 && c.RangeM != 3 && c.RangeM != 5 {
		return apperr.Field("rangeM", "must be 1, 3 or 5")
	}
	if ok, err := s.Access.ZoneExists(ctx, p.EntityID, zoneID); err != nil {
		return err
	} else if !ok {
		return apperr.NotFound("zone")
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO phone_ble_zones (zone_id, entity_id, range_m) VALUES ($1, $2, $3)
		ON CONFLICT (zone_id) DO UPDATE SET range_m = excluded.range_m`, zoneID, p.EntityID, c.RangeM)
	return err
}

// SetReader sets a reader's calibration.
func (s *Service) SetReader(ctx context.Context, p *auth.Principal, readerID string, r BLEReader) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO phone_ble_readers (entity_id, reader_id, tx_power, path_loss) VALUES ($1, $2, $3, $4)
		ON CONFLICT (entity_id, reader_id) DO UPDATE SET tx_power = excluded.tx_power, path_loss = excluded.path_loss`,
		p.EntityID, readerID, r.TxPower, r.PathLoss)
	return err
}

// Report handles a gateway's sighting: verify, range, de-duplicate, decide.
// It returns the CheckIn, or an outcome when nothing was decided.
func (s *Service) Report(ctx context.Context, p *auth.Principal, r BLEReport) (*access.CheckIn, *BLEOutcome, error) {
	zoneID := r.ZoneID
	if p.ZoneID != nil {
		if zoneID != nil && *zoneID != *p.ZoneID {
			return nil, nil, apperr.Forbidden("this gateway is bound to zone " + strconv.FormatInt(*p.ZoneID, 10))
		}
		zoneID = p.ZoneID
	}
	if zoneID == nil {
		return nil, nil, apperr.Field("zoneId", "is required for a gateway not bound to a zone")
	}
	if ok, err := s.Access.ZoneExists(ctx, p.EntityID, *zoneID); err != nil {
		return nil, nil, err
	} else if !ok {
		return nil, nil, apperr.NotFound("zone")
	}
	now := s.Clock.Now()
	if d := now.Sub(r.SeenAt); d > 2*Step || d < -2*Step {
		return nil, &BLEOutcome{Reason: "STALE"}, nil
	}
	raw, err := decodeAdvertHex(strings.ToLower(strings.TrimSpace(r.Token)))
	if err != nil {
		return nil, nil, apperr.Field("token", "is not a Gatehouse BLE advertisement (version 2: 40 hex digits; version 1: 42)")
	}
	var memberID int64
	var step uint32
	switch raw[0] {
	case BLEVersion2:
		memberID, step, err = s.verifyV2(ctx, p.EntityID, raw, now)
	case BLEVersion:
		if s.RefuseBLEv1 {
			return nil, nil, apperr.Field("token", "BLE protocol version 1 is no longer accepted: update the app")
		}
		memberID, step, err = s.verifyV1(ctx, p.EntityID, raw, now)
	default:
		err = apperr.Field("token", "is not a Gatehouse BLE advertisement (version 2: 40 hex digits; version 1: 42)")
	}
	if err != nil {
		return nil, nil, err
	}
	tx, n := DefaultTxPower, DefaultPathLoss
	if r.ReaderID != nil {
		err := s.DB.QueryRowContext(ctx, `SELECT tx_power, path_loss FROM phone_ble_readers WHERE entity_id = $1 AND reader_id = $2`,
			p.EntityID, *r.ReaderID).Scan(&tx, &n)
		if err != nil && !store.IsNoRows(err) {
			return nil, nil, err
		}
	}
	rangeM := DefaultRangeM
	if err := s.DB.QueryRowContext(ctx, `SELECT range_m FROM phone_ble_zones WHERE zone_id = $1 AND entity_id = $2`, *zoneID, p.EntityID).
		Scan(&rangeM); err != nil && !store.IsNoRows(err) {
		return nil, nil, err
	}
	dist := math.Round(Distance(r.RSSI, tx, n)*100) / 100
	if dist > float64(rangeM) {
		return nil, &BLEOutcome{Reason: "OUT_OF_RANGE", DistanceM: dist, RangeM: rangeM}, nil
	}
	if s.prune.Add(1)%64 == 1 {
		if _, err := s.DB.ExecContext(ctx, `DELETE FROM phone_ble_seen WHERE expires_at < $1`, now.Add(-time.Hour)); err != nil {
			return nil, nil, err
		}
	}
	res, err := s.DB.ExecContext(ctx, `INSERT INTO phone_ble_seen (token_hash, zone_id, entity_id, reader_id, seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, hashToken(hex.EncodeToString(raw)),
		*zoneID, p.EntityID, r.ReaderID, now, Expiry(uint64(step)))
	if err != nil {
		return nil, nil, err
	}
	if k, err := res.RowsAffected(); err != nil {
		return nil, nil, err
	} else if k == 0 {
		return nil, &BLEOutcome{Reason: "DUPLICATE", DistanceM: dist, RangeM: rangeM}, nil
	}
	ci, err := s.Access.CheckInVerified(ctx, p, access.CheckInRequest{ZoneID: zoneID, MethodCd: "BLE"}, memberID)
	return ci, nil, err
}

// New values each time: an *apperr.Error is mutable (With).
func errBLEInvalid() error {
	return apperr.Field("token", "the advertisement is not valid (unknown key, signature or time step)")
}

func errBLEWindow() error {
	return apperr.Field("token", "the advertisement's time step is outside the accepted window (phone clock or a replayed recording)")
}

// inBLEWindow: one step of clock skew either way, as for QR tokens.
func inBLEWindow(step uint32, now time.Time) bool {
	ns := StepOf(now)
	return uint64(step)+1 >= ns && uint64(step) <= ns+1
}

// verifyV1 checks a deprecated v1 payload: the handle names the key.
func (s *Service) verifyV1(ctx context.Context, entityID int64, raw []byte, now time.Time) (int64, uint32, error) {
	ad, err := ParseAdvert(raw)
	if err != nil {
		return 0, 0, errBLEInvalid()
	}
	var memberID, gen int64
	err = s.DB.QueryRowContext(ctx, `SELECT member_id, key_gen FROM phone_ble_keys WHERE entity_id = $1 AND handle = $2`,
		entityID, int64(ad.Handle)).Scan(&memberID, &gen)
	if store.IsNoRows(err) {
		return 0, 0, errBLEInvalid()
	}
	if err != nil {
		return 0, 0, err
	}
	mk, err := s.keys.generation(ctx, uint64(gen))
	if err != nil {
		return 0, 0, err
	}
	if !hmac.Equal(bleMAC(BLEMemberKey(orgKey(mk.secret, entityID), memberID, ad.Handle), ad.signed), ad.MAC[:]) {
		return 0, 0, errBLEInvalid()
	}
	if !inBLEWindow(ad.Step, now) {
		return 0, 0, errBLEWindow()
	}
	return memberID, ad.Step, nil
}

// verifyV2 checks a v2 payload: the eid is looked up in the organisation's
// index, the MAC of each candidate tried, and the match confirmed in the
// database, because the index may predate a revocation on another replica.
func (s *Service) verifyV2(ctx context.Context, entityID int64, raw []byte, now time.Time) (int64, uint32, error) {
	ad, err := ParseAdvertV2(raw)
	if err != nil {
		return 0, 0, errBLEInvalid()
	}
	// The window first: the index computes eids only for the steps it can
	// accept, so a report cannot make it hash an arbitrary step.
	if !inBLEWindow(ad.Step, now) {
		return 0, 0, errBLEWindow()
	}
	cands, err := s.eids.lookup(ctx, entityID, ad.Step, ad.EID, now, s.loadBLEKeys)
	if err != nil {
		return 0, 0, err
	}
	signed := raw[:bleSigned2Len]
	for _, c := range cands {
		if !hmac.Equal(bleMAC2(c.key, signed), ad.MAC[:]) {
			continue
		}
		var one int
		err := s.DB.QueryRowContext(ctx, `SELECT 1 FROM phone_ble_keys WHERE entity_id = $1 AND member_id = $2 AND handle = $3 AND key_gen = $4`,
			entityID, c.memberID, int64(c.handle), int64(c.gen)).Scan(&one)
		if store.IsNoRows(err) {
			s.eids.forget(entityID, c)
			continue
		}
		if err != nil {
			return 0, 0, err
		}
		return c.memberID, ad.Step, nil
	}
	return 0, 0, errBLEInvalid()
}

// loadBLEKeys reads the organisation's provisioned keys for the eid index,
// reusing the derived keys of prev where the key did not change.
func (s *Service) loadBLEKeys(ctx context.Context, entityID int64, prev map[int64]*bleEntry) (map[int64]*bleEntry, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT member_id, handle, key_gen FROM phone_ble_keys WHERE entity_id = $1`, entityID)
	if err != nil {
		return nil, err
	}
	var list []*bleEntry
	for rows.Next() {
		var m, h, g int64
		if err := rows.Scan(&m, &h, &g); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, &bleEntry{memberID: m, handle: uint32(h), gen: uint64(g)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Derived after the rows are closed: a master key not yet cached is
	// another query, and SQLite may have only one connection.
	orgKeys := map[uint64][]byte{}
	out := make(map[int64]*bleEntry, len(list))
	for _, e := range list {
		if p := prev[e.memberID]; p != nil && p.handle == e.handle && p.gen == e.gen {
			e.key = p.key
		} else {
			ok := orgKeys[e.gen]
			if ok == nil {
				mk, err := s.keys.generation(ctx, e.gen)
				if err != nil {
					return nil, err
				}
				ok = orgKey(mk.secret, entityID)
				orgKeys[e.gen] = ok
			}
			e.key = BLEMemberKey(ok, e.memberID, e.handle)
		}
		out[e.memberID] = e
	}
	return out, nil
}

// BLEReaderEntry is a calibrated reader (GET /api/ble/readers).
type BLEReaderEntry struct {
	ReaderID string `json:"readerId"`
	BLEReader
}

// BLEZoneRange is a zone's range limit (GET /api/ble/zones).
type BLEZoneRange struct {
	ZoneID int64 `json:"zoneId"`
	RangeM int   `json:"rangeM"`
}

// Readers lists the organisation's calibrated readers; a reader not listed
// uses DefaultTxPower and DefaultPathLoss.
func (s *Service) Readers(ctx context.Context, p *auth.Principal) ([]BLEReaderEntry, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT reader_id, tx_power, path_loss FROM phone_ble_readers WHERE entity_id = $1 ORDER BY reader_id`, p.EntityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BLEReaderEntry{}
	for rows.Next() {
		var e BLEReaderEntry
		if err := rows.Scan(&e.ReaderID, &e.TxPower, &e.PathLoss); err != nil {
			return nil, err
		}
		// REAL is single precision on PostgreSQL: 2.7 would come back as 2.700000047.
		e.PathLoss = math.Round(e.PathLoss*1000) / 1000
		out = append(out, e)
	}
	return out, rows.Err()
}

// ZoneRanges lists the zones whose range was set; the others use DefaultRangeM.
func (s *Service) ZoneRanges(ctx context.Context, p *auth.Principal) ([]BLEZoneRange, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT zone_id, range_m FROM phone_ble_zones WHERE entity_id = $1 ORDER BY zone_id`, p.EntityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BLEZoneRange{}
	for rows.Next() {
		var z BLEZoneRange
		if err := rows.Scan(&z.ZoneID, &z.RangeM); err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, rows.Err()
}
