package main

import (
	"context"
	"fmt"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

// maxDemoJobs bounds --jobs: the fake holds the whole run in memory.
const maxDemoJobs = 100_000

// The sample run that --demo and serve show.
const (
	sampleOwner = "octo-org"
	sampleRepo  = "octo-repo"
	sampleRunID = 12_345_678_901
)

// demo serves a sample run of n jobs from the fake API on loopback and lists it through the
// real client over HTTP, as it would list a run on github.com.
func (c *cli) demo(ctx context.Context, n int) ([]wrapper.Job, wrapper.Attempt, error) {
	const token = "demo-token"
	run := api.SampleRun(sampleOwner, sampleRepo, sampleRunID, 1, n)
	a := wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Attempt}
	srv, err := api.NewServer(api.WithRun(run), api.WithToken(token))
	if err != nil {
		return nil, a, err
	}
	defer srv.Close()

	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(token), wrapper.WithUserAgent("ghjobs-demo"))
	if err != nil {
		return nil, a, err
	}
	jobs, err := c.collect(ctx, client, a)
	if err != nil {
		return nil, a, err
	}
	if v := srv.Fake.Violations(); len(v) > 0 {
		return nil, a, fmt.Errorf("the fake API saw %d contract violation(s), first: %w", len(v), v[0])
	}
	fmt.Fprintf(c.stderr, "demo: listed %d jobs of %s in %d requests to the fake GitHub API at %s\n",
		len(jobs), a, len(srv.Fake.Requests()), srv.URL)
	return jobs, a, nil
}
