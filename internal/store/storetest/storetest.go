// Package storetest runs one test body against every database engine: SQLite
// always, PostgreSQL when GATEHOUSE_TEST_POSTGRES holds a DSN. Each PostgreSQL test
// gets its own schema, so tests never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// RequireServices reports whether a missing service must fail the test run
// instead of skipping (CI sets GATEHOUSE_REQUIRE_SERVICES=1).
func RequireServices() bool { return os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" }

// SkipOrFail skips with a clear line, or fails when services are required.
func SkipOrFail(t testing.TB, what string) {
	t.Helper()
	if RequireServices() {
		t.Fatalf("%s (GATEHOUSE_REQUIRE_SERVICES=1)", what)
	}
	t.Skipf("SKIP: %s", what)
}

// Each runs fn as a subtest per engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated SQLite database in a temporary file.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// PostgresDSN returns the DSN of a fresh, migrated schema of its own, dropped when
// the test ends; it skips (or fails) when PostgreSQL is not configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("GATEHOUSE_TEST_POSTGRES")
	if base == "" {
		SkipOrFail(t, "PostgreSQL tests need GATEHOUSE_TEST_POSTGRES=postgres://…")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		SkipOrFail(t, "PostgreSQL unreachable at GATEHOUSE_TEST_POSTGRES: "+err.Error())
	}
	// Extensions live in public so every test schema can use them.
	_, _ = admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	dsn := u.String()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Postgres opens a migrated PostgreSQL schema of its own.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
