package wrapper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOversizedPage: a server that sends more than any page GitHub sends gets an error that
// names the request, not a process that reads until it runs out of memory.
func TestOversizedPage(t *testing.T) {
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-GitHub-Request-Id", "BIG:1")
		w.Write([]byte(`{"total_count":1,"jobs":[`))
		for range 40 { // 40 MiB, past the 32 MiB bound; stops early when the client hangs up
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		w.Write([]byte(`]}`))
	}))
	defer srv.Close()

	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListJobs(context.Background(), Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, nil)
	if !errors.Is(err, errBodyTooLarge) || !strings.Contains(err.Error(), "BIG:1") {
		t.Errorf("error %v, want the body-size error with the request ID", err)
	}
}

// unchangedETag is the ETag of unchangedServer's page.
const unchangedETag = `"1"`

// unchangedServer serves body, a page that never changes, with unchangedETag, and 304 Not
// Modified to a request that names it.
func unchangedServer(t *testing.T, body string) *httptest.Server {
	const etag = unchangedETag
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestNothingDecodedTwice: once GitHub has confirmed a page unchanged, the next 304s for it
// are answered from its decoded form, with no decoding (the kept body, broken here on
// purpose, is not read again), and each answer is a copy of its own.
func TestNothingDecodedTwice(t *testing.T) {
	const page = `{"total_count":1,"jobs":[{"id":1,"name":"build","conclusion":"success","labels":["ubuntu"],"steps":[{"name":"Run","status":"completed","number":1,"conclusion":"success"}]}]}`
	srv := unchangedServer(t, page)
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	var pages []*Page
	for i, want := range []bool{false, true} { // a 200, then a 304 decoded from the body kept
		p, err := c.ListJobs(context.Background(), testAttempt, nil)
		if err != nil || p.NotModified != want || len(p.Jobs) != 1 {
			t.Fatalf("answer %d: %+v, %v", i+1, p, err)
		}
		pages = append(pages, p)
	}
	key := ""
	c.cache.mu.Lock()
	c.cache.bodies.each(func(p **cachedPage) {
		broken := **p
		broken.body = []byte("not JSON at all") // the same ETag: only decoding would notice
		*p = &broken
	})
	for el := c.cache.bodies.order.Front(); el != nil; el = el.Next() {
		key = el.Value.(*lruEntry[string, *cachedPage]).key
	}
	c.cache.mu.Unlock()
	if c.cache.decodedOf(key, unchangedETag) == nil {
		t.Fatal("the page GitHub confirmed unchanged is not kept decoded")
	}
	for i := range 2 {
		p, err := c.ListJobs(context.Background(), testAttempt, nil)
		if err != nil || !p.NotModified || len(p.Jobs) != 1 || p.Jobs[0].Name != "build" {
			t.Fatalf("a 304 after the page was kept decoded (%d): %+v, %v; want it served without decoding", i+1, p, err)
		}
		pages = append(pages, p)
	}
	// Changing one answer's jobs changes no other's, nor what the cache keeps.
	j := &pages[2].Jobs[0]
	*j.Conclusion, j.Labels[0], j.Steps[0].Name, *j.Steps[0].Conclusion = "failure", "changed", "changed", "failure"
	for _, p := range []*Page{pages[1], pages[3]} {
		j := p.Jobs[0]
		if *j.Conclusion != "success" || j.Labels[0] != "ubuntu" || j.Steps[0].Name != "Run" || *j.Steps[0].Conclusion != "success" {
			t.Errorf("another answer's change shows in %+v", j)
		}
	}
}
