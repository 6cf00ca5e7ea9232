package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ghjobs/ghjobs/generated"
)

// Job is one job of a workflow run attempt, as GitHub describes it. Unfinished jobs have a
// nil Conclusion and CompletedAt; queued ones also have nil Runner* fields and may have no
// Steps. Status and Conclusion keep values the description does not list yet.
type Job = generated.Job

// JobStep is one step of a Job.
type JobStep = generated.JobStep

// Attempt names one attempt of a workflow run.
type Attempt struct {
	Owner  string // account that owns the repository, e.g. "octo-org"
	Repo   string // repository name without ".git", e.g. "octo-repo"
	RunID  int64  // the workflow run's id
	Number int64  // the attempt: 1 for the first run, higher for re-runs
}

func (a Attempt) String() string {
	return fmt.Sprintf("%s/%s run %d attempt %d", a.Owner, a.Repo, a.RunID, a.Number)
}

// ListOptions selects one page. Zero fields, or a nil *ListOptions, mean GitHub's defaults:
// page 1 of 30 jobs.
type ListOptions struct {
	PerPage int // jobs per page, 1 to 100
	Page    int // page number, from 1
}

// Page is one page of jobs with its place in the listing.
type Page struct {
	TotalCount int   // jobs in the attempt, over all pages
	Jobs       []Job // this page's jobs

	// Page numbers from the Link header; 0 when there is no such page. GitHub sends no
	// Link header when every job fits on one page, and may leave out last.
	NextPage, PrevPage, FirstPage, LastPage int

	Rate Rate // rate-limit figures after this request

	// NotModified is true when GitHub answered 304 Not Modified to the client's conditional
	// request and the page is the one the client's cache kept (see WithCache): nothing on it
	// changed, and the request did not count against the primary rate limit.
	NotModified bool

	next, last *url.URL // rel="next", followed as given, and rel="last"
}

// ListJobs returns one page of the attempt's jobs. Like every request of the client, it is
// sent again after transient failures and rate limits as the RetryPolicy allows.
//
// GitHub API docs: https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt
func (c *Client) ListJobs(ctx context.Context, a Attempt, opts *ListOptions) (*Page, error) {
	req, err := c.firstRequest(ctx, a, opts)
	if err != nil {
		return nil, err
	}
	return c.fetch(req)
}

// Jobs returns every job of the attempt, page after page, following GitHub's rel="next"
// links; it asks for 100 jobs a request unless WithPerPage says otherwise. On error it yields
// the error once, with a zero Job, and stops; once ctx is done, the next value is its error.
// It ends with an error rather than a short list when the pages hold fewer jobs than
// total_count promised. A job that comes again on a later page, because jobs were added
// while the pages were read, is yielded once.
//
// GitHub API docs: https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt
func (c *Client) Jobs(ctx context.Context, a Attempt) iter.Seq2[Job, error] {
	return func(yield func(Job, error) bool) {
		var cancelled error
		err := c.eachPage(ctx, a, func(p *Page) bool {
			for _, job := range p.Jobs {
				// A consumer that cancels mid-page gets the context's error next, not the
				// rest of a page it no longer wants.
				if cancelled = ctx.Err(); cancelled != nil {
					return false
				}
				if !yield(job, nil) {
					return false
				}
			}
			return true
		})
		if cancelled != nil {
			err = fmt.Errorf("ghjobs: %w", cancelled)
		}
		if err != nil {
			yield(Job{}, err)
		}
	}
}

// AllJobs returns every job of the attempt, as Jobs does, in one slice. On error it returns
// no jobs at all, never a partial list.
func (c *Client) AllJobs(ctx context.Context, a Attempt) ([]Job, error) {
	var jobs []Job
	err := c.eachPage(ctx, a, func(p *Page) bool {
		if jobs == nil {
			// total_count comes from the server: trust it for a size hint, within reason.
			jobs = make([]Job, 0, min(max(p.TotalCount, len(p.Jobs)), 1<<14))
		}
		jobs = append(jobs, p.Jobs...)
		return true
	})
	if err != nil {
		return nil, err
	}
	if jobs == nil {
		jobs = []Job{}
	}
	return jobs, nil
}

// firstRequest validates its arguments and builds the request for one page with the
// generated request builder.
func (c *Client) firstRequest(ctx context.Context, a Attempt, opts *ListOptions) (*http.Request, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	params, err := opts.params()
	if err != nil {
		return nil, err
	}
	req, err := generated.NewActionsListJobsForWorkflowRunAttemptRequest(c.base, a.Owner, a.Repo, a.RunID, a.Number, params)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: building the request for %s: %w", a, err)
	}
	req = req.WithContext(ctx)
	c.setHeaders(req)
	return req, nil
}

// newRequest builds the request for a Link URL, which is followed as given.
func (c *Client) newRequest(ctx context.Context, rawURL string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: next link: %v", ErrPagination, err)
	}
	c.setHeaders(req)
	return req, nil
}

func (c *Client) setHeaders(req *http.Request) {
	req.Header.Set("Accept", mediaType)
	req.Header.Set("X-GitHub-Api-Version", c.apiVersion)
	req.Header.Set("User-Agent", c.userAgent)
}

// fetch sends req, again as the retry policy allows, and decodes the page it answers with.
// Every wait of the client is decided here and in awaitQuota, and reported to WithEvents.
func (c *Client) fetch(req *http.Request) (*Page, error) {
	ctx := req.Context()
	for retries, limits := 0, 0; ; retries++ {
		if err := c.awaitQuota(req, retries); err != nil {
			return nil, err
		}
		p, err := c.fetchOnce(req)
		if err == nil {
			return p, nil
		}
		ev := Event{URL: req.URL.Redacted(), Retry: retries + 1, MaxRetries: c.retry.MaxRetries, Err: err}
		if rl, ok := errors.AsType[*RateLimitError](err); ok {
			if ev.Wait, ev.Asked, ok = rateLimitWait(c.retry, rl, limits, rl.serverNow()); !ok {
				return nil, err
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
			return nil, err
		}
		if retries >= c.retry.MaxRetries {
			if retries > 0 {
				err = fmt.Errorf("%w (gave up after %d tries)", err, retries+1)
			}
			return nil, err
		}
		c.emit(ev)
		if werr := sleep(ctx, ev.Wait); werr != nil {
			return nil, fmt.Errorf("ghjobs: %w while waiting %s to retry after: %w", werr, ev.Wait.Round(time.Millisecond), err)
		}
	}
}

// awaitQuota sends no request while the last answer said none are left: it waits for the
// reset when the policy allows, and otherwise returns a *RateLimitError at once. retries is
// how many times req was sent already.
func (c *Client) awaitQuota(req *http.Request, retries int) error {
	if d, cause := c.rate.held(time.Now()); d > 0 {
		// Another request is waiting out a secondary limit. A little jitter keeps the
		// waiting requests from all arriving in the same instant afterwards.
		d += rand.N(d/10 + 1)
		ev := cause // the other request's event: its status, error, and whether GitHub asked
		ev.URL, ev.Wait, ev.Retry, ev.MaxRetries = req.URL.Redacted(), d, retries, c.retry.MaxRetries
		c.emit(ev)
		if err := sleep(req.Context(), d); err != nil {
			return fmt.Errorf("ghjobs: %w while waiting %s for a secondary rate limit", err, d.Round(time.Millisecond))
		}
	}
	rate, wait, exhausted := c.rate.exhausted(time.Now())
	if !exhausted {
		return nil
	}
	err := &RateLimitError{
		APIError: &APIError{Method: req.Method, URL: req.URL.Redacted()},
		Rate:     rate,
		Reset:    rate.Reset,
	}
	if !c.retry.WaitForReset || wait > c.retry.MaxWait {
		return err
	}
	c.emit(Event{Kind: EventPrimaryLimit, URL: req.URL.Redacted(), Wait: wait, Retry: retries,
		MaxRetries: c.retry.MaxRetries, Asked: true, Reset: rate.Reset, Err: err})
	if werr := sleep(req.Context(), wait); werr != nil {
		return fmt.Errorf("ghjobs: %w while waiting %s for the rate limit to reset: %w", werr, wait.Round(time.Second), err)
	}
	return nil
}

// fetchOnce sends req once and decodes the page it answers with.
func (c *Client) fetchOnce(req *http.Request) (*Page, error) {
	cached := new(cachedBytes)
	req = req.WithContext(context.WithValue(req.Context(), cachedBytesKey{}, cached))
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %w", err)
	}
	if resp.Request == nil { // a stub RoundTripper's answer; http.Client does not fill it in
		resp.Request = req
	}
	c.rate.observe(resp.Header, time.Now())
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil {
			return nil, fmt.Errorf("ghjobs: %s %s: %s, reading the body: %w", req.Method, req.URL.Redacted(), resp.Status, err)
		}
		return nil, errorFromResponse(resp, body)
	}

	body, err := c.decodePage(resp, cached.data)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %s %s: %s (request ID %s): decoding the page: %w",
			req.Method, resp.Request.URL.Redacted(), resp.Status, resp.Header.Get("X-GitHub-Request-Id"), err)
	}

	l, err := parseLinks(resp.Header.Values("Link"), resp.Request.URL)
	if err != nil {
		return nil, err
	}
	return &Page{
		TotalCount:  body.TotalCount,
		Jobs:        body.Jobs,
		NextPage:    pageNumber(l.next),
		PrevPage:    pageNumber(l.prev),
		FirstPage:   pageNumber(l.first),
		LastPage:    pageNumber(l.last),
		Rate:        parseRate(resp.Header),
		NotModified: resp.Header.Get(fromCacheHeader) != "",
		next:        l.next,
		last:        l.last,
	}, nil
}

// decodePage decodes a 200's body into the generated JobsPage. It does what the generated
// ParseActionsListJobsForWorkflowRunAttemptResponse does, minus its waste: the body is read
// into one buffer of the announced size (or taken from the cache as is, see cachedBytes)
// rather than grown by
// io.ReadAll, which allocated half of all bytes per job, and the jobs slice is sized for a
// full page up front.
func (c *Client) decodePage(resp *http.Response, cached []byte) (*generated.JobsPage, error) {
	defer resp.Body.Close()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, fmt.Errorf("unexpected Content-Type %q", resp.Header.Get("Content-Type"))
	}
	data, err := readBody(resp, cached)
	if err != nil {
		return nil, err
	}
	page := generated.JobsPage{Jobs: make([]Job, 0, c.perPage)}
	if err := json.Unmarshal(data, &page); err != nil {
		return nil, err
	}
	if page.TotalCount < 0 {
		return nil, fmt.Errorf("total_count %d", page.TotalCount)
	}
	return &page, nil
}

// errBodyTooLarge ends the read of a body larger than any page GitHub sends.
var errBodyTooLarge = errors.New("body larger than 32 MiB")

// maxPageBody bounds a page's body. 100 jobs with many steps are well under 2 MiB.
const maxPageBody = 32 << 20

// readBody reads a page's body, at most maxPageBody bytes, in one allocation when the
// length is known.
func readBody(resp *http.Response, cached []byte) ([]byte, error) {
	if cached != nil {
		// The body is these bytes, which the cache holds: json.Unmarshal keeps nothing of
		// its input, so sharing them is safe, and copying them was a third of all bytes
		// allocated per job.
		return cached, nil
	}
	if resp.ContentLength > maxPageBody {
		return nil, errBodyTooLarge
	}
	data, err := readUpTo(resp.Body, resp.ContentLength, maxPageBody)
	if err != nil {
		return nil, err
	}
	if len(data) > maxPageBody {
		return nil, errBodyTooLarge
	}
	return data, nil
}

// readUpTo reads r to its end, but no more than limit+1 bytes, so that the caller can tell a
// body over limit. A size that the Content-Length announces (0 or less: unknown) is read into
// one buffer, rather than one that io.ReadAll grows, copying, as it goes.
func readUpTo(r io.Reader, size, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if size > 0 && size <= limit {
		buf.Grow(int(size) + bytes.MinRead) // room to see EOF without growing
	}
	_, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	return buf.Bytes(), err
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

// validate applies GitHub's naming rules, so that a typo fails here with a reason rather than
// as a 404 from GitHub.
func (a Attempt) validate() error {
	// '_' is not in personal account names, but Enterprise Managed Users are handle_shortcode.
	if err := checkName("owner", a.Owner, 39, func(r rune) bool { return r == '-' || r == '_' }); err != nil {
		return err
	}
	if err := checkName("repository", a.Repo, 100, func(r rune) bool { return r == '-' || r == '_' || r == '.' }); err != nil {
		return err
	}
	if a.Repo == "." || a.Repo == ".." {
		return fmt.Errorf("%w: repository name %q is reserved", ErrInvalidInput, a.Repo)
	}
	if a.RunID < 1 {
		return fmt.Errorf("%w: run ID %d: must be positive", ErrInvalidInput, a.RunID)
	}
	if a.Number < 1 {
		return fmt.Errorf("%w: attempt %d: attempts are numbered from 1", ErrInvalidInput, a.Number)
	}
	return nil
}

// checkName allows 1 to max ASCII letters, digits and the runes extra allows.
func checkName(what, s string, max int, extra func(rune) bool) error {
	if s == "" {
		return fmt.Errorf("%w: empty %s name", ErrInvalidInput, what)
	}
	if len(s) > max {
		return fmt.Errorf("%w: %s name %.20q… is %d characters long; GitHub allows %d", ErrInvalidInput, what, s, len(s), max)
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || extra(r))
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("%w: %s name %q: GitHub does not allow %q in it", ErrInvalidInput, what, s, r)
	}
	return nil
}
