package bench

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/ghwire"
)

const (
	// perPage is the only page size the server has rendered: every peer asks for GitHub's
	// maximum, the fewest requests.
	perPage = 100
	// rateLimit is x-ratelimit-limit, as for a personal access token; anonLimit is GitHub's
	// limit without credentials.
	rateLimit = 5000
	anonLimit = 60

	docOperation = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt"
	docREST      = "https://docs.github.com/rest"
)

// server answers "List jobs for a workflow run attempt" for one attempt as GitHub does, with
// every page rendered and compressed once, so that a benchmark times the client and not the
// server: the same bytes for every client, gzip when the request accepts it, the Link, ETag,
// Cache-Control and x-ratelimit-* headers GitHub sends, 304 to a matching If-None-Match, and
// an optional latency per request. It speaks HTTP/1.1 in the clear or, as api.github.com
// does, HTTP/2 over TLS (see proto). The api package's fake does more (any run, any page
// size, every response validated against openapi.yaml) and is far too slow to time clients
// with; server_test.go validates this server's answers against the spec instead, once.
type server struct {
	// URL is the base URL for clients: scheme, loopback host and port, no trailing slash.
	URL string
	// ids are the attempt's job IDs in page order: what every client must return.
	ids []int64

	proto   proto
	tls     *http.Transport // for HTTP/2: trusts the server's certificate; nil for HTTP/1.1
	path    string          // the attempt's jobs path, as clients build it
	idPath  string          // the same path with the repository by id, as Link names it
	jobs    []generated.Job // the attempt as it is now; change alters it between listings
	pages   []atomic.Pointer[page]
	changes int           // how many times change has run
	total   string        // the job count, for the body of a page past the last
	reset   string        // x-ratelimit-reset: an hour after the server started
	latency time.Duration // added to every request

	requests    atomic.Int64 // every request
	counted     atomic.Int64 // those that count against the primary rate limit
	http2       atomic.Int64 // requests that came over HTTP/2
	gzipped     atomic.Int64 // pages sent gzip-compressed
	conns       atomic.Int64 // connections opened
	inFlight    atomic.Int64
	maxInFlight atomic.Int64

	hs *httptest.Server
}

// stats are what the server counted since it started or since resetStats.
type stats struct {
	requests    int64 // requests received
	counted     int64 // requests that count against the primary rate limit
	http2       int64 // requests that came over HTTP/2
	gzipped     int64 // pages sent gzip-compressed
	conns       int64 // connections clients opened
	maxInFlight int64 // the most requests it was answering at once
}

// newServer starts a server on loopback that speaks p and serves run (its jobs in pages of
// 100) to clients that send token, or none, waiting latency before it answers each request.
// The caller must Close it.
func newServer(run api.Run, latency time.Duration, p proto) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			return nil, fmt.Errorf("bench: listen on loopback: %w", err)
		}
	}
	s := &server{
		URL:     p.scheme() + "://" + l.Addr().String(),
		proto:   p,
		path:    fmt.Sprintf("/repos/%s/%s/actions/runs/%d/attempts/%d/jobs", run.Owner, run.Repo, run.RunID, run.Number),
		idPath:  fmt.Sprintf("/repositories/%d/actions/runs/%d/attempts/%d/jobs", repoID, run.RunID, run.Number),
		jobs:    slices.Clone(run.Jobs), // change alters them
		total:   strconv.Itoa(len(run.Jobs)),
		reset:   strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10),
		latency: latency,
	}
	if err := s.render(); err != nil {
		l.Close()
		return nil, err
	}
	// Built by hand rather than with httptest.NewServer, which panics when it cannot listen.
	s.hs = &httptest.Server{Listener: l, Config: &http.Server{Handler: s, ConnState: s.connState}}
	s.start()
	return s, nil
}

func (s *server) connState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.conns.Add(1)
	}
}

// Close shuts the server down; it waits for the requests in flight.
func (s *server) Close() { s.hs.Close() }

// pageURLs are the URLs of s's pages, in order, and the bytes their bodies hold.
func (s *server) pageURLs() (urls []string, size int64) {
	urls = make([]string, len(s.pages))
	for i := range s.pages {
		size += int64(len(s.pages[i].Load().body))
		urls[i] = s.URL + s.path + "?per_page=" + strconv.Itoa(perPage) + "&page=" + strconv.Itoa(i+1)
	}
	return urls, size
}

func (s *server) stats() stats {
	return stats{requests: s.requests.Load(), counted: s.counted.Load(), http2: s.http2.Load(),
		gzipped: s.gzipped.Load(), conns: s.conns.Load(), maxInFlight: s.maxInFlight.Load()}
}

// resetStats zeroes the counters; call it while no request is in flight.
func (s *server) resetStats() {
	for _, c := range []*atomic.Int64{&s.requests, &s.counted, &s.http2, &s.gzipped, &s.conns, &s.maxInFlight} {
		c.Store(0)
	}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Counted from the start, latency included, so that maxInFlight is the client's
	// concurrency. The count drops before the handler returns, and so before the last
	// bytes of the response are flushed: a sequential client is never seen twice.
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	s.requests.Add(1)
	if r.ProtoMajor == 2 {
		s.http2.Add(1)
	}

	if s.latency > 0 {
		t := time.NewTimer(s.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client has gone; there is no one to answer
		}
	}

	p, authed, status, msg, doc := s.route(r)
	if status != http.StatusOK {
		s.fail(w, authed, status, msg, doc)
		return
	}
	if p == nil { // past the last page: no jobs, as GitHub answers
		s.beyond(w, r, authed)
		return
	}
	h := w.Header()
	cacheHeaders(h, authed)
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 && ghwire.ETagMatches(strings.Join(inm, ","), p.etag) {
		h["Etag"] = p.header["Etag"]
		// Only an authorized 304 is free of the primary rate limit.
		s.rate(h, authed, s.count(!authed))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for k, v := range p.header {
		h[k] = v // shared, never modified: net/http only reads header values
	}
	body := p.body
	if ghwire.AcceptsGzip(r.Header.Values("Accept-Encoding")) {
		h["Content-Encoding"] = gzipHeader
		body = p.gzip
		s.gzipped.Add(1)
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	s.rate(h, authed, s.count(true))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

var gzipHeader = []string{"gzip"}

// count counts a request against the primary rate limit when counts, and returns how many
// have counted.
func (s *server) count(counts bool) int64 {
	if counts {
		return s.counted.Add(1)
	}
	return s.counted.Load()
}

// route checks the request as GitHub would, in GitHub's order (User-Agent, credentials,
// path, parameters), and returns the page it asks for (nil past the last page) and whether
// it carried the token, or the status, message and documentation URL of the error answer.
// The repository is public: a request without credentials gets the pages too.
func (s *server) route(r *http.Request) (p *page, authed bool, status int, msg, doc string) {
	if r.Header.Get("User-Agent") == "" {
		return nil, false, http.StatusForbidden, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.", docREST
	}
	switch auth := r.Header.Get("Authorization"); auth {
	case "Bearer " + token, "token " + token:
		authed = true
	case "":
	default:
		return nil, false, http.StatusUnauthorized, "Bad credentials", docREST
	}
	if r.Method != http.MethodGet || r.URL.Path != s.path && r.URL.Path != s.idPath {
		return nil, authed, http.StatusNotFound, "Not Found", docOperation
	}
	n, err := pageParam(r.URL.RawQuery)
	if err != nil {
		return nil, authed, http.StatusUnprocessableEntity, "Invalid request.\n\n" + err.Error(), docOperation
	}
	if n > len(s.pages) {
		return nil, authed, http.StatusOK, "", ""
	}
	return s.pages[n-1].Load(), authed, http.StatusOK, "", ""
}

// pageParam reads the page from a query that must also ask for per_page=100: the server
// has rendered no other page size, and a client that asks for another one, or for none
// (GitHub's default, 30), is not the client the benchmark means to time.
func pageParam(rawQuery string) (int, error) {
	n, sized, paged := 1, false, false
	for part := range strings.SplitSeq(rawQuery, "&") {
		key, value, _ := strings.Cut(part, "=")
		switch {
		case part == "":
		case key == "per_page" && !sized:
			if v, err := strconv.Atoi(value); err != nil || v != perPage {
				return 0, fmt.Errorf("per_page %q: the benchmark server has rendered pages of %d only", value, perPage)
			}
			sized = true
		case key == "page" && !paged:
			var err error
			if n, err = strconv.Atoi(value); err != nil || n < 1 {
				return 0, fmt.Errorf("page %q: want a page number from 1", value)
			}
			paged = true
		default:
			return 0, fmt.Errorf("%q: the benchmark server answers per_page=%d and page only", part, perPage)
		}
	}
	if !sized {
		return 0, fmt.Errorf("no per_page=%d: the benchmark server has rendered no other page size", perPage)
	}
	return n, nil
}

// beyond answers a page past the last one: total_count and no jobs, as GitHub does. No
// peer asks for it, so it is rendered here rather than in advance, and not compressed.
func (s *server) beyond(w http.ResponseWriter, r *http.Request, authed bool) {
	n, _ := pageParam(r.URL.RawQuery) // route has checked it
	body := []byte(`{"total_count":` + s.total + `,"jobs":[]}`)
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	h["Link"] = []string{s.link(n, len(s.pages))}
	cacheHeaders(h, authed)
	s.rate(h, authed, s.count(true))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// fail sends GitHub's error answer, a basic-error body.
func (s *server) fail(w http.ResponseWriter, authed bool, status int, msg, doc string) {
	body, err := marshal(struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
		Status           string `json:"status"`
	}{msg, doc, strconv.Itoa(status)})
	if err != nil {
		panic(err) // three strings always marshal
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	s.rate(h, authed, s.count(true))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
