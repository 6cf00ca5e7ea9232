package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// Finding an attempt. A run's page in the browser, and a run named without an attempt, mean
// its latest attempt; a job's page means the attempt the job ran in. Both are read off the
// job schema's run_attempt, from the two operations that share that schema with the
// listing: "list jobs for a workflow run" with filter=latest (a page, sent like every page)
// and "get a job for a workflow run".

var (
	// ErrNoJobs matches the error of LatestAttempt for a run that has no jobs yet: the run
	// exists, but none of its jobs, which carry the attempt, has been created. A run just
	// started or re-run gets its jobs within seconds; a run whose workflow file is broken
	// never does.
	ErrNoJobs = errors.New("ghjobs: no jobs yet")

	// ErrAttemptUnknown matches the errors of LatestAttempt and JobAttempt when GitHub's
	// answer does not say the attempt: its jobs have no run_attempt, as on GitHub
	// Enterprise Server versions from before re-runs. Name the attempt instead.
	ErrAttemptUnknown = errors.New("ghjobs: attempt unknown")
)

// latestPage is how many of the run's latest jobs LatestAttempt reads: one page of GitHub's
// largest size, one request.
const latestPage = maxPerPage

// LatestAttempt returns the latest attempt of a workflow run: the one a re-run made, or the
// first. It reads the first page of the run's jobs with filter=latest, which GitHub answers
// with the jobs of the run's most recent attempt, and takes the highest run_attempt among
// them (GitHub versions that still list, for each job, its most recent run of any attempt
// give the right answer too for runs of up to 100 jobs). One request, sent and retried as
// every page is. A run with no jobs yet is an error matching ErrNoJobs; jobs without
// run_attempt, one matching ErrAttemptUnknown; a run that does not exist, or that the token
// may not see, one matching ErrNotFound.
//
// GitHub API docs: https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run
func (c *Client) LatestAttempt(ctx context.Context, owner, repo string, runID int64) (Attempt, error) {
	a := Attempt{Owner: owner, Repo: repo, RunID: runID, Number: 1}
	if err := a.Validate(); err != nil {
		return Attempt{}, err
	}
	perPage, filter := latestPage, "latest"
	params := &generated.ActionsListJobsForWorkflowRunParams{Filter: &filter, PerPage: &perPage}
	req, err := generated.NewActionsListJobsForWorkflowRunRequest(c.base, owner, repo, runID, params)
	if err != nil {
		return Attempt{}, fmt.Errorf("ghjobs: building the request for %s/%s run %d: %w", owner, repo, runID, err)
	}
	req = req.WithContext(ctx)
	c.moved.rewrite(req.URL)
	c.setHeaders(req)
	page, err := c.fetch(req)
	if err != nil {
		return Attempt{}, err
	}
	if len(page.Jobs) == 0 {
		return Attempt{}, fmt.Errorf("%w: %s/%s run %d has no jobs, so no attempt to read", ErrNoJobs, owner, repo, runID)
	}
	a.Number = 0
	for i := range page.Jobs {
		n := page.Jobs[i].RunAttempt
		if n == nil || *n < 1 {
			return Attempt{}, fmt.Errorf("%w: job %d of %s/%s run %d has no run_attempt (GitHub Enterprise Server before re-runs?): name the attempt",
				ErrAttemptUnknown, page.Jobs[i].ID, owner, repo, runID)
		}
		a.Number = max(a.Number, *n)
	}
	return a, nil
}

// JobAttempt returns the attempt that the job with id jobID ran in (its run_id and
// run_attempt), as the page of a job in the browser, .../actions/runs/RUN_ID/job/JOB_ID,
// shows it. A job without run_attempt is an error matching ErrAttemptUnknown; a job that does
// not exist, or that the token may not see, one matching ErrNotFound.
//
// The request is sent again after transient failures as the RetryPolicy allows; a rate
// limit is returned as a *RateLimitError, not waited for.
//
// GitHub API docs: https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run
func (c *Client) JobAttempt(ctx context.Context, owner, repo string, jobID int64) (Attempt, error) {
	if err := (Attempt{Owner: owner, Repo: repo, RunID: 1, Number: 1}).Validate(); err != nil {
		return Attempt{}, err
	}
	if jobID < 1 {
		return Attempt{}, fmt.Errorf("%w: job ID %d: must be positive", ErrInvalidInput, jobID)
	}
	req, err := generated.NewActionsGetJobForWorkflowRunRequest(c.base, owner, repo, jobID)
	if err != nil {
		return Attempt{}, fmt.Errorf("ghjobs: building the request for job %d of %s/%s: %w", jobID, owner, repo, err)
	}
	req = req.WithContext(ctx)
	c.moved.rewrite(req.URL)
	c.setHeaders(req)
	j, err := c.fetchJob(req)
	if err != nil {
		return Attempt{}, err
	}
	if j.RunAttempt == nil || *j.RunAttempt < 1 || j.RunID < 1 {
		return Attempt{}, fmt.Errorf("%w: job %d of %s/%s has no run_attempt (GitHub Enterprise Server before re-runs?): name the attempt",
			ErrAttemptUnknown, jobID, owner, repo)
	}
	return Attempt{Owner: owner, Repo: repo, RunID: j.RunID, Number: *j.RunAttempt}, nil
}

// fetchJob sends req for one job, again after transient failures as the retry policy allows,
// and decodes the job. fetch decodes pages only, hence this loop of its own: the same
// retryable errors, backoff and events.
func (c *Client) fetchJob(req *http.Request) (*Job, error) {
	ctx := req.Context()
	for retries := 0; ; retries++ {
		j, err := c.fetchJobOnce(req)
		if err == nil || !retryable(ctx, err) || retries >= c.retry.MaxRetries {
			if err != nil && retries > 0 {
				err = fmt.Errorf("%w (gave up after %d tries)", err, retries+1)
			}
			return j, err
		}
		ev := Event{Kind: EventRetry, URL: req.URL.Redacted(), Retry: retries + 1, MaxRetries: c.retry.MaxRetries,
			Wait: backoff(c.retry, retries), Err: err}
		if apiErr, ok := errors.AsType[*APIError](err); ok {
			ev.StatusCode = apiErr.StatusCode
		}
		c.emit(ev)
		if werr := sleep(ctx, ev.Wait); werr != nil {
			return nil, fmt.Errorf("ghjobs: %w while waiting %s to retry after: %w", werr, ev.Wait.Round(time.Millisecond), err)
		}
	}
}

// fetchJobOnce sends req once and decodes the job it answers with.
func (c *Client) fetchJobOnce(req *http.Request) (*Job, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %w", err)
	}
	defer resp.Body.Close()
	if resp.Request == nil {
		resp.Request = req
	}
	c.rate.observe(resp.Header, time.Now())
	if resp.StatusCode != http.StatusOK {
		body, err := errorBody(resp)
		if err != nil {
			return nil, fmt.Errorf("ghjobs: %s %s: %s, reading the body: %w", req.Method, req.URL.Redacted(), resp.Status, err)
		}
		return nil, errorFromResponse(resp, body)
	}
	gz, err := isGzip(resp.Header)
	if err != nil {
		return nil, malformed(resp, err)
	}
	data, err := readBody(resp, nil)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %s: reading the job: %w", describe(resp), err)
	}
	if gz {
		buf, err := gunzip(data, maxPageBody)
		if err != nil {
			return nil, malformed(resp, err)
		}
		defer release(buf)
		data = buf.Bytes()
	}
	var j Job
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, malformed(resp, err)
	}
	if j.ID <= 0 {
		return nil, malformed(resp, fmt.Errorf("no job id in %s", snippet(data)))
	}
	return &j, nil
}
