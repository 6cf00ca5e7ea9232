package api

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Server is a Fake listening on loopback, like an httptest.Server.
type Server struct {
	// URL is the base URL for clients, path prefix included and without a trailing
	// slash, for example "http://127.0.0.1:41234/api/v3".
	URL string
	// Fake is the handler behind the server: add runs, read requests and violations.
	Fake *Fake

	hs   *httptest.Server
	fake *Fake // Fake may be reassigned by the caller; Close ends this one's waits
}

// NewServer starts a Fake configured by opts on a loopback port. The caller must Close it.
func NewServer(opts ...Option) (*Server, error) {
	f, err := New(opts...)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			return nil, fmt.Errorf("ghjobs/api: listen on loopback: %w", err)
		}
	}
	// Built by hand rather than with httptest.NewServer, which panics when it cannot listen.
	hs := &httptest.Server{Listener: l, Config: &http.Server{Handler: f}}
	hs.Start()
	return &Server{URL: hs.URL + f.v.prefix, Fake: f, hs: hs, fake: f}, nil
}

// NewTestServer is NewServer for tests: it calls tb.Fatal if the server cannot start, closes
// it when the test ends, and reports every contract violation with tb.Errorf, so the test
// whose client broke the contract fails (after any handler given in opts has run).
func NewTestServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	report := func(err error) { tb.Errorf("contract violation: %v", err) }
	s, err := NewServer(append(opts[:len(opts):len(opts)], WithViolationHandler(report))...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Client returns an HTTP client for the server, as httptest.Server.Client does.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// Close shuts the server down and waits for the requests in flight to finish. Requests
// waiting out a latency (WithLatency, Latency) are answered at once.
func (s *Server) Close() {
	s.fake.shutdown()
	s.hs.Close()
}
