package wrapper

import (
	"context"
	"fmt"
	"net/url"
	"slices"
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
// holds at most n pages at a time. 1 follows rel="next" one page after another, as GitHub's
// guidance for strictly serial clients asks.
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 || n > maxConcurrency {
			return fmt.Errorf("%w: concurrency %d: must be 1 to %d", ErrInvalidInput, n, maxConcurrency)
		}
		c.concurrency = n
		return nil
	}
}

// eachPage fetches the attempt's pages and hands each to fn, in order, until fn returns false.
func (c *Client) eachPage(ctx context.Context, a Attempt, fn func(*Page) bool) error {
	req, err := c.firstRequest(ctx, a, &ListOptions{PerPage: c.perPage})
	if err != nil {
		return err
	}
	l := &listing{a: a, fn: fn, urls: map[string]bool{req.URL.String(): true}, ids: make(map[int64]struct{})}
	p, err := c.fetch(req)
	if err != nil {
		return err
	}
	if !l.take(p) {
		return l.err
	}
	if last := lastPage(p); c.concurrency > 1 && last > 0 {
		if err := l.announce(last); err != nil {
			return err
		}
		var stopped bool
		if p, stopped, err = c.fetchInOrder(ctx, p.next, last, l); err != nil || stopped {
			return err
		}
	}
	// The remaining pages, or pages beyond the last one the first page announced, if the
	// list grew: one after another, as the links say.
	for p.next != nil {
		if err := l.follow(p.next); err != nil {
			return err
		}
		if req, err = c.newRequest(ctx, p.next.String()); err != nil {
			return err
		}
		if p, err = c.fetch(req); err != nil {
			return err
		}
		if !l.take(p) {
			return l.err
		}
	}
	if l.jobs < l.total {
		return fmt.Errorf("%w: %s: the pages ended after %d jobs, but total_count is %d",
			ErrPagination, a, l.jobs, l.total)
	}
	return nil
}

// listing is one walk through the pages of an attempt: what it has seen, to stop loops,
// runaway servers and duplicates. Only the goroutine that walks uses it.
type listing struct {
	a     Attempt
	fn    func(*Page) bool
	urls  map[string]bool    // pages requested
	ids   map[int64]struct{} // jobs yielded
	jobs  int                // len(ids)
	pages int                // pages taken
	size  int                // jobs on the first page: what the server serves per page
	total int                // the largest total_count of any page: pages fetched at once
	//                          may be answered in any order, and the list only grows
	err error // why take stopped the walk, if not fn
}

// take hands p to fn without the jobs already yielded; false stops the walk, with l.err set
// when the page cannot be trusted.
func (l *listing) take(p *Page) bool {
	l.pages++
	if l.pages == 1 {
		l.size = max(len(p.Jobs), 1)
	}
	l.total = max(l.total, p.TotalCount)
	served := len(p.Jobs)
	p.Jobs = dropSeen(p.Jobs, l.ids)
	l.jobs += len(p.Jobs)
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

// dropSeen removes the jobs whose ids are in seen and adds the others to it. Jobs created
// while a listing is read shift the later pages, so a job can come again on the next page;
// the count against total_count then shows whether one was missed instead.
func dropSeen(jobs []Job, seen map[int64]struct{}) []Job {
	return slices.DeleteFunc(jobs, func(j Job) bool {
		if _, dup := seen[j.ID]; dup {
			return true
		}
		seen[j.ID] = struct{}{}
		return false
	})
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

// fetchInOrder fetches pages 2 to last, their URLs derived from next, with up to
// c.concurrency requests in flight, and hands them to l.take in order. It returns the last
// page taken, or stopped when take said stop (with l.err, if any, as err). On return no
// request is left running.
func (c *Client) fetchInOrder(ctx context.Context, next *url.URL, last int, l *listing) (p *Page, stopped bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel() // pages no one will take
		wg.Wait()
	}()

	type result struct {
		p   *Page
		err error
	}
	// A window of pages, the one taken next and those after it, so that memory holds at
	// most c.concurrency pages however many the attempt has.
	window := make(map[int]chan result, c.concurrency)
	launched := 1
	for n := 2; n <= last; n++ {
		for ; launched < last && launched < n-1+c.concurrency; launched++ {
			u, _ := withPage(next, launched+1)
			if err := l.follow(u); err != nil {
				return nil, false, err
			}
			ch := make(chan result, 1)
			window[launched+1] = ch
			wg.Go(func() {
				req, err := c.newRequest(ctx, u.String())
				if err != nil {
					ch <- result{err: err}
					return
				}
				p, err := c.fetch(req)
				ch <- result{p, err}
			})
		}
		r := <-window[n]
		delete(window, n)
		if r.err != nil {
			return nil, false, r.err
		}
		if !l.take(r.p) {
			return nil, true, l.err
		}
		p = r.p
	}
	return p, false, nil
}
