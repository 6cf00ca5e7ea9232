package wrapper

import (
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

func get(t *testing.T, rt http.RoundTripper, path, auth string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://api.github.com"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
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
	return resp, string(b)
}

func TestETagCache(t *testing.T) {
	srv := &etagServer{body: map[string]string{"/a": `{"page":"a"}`, "/b": `{"page":"bb"}`}, extra: http.Header{fromCacheHeader: {"1"}}}
	c := newETagCache(srv, 1<<20)

	resp, body := get(t, c, "/a", "Bearer one")
	if resp.StatusCode != 200 || body != `{"page":"a"}` || resp.Header.Get(fromCacheHeader) != "" {
		t.Fatalf("first answer %d %q, from cache %q: want the server's 200, not marked (the server's own mark is dropped)", resp.StatusCode, body, resp.Header.Get(fromCacheHeader))
	}

	resp, body = get(t, c, "/a", "Bearer one")
	if got := srv.seen[1].Get("If-None-Match"); got == "" {
		t.Fatal("the second request was not conditional")
	}
	if resp.StatusCode != 200 || body != `{"page":"a"}` || resp.Header.Get(fromCacheHeader) != "1" {
		t.Errorf("answer to a 304: %d %q, from cache %q; want the stored page, marked", resp.StatusCode, body, resp.Header.Get(fromCacheHeader))
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
	if _, body := get(t, c, "/a", "Bearer one"); body != `{"page":"axxx"}` {
		t.Errorf("changed page: %q", body)
	}
	if resp, body := get(t, c, "/a", "Bearer one"); body != `{"page":"axxx"}` || resp.Header.Get(fromCacheHeader) == "" {
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
		if _, body := get(t, c, "/big", ""); body != big {
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
