package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// One request's life, top to bottom: it is built (firstRequest, linkRequest), then fetch sends
// it, again as the retry policy allows. Each sending is a try, one value that send passes to
// every step:
//
//  1. admit: no rate limit in the way, and a slot of the Store's cap (share.go);
//  2. choose the page whose ETag makes the request conditional: the Store's or the cache's
//     (served without asking only when the Store's is fresh for this very credential);
//  3. send it, and note the rate figures and permanent redirects of the answer;
//  4. read the whole answer and give the Store its slot back;
//  5. wait the page's turn to be decoded (order.go), then decode it (decode.go), or copy the
//     decoded page kept, and check that it fits the listing (fit.go);
//  6. keep the page, in the cache and the Store.
//
// A kept page that cannot be used (it does not decode, or does not fit) is dropped, and the
// request is sent again without it, once: it costs a request, never the listing.

// try is one sending of a request and what is known of it.
type try struct {
	req   *http.Request // as built; the try sends a copy with credentials and If-None-Match
	fit   fit
	place place
	n     int  // retries before this try
	bare  bool // send without a kept page: the last one could not be used

	key        string // the page's key in the cache (pageKey) and, hashed, in the Store
	auth       string // the Authorization value the client sets itself; "" for none
	credential string // auth's fingerprint for the Store; "" when the client cannot see it
	scope      string // the try's scope in the Store; "" when the Store was not asked
	slot       *slot  // the Store's slot for the try, until given back; nil for none
	// conditional is the page whose ETag the request carries in If-None-Match, the cache's
	// or (fromStore) the Store's; nil for none. withoutAsking: it is served without a
	// request at all (WithSharedFreshness).
	conditional   *cachedPage
	fromStore     bool
	withoutAsking bool
}

// firstRequest validates its arguments and builds the request for one page with the
// generated request builder.
func (c *Client) firstRequest(ctx context.Context, a Attempt, opts *ListOptions) (*http.Request, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	params, err := opts.params()
	if err != nil {
		return nil, err
	}
	req, err := generated.NewActionsListJobsForWorkflowRunAttemptRequest(c.base.String(), a.Owner, a.Repo, a.RunID, a.Number, params)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: building the request for %s: %w", a, err)
	}
	return c.prepared(ctx, req), nil
}

// linkRequest builds the request for a Link URL, which is followed as given.
func (c *Client) linkRequest(ctx context.Context, rawURL string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: next link: %v", ErrPagination, err)
	}
	return c.prepared(ctx, req), nil
}

// prepared is req as the client sends every request: with ctx, to where a repository that
// moved is now, and with the client's headers (credentials are the try's: try.request).
func (c *Client) prepared(ctx context.Context, req *http.Request) *http.Request {
	req = req.WithContext(ctx)
	c.moved.rewrite(req.URL)
	c.setHeaders(req)
	return req
}

func (c *Client) setHeaders(req *http.Request) {
	req.Header.Set("Accept", mediaType)
	req.Header.Set("X-GitHub-Api-Version", c.apiVersion)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept-Encoding", acceptEncoding)
}

// params checks the options against GitHub's limits and turns them into query parameters.
func (o *ListOptions) params() (*generated.ActionsListJobsForWorkflowRunAttemptParams, error) {
	if o == nil {
		return nil, nil
	}
	var p generated.ActionsListJobsForWorkflowRunAttemptParams
	switch {
	case o.PerPage < 0 || o.PerPage > maxPerPage:
		return nil, fmt.Errorf("%w: per page %d: must be 1 to %d (0 for GitHub's default of 30)", ErrInvalidInput, o.PerPage, maxPerPage)
	case o.PerPage > 0:
		p.PerPage = &o.PerPage
	}
	switch {
	case o.Page < 0:
		return nil, fmt.Errorf("%w: page %d: pages are numbered from 1 (0 for the first)", ErrInvalidInput, o.Page)
	case o.Page > 0:
		p.Page = &o.Page
	}
	return &p, nil
}

// fetch returns the page req asks for, decoded and checked against f, sending req again as
// the retry policy allows.
func (c *Client) fetch(ctx context.Context, req *http.Request, f fit, at place) (p *Page, err error) {
	err = c.retrying(ctx, req, func(n int, bare bool) error {
		p, err = c.send(ctx, &try{req: req, fit: f, place: at, n: n, bare: bare})
		return err
	})
	return p, err
}

// retrying makes tries of req with once until one succeeds, or fails for good, or the retry
// policy says no more. Every wait of the client is decided here and in admit. n counts the
// tries before; bare asks for a try without the kept page, after once found it unusable.
func (c *Client) retrying(ctx context.Context, req *http.Request, once func(n int, bare bool) error) error {
	bare := false
	for retries, limits := 0, 0; ; retries++ {
		err := once(retries, bare)
		if err == nil {
			return nil
		}
		if bad, ok := errors.AsType[*unusableError](err); ok && !bare {
			c.emit(Event{Kind: EventPageDropped, URL: req.URL.Redacted(), Retry: retries, MaxRetries: c.retry.MaxRetries, Err: bad.err})
			bare, retries = true, retries-1 // not a retry of the policy's: GitHub did nothing wrong
			continue
		}
		ev := Event{URL: req.URL.Redacted(), Retry: retries + 1, MaxRetries: c.retry.MaxRetries, Err: err}
		if rl, ok := errors.AsType[*RateLimitError](err); ok {
			if rl.StatusCode == 0 {
				return err // not sent: the client's policy already decided not to wait
			}
			if ev.Wait, ev.Asked, ok = rateLimitWait(c.retry, rl, limits, rl.serverNow()); !ok {
				return err
			}
			limits++
			ev.Kind, ev.StatusCode = EventSecondaryLimit, rl.StatusCode
			if !rl.Secondary {
				ev.Kind, ev.Reset = EventPrimaryLimit, rl.Reset
			}
			if rl.Secondary && retries < c.retry.MaxRetries {
				c.rate.hold(time.Now().Add(ev.Wait), ev)
			}
		} else if retryable(ctx, err) {
			ev.Kind, ev.Wait = EventRetry, backoff(c.retry, retries-limits)
			if apiErr, ok := errors.AsType[*APIError](err); ok {
				ev.StatusCode = apiErr.StatusCode
			}
		} else {
			return err
		}
		if retries >= c.retry.MaxRetries {
			if retries > 0 {
				err = fmt.Errorf("%w (gave up after %d tries)", err, retries+1)
			}
			return err
		}
		c.emit(ev)
		if werr := sleep(ctx, ev.Wait); werr != nil {
			return fmt.Errorf("%w (then %w while waiting %s to retry)", err, werr, ev.Wait.Round(time.Millisecond))
		}
	}
}

// send makes one try of t.req.
func (c *Client) send(ctx context.Context, t *try) (*Page, error) {
	if err := c.authorize(ctx, t); err != nil {
		return nil, err
	}
	c.choose(t)
	if t.withoutAsking {
		c.giveBack(ctx, t, nil) // nothing is sent
		return c.serveConditional(ctx, t, nil)
	}

	resp, err := c.do(ctx, t)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified && t.conditional != nil:
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // lets the connection be reused
		c.giveBack(ctx, t, nil)
		return c.serveConditional(ctx, t, resp)
	case resp.StatusCode != http.StatusOK:
		err := errorOf(resp)
		c.giveBack(ctx, t, err)
		return nil, err
	}

	body, err := readBody(resp)
	c.giveBack(ctx, t, nil) // GitHub counts a request in flight until all of it is read
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, fmt.Errorf("ghjobs: %s: %w", describe(resp), malformed(err))
	case err != nil: // the connection broke: retryable decides
		return nil, fmt.Errorf("ghjobs: %s: reading the page: %w", describe(resp), err)
	}
	resp.Body.Close() // read to its end: the connection is free while the page waits its turn
	done, err := t.place.wait(ctx)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %s: %w", describe(resp), err)
	}
	jp, err := decodePage(resp.Header, body, unframed(resp))
	if err == nil {
		err = t.fit.jobs(jp.Jobs)
	}
	done()
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %s: %w", describe(resp), err)
	}
	l, err := t.links(resp.Header, resp)
	if err != nil {
		return nil, err
	}
	if resp.Header.Get("ETag") != "" {
		t.key = pageKey(resp.Request) // where a redirect led: where a moved request goes next
		c.keepAnswer(ctx, t, keep(resp, body))
	}
	return newPage(jp.TotalCount, jp.Jobs, l, parseRate(resp.Header), false), nil
}

// authorize gives t the client's credentials, and admits it (admit): what every try does
// before it is sent.
func (c *Client) authorize(ctx context.Context, t *try) error {
	t.key = pageKey(t.req)
	auth, err := c.id.authorization()
	if err != nil {
		return fmt.Errorf("ghjobs: the token source: %w", err)
	}
	t.auth, t.credential = auth, c.id.credential(auth)
	return c.admit(ctx, t)
}

// do sends t's request, notes the rate figures and the permanent redirects of the answer, and
// gives the Store's slot back if no answer came.
func (c *Client) do(ctx context.Context, t *try) (*http.Response, error) {
	resp, err := c.hc.Do(t.request(ctx))
	if err != nil {
		c.giveBack(ctx, t, err)
		return nil, fmt.Errorf("ghjobs: %w", err)
	}
	if resp.Request == nil { // a stub RoundTripper's answer; http.Client does not fill it in
		resp.Request = t.req
	}
	c.rate.observe(resp.Header, time.Now())
	c.rememberMove(t, resp)
	return resp, nil
}

// request is the request the try sends: t.req with the client's credentials and, with a
// conditional page, If-None-Match.
func (t *try) request(ctx context.Context) *http.Request {
	req := t.req.Clone(ctx)
	if t.auth != "" {
		req.Header.Set("Authorization", t.auth)
	}
	if t.conditional != nil {
		req.Header.Set("If-None-Match", t.conditional.etag)
	}
	return req
}

// choose picks the page the try's request is conditional on: the one the Store keeps, which
// another client may have fetched more recently, else the cache's. The Store's is served
// without asking when GitHub confirmed it, less than WithSharedFreshness ago, to this
// credential.
func (c *Client) choose(t *try) {
	if t.bare || c.cache == nil {
		return
	}
	if sp := t.slot.page(); sp != nil {
		t.conditional, t.fromStore = &cachedPage{etag: sp.ETag, header: sp.Header, body: sp.Body}, true
		t.withoutAsking = sp.Age < c.freshFor && t.credential != "" && sp.ConfirmedTo == t.credential
		return
	}
	t.conditional = c.cache.page(t.key)
}

// serveConditional answers the try with its conditional page, which GitHub confirmed
// unchanged (a 304: resp), or which is served without asking (resp nil). A page GitHub
// confirmed before is copied from its decoded form; any other is decoded, and once GitHub
// confirmed it, kept decoded too. A page that does not decode or fit is dropped: the error
// is an *unusableError.
func (c *Client) serveConditional(ctx context.Context, t *try, resp *http.Response) (*Page, error) {
	k := t.conditional
	l, err := t.links(k.header, resp)
	if err != nil {
		return nil, c.unusable(ctx, t, err)
	}
	done, err := t.place.wait(ctx)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %s: %w", t.req.URL.Redacted(), err)
	}
	total, jobs, decoded, err := c.conditionalJobs(t)
	var kept []Job // confirmed unchanged: likely to be asked for again, so kept decoded
	if err == nil && decoded && resp != nil {
		kept = cloneJobs(jobs)
	}
	done() // before the Store is told anything: its round trips take no decoding turn
	if err != nil {
		return nil, c.unusable(ctx, t, err)
	}
	var p *Page
	if resp == nil {
		p = newPage(total, jobs, l, Rate{}, true)
	} else {
		c.keepConfirmed(ctx, t)
		if kept != nil {
			c.cache.keepDecoded(t.key, &decodedPage{etag: k.etag, total: total, jobs: kept, size: decodedSize(jobs)})
		}
		p = newPage(total, jobs, l, parseRate(resp.Header), true)
	}
	return p, nil
}

// conditionalJobs returns the jobs of the try's conditional page: a copy of its decoded form,
// or its body's, decoded now (decoded).
func (c *Client) conditionalJobs(t *try) (total int, jobs []Job, decoded bool, err error) {
	if d := c.cache.decodedOf(t.key, t.conditional.etag); d != nil {
		return d.total, cloneJobs(d.jobs), false, nil
	}
	jp, err := decodePage(t.conditional.header, t.conditional.body, false)
	if err == nil {
		err = t.fit.jobs(jp.Jobs)
	}
	if err != nil {
		return 0, nil, false, err
	}
	return jp.TotalCount, jp.Jobs, true, nil
}

// links reads and checks the pagination links of a page with headers h; resp is GitHub's
// answer (nil for a page served without asking), whose final URL relative links resolve
// against.
func (t *try) links(h http.Header, resp *http.Response) (links, error) {
	base := t.req.URL
	if resp != nil {
		base = resp.Request.URL
	}
	l, err := parseLinks(h.Values("Link"), base)
	if err == nil {
		err = t.fit.links(l, base)
	}
	return l, err
}

// unusableError is a kept page that could not be used; fetch sends the request again
// without it.
type unusableError struct{ err error }

func (e *unusableError) Error() string {
	return "ghjobs: a kept page could not be used: " + e.err.Error()
}

// unusable drops the try's kept page, here and in the Store, for the reason err.
func (c *Client) unusable(ctx context.Context, t *try, err error) error {
	c.cache.drop(t.key, t.conditional.etag)
	if t.fromStore {
		c.tellStore(ctx, t, StoreEnd{Page: c.share.pageKey(t.key), Drop: true, ETag: t.conditional.etag})
	}
	return &unusableError{err}
}

// keepAnswer keeps the page of a 200 that passed every check, in the cache and the Store.
func (c *Client) keepAnswer(ctx context.Context, t *try, p *cachedPage) {
	c.cache.keep(t.key, p)
	if c.share.pages() {
		c.tellStore(ctx, t, StoreEnd{Page: c.share.pageKey(t.key), PageTTL: DefaultPageTTL,
			Put: &StoredPage{ETag: p.etag, Header: p.header, Body: p.body}, ConfirmedTo: t.credential})
	}
}

// keepConfirmed records that GitHub confirmed the try's kept page to its credential: the
// cache keeps the Store's page too, and the Store renews its own, or gets the cache's.
func (c *Client) keepConfirmed(ctx context.Context, t *try) {
	if t.fromStore {
		c.cache.keep(t.key, t.conditional)
	}
	if !c.share.pages() {
		return
	}
	e := StoreEnd{Page: c.share.pageKey(t.key), PageTTL: DefaultPageTTL, ConfirmedTo: t.credential}
	if t.fromStore {
		e.Validated, e.ETag = true, t.conditional.etag
	} else {
		e.Put = &StoredPage{ETag: t.conditional.etag, Header: t.conditional.header, Body: t.conditional.body}
	}
	c.tellStore(ctx, t, e)
}

// newPage is the Page of total_count total and jobs, with the links l.
func newPage(total int, jobs []Job, l links, r Rate, notModified bool) *Page {
	return &Page{
		TotalCount:  total,
		Jobs:        jobs,
		NextPage:    pageNumber(l.next),
		PrevPage:    pageNumber(l.prev),
		FirstPage:   pageNumber(l.first),
		LastPage:    pageNumber(l.last),
		Rate:        r,
		NotModified: notModified,
		next:        l.next,
		last:        l.last,
	}
}

// errorOf is the error for a non-200 answer.
func errorOf(resp *http.Response) error {
	body, err := errorBody(resp)
	if err != nil {
		return fmt.Errorf("ghjobs: %s %s: %s, reading the body: %w", resp.Request.Method, resp.Request.URL.Redacted(), resp.Status, err)
	}
	return errorFromResponse(resp, body)
}
