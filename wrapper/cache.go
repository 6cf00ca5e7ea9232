package wrapper

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// DefaultCacheSize is the memory a client's response cache may use unless WithCache says
// otherwise: enough for the pages of attempts with tens of thousands of jobs, kept
// compressed as GitHub sends them.
const DefaultCacheSize = 16 << 20

// WithCache sets how many bytes of page bodies the client keeps to make conditional requests
// (default DefaultCacheSize); 0 turns the cache off. Bodies are kept as they came: GitHub
// compresses pages about twentyfold with gzip, which the client asks for.
//
// With the cache, a page asked for again is requested with If-None-Match and its last ETag.
// When it has not changed GitHub answers 304 Not Modified, and the client serves the page it
// kept (Page.NotModified). A 304 costs no primary rate limit only when the request was
// authorized (WithToken, WithTokenSource, or a transport of yours); GitHub counts
// unauthenticated 304s like any request, and Client.Rate shows the figures it sends. Every
// answer is still GitHub's: nothing is served without asking (but for WithSharedFreshness,
// off unless asked). Each Client has its own cache,
// and with WithToken or WithTokenSource its entries are keyed by the Authorization header
// too, so a page fetched with one token is never served for another. (Credentials that a
// transport of yours adds, through WithHTTPClient, are added below the cache and are not
// part of the key; one Client then has one identity.) The least recently used pages go first
// when the cache is full.
func WithCache(maxBytes int64) Option {
	return func(c *config) error {
		if maxBytes < 0 {
			return fmt.Errorf("%w: cache size %d: must be 0 (off) or more", ErrInvalidInput, maxBytes)
		}
		c.cacheSize = maxBytes
		return nil
	}
}

// etagCache is a RoundTripper that makes GETs conditional on the ETag of the last 200 for
// the same request and answers a 304 with the stored page. It sits below the oauth2
// transport of WithToken and WithTokenSource, so it sees the Authorization header it keys
// entries by.
type etagCache struct {
	next     http.RoundTripper
	maxBytes int64

	mu      sync.Mutex
	size    int64
	lru     list.List // of *cacheEntry, most recently used first
	entries map[string]*list.Element
}

type cacheEntry struct {
	key    string
	etag   string
	header http.Header
	body   []byte
	at     time.Time // MemoryStore: when GitHub last confirmed the page
	// confirmedTo is, in a MemoryStore, the credential GitHub last confirmed the page to.
	confirmedTo string
}

func (e *cacheEntry) cost() int64 {
	n := len(e.key) + len(e.etag) + len(e.body)
	for k, vs := range e.header {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return int64(n)
}

// keptHeaders are the headers of a 200 that a 304 does not repeat and the client reads.
var keptHeaders = []string{"Content-Type", "Content-Encoding", "Link", "ETag"}

func newETagCache(next http.RoundTripper, maxBytes int64) *etagCache {
	return &etagCache{next: next, maxBytes: maxBytes, entries: make(map[string]*list.Element)}
}

// cacheKey holds every request header that changes GitHub's answer. The Authorization
// value is hashed so that tokens do not sit in memory any longer than the transport has them.
func cacheKey(req *http.Request) string {
	auth := sha256.Sum256([]byte(req.Header.Get("Authorization")))
	return fmt.Sprintf("%x %s %s %s %s", auth, req.Header.Get("Accept"), req.Header.Get("Accept-Encoding"), req.Header.Get("X-GitHub-Api-Version"), req.URL)
}

func (c *etagCache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Header.Get("If-None-Match") != "" || req.Header.Get("Range") != "" {
		return c.next.RoundTrip(req)
	}
	key := cacheKey(req)
	stored := c.get(key)
	n := notesOf(req)
	if n != nil && n.shared != nil {
		n.shared.key = key
		stored = n.shared
		c.put(stored)
		if n.fresh {
			return stored.unasked(req, n), nil
		}
	}
	if stored != nil {
		req = req.Clone(req.Context()) // a RoundTripper must not change the caller's request
		req.Header.Set("If-None-Match", stored.etag)
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && stored != nil:
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // lets the connection be reused
		resp.Body.Close()
		if n != nil {
			n.cached, n.notModified = stored.body, true
			if n.shared == nil {
				n.kept = stored
			}
		}
		return stored.response(resp), nil
	case resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "" && !unframed(resp):
		// An unframed body may have been cut short without a read error; only the decoder
		// can tell, so it is not kept, and the decoder reads it as it came.
		return c.store(key, req, resp)
	}
	return resp, nil
}

// response answers a 304 with the stored page, updated with the 304's headers (rate-limit
// figures, request id, date) as RFC 9111, 4.3.4, asks.
func (e *cacheEntry) response(notModified *http.Response) *http.Response {
	h := e.header.Clone()
	for k, v := range notModified.Header {
		switch k {
		case "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding":
		default:
			h[k] = v
		}
	}
	resp := *notModified
	resp.Status, resp.StatusCode = "200 OK", http.StatusOK
	resp.Header = h
	resp.Body = io.NopCloser(bytes.NewReader(e.body))
	resp.ContentLength = int64(len(e.body))
	return &resp
}

// store keeps a 200's body, if it fits, and hands the response on with the body re-readable.
func (c *etagCache) store(key string, req *http.Request, resp *http.Response) (*http.Response, error) {
	limit := min(c.maxBytes, maxPageBody)
	body, err := readUpTo(resp.Body, resp.ContentLength, limit)
	if err != nil || int64(len(body)) > limit {
		// Too big to keep, or broken: the caller reads what is left, and sees the error.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), errReader{err}, resp.Body), resp.Body}
		return resp, nil
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	if n := notesOf(req); n != nil {
		n.cached = body
	}
	kept := make(http.Header, len(keptHeaders))
	for _, k := range keptHeaders {
		if v := resp.Header.Values(k); len(v) > 0 {
			kept[k] = slices.Clone(v)
		}
	}
	e := &cacheEntry{key: key, etag: resp.Header.Get("ETag"), header: kept, body: body}
	c.put(e)
	if n := notesOf(req); n != nil {
		n.kept = e
	}
	return resp, nil
}

// errReader returns err, or nothing when err is nil.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

func (c *etagCache) get(key string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry)
}

func (c *etagCache) put(e *cacheEntry) {
	if e.cost() > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		c.size -= el.Value.(*cacheEntry).cost()
		c.lru.Remove(el)
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.size += e.cost()
	for c.size > c.maxBytes {
		old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
		delete(c.entries, old.key)
		c.size -= old.cost()
	}
}

// removeIf forgets the entry of key if it still has etag.
func (c *etagCache) removeIf(key, etag string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok && el.Value.(*cacheEntry).etag == etag {
		c.size -= el.Value.(*cacheEntry).cost()
		c.lru.Remove(el)
		delete(c.entries, key)
	}
}
