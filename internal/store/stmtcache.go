package store

import (
	"context"
	"database/sql"
	"sync"
)

// The SQLite driver parses every statement afresh, which costs more than running
// the small statements of a check-in; PostgreSQL's driver (pgx) already caches
// prepared statements per connection. So on SQLite, statements are prepared once
// and reused: database/sql keeps one prepared copy per pooled connection and
// re-prepares on a connection that lacks it.

// maxCachedStatements bounds the cache: the application has a fixed set of
// queries; a query built with a variable number of placeholders (IN lists) adds
// one entry per length, and past the bound such queries simply run unprepared.
const maxCachedStatements = 2000

type stmtCache struct {
	mu       sync.RWMutex
	m        map[string]*sql.Stmt
	inflight map[string]bool
}

// prepared returns the cached prepared statement for q, preparing it on first
// use; nil means "run it unprepared" (PostgreSQL, a full cache, or a prepare
// error, which the unprepared run then reports with its usual message).
//
// Inside a transaction (inTx) it never prepares synchronously: preparing takes a
// second pooled connection, and on SQLite the transaction holds the write lock
// while every other connection may be waiting for it, so that wait would never
// end. There a missing statement runs unprepared and is prepared in the
// background for next time.
func (db *DB) prepared(ctx context.Context, q string, inTx bool) *sql.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	c := &db.stmts
	c.mu.RLock()
	st := c.m[q]
	n := len(c.m)
	c.mu.RUnlock()
	if st != nil || n >= maxCachedStatements {
		return st
	}
	if inTx {
		c.mu.Lock()
		if c.inflight == nil {
			c.inflight = map[string]bool{}
		}
		start := !c.inflight[q]
		c.inflight[q] = true
		c.mu.Unlock()
		if start {
			go db.prepared(context.Background(), q, false)
		}
		return nil
	}
	st, err := db.sql.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.inflight, q)
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	if prev, ok := c.m[q]; ok { // another goroutine won the race
		st.Close()
		return prev
	}
	c.m[q] = st
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}
