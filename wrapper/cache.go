package wrapper

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
)

// DefaultCacheSize is the memory a client's page cache may use unless WithCache says
// otherwise: enough for the pages of attempts with tens of thousands of jobs, kept
// compressed as GitHub sends them.
const DefaultCacheSize = 16 << 20

// WithCache sets how many bytes the client may keep of the pages it fetched, to make
// conditional requests (default DefaultCacheSize); 0 turns the cache off.
//
// With the cache, a page asked for again is requested with If-None-Match and its last ETag.
// When it has not changed GitHub answers 304 Not Modified, and the client serves the page it
// kept (Page.NotModified). A 304 costs no primary rate limit only when the request was
// authorized (WithToken, WithTokenSource, or a transport of yours); GitHub counts
// unauthenticated 304s like any request, and Client.Rate shows the figures it sends. Every
// answer is still GitHub's: nothing is served without asking (but for WithSharedFreshness,
// off unless asked), and a page is served to a credential only after GitHub answered that
// credential's own conditional request with 304.
//
// The budget holds two kinds of page. Bodies are kept as they came: GitHub compresses pages
// about twentyfold with gzip, which the client asks for. Once GitHub has confirmed a page
// unchanged, the client also keeps it decoded, so that the next 304s for it cost no decoding
// (each answer gets its own copy); a decoded page takes about twenty times the bytes of its
// body, so decoded pages are forgotten first when the budget is full, then bodies, least
// recently used first. Each Client has its own cache.
func WithCache(maxBytes int64) Option {
	return func(c *config) error {
		if maxBytes < 0 {
			return fmt.Errorf("%w: cache size %d: must be 0 (off) or more", ErrInvalidInput, maxBytes)
		}
		c.cacheSize = maxBytes
		return nil
	}
}

// cachedPage is a page as GitHub sent it, for a conditional request: its ETag, the headers of
// its answer that a 304 does not repeat, and its body as it came.
type cachedPage struct {
	etag   string
	header http.Header
	body   []byte
}

// cachedHeaders are the headers of a 200 that a 304 does not repeat and the client reads.
var cachedHeaders = []string{"Content-Type", "Content-Encoding", "Link", "ETag"}

// keep returns the page of a 200 to keep: resp's ETag and kept headers, and body. A body
// whose array has more than an eighth to spare (one of unknown length is read into a buffer
// that grows by doubling, and can end with as much room again, or more) is kept in a copy,
// when the copy's array is smaller: the cache holds what its budget counts (cost).
func keep(resp *http.Response, body []byte) *cachedPage {
	h := make(http.Header, len(cachedHeaders))
	for _, k := range cachedHeaders {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = slices.Clone(v)
		}
	}
	if cap(body)-len(body) > len(body)/8 {
		// Clone's capacity is the allocator's whole block; a block as large as the one
		// the body is in saves nothing.
		if c := slices.Clone(body); cap(c) < cap(body) {
			body = c
		}
	}
	return &cachedPage{etag: resp.Header.Get("ETag"), header: h, body: body}
}

// cost is the bytes p holds: its body's whole array, not only the body.
func (p *cachedPage) cost() int64 {
	n := len(p.etag) + cap(p.body)
	for k, vs := range p.header {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return int64(n)
}

// decodedPage is a page that GitHub confirmed unchanged, decoded: jobs is never handed out,
// only copies of it (see cloneJobs).
type decodedPage struct {
	etag  string
	total int
	jobs  []Job
	size  int64 // what jobs take in memory, about
}

// pageCache keeps the pages a client fetched, by pageKey: their bodies, and the decoded
// form of those GitHub confirmed unchanged. One budget bounds both; decoded pages are
// forgotten first. It is safe for concurrent use. Entries are replaced, never changed.
type pageCache struct {
	budget int64

	mu      sync.Mutex
	bodies  *lru[string, *cachedPage]
	decoded *lru[string, *decodedPage]
}

func newPageCache(budget int64) *pageCache {
	return &pageCache{
		budget:  budget,
		bodies:  newLRU[string](budget, (*cachedPage).cost),
		decoded: newLRU[string](budget, func(d *decodedPage) int64 { return d.size }),
	}
}

// page returns the body kept for key, or nil.
func (c *pageCache) page(key string) *cachedPage {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, _ := c.bodies.get(key)
	return p
}

// keep keeps p under key, in place of what was kept.
func (c *pageCache) keep(key string, p *cachedPage) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.bodies.get(key); !ok || old.etag != p.etag {
		c.decoded.remove(key) // the decoded page is of another ETag now
	}
	c.bodies.put(key, p)
	c.fit()
}

// decodedOf returns the decoded page kept for key with etag, or nil.
func (c *pageCache) decodedOf(key, etag string) *decodedPage {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.decoded.get(key); ok && d.etag == etag {
		return d
	}
	return nil
}

// keepDecoded keeps d under key, if its body is kept with the same ETag.
func (c *pageCache) keepDecoded(key string, d *decodedPage) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.bodies.get(key); ok && p.etag == d.etag {
		c.decoded.put(key, d)
		c.fit()
	}
}

// drop forgets what is kept under key with etag: it could not be used.
func (c *pageCache) drop(key, etag string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies.removeIf(key, func(p *cachedPage) bool { return p.etag == etag })
	c.decoded.removeIf(key, func(d *decodedPage) bool { return d.etag == etag })
}

// fit forgets decoded pages, then bodies, until both fit the budget together.
func (c *pageCache) fit() {
	c.decoded.trim(c.budget - c.bodies.used)
	c.bodies.trim(c.budget)
}

// size is the bytes the cache holds.
func (c *pageCache) size() int64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bodies.used + c.decoded.used
}

// pageKey names a page request in the cache and, hashed, in a Store: everything that
// changes GitHub's answer but the credentials. A page is served to a credential only after
// GitHub confirms it to that credential, so credentials need not be part of the key, and a
// renewed token finds its pages.
func pageKey(req *http.Request) string {
	return req.Header.Get("Accept") + " " + req.Header.Get("Accept-Encoding") + " " +
		req.Header.Get("X-GitHub-Api-Version") + " " + req.URL.String()
}

var (
	jobSize     = int64(reflect.TypeFor[Job]().Size())
	jobStepSize = int64(reflect.TypeFor[JobStep]().Size())
)

// decodedSize is about the bytes jobs take in memory: the values, the arrays their slices
// and pointers hold, and their strings.
func decodedSize(jobs []Job) int64 {
	n := int64(cap(jobs)) * jobSize
	str := func(s string) { n += int64(len(s)) }
	ptr := func(s *string) {
		if s != nil {
			n += 16 + int64(len(*s))
		}
	}
	for i := range jobs {
		j := &jobs[i]
		str(j.CheckRunURL)
		str(j.HeadSHA)
		str(j.Name)
		str(j.NodeID)
		str(j.RunURL)
		str(j.URL)
		str(string(j.Status))
		ptr(j.HeadBranch)
		ptr(j.HTMLURL)
		ptr(j.RunnerGroupName)
		ptr(j.RunnerName)
		ptr(j.WorkflowName)
		n += 8 * 8 // the pointers to numbers, times and conclusions, about
		for _, l := range j.Labels {
			n += 16 + int64(len(l))
		}
		n += int64(cap(j.Steps)) * jobStepSize
		for _, s := range j.Steps {
			n += int64(len(s.Name)+len(s.Status)) + 3*8
		}
	}
	return n
}

// CacheSize returns the bytes of pages the client keeps now (see WithCache), bodies and
// decoded pages together: what its budget holds at this moment.
func (c *Client) CacheSize() int64 { return c.cache.size() }
