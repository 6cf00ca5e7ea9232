package bench

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

// proto is how the server speaks, a dimension of every benchmark (proto=h1, proto=h2):
// h1 is HTTP/1.1 in the clear, each client on its library's default transport; h2 is
// HTTP/2 over TLS, as api.github.com serves it, where the pages in flight share one
// connection.
type proto string

const (
	h1 proto = "h1"
	h2 proto = "h2"
)

var protos = []proto{h1, h2}

func (p proto) scheme() string {
	if p == h2 {
		return "https"
	}
	return "http"
}

// start starts s.hs as p says: for h2 with TLS and HTTP/2, and a transport for clients
// that trusts the server's certificate: http.DefaultTransport's settings (HTTP/2 included),
// as a user of any of the peers would configure it for a private CA.
func (s *server) start() {
	if s.proto != h2 {
		s.hs.Start()
		return
	}
	s.hs.EnableHTTP2 = true
	s.hs.StartTLS()
	roots := x509.NewCertPool()
	roots.AddCert(s.hs.Certificate())
	s.tls = http.DefaultTransport.(*http.Transport).Clone()
	s.tls.TLSClientConfig = &tls.Config{RootCAs: roots}
}

// transport is what a client of s sends its requests through: nil, for each library's
// default, over HTTP/1.1; the transport that trusts s's certificate over HTTP/2.
func (s *server) transport() http.RoundTripper {
	if s.tls == nil {
		return nil
	}
	return s.tls
}

// client is an *http.Client for s: http.DefaultClient over HTTP/1.1.
func (s *server) client() *http.Client {
	if s.tls == nil {
		return http.DefaultClient
	}
	return &http.Client{Transport: s.tls}
}

// pooledClient is client, but over HTTP/1.1 with a transport of its own that keeps idle
// connections for n requests at once, where http.DefaultClient keeps 2 and would dial again.
func (s *server) pooledClient(n int) *http.Client {
	if s.tls != nil {
		return s.client()
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = n
	return &http.Client{Transport: t}
}

// closeIdle closes the idle connections of every transport s's clients use by default.
func (s *server) closeIdle() {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if s.tls != nil {
		s.tls.CloseIdleConnections()
	}
}
