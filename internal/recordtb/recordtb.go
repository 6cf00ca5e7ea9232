// Package recordtb is a testing.TB that records the failures reported to it instead of
// failing the test: for tests showing that something (the fake, above all) does report a
// contract violation to the test that caused it. It imports nothing of ghjobs, so that the
// api package's own tests can use it.
package recordtb

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TB passes everything to the testing.TB it wraps but Errorf, which it records.
type TB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

// New returns a TB wrapping t.
func New(t testing.TB) *TB { return &TB{TB: t} }

// Helper does nothing: the recorded failures have no place in the test's output.
func (r *TB) Helper() {}

// Errorf records the failure.
func (r *TB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// Recorded returns the failures recorded so far, in order.
func (r *TB) Recorded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// String is the failures recorded so far, one a line.
func (r *TB) String() string { return strings.Join(r.Recorded(), "\n") }
