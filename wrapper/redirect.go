package wrapper

import (
	"errors"
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

func newMovedPaths() *movedPaths { return &movedPaths{paths: newLRU[string, url.URL](maxMoved)} }

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

// rememberMove remembers where req's try was permanently redirected, if it was, within
// req's origin. It returns the event to report when that is news.
func (c *Client) rememberMove(req *http.Request, notes *tryNotes) (Event, bool) {
	if notes.moved == nil || originOf(notes.moved) != originOf(req.URL) ||
		!c.moved.remember(req.URL.EscapedPath(), notes.moved) {
		return Event{}, false
	}
	return Event{Kind: EventRedirect, URL: req.URL.Redacted(), Location: notes.moved.Redacted(),
		StatusCode: notes.movedBy, MaxRetries: c.retry.MaxRetries}, true
}

// redirected notes that the try followed a redirect with status to the URL to.
func (n *tryNotes) redirected(status int, to *url.URL) {
	switch {
	case n.temporary:
	case status == http.StatusMovedPermanently || status == http.StatusPermanentRedirect:
		n.moved, n.movedBy = to, status
	default:
		n.moved, n.temporary = nil, true
	}
}

// errTooManyRedirects is net/http's default redirect policy's error, which noteRedirects
// keeps when the caller's http.Client has no policy of its own.
var errTooManyRedirects = errors.New("stopped after 10 redirects")

// noteRedirects wraps an http.Client's redirect policy (nil: net/http's default, at most 10)
// so that each redirect the policy lets through is noted for the try, and fetch can remember
// the permanent ones. The origin guard, not this, refuses redirects to other origins.
func noteRedirects(policy func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if policy != nil {
			if err := policy(req, via); err != nil {
				return err
			}
		} else if len(via) >= 10 {
			return errTooManyRedirects
		}
		if n := notesOf(req); n != nil && req.Response != nil {
			n.redirected(req.Response.StatusCode, req.URL)
		}
		return nil
	}
}
