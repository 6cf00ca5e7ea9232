package wrapper

import (
	"net/http"
	"net/url"
	"sync"
)

// maxMoved bounds how many permanent redirects a client remembers: one per attempt of a
// renamed repository that it polls, so a few dozen is plenty. The least recently used go
// first.
const maxMoved = 64

// movedPaths remembers where 301s and 308s moved pages' requests: the path a request was
// built with, mapped to the path it ended at. GitHub counts every redirect against the rate
// limit, so a poll loop over a renamed repository would pay one each time; remembered, later
// requests for the same attempt go to the new path at once. Only paths are kept: redirects
// are remembered within the base URL's origin only, and each request keeps its own query
// (page, per_page). GitHub's new path has another shape (/repositories/{id}/... for
// /repos/{owner}/{repo}/...), so the whole path is the key, not a name within it.
type movedPaths struct {
	mu    sync.Mutex
	paths *lru[string, url.URL] // old path to new: the new URL's Path and RawPath only
}

func newMovedPaths() *movedPaths { return &movedPaths{paths: newLRU[string, url.URL](maxMoved, nil)} }

// rewrite points u at the path its path was permanently moved to, if it was.
func (m *movedPaths) rewrite(u *url.URL) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if to, ok := m.paths.get(u.EscapedPath()); ok {
		u.Path, u.RawPath = to.Path, to.RawPath
	}
}

// remember maps the path old to the path of to, and reports whether that is news. A
// remembered path that has now moved on is followed there too, so that a chain of renames
// costs no redirect either.
func (m *movedPaths) remember(old string, to *url.URL) bool {
	target := url.URL{Path: to.Path, RawPath: to.RawPath}
	newPath := target.EscapedPath()
	if old == newPath {
		return false // the query moved, not the page: nothing a path can remember
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.paths.each(func(moved *url.URL) {
		if moved.EscapedPath() == old {
			*moved = target
		}
	})
	if known, ok := m.paths.get(old); ok && known.EscapedPath() == newPath {
		return false
	}
	m.paths.put(old, target)
	return true
}

// rememberMove remembers where t's request was permanently redirected, if it was, within
// its origin, and reports it when that is news.
func (c *Client) rememberMove(t *try, resp *http.Response) {
	to, status := movedTo(resp)
	if to == nil || originOf(to) != originOf(t.req.URL) || !c.moved.remember(t.req.URL.EscapedPath(), to) {
		return
	}
	c.emit(Event{Kind: EventRedirect, URL: t.req.URL.Redacted(), Location: to.Redacted(),
		StatusCode: status, Retry: t.n, MaxRetries: c.retry.MaxRetries})
}

// movedTo returns where resp's request ended when every redirect it followed was permanent
// (301, 308), and the last redirect's status; nil after none, or after any other. net/http
// chains the requests of a redirected request through Request.Response.Request.
func movedTo(resp *http.Response) (*url.URL, int) {
	status := 0
	for r := resp.Request; r != nil && r.Response != nil; r = r.Response.Request {
		switch code := r.Response.StatusCode; code {
		case http.StatusMovedPermanently, http.StatusPermanentRedirect:
			if status == 0 {
				status = code
			}
		default:
			return nil, 0
		}
	}
	if status == 0 {
		return nil, 0
	}
	return resp.Request.URL, status
}
