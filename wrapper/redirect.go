package wrapper

import (
	"container/list"
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
	lru   list.List // of *move, most recently used first
	byOld map[string]*list.Element
}

// move is one remembered redirect; paths are as URL.EscapedPath gives them.
type move struct {
	old string
	to  url.URL // Path and RawPath only
}

func newMovedPaths() *movedPaths { return &movedPaths{byOld: make(map[string]*list.Element)} }

// rewrite points u at the path its path was permanently moved to, if it was.
func (m *movedPaths) rewrite(u *url.URL) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.byOld[u.EscapedPath()]; ok {
		m.lru.MoveToFront(el)
		to := el.Value.(*move).to
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
	for el := m.lru.Front(); el != nil; el = el.Next() {
		if mv := el.Value.(*move); mv.to.EscapedPath() == old {
			mv.to = target
		}
	}
	if el, ok := m.byOld[old]; ok {
		m.lru.MoveToFront(el)
		mv := el.Value.(*move)
		if mv.to.EscapedPath() == newPath {
			return false
		}
		mv.to = target
		return true
	}
	m.byOld[old] = m.lru.PushFront(&move{old: old, to: target})
	if m.lru.Len() > maxMoved {
		delete(m.byOld, m.lru.Remove(m.lru.Back()).(*move).old)
	}
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
