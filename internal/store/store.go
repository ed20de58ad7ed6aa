// Package store opens the database (SQLite embedded, PostgreSQL in production),
// migrates it and hides the few differences between the two engines. Feature
// packages write their own SQL with $1 placeholders, which both engines accept.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultDSN is where `gatehouse serve` keeps its data when nothing is configured.
const DefaultDSN = "sqlite:gatehouse.db"

// DB is a database handle that knows its dialect.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	stmts   stmtCache
}

// Querier is what feature code needs to run SQL, in or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// Open connects to a DSN: "sqlite:PATH" (or "sqlite::memory:") or "postgres://…".
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		dsn = DefaultDSN
	}
	var db *DB
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		sdb, err := sql.Open("sqlite", sqliteDSN(strings.TrimPrefix(dsn, "sqlite:")))
		if err != nil {
			return nil, err
		}
		// One writer at a time is SQLite's model; WAL lets readers go on meanwhile.
		// Immediate transactions take the write lock up front, so two writers never
		// deadlock on a read-then-write upgrade; busy_timeout makes them queue.
		sdb.SetMaxOpenConns(8)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
		db = &DB{sql: sdb, dialect: SQLite}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		pdb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		conns := maxConns()
		pdb.SetMaxOpenConns(conns)
		pdb.SetMaxIdleConns(conns)
		pdb.SetConnMaxIdleTime(5 * time.Minute)
		db = &DB{sql: pdb, dialect: Postgres}
	default:
		return nil, fmt.Errorf("unsupported database %q: use sqlite:PATH or postgres://…", redactDSN(dsn))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.sql.PingContext(pingCtx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("connect to %s: %w", redactDSN(dsn), err)
	}
	return db, nil
}

func sqliteDSN(path string) string {
	if path == "" {
		path = "gatehouse.db"
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	if path == ":memory:" {
		// A private in-memory database per handle; shared cache keeps all pooled
		// connections on the same one.
		return "file::memory:?cache=shared&" + q.Encode()
	}
	return "file:" + path + "?" + q.Encode()
}

// maxConns is the PostgreSQL pool size: GATEHOUSE_DB_MAX_CONNS, default 32.
// Replicas × pool size must stay under the server's max_connections; the test
// suite sets a small pool because it runs many apps against one server.
func maxConns() int {
	if v, err := strconv.Atoi(os.Getenv("GATEHOUSE_DB_MAX_CONNS")); err == nil && v > 0 {
		return v
	}
	return 32
}

// redactDSN hides a password in a DSN so it can be logged or shown in errors.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect of the database.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the cached statements and the pool.
func (db *DB) Close() error {
	db.stmts.close()
	return db.sql.Close()
}

// SQL exposes the underlying pool (migrations, health checks).
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// ExecContext runs a statement with normalised arguments.
func (db *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := db.prepared(ctx, q, false); st != nil {
		return st.ExecContext(ctx, normalise(db.dialect, args)...)
	}
	return db.sql.ExecContext(ctx, q, normalise(db.dialect, args)...)
}

// QueryContext runs a query with normalised arguments.
func (db *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := db.prepared(ctx, q, false); st != nil {
		return st.QueryContext(ctx, normalise(db.dialect, args)...)
	}
	return db.sql.QueryContext(ctx, q, normalise(db.dialect, args)...)
}

// QueryRowContext runs a single-row query with normalised arguments.
func (db *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := db.prepared(ctx, q, false); st != nil {
		return st.QueryRowContext(ctx, normalise(db.dialect, args)...)
	}
	return db.sql.QueryRowContext(ctx, q, normalise(db.dialect, args)...)
}

// Tx is a transaction that knows its dialect.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	dialect Dialect
	after   []func()
}

// ExecContext runs a statement inside the transaction.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.db.prepared(ctx, q, true); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, normalise(t.dialect, args)...)
	}
	return t.tx.ExecContext(ctx, q, normalise(t.dialect, args)...)
}

// QueryContext runs a query inside the transaction.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.db.prepared(ctx, q, true); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, normalise(t.dialect, args)...)
	}
	return t.tx.QueryContext(ctx, q, normalise(t.dialect, args)...)
}

// QueryRowContext runs a single-row query inside the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.db.prepared(ctx, q, true); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, normalise(t.dialect, args)...)
	}
	return t.tx.QueryRowContext(ctx, q, normalise(t.dialect, args)...)
}

// Dialect of the transaction's database.
func (t *Tx) Dialect() Dialect { return t.dialect }

// AfterCommit registers fn to run once the transaction has committed (for example
// to wake the outbox relay). It never runs when the transaction rolls back.
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// InTx runs fn in a transaction: committed when fn returns nil, rolled back
// otherwise. On SQLite the transaction takes the write lock at BEGIN.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, db: db, dialect: db.dialect}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// sqliteTimeLayout is fixed-width UTC with microseconds, so that text order is
// time order in SQLite and modernc's driver parses it back into time.Time.
const sqliteTimeLayout = "2006-01-02 15:04:05.000000-07:00"

// normalise converts arguments the two engines treat differently, in one place:
// instants are always UTC, and on SQLite they are written in a fixed-width form.
func normalise(d Dialect, args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = formatTime(d, v)
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else {
				args[i] = formatTime(d, *v)
			}
		}
	}
	return args
}

func formatTime(d Dialect, t time.Time) any {
	t = t.UTC()
	if d == SQLite {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || // SQLite
		strings.Contains(msg, "SQLSTATE 23505") // PostgreSQL unique_violation
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "FOREIGN KEY constraint failed") || strings.Contains(msg, "SQLSTATE 23503")
}

// ErrNoRows is sql.ErrNoRows, re-exported so feature packages need one import.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means the query found nothing.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
