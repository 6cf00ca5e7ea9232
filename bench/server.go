package bench

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ghjobs/ghjobs/api"
)

const (
	// perPage is the only page size the server has rendered: every peer asks for GitHub's
	// maximum, the fewest requests.
	perPage = 100
	// rateLimit is x-ratelimit-limit, as for a personal access token.
	rateLimit = 5000

	docOperation = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt"
	docREST      = "https://docs.github.com/rest"
)

// server answers "List jobs for a workflow run attempt" for one attempt as GitHub does, with
// every page rendered once, so that a benchmark times the client and not the server: the
// same bytes for every client, the Link, ETag and x-ratelimit-* headers GitHub sends, 304 to
// a matching If-None-Match, and an optional latency per request. The api package's fake
// does more (any run, any page size, every response validated against openapi.yaml) and is
// far too slow to time clients with; server_test.go validates this server's answers against
// the spec instead, once.
type server struct {
	// URL is the base URL for clients: scheme, loopback host and port, no trailing slash.
	URL string
	// ids are the attempt's job IDs in page order: what every client must return.
	ids []int64

	path    string        // the attempt's jobs path, the only one served
	pages   []page        // pages[i] is page i+1
	total   string        // the job count, for the body of a page past the last
	reset   string        // x-ratelimit-reset: an hour after the server started
	latency time.Duration // added to every request

	requests    atomic.Int64 // every request
	counted     atomic.Int64 // those that count against the primary rate limit: all but 304s
	inFlight    atomic.Int64
	maxInFlight atomic.Int64

	hs *httptest.Server
}

// page is one page, ready to send.
type page struct {
	body   []byte
	etag   string
	header http.Header // all but the per-request headers
}

// stats are what the server counted since it started or since resetStats.
type stats struct {
	requests    int64 // requests received
	counted     int64 // requests that count against the primary rate limit (all but 304s)
	maxInFlight int64 // the most requests it was answering at once
}

// newServer starts a server on loopback that serves run (its jobs in pages of 100) to
// clients that send token, waiting latency before it answers each request. The caller must
// Close it.
func newServer(run api.Run, latency time.Duration) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			return nil, fmt.Errorf("bench: listen on loopback: %w", err)
		}
	}
	s := &server{
		URL:     "http://" + l.Addr().String(),
		path:    fmt.Sprintf("/repos/%s/%s/actions/runs/%d/attempts/%d/jobs", run.Owner, run.Repo, run.RunID, run.Attempt),
		total:   strconv.Itoa(len(run.Jobs)),
		reset:   strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10),
		latency: latency,
	}
	if err := s.render(run); err != nil {
		l.Close()
		return nil, err
	}
	// Built by hand rather than with httptest.NewServer, which panics when it cannot listen.
	s.hs = &httptest.Server{Listener: l, Config: &http.Server{Handler: s}}
	s.hs.Start()
	return s, nil
}

// render builds every page's body and headers.
func (s *server) render(run api.Run) error {
	last := max(1, (len(run.Jobs)+perPage-1)/perPage)
	s.ids = make([]int64, len(run.Jobs))
	s.pages = make([]page, last)
	for p := range s.pages {
		start, end := p*perPage, min((p+1)*perPage, len(run.Jobs))
		body := ghPage{TotalCount: len(run.Jobs), Jobs: make([]api.GitHubJob, 0, end-start)}
		for i := start; i < end; i++ {
			s.ids[i] = run.Jobs[i].ID
			body.Jobs = append(body.Jobs, api.ToGitHub(&run.Jobs[i]))
		}
		b, err := marshal(body)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		etag := `W/"` + hex.EncodeToString(sum[:]) + `"`
		h := http.Header{
			"Content-Type":                  {"application/json; charset=utf-8"},
			"Content-Length":                {strconv.Itoa(len(b))},
			"Etag":                          {etag},
			"X-Github-Media-Type":           {"github.v3; format=json"},
			"X-Github-Api-Version-Selected": {"2022-11-28"},
		}
		cacheHeaders(h)
		if last > 1 {
			h["Link"] = []string{s.link(p+1, last)}
		}
		s.pages[p] = page{body: b, etag: etag, header: h}
	}
	return nil
}

// cacheHeaders sets what GitHub sends about caching on authenticated answers.
func cacheHeaders(h http.Header) {
	h["Cache-Control"] = []string{"private, max-age=60, s-maxage=60"}
	h["Vary"] = []string{"Accept, Authorization, Cookie, X-GitHub-OTP", "Accept-Encoding, Accept, X-Requested-With"}
}

// link is page p's Link header, with the relations GitHub sends, in its order: prev, next,
// last, first, each only where it applies (as the api package's fake does).
func (s *server) link(p, last int) string {
	ref := func(p int, rel string) string {
		return "<" + s.URL + s.path + "?per_page=" + strconv.Itoa(perPage) + "&page=" + strconv.Itoa(p) + `>; rel="` + rel + `"`
	}
	var rels []string
	if p > 1 {
		rels = append(rels, ref(p-1, "prev"))
	}
	if p < last {
		rels = append(rels, ref(p+1, "next"), ref(last, "last"))
	}
	if p > 1 {
		rels = append(rels, ref(1, "first"))
	}
	return strings.Join(rels, ", ")
}

// marshal encodes v as GitHub does: no HTML escaping, no trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("bench: render %T: %w", v, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Close shuts the server down; it waits for the requests in flight.
func (s *server) Close() { s.hs.Close() }

func (s *server) stats() stats {
	return stats{requests: s.requests.Load(), counted: s.counted.Load(), maxInFlight: s.maxInFlight.Load()}
}

// resetStats zeroes the counters; call it while no request is in flight.
func (s *server) resetStats() {
	s.requests.Store(0)
	s.counted.Store(0)
	s.maxInFlight.Store(0)
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

	if s.latency > 0 {
		t := time.NewTimer(s.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client has gone; there is no one to answer
		}
	}

	p, status, msg, doc := s.route(r)
	if status != http.StatusOK {
		s.fail(w, status, msg, doc)
		return
	}
	if p == nil { // past the last page: no jobs, as GitHub answers
		s.beyond(w, r)
		return
	}
	h := w.Header()
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 && etagMatch(inm, p.etag) {
		h["Etag"] = p.header["Etag"]
		cacheHeaders(h)
		s.rate(h, s.counted.Load()) // a 304 does not count against the primary limit
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for k, v := range p.header {
		h[k] = v // shared, never modified: net/http only reads header values
	}
	s.rate(h, s.counted.Add(1))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(p.body)
}

// route checks the request as GitHub would, in GitHub's order (User-Agent, credentials,
// path, parameters), and returns the page it asks for (nil past the last page), or the
// status, message and documentation URL of the error answer.
func (s *server) route(r *http.Request) (p *page, status int, msg, doc string) {
	if r.Header.Get("User-Agent") == "" {
		return nil, http.StatusForbidden, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.", docREST
	}
	switch auth := r.Header.Get("Authorization"); auth {
	case "Bearer " + token, "token " + token:
	case "":
		return nil, http.StatusNotFound, "Not Found", docOperation // a private repository, to GitHub
	default:
		return nil, http.StatusUnauthorized, "Bad credentials", docREST
	}
	if r.Method != http.MethodGet || r.URL.Path != s.path {
		return nil, http.StatusNotFound, "Not Found", docOperation
	}
	n, err := pageParam(r.URL.RawQuery)
	if err != nil {
		return nil, http.StatusUnprocessableEntity, "Invalid request.\n\n" + err.Error(), docOperation
	}
	if n > len(s.pages) {
		return nil, http.StatusOK, "", ""
	}
	return &s.pages[n-1], http.StatusOK, "", ""
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

// etagMatch reports whether an If-None-Match header matches etag, by the weak comparison
// RFC 9110 prescribes for If-None-Match.
func etagMatch(values []string, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}

// rate sets the per-request x-ratelimit-* headers for the n-th counted request. The window
// starts again every rateLimit requests, so that a long benchmark never sees remaining 0:
// go-github refuses to send requests then, and the benchmark would time its rate limiter.
func (s *server) rate(h http.Header, n int64) {
	used := n % rateLimit
	h["X-Ratelimit-Limit"] = rateLimitHeader
	h["X-Ratelimit-Remaining"] = []string{strconv.FormatInt(rateLimit-used, 10)}
	h["X-Ratelimit-Used"] = []string{strconv.FormatInt(used, 10)}
	h["X-Ratelimit-Reset"] = []string{s.reset}
	h["X-Ratelimit-Resource"] = coreHeader
	h["X-Github-Request-Id"] = []string{"BE0C:" + strconv.FormatInt(s.requests.Load(), 16)}
}

var (
	rateLimitHeader = []string{strconv.Itoa(rateLimit)}
	coreHeader      = []string{"core"}
)

// beyond answers a page past the last one: total_count and no jobs, as GitHub does. No
// peer asks for it, so it is rendered here rather than in advance.
func (s *server) beyond(w http.ResponseWriter, r *http.Request) {
	n, _ := pageParam(r.URL.RawQuery) // route has checked it
	body := []byte(`{"total_count":` + s.total + `,"jobs":[]}`)
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	h["Link"] = []string{s.link(n, len(s.pages))}
	s.rate(h, s.counted.Add(1))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// fail sends GitHub's error answer, a basic-error body.
func (s *server) fail(w http.ResponseWriter, status int, msg, doc string) {
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
	s.rate(h, s.counted.Add(1))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
