package bench

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/api"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startServer starts a server that speaks p for tb and closes it, and the clients' idle
// connections to it, when tb ends.
func startServer(tb testing.TB, run api.Run, latency time.Duration, p proto) *server {
	tb.Helper()
	s, err := newServer(run, latency, p)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Close()
		s.closeIdle()
	})
	return s
}
