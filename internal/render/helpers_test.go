package render

import (
	"runtime"
	"testing"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/internal/fixture"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	fixedNow   = fixture.Now
	fixtureRun = fixture.Run
)

// needsExec skips tests that start processes when the tests run as GOARCH=386, which CI does
// under qemu-user, where os/exec's fork crashes the Go runtime.
func needsExec(t *testing.T) {
	t.Helper()
	if runtime.GOARCH == "386" {
		t.Skip("starts processes; skipped on 386, which CI runs under qemu-user")
	}
}
