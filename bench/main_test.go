package bench

import (
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/api"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startServer starts a server for tb and closes it, and the clients' idle connections to
// it, when tb ends.
func startServer(tb testing.TB, run api.Run, latency time.Duration) *server {
	tb.Helper()
	s, err := newServer(run, latency)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Close()
		// Every peer uses the default transport, as its users do.
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	})
	return s
}
