package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// etagServer answers like GitHub: a 200 with an ETag, or a 304 to a matching If-None-Match.
type etagServer struct {
	mu    sync.Mutex
	body  map[string]string // by URL path
	seen  []http.Header
	extra http.Header // added to every answer
}

func (s *etagServer) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, req.Header.Clone())
	body := s.body[req.URL.Path]
	etag := fmt.Sprintf(`W/"%d-%d"`, len(body), strings.Count(body, "x"))
	h := http.Header{"Etag": {etag}, "Content-Type": {"application/json"}, "X-Github-Request-Id": {fmt.Sprint("req-", len(s.seen))}}
	for k, v := range s.extra {
		h[k] = v
	}
	if req.Header.Get("If-None-Match") == etag {
		return &http.Response{StatusCode: 304, Status: "304 Not Modified", Header: h, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
	}
	h.Set("Link", `<https://api.github.com/next>; rel="next"`)
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

// get sends a request for path through rt as the client does, with notes for the try, and
// returns the answer, its body and what the notes say about it.
func get(t *testing.T, rt http.RoundTripper, path, auth string) (*http.Response, string, *tryNotes) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://api.github.com"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, notes := withNotes(req)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("If-None-Match") != "" {
		t.Error("the cache changed the caller's request")
	}
	return resp, string(b), notes
}

func TestETagCache(t *testing.T) {
	// The header the cache once marked its answers with: a server's is just a header.
	srv := &etagServer{body: map[string]string{"/a": `{"page":"a"}`, "/b": `{"page":"bb"}`}, extra: http.Header{"X-Ghjobs-From-Cache": {"1"}}}
	c := newETagCache(srv, 1<<20)

	resp, body, notes := get(t, c, "/a", "Bearer one")
	if resp.StatusCode != 200 || body != `{"page":"a"}` || notes.notModified {
		t.Fatalf("first answer %d %q, not modified %v: want the server's 200", resp.StatusCode, body, notes.notModified)
	}

	resp, body, notes = get(t, c, "/a", "Bearer one")
	if got := srv.seen[1].Get("If-None-Match"); got == "" {
		t.Fatal("the second request was not conditional")
	}
	if resp.StatusCode != 200 || body != `{"page":"a"}` || !notes.notModified || string(notes.cached) != body {
		t.Errorf("answer to a 304: %d %q, not modified %v, cached %q; want the stored page, noted", resp.StatusCode, body, notes.notModified, notes.cached)
	}
	if resp.Header.Get("X-Github-Request-Id") != "req-2" || resp.Header.Get("Link") == "" {
		t.Errorf("headers %v: want the 304's request id and the stored Link", resp.Header)
	}

	// Another token's request is a different entry: never conditional on the first's page.
	get(t, c, "/a", "Bearer two")
	get(t, c, "/a", "")
	if srv.seen[2].Get("If-None-Match") != "" || srv.seen[3].Get("If-None-Match") != "" {
		t.Error("a request with other credentials was made conditional on the first token's page")
	}

	// A changed page is a 200 and replaces the entry.
	srv.body["/a"] = `{"page":"axxx"}`
	if _, body, _ := get(t, c, "/a", "Bearer one"); body != `{"page":"axxx"}` {
		t.Errorf("changed page: %q", body)
	}
	if _, body, notes := get(t, c, "/a", "Bearer one"); body != `{"page":"axxx"}` || !notes.notModified {
		t.Errorf("changed page from the cache: %q", body)
	}
}

func TestETagCacheEvictsLeastRecentlyUsed(t *testing.T) {
	srv := &etagServer{body: map[string]string{}}
	for i := range 4 {
		srv.body[fmt.Sprint("/", i)] = strings.Repeat("x", 100)
	}
	probe := newETagCache(srv, 1<<20)
	get(t, probe, "/0", "")
	c := newETagCache(srv, 3*probe.size+10) // room for three entries
	srv.seen = nil
	for _, p := range []string{"/0", "/1", "/2", "/0", "/3"} { // /1 is now the oldest
		get(t, c, p, "")
	}
	if c.size > c.maxBytes {
		t.Errorf("cache holds %d bytes, over its %d", c.size, c.maxBytes)
	}
	n := len(srv.seen)
	get(t, c, "/0", "")
	get(t, c, "/1", "")
	if srv.seen[n].Get("If-None-Match") == "" || srv.seen[n+1].Get("If-None-Match") != "" {
		t.Error("want /0 kept (recently used) and /1 evicted")
	}
}

func TestETagCacheLeavesOthersAlone(t *testing.T) {
	big := strings.Repeat("x", 1000)
	srv := &etagServer{body: map[string]string{"/big": big}}
	c := newETagCache(srv, 100)
	for range 2 {
		if _, body, _ := get(t, c, "/big", ""); body != big {
			t.Fatalf("a page too big to keep came back as %d bytes, want %d", len(body), len(big))
		}
	}
	if srv.seen[1].Get("If-None-Match") != "" || c.size != 0 {
		t.Error("a page larger than the cache was kept")
	}

	// A body that breaks while the cache reads it reaches the caller with its error.
	broken := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Etag": {`"x"`}},
			Body: io.NopCloser(io.MultiReader(strings.NewReader("{"), errReader{io.ErrUnexpectedEOF})), Request: req}, nil
	})
	req, _ := http.NewRequest(http.MethodGet, "https://api.github.com/x", nil)
	resp, err := newETagCache(broken, 1<<20).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); string(b) != "{" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("broken body read as %q, %v; want the part that came, then io.ErrUnexpectedEOF", b, err)
	}
}

func TestETagCacheConcurrentUse(t *testing.T) {
	srv := &etagServer{body: map[string]string{}}
	for i := range 20 {
		srv.body[fmt.Sprint("/", i)] = fmt.Sprint(i)
	}
	c := newETagCache(srv, 200)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				p := fmt.Sprint("/", (g+i)%20)
				req, _ := http.NewRequest(http.MethodGet, "https://api.github.com"+p, nil)
				resp, err := c.RoundTrip(req)
				if err != nil {
					t.Error(err)
					return
				}
				if body, _ := io.ReadAll(resp.Body); string(body) != p[1:] {
					t.Errorf("%s served %q", p, body)
				}
			}
		})
	}
	wg.Wait()
}

// TestNotModifiedIsNotAHeader: no header a server or proxy sends makes a 200 look like a page
// from the cache, with the cache on or off; only a 304 the cache answered does.
func TestNotModifiedIsNotAHeader(t *testing.T) {
	for _, size := range []int64{0, DefaultCacheSize} {
		srv, _ := scripted(t, answer(200, `{"total_count":0,"jobs":[]}`, "ETag", `"1"`, "X-Ghjobs-From-Cache", "1"))
		c, err := New(WithBaseURL(srv.URL), WithCache(size))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if p, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil || p.NotModified {
				t.Errorf("cache %d: a 200 gave %+v, %v; want NotModified false", size, p, err)
			}
		}
	}

	srv, _ := scripted(t, answer(200, `{"total_count":0,"jobs":[]}`, "ETag", `"1"`), answer(304, "", "ETag", `"1"`))
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{false, true} {
		if p, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil || p.NotModified != want {
			t.Errorf("request %d: %+v, %v; want NotModified %v", i+1, p, err, want)
		}
	}
}
