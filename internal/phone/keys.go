package phone

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/store"
)

// masterKey is one generation of the master secret.
type masterKey struct {
	gen       uint64
	secret    []byte
	createdAt time.Time
}

// keyStore loads the master keys from phone_keys, creating generation 1 on
// first use. Keys live in the database so that every replica signs and
// verifies with the same keys; they are sealed with the app keyring when one
// is configured.
type keyStore struct {
	db      *store.DB
	secrets *secret.Keyring

	mu    sync.Mutex
	cache map[uint64]*masterKey // immutable once read
}

func keyAAD(gen uint64) string { return "phone_key:" + strconv.FormatUint(gen, 10) }

func (k *keyStore) seal(gen uint64, raw []byte) (string, error) {
	if k.secrets == nil {
		return "raw:" + base64.StdEncoding.EncodeToString(raw), nil
	}
	return k.secrets.Seal(raw, keyAAD(gen))
}

func (k *keyStore) open(gen uint64, s string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(s, "raw:"); ok {
		return base64.StdEncoding.DecodeString(rest)
	}
	if k.secrets == nil {
		return nil, fmt.Errorf("phone key %d is sealed but no secret keyring is configured (GATEHOUSE_SECRET_KEY)", gen)
	}
	return k.secrets.Open(s, keyAAD(gen))
}

// insert creates generation gen unless it exists (concurrent creators: one wins).
func (k *keyStore) insert(ctx context.Context, gen uint64, now time.Time) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	sealed, err := k.seal(gen, raw)
	if err != nil {
		return err
	}
	_, err = k.db.ExecContext(ctx, `INSERT INTO phone_keys (generation, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		int64(gen), sealed, now)
	return err
}

// latest returns the two newest generations (newest first), creating the first.
func (k *keyStore) latest(ctx context.Context, now time.Time) ([]*masterKey, error) {
	for attempt := 0; attempt < 2; attempt++ {
		rows, err := k.db.QueryContext(ctx, `SELECT generation, secret, created_at FROM phone_keys ORDER BY generation DESC LIMIT 2`)
		if err != nil {
			return nil, err
		}
		var out []*masterKey
		for rows.Next() {
			var gen int64
			var sealed string
			var created time.Time
			if err := rows.Scan(&gen, &sealed, store.Time(&created)); err != nil {
				rows.Close()
				return nil, err
			}
			mk, err := k.get(uint64(gen), sealed, created)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, mk)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
		if err := k.insert(ctx, 1, now); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("phone: no master key")
}

func (k *keyStore) get(gen uint64, sealed string, created time.Time) (*masterKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if mk, ok := k.cache[gen]; ok {
		return mk, nil
	}
	raw, err := k.open(gen, sealed)
	if err != nil {
		return nil, err
	}
	mk := &masterKey{gen: gen, secret: raw, createdAt: created}
	if k.cache == nil {
		k.cache = map[uint64]*masterKey{}
	}
	k.cache[gen] = mk
	return mk, nil
}

// generation returns one generation (BLE keys provisioned under an old one).
func (k *keyStore) generation(ctx context.Context, gen uint64) (*masterKey, error) {
	k.mu.Lock()
	mk, ok := k.cache[gen]
	k.mu.Unlock()
	if ok {
		return mk, nil
	}
	var sealed string
	var created time.Time
	if err := k.db.QueryRowContext(ctx, `SELECT secret, created_at FROM phone_keys WHERE generation = $1`, int64(gen)).
		Scan(&sealed, store.Time(&created)); err != nil {
		return nil, err
	}
	return k.get(gen, sealed, created)
}

// rotate makes a new generation current and returns it.
func (k *keyStore) rotate(ctx context.Context, now time.Time) (uint64, error) {
	cur, err := k.latest(ctx, now)
	if err != nil {
		return 0, err
	}
	next := cur[0].gen + 1
	if err := k.insert(ctx, next, now); err != nil {
		return 0, err
	}
	return next, nil
}

// orgKey derives an organisation's key from a master key.
func orgKey(master []byte, entityID int64) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("gatehouse/phone/v1/entity/"))
	m.Write(strconv.AppendInt(nil, entityID, 10))
	return m.Sum(nil)
}

// keys returns the organisation's verification keys at now.
func (k *keyStore) keys(ctx context.Context, entityID int64, now time.Time) (*Keys, error) {
	ms, err := k.latest(ctx, now)
	if err != nil {
		return nil, err
	}
	out := &Keys{EntityID: entityID, Current: ms[0].gen, RotatedAt: ms[0].createdAt, Keys: map[uint64][]byte{}}
	for _, m := range ms {
		out.Keys[m.gen] = orgKey(m.secret, entityID)
	}
	return out, nil
}
