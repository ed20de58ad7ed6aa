package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// columns lists table → sorted column names as the engine reports them.
func columns(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT table_name, column_name FROM information_schema.columns
	      WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	if db.Dialect() == store.SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

func TestSchemasAgree(t *testing.T) {
	lite := storetest.SQLite(t)
	pg := storetest.Postgres(t)
	if diff := cmp.Diff(columns(t, lite), columns(t, pg)); diff != "" {
		t.Fatalf("SQLite and PostgreSQL schemas differ (-sqlite +postgres):\n%s", diff)
	}
	lv, _ := lite.SchemaVersion(context.Background())
	pv, _ := pg.SchemaVersion(context.Background())
	if lv != pv || lv == 0 {
		t.Fatalf("schema versions: sqlite %d, postgres %d", lv, pv)
	}
}

func TestInstantsRoundTripAndOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		early := time.Date(2026, 3, 29, 1, 59, 59, 999_000_000, berlin)
		late := early.Add(1500 * time.Millisecond)
		var id int64
		err := db.QueryRowContext(ctx, `INSERT INTO entities (name, timezone, created_at) VALUES ($1, $2, $3) RETURNING id`,
			"x", "Europe/Berlin", late).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ExecContext(ctx, `INSERT INTO entities (name, timezone, created_at) VALUES ($1, $2, $3)`, "y", "UTC", early)
		if err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := db.QueryRowContext(ctx, `SELECT created_at FROM entities WHERE id = $1`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(late) {
			t.Fatalf("round trip: got %v want %v", got, late)
		}
		var first string
		if err := db.QueryRowContext(ctx, `SELECT name FROM entities WHERE created_at < $1 ORDER BY created_at LIMIT 1`, late).Scan(&first); err != nil {
			t.Fatal(err)
		}
		if first != "y" {
			t.Fatalf("time order: first is %q", first)
		}
	})
}

func TestTxRollsBackAndRunsAfterCommitOnlyOnCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ran := 0
		_ = db.InTx(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() { ran++ })
			if _, err := tx.ExecContext(ctx, `INSERT INTO entities (name, timezone, created_at) VALUES ($1,$2,$3)`, "a", "UTC", time.Now()); err != nil {
				return err
			}
			return context.Canceled
		})
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entities`).Scan(&n)
		if n != 0 || ran != 0 {
			t.Fatalf("rollback left %d rows, after-commit ran %d times", n, ran)
		}
		_ = db.InTx(ctx, func(tx *store.Tx) error { tx.AfterCommit(func() { ran++ }); return nil })
		if ran != 1 {
			t.Fatalf("after-commit ran %d times", ran)
		}
	})
}

// Many writers at once, each running statements the cache has not seen, inside
// transactions: preparing must never wait for a second connection while the
// transaction holds SQLite's write lock (that wait would last until
// busy_timeout and fail the transaction).
func TestConcurrentTransactionsWithNewStatementsDoNotDeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const writers = 40
		errs := make(chan error, writers)
		start := time.Now()
		for i := range writers {
			go func() {
				errs <- db.InTx(ctx, func(tx *store.Tx) error {
					var n int
					// A statement text of its own per writer: never cached yet.
					if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) + %d FROM entities`, i)).Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO entities (name, timezone, created_at) VALUES ('w%d', 'UTC', $1)`, i), time.Now())
					return err
				})
			}()
		}
		for range writers {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%d small transactions took %v", writers, d)
		}
	})
}
