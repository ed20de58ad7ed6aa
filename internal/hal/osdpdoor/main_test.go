package osdpdoor_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every line, lock watcher, replica and simulator must be gone when the
// tests end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"))
}
