package store

import (
	"database/sql"
	"fmt"
	"time"
)

// SQLite reports expressions (MIN, MAX, CASE …) without a declared type, so the
// driver hands back text where PostgreSQL hands back a timestamp. These scanners
// accept both.

type timeScanner struct{ dst *time.Time }

// Time scans a non-null instant from either engine.
func Time(dst *time.Time) sql.Scanner { return timeScanner{dst} }

func (s timeScanner) Scan(src any) error {
	t, err := parseInstant(src)
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("unexpected NULL instant")
	}
	*s.dst = *t
	return nil
}

type nullTimeScanner struct{ dst **time.Time }

// NullTime scans a nullable instant from either engine.
func NullTime(dst **time.Time) sql.Scanner { return nullTimeScanner{dst} }

func (s nullTimeScanner) Scan(src any) error {
	t, err := parseInstant(src)
	if err != nil {
		return err
	}
	*s.dst = t
	return nil
}

var instantLayouts = []string{
	sqliteTimeLayout,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

func parseInstant(src any) (*time.Time, error) {
	switch v := src.(type) {
	case nil:
		return nil, nil
	case time.Time:
		u := v.UTC()
		return &u, nil
	case []byte:
		return parseInstant(string(v))
	case string:
		for _, l := range instantLayouts {
			if t, err := time.Parse(l, v); err == nil {
				u := t.UTC()
				return &u, nil
			}
		}
		return nil, fmt.Errorf("cannot read %q as an instant", v)
	default:
		return nil, fmt.Errorf("cannot scan %T into an instant", src)
	}
}
