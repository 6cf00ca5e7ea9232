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

// WithConcurrency sets how many page requests Jobs and AllJobs have in flight at most, 1 to
// 100 (default DefaultConcurrency). Once the first page has told how many pages there are,
// the others are requested in parallel, and jobs are still yielded in page order; memory
// holds at most n pages at a time. 1 follows rel="next" one page after another, as GitHub's
// guidance for strictly serial clients asks.
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 100 {
			return fmt.Errorf("%w: concurrency %d: must be 1 to 100", ErrInvalidInput, n)
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
		return nil
	}
	if rest := pageURLs(p); c.concurrency > 1 && rest != nil {
		for _, u := range rest {
			if err := l.follow(u, len(rest)); err != nil {
				return err
			}
		}
		var stopped bool
		if p, stopped, err = c.fetchInOrder(ctx, rest, l.take); err != nil || stopped {
			return err
		}
	}
	// The remaining pages, or pages beyond the last one the first page announced, if the
	// list grew: one after another, as the links say.
	for p.next != nil {
		if err := l.follow(p.next, 1); err != nil {
			return err
		}
		if req, err = c.newRequest(ctx, p.next.String()); err != nil {
			return err
		}
		if p, err = c.fetch(req); err != nil {
			return err
		}
		if !l.take(p) {
			return nil
		}
	}
	if l.jobs < p.TotalCount {
		return fmt.Errorf("%w: %s: the pages ended after %d jobs, but total_count is %d",
			ErrPagination, a, l.jobs, p.TotalCount)
	}
	return nil
}

// listing is one walk through the pages of an attempt: what it has seen, to stop loops,
// runaway servers and duplicates.
type listing struct {
	a     Attempt
	fn    func(*Page) bool
	urls  map[string]bool    // pages requested
	ids   map[int64]struct{} // jobs yielded
	jobs  int                // len(ids)
	pages int                // pages taken
	size  int                // jobs on the first page: what the server serves per page
	total int                // the latest total_count
}

// take hands p to fn without the jobs already yielded; false stops the walk.
func (l *listing) take(p *Page) bool {
	l.pages++
	if l.pages == 1 {
		l.size = max(len(p.Jobs), 1)
	}
	p.Jobs = dropSeen(p.Jobs, l.ids)
	l.jobs += len(p.Jobs)
	l.total = p.TotalCount
	return l.fn(p)
}

// follow checks that the page at u may be requested, as the ahead-th page still to come.
func (l *listing) follow(u *url.URL, ahead int) error {
	// One page beyond what total_count needs absorbs a list that grew while we read it;
	// more than that is a server that would otherwise keep us paging forever.
	if limit := (l.total+l.size-1)/l.size + 1; l.pages+ahead > limit {
		if ahead == 1 {
			return fmt.Errorf("%w: %s: still a next page after %d pages of %d for total_count %d",
				ErrPagination, l.a, l.pages, l.size, l.total)
		}
		return fmt.Errorf("%w: %s: the last link announces %d pages of %d for total_count %d",
			ErrPagination, l.a, l.pages+ahead, l.size, l.total)
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

// pageURLs derives the URLs of pages 2 to last from the first page's links, changing nothing
// but the page parameter, so that they can be requested at once. It returns nil, and the
// pages are followed one by one, when the links are not GitHub's usual ones: no last, or a
// next that is not page 2 of the same listing.
func pageURLs(first *Page) []*url.URL {
	if first.next == nil || first.last == nil || pageNumber(first.next) != 2 || pageNumber(first.last) < 2 {
		return nil
	}
	last := pageNumber(first.last)
	if want, ok := withPage(first.next, last); !ok || want.String() != first.last.String() {
		return nil
	}
	urls := make([]*url.URL, 0, last-1)
	for n := 2; n <= last; n++ {
		u, _ := withPage(first.next, n)
		urls = append(urls, u)
	}
	return urls
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

// fetchInOrder fetches the pages at urls with up to c.concurrency requests in flight and hands
// them to take in order. It returns the last page taken, or stopped when take said stop. On
// return no request is left running.
func (c *Client) fetchInOrder(ctx context.Context, urls []*url.URL, take func(*Page) bool) (last *Page, stopped bool, err error) {
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
	results := make([]chan result, len(urls))
	launched := 0
	for i := range urls {
		// A window of pages: the one taken next and those after it, so that memory holds
		// at most c.concurrency pages however many the attempt has.
		for ; launched < len(urls) && launched < i+c.concurrency; launched++ {
			ch := make(chan result, 1)
			results[launched] = ch
			u := urls[launched].String()
			wg.Go(func() {
				req, err := c.newRequest(ctx, u)
				if err != nil {
					ch <- result{err: err}
					return
				}
				p, err := c.fetch(req)
				ch <- result{p, err}
			})
		}
		r := <-results[i]
		results[i] = nil
		if r.err != nil {
			return nil, false, r.err
		}
		if !take(r.p) {
			return nil, true, nil
		}
		last = r.p
	}
	return last, false, nil
}
