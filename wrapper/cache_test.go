package wrapper

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func kept(etag string, size int) *cachedPage {
	return &cachedPage{etag: etag, body: make([]byte, size)} // cap size: the cost is size
}

func decoded(etag string, size int64) *decodedPage {
	return &decodedPage{etag: etag, total: 1, jobs: []Job{{ID: 1}}, size: size}
}

// TestPageCache: a page is kept by key; its decoded form only beside a body of the same
// ETag, and forgotten with it; drop forgets only the ETag it names.
func TestPageCache(t *testing.T) {
	c := newPageCache(1 << 20)
	if c.page("a") != nil {
		t.Fatal("an empty cache has a page")
	}
	c.keepDecoded("a", decoded(`"1"`, 100))
	if c.decodedOf("a", `"1"`) != nil {
		t.Error("a decoded page was kept without its body")
	}
	c.keep("a", kept(`"1"`, 10))
	c.keepDecoded("a", decoded(`"1"`, 100))
	if p := c.page("a"); p == nil || p.etag != `"1"` {
		t.Fatalf("page a = %+v", p)
	}
	if c.decodedOf("a", `"1"`) == nil || c.decodedOf("a", `"2"`) != nil {
		t.Error("the decoded page is not found by its ETag alone")
	}
	c.keep("a", kept(`"1"`, 10)) // the same ETag again: the decoded page stays
	if c.decodedOf("a", `"1"`) == nil {
		t.Error("keeping the same page again forgot its decoded form")
	}
	c.keep("a", kept(`"2"`, 10)) // a new ETag: the decoded page of the old one goes
	if c.decodedOf("a", `"1"`) != nil || c.size() != 13 {
		t.Errorf("after a new ETag: decoded %v, size %d; want the old decoded page gone, 13 bytes", c.decodedOf("a", `"1"`), c.size())
	}
	c.drop("a", `"1"`)
	if c.page("a") == nil {
		t.Error("drop of another ETag dropped the page")
	}
	c.drop("a", `"2"`)
	if c.page("a") != nil || c.size() != 0 {
		t.Errorf("after drop: %+v, %d bytes", c.page("a"), c.size())
	}
	var none *pageCache // WithCache(0)
	none.keep("a", kept(`"1"`, 1))
	if none.page("a") != nil || none.decodedOf("a", `"1"`) != nil || none.size() != 0 {
		t.Error("the nil cache keeps something")
	}
}

// TestPageCacheBudget: bodies and decoded pages share one budget; decoded pages are
// forgotten first, then the least recently used bodies.
func TestPageCacheBudget(t *testing.T) {
	c := newPageCache(1000)
	for i := range 3 {
		k := fmt.Sprint(i)
		c.keep(k, kept(`"e"`, 97)) // 100 bytes each with the ETag
		c.keepDecoded(k, decoded(`"e"`, 200))
	}
	if c.size() != 900 {
		t.Fatalf("size %d, want 900", c.size())
	}
	c.keep("3", kept(`"e"`, 197)) // 200 more: a decoded page must go, no body
	for i := range 3 {
		if c.page(fmt.Sprint(i)) == nil {
			t.Errorf("body %d forgotten while decoded pages were kept", i)
		}
	}
	if c.size() > 1000 || c.decodedOf("0", `"e"`) != nil {
		t.Errorf("size %d, decoded 0 kept %v: want the least recently used decoded page gone", c.size(), c.decodedOf("0", `"e"`) != nil)
	}
	// 600 more: every decoded page goes, then the least recently used body, 3 (the loop
	// above used 0 to 2).
	c.keep("4", kept(`"e"`, 597))
	if c.size() > 1000 || c.decoded.len() != 0 || c.page("3") != nil || c.page("0") == nil || c.page("4") == nil {
		t.Errorf("size %d, %d decoded, body 3 kept %v: want decoded pages gone first, then body 3", c.size(), c.decoded.len(), c.page("3") != nil)
	}
	c.keep("big", kept(`"e"`, 2000))
	if c.page("big") != nil || c.size() > 1000 {
		t.Error("a page over the whole budget was kept")
	}
}

func TestPageCacheConcurrentUse(t *testing.T) {
	c := newPageCache(2000)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := fmt.Sprint((g + i) % 20)
				etag := fmt.Sprintf(`"%d"`, i%3)
				c.keep(k, kept(etag, 50))
				c.keepDecoded(k, decoded(etag, 100))
				if p := c.page(k); p != nil && len(p.body) != 50 {
					t.Errorf("page %s: %d bytes", k, len(p.body))
				}
				c.decodedOf(k, etag)
				c.drop(k, `"0"`)
			}
		})
	}
	wg.Wait()
	if c.size() > 2000 {
		t.Errorf("size %d over the budget", c.size())
	}
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

// TestKeptBodyHoldsNoSpareRoom: a body of unknown length is read into a buffer that grows by
// doubling, and may end with as much room again or more; the cache keeps it in a copy cut to
// size, and counts the whole array it keeps, so that its budget is what it holds.
func TestKeptBodyHoldsNoSpareRoom(t *testing.T) {
	page := sampleJobs(3) // about 1.8 kB: read into a 2 kB buffer or more
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"1"`)
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush() // no Content-Length: the body comes chunked
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil {
		t.Fatal(err)
	}
	req, err := c.firstRequest(context.Background(), testAttempt, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := c.cache.page(pageKey(req))
	if p == nil || string(p.body) != page {
		t.Fatalf("kept %+v, want the page", p)
	}
	if room := cap(p.body) - len(p.body); room > len(p.body)/8 {
		t.Errorf("the kept body of %d bytes has room for %d more", len(p.body), room)
	}
	if got := c.cache.size(); got != p.cost() {
		t.Errorf("the cache counts %d bytes for its one page, whose cost is %d", got, p.cost())
	}

	// A body with little room to spare is kept as it is, and counted whole.
	body := make([]byte, 1000, 1100)
	if k := keep(&http.Response{Header: http.Header{}}, body); &k.body[0] != &body[0] || k.cost() != 1100 {
		t.Errorf("a body with 100 bytes to spare: copied %v, cost %d; want kept as it is, cost 1100", &k.body[0] != &body[0], k.cost())
	}
	// Nor is one whose copy would take as large a block: beyond 32 kB, the allocator
	// rounds to whole pages of 8 kB.
	body = make([]byte, 33000, 40960)
	if k := keep(&http.Response{Header: http.Header{}}, body); &k.body[0] != &body[0] {
		t.Error("a body of 33,000 bytes in 40,960 was copied into a block as large")
	}
}
