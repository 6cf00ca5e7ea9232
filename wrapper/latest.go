package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

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
	req, err := generated.NewActionsListJobsForWorkflowRunRequest(c.base.String(), owner, repo, runID, params)
	if err != nil {
		return Attempt{}, fmt.Errorf("ghjobs: building the request for %s/%s run %d: %w", owner, repo, runID, err)
	}
	req = c.prepared(ctx, req)
	f := fit{runID: runID, root: c.base.EscapedPath(), tail: "/actions/runs/" + strconv.FormatInt(runID, 10) + "/jobs"}
	page, err := c.fetch(ctx, req, f, place{})
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
// The request is sent, retried and waited for as every page's is (the RetryPolicy, rate
// limits, the Store's cap), but not kept.
//
// GitHub API docs: https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run
func (c *Client) JobAttempt(ctx context.Context, owner, repo string, jobID int64) (Attempt, error) {
	if err := (Attempt{Owner: owner, Repo: repo, RunID: 1, Number: 1}).Validate(); err != nil {
		return Attempt{}, err
	}
	if jobID < 1 {
		return Attempt{}, fmt.Errorf("%w: job ID %d: must be positive", ErrInvalidInput, jobID)
	}
	req, err := generated.NewActionsGetJobForWorkflowRunRequest(c.base.String(), owner, repo, jobID)
	if err != nil {
		return Attempt{}, fmt.Errorf("ghjobs: building the request for job %d of %s/%s: %w", jobID, owner, repo, err)
	}
	req = c.prepared(ctx, req)
	var j *Job
	err = c.retrying(ctx, req, func(n int, _ bool) (err error) {
		j, err = c.getJob(ctx, &try{req: req, n: n, bare: true})
		return err
	})
	if err != nil {
		return Attempt{}, err
	}
	if j.RunAttempt == nil || *j.RunAttempt < 1 || j.RunID < 1 {
		return Attempt{}, fmt.Errorf("%w: job %d of %s/%s has no run_attempt (GitHub Enterprise Server before re-runs?): name the attempt",
			ErrAttemptUnknown, jobID, owner, repo)
	}
	return Attempt{Owner: owner, Repo: repo, RunID: j.RunID, Number: *j.RunAttempt}, nil
}

// getJob makes one try of a request for one job: authorized, admitted and sent as a page's
// (send), but neither conditional nor kept, and decoded as a job.
func (c *Client) getJob(ctx context.Context, t *try) (*Job, error) {
	if err := c.authorize(ctx, t); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, t)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := errorOf(resp)
		c.giveBack(ctx, t, err)
		return nil, err
	}
	body, err := readBody(resp)
	c.giveBack(ctx, t, nil)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %s: reading the job: %w", describe(resp), err)
	}
	data, _, done, err := plainJSON(resp.Header, body, false)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %s: %w", describe(resp), err)
	}
	defer done()
	j, err := decodeJob(data)
	if err != nil || j.ID <= 0 {
		if err == nil {
			err = fmt.Errorf("no job id in %s", snippet(data))
		}
		return nil, fmt.Errorf("ghjobs: %s: decoding the job: %w: %w", describe(resp), ErrMalformedPage, err)
	}
	return &j, nil
}
