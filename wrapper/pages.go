package wrapper

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// DefaultConcurrency is how many page requests Jobs and AllJobs have in flight at most,
// unless WithConcurrency says otherwise: an attempt of up to 1,100 jobs arrives in two round
// trips, while one listing stays a tenth of the 100 concurrent requests GitHub allows before
// its secondary rate limit.
const DefaultConcurrency = 10

// maxConcurrency is GitHub's limit on concurrent requests before its secondary rate limit.
const maxConcurrency = 100

// WithConcurrency sets how many page requests Jobs and AllJobs have in flight at most, 1 to
// 100 (default DefaultConcurrency). Once the first page has told how many pages there are,
// the others are requested in parallel, and jobs are still yielded in page order; memory
// holds at most n pages in flight at a time (Jobs keeps all but two of them as they came,
// compressed). An attempt the client listed before is asked for whole
// at once: page 1 with the pages the last complete listing found (conditional, so unchanged
// pages are free 304s), and page 1's answer still decides which of them count. 1 follows
// rel="next" one page after another, as GitHub's guidance for strictly serial clients asks.
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 || n > maxConcurrency {
			return fmt.Errorf("%w: concurrency %d: must be 1 to %d", ErrInvalidInput, n, maxConcurrency)
		}
		c.concurrency = n
		return nil
	}
}

// eachPage fetches the attempt's pages and hands each to fn, in order, until fn returns
// false. Pages after the first are decoded when turns lets them.
func (c *Client) eachPage(ctx context.Context, a Attempt, turns decodeTurns, fn func(*Page) bool) error {
	req, err := c.firstRequest(ctx, a, &ListOptions{PerPage: c.perPage})
	if err != nil {
		return err
	}
	firstURL := *req.URL
	f := attemptFit(c.base, a)
	l := &listing{a: a, fn: fn, urls: map[string]bool{req.URL.String(): true}}
	w := &window{c: c, ctx: ctx, l: l, fit: f, pages: make(map[int]*pending, c.concurrency), launched: 1, turns: turns}
	defer w.close()
	if next, last, ok := c.known.get(req.URL.String()); ok && c.concurrency > 1 {
		w.speculate(next, last)
	}
	p, err := c.fetch(ctx, req, f, place{})
	if err != nil {
		return err
	}
	firstNext := p.next // not page 1 itself: its jobs need not stay in memory to the end
	if !l.accept(p) {
		return l.err
	}
	w.turns.handedOn(1)
	last := lastPage(p)
	if c.concurrency < 2 || last == 0 {
		last = 0
	}
	if err := w.keepAnnounced(p.next, last); err != nil {
		return err
	}
	if last > 0 {
		if err := l.announce(last); err != nil {
			return err
		}
		var stopped bool
		if p, stopped, err = w.inOrder(p.next, last); err != nil || stopped {
			return err
		}
	}
	// The remaining pages, or pages beyond the last one the first page announced, if the
	// list grew: one after another, as the links say.
	for p.next != nil {
		if err := l.follow(p.next); err != nil {
			return err
		}
		if req, err = c.linkRequest(ctx, p.next.String()); err != nil {
			return err
		}
		if p, err = c.fetch(ctx, req, f, place{}); err != nil {
			return err
		}
		if !l.accept(p) {
			return l.err
		}
	}
	if l.seen.len() < l.total {
		return fmt.Errorf("%w: %s: the pages ended after %d jobs, but total_count is %d",
			ErrPagination, a, l.seen.len(), l.total)
	}
	// The next listing of this attempt asks for these pages at once with page 1, under the
	// name page 1 has by then (a permanent redirect may have moved it meanwhile).
	c.moved.rewrite(&firstURL)
	c.known.put(firstURL.String(), firstNext, last)
	return nil
}

// listing is one walk through the pages of an attempt: what it has seen, to stop loops,
// runaway servers and duplicates. Only the goroutine that walks uses it.
type listing struct {
	a     Attempt
	fn    func(*Page) bool
	urls  map[string]bool // pages requested
	seen  seenIDs         // jobs yielded
	pages int             // pages accepted
	size  int             // jobs on the first page: what the server serves per page
	total int             // the largest total_count of any page: pages fetched at once
	//                       may be answered in any order, and the list only grows
	err error // why accept stopped the walk, if not fn
}

// accept hands p to fn without the jobs already yielded; false stops the walk, with l.err
// set when the page cannot be trusted.
func (l *listing) accept(p *Page) bool {
	l.pages++
	if l.pages == 1 {
		l.size = max(len(p.Jobs), 1)
		l.seen.reserve(p.TotalCount)
	}
	l.total = max(l.total, p.TotalCount)
	served := len(p.Jobs)
	p.Jobs = l.seen.dropSeen(p.Jobs)
	if served > 0 && len(p.Jobs) == 0 {
		// A shifted list repeats a few jobs, not a whole page: this server is going round.
		l.err = fmt.Errorf("%w: %s: page %d holds only jobs already listed", ErrPagination, l.a, l.pages)
		return false
	}
	return l.fn(p)
}

// pagesLeft is how many more pages total_count allows: as many as it needs, plus one to
// absorb a list that grew while it was read; more is a server that would keep us paging.
func (l *listing) pagesLeft() int { return (l.total+l.size-1)/l.size + 1 - l.pages }

// announce checks the first page's rel="last" before pages 2 to last are requested at once.
func (l *listing) announce(last int) error {
	if last-1 > l.pagesLeft() {
		return fmt.Errorf("%w: %s: the last link announces %d pages of %d for total_count %d",
			ErrPagination, l.a, last, l.size, l.total)
	}
	return nil
}

// follow checks that the page at u may be requested next.
func (l *listing) follow(u *url.URL) error {
	if l.pagesLeft() < 1 {
		return fmt.Errorf("%w: %s: still a next page after %d pages of %d for total_count %d",
			ErrPagination, l.a, l.pages, l.size, l.total)
	}
	s := u.String()
	if l.urls[s] {
		return fmt.Errorf("%w: %s: the next link returns to %s", ErrPagination, l.a, s)
	}
	l.urls[s] = true
	return nil
}

// lastPage returns the number of the last page when the first page's links allow pages 2 to
// last to be requested at once: GitHub's usual links, with a next that is page 2 and a last
// that differs from it only in its page number. Otherwise it returns 0, and the pages are
// followed one by one.
func lastPage(first *Page) int {
	if first.next == nil || first.last == nil || pageNumber(first.next) != 2 {
		return 0
	}
	last := pageNumber(first.last)
	if u, ok := withPage(first.next, last); last < 2 || !ok || u.String() != first.last.String() {
		return 0
	}
	return last
}

// withPage returns u with its one page parameter set to n, the rest of the query untouched.
func withPage(u *url.URL, n int) (*url.URL, bool) {
	params := strings.Split(u.RawQuery, "&")
	found := -1
	for i, p := range params {
		if k, _, _ := strings.Cut(p, "="); k == "page" {
			if found >= 0 {
				return nil, false
			}
			found = i
		}
	}
	if found < 0 {
		return nil, false
	}
	params[found] = "page=" + strconv.Itoa(n)
	c := *u
	c.RawQuery = strings.Join(params, "&")
	return &c, true
}

// window is the page requests of one listing in flight, pages 2 and on, by number: those
// asked for at once with page 1 (speculate) and those asked for in order after it
// (inOrder). At most c.concurrency requests are in flight, page 1 included, and memory holds
// at most that many pages however many the attempt has. Only the goroutine that walks the
// listing uses it.
type window struct {
	c        *Client
	ctx      context.Context
	l        *listing
	fit      fit
	wg       sync.WaitGroup
	next     *url.URL // page 2's URL, which the others are derived from
	pages    map[int]*pending
	launched int // pages 2 to launched have been asked for, unless dropped
	turns    decodeTurns
}

// pending is one page request in flight.
type pending struct {
	u      *url.URL
	cancel context.CancelFunc
	done   chan result // buffered: the request's goroutine never waits for the walk
}

type result struct {
	p   *Page
	err error
}

// launch asks for page n at u in a goroutine of its own.
func (w *window) launch(n int, u *url.URL) {
	ctx, cancel := context.WithCancel(w.ctx)
	pd := &pending{u: u, cancel: cancel, done: make(chan result, 1)}
	w.pages[n], w.launched = pd, n
	w.wg.Go(func() {
		req, err := w.c.linkRequest(ctx, u.String())
		if err != nil {
			pd.done <- result{err: err}
			return
		}
		p, err := w.c.fetch(ctx, req, w.fit, place{w.turns, n})
		pd.done <- result{p, err}
	})
}

// speculate asks for pages 2 to last, their URLs derived from next, before page 1 has
// answered: what the last complete listing of the attempt found. As many are asked for as
// c.concurrency allows beside page 1; the cache makes them conditional, so pages that did
// not change cost nothing.
func (w *window) speculate(next *url.URL, last int) {
	w.next = next
	for n := 2; n <= min(last, w.c.concurrency); n++ {
		u, ok := withPage(next, n)
		if !ok {
			return
		}
		w.launch(n, u)
	}
}

// keepAnnounced lets page 1's answer decide about the pages asked for before it came: those it
// announces (the same URLs, up to its last page; last 0 announces none) are checked as
// every page is and kept; the others are dropped, their requests cancelled and their
// answers, whatever they were, discarded unseen.
func (w *window) keepAnnounced(next *url.URL, last int) error {
	same := w.next != nil && next != nil && w.next.String() == next.String()
	if !same {
		last = 0
	}
	for n := 2; n <= w.launched; n++ {
		pd := w.pages[n]
		if n > last {
			pd.cancel()
			<-pd.done // the request has ended: it no longer counts against the concurrency
			delete(w.pages, n)
			continue
		}
		if err := w.l.follow(pd.u); err != nil {
			return err
		}
	}
	w.launched = max(min(w.launched, last), 1)
	return nil
}

// inOrder fetches pages 2 to last, their URLs derived from next, with up to c.concurrency
// requests in flight, and hands them to l.accept in order; pages already in flight after
// keepAnnounced are among them. It returns the last page accepted, or stopped when accept
// said stop (with l.err, if any, as err).
func (w *window) inOrder(next *url.URL, last int) (p *Page, stopped bool, err error) {
	w.next = next
	for n := 2; n <= last; n++ {
		for w.launched < last && w.launched < n-1+w.c.concurrency {
			u, _ := withPage(next, w.launched+1)
			if err := w.l.follow(u); err != nil {
				return nil, false, err
			}
			w.launch(w.launched+1, u)
		}
		pd := w.pages[n]
		r := <-pd.done
		pd.cancel()
		delete(w.pages, n)
		if r.err != nil {
			return nil, false, r.err
		}
		if !w.l.accept(r.p) {
			return nil, true, w.l.err
		}
		w.turns.handedOn(n)
		p = r.p
	}
	return p, false, nil
}

// close cancels the requests no one will accept and waits for their goroutines: on return
// no request of the listing is left running.
func (w *window) close() {
	for _, pd := range w.pages {
		pd.cancel()
	}
	w.wg.Wait()
}
