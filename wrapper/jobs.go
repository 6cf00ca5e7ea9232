package wrapper

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"runtime"

	"github.com/ghjobs/ghjobs/generated"
)

// Job is one job of a workflow run attempt, as GitHub describes it. Unfinished jobs have a
// nil Conclusion and CompletedAt; queued ones also have nil Runner* fields and may have no
// Steps. Status and Conclusion keep values the description does not list yet.
type Job = generated.Job

// JobStep is one step of a Job.
type JobStep = generated.JobStep

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
	// changed. GitHub does not count such a request against the primary rate limit when it
	// was authorized; without credentials it counts like any other, and Rate says so.
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
	return c.fetch(ctx, req, attemptFit(c.base, a), place{})
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
		// One page is decoded ahead of the one being yielded: memory holds two pages of
		// jobs, however many are in flight.
		err := c.eachPage(ctx, a, newDecodeOrder(1), func(p *Page) bool {
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
// no jobs at all, never a partial list. The jobs of a page share the strings they repeat
// (head_sha, step names, labels, ...), which takes about a third less memory than each
// job's own.
func (c *Client) AllJobs(ctx context.Context, a Attempt) ([]Job, error) {
	var jobs []Job
	// Every job is kept anyway: pages are decoded as they come, on as many processors as
	// there are.
	err := c.eachPage(ctx, a, newDecodeTurns(runtime.GOMAXPROCS(0)), func(p *Page) bool {
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
