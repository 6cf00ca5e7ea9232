package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

// fakeGitHub starts the api fake on loopback with one sample run of 250 jobs, standing in for
// api.github.com so that the examples run anywhere.
func fakeGitHub() (*api.Server, wrapper.Attempt) {
	run := api.SampleRun("octo-org", "octo-repo", 12_345_678_901, 1, 250)
	srv, err := api.NewServer(api.WithRun(run))
	if err != nil {
		log.Fatal(err)
	}
	return srv, wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Number}
}

// Every job of a run attempt, all pages, 100 jobs a request.
func ExampleClient_Jobs() {
	srv, attempt := fakeGitHub() // in real use: wrapper.New(wrapper.WithToken(token))
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithUserAgent("flaky-hunter/1.0"))
	if err != nil {
		log.Fatal(err)
	}

	var jobs, failed int
	for job, err := range c.Jobs(context.Background(), attempt) {
		if err != nil {
			log.Fatal(err)
		}
		jobs++
		if job.Conclusion != nil && *job.Conclusion == wrapper.JobConclusionFailure {
			failed++
		}
	}
	fmt.Printf("%d jobs in %d requests, %d failed\n", jobs, len(srv.Fake.Requests()), failed)
	// Output: 250 jobs in 3 requests, 15 failed
}

// One page at a time, with its place in the listing.
func ExampleClient_ListJobs() {
	srv, attempt := fakeGitHub()
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	page, err := c.ListJobs(context.Background(), attempt, &wrapper.ListOptions{PerPage: 100, Page: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d jobs; pages: prev %d, next %d, last %d\n",
		len(page.Jobs), page.TotalCount, page.PrevPage, page.NextPage, page.LastPage)
	fmt.Printf("rate limit: %d of %d left\n", page.Rate.Remaining, page.Rate.Limit)
	// Output:
	// 100 of 250 jobs; pages: prev 1, next 3, last 3
	// rate limit: 59 of 60 left
}

// Every job in one slice; on error, no jobs at all rather than a partial list.
func ExampleClient_AllJobs() {
	srv, attempt := fakeGitHub()
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	jobs, err := c.AllJobs(context.Background(), attempt)
	if err != nil {
		log.Fatal(err)
	}
	running := 0
	for _, j := range jobs {
		if j.Status == wrapper.JobStatusInProgress { // Conclusion and CompletedAt are nil
			running++
		}
	}
	fmt.Println(len(jobs), "jobs,", running, "still running")
	// Output: 250 jobs, 6 still running
}

// Telling errors apart: a missing run, a rate limit, a bad argument.
func ExampleAPIError() {
	srv, attempt := fakeGitHub()
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	attempt.Number = 7 // no such attempt
	_, err = c.ListJobs(context.Background(), attempt, nil)
	var rl *wrapper.RateLimitError
	var apiErr *wrapper.APIError
	switch {
	case errors.Is(err, wrapper.ErrNotFound):
		fmt.Println("not found (or not visible to this token)")
	case errors.As(err, &rl):
		fmt.Println("rate limited until", rl.Reset, "or for", rl.RetryAfter)
	case errors.As(err, &apiErr):
		fmt.Println("GitHub said", apiErr.StatusCode, apiErr.Message, "request", apiErr.RequestID)
	}

	attempt.Owner = "not an owner"
	_, err = c.ListJobs(context.Background(), attempt, nil)
	fmt.Println(errors.Is(err, wrapper.ErrInvalidInput), len(srv.Fake.Requests()))
	// Output:
	// not found (or not visible to this token)
	// true 1
}

// In GitHub Actions, or wherever gh is logged in: the token from GH_TOKEN or GITHUB_TOKEN and
// the API root from GITHUB_API_URL, which is https://HOST/api/v3 on GitHub Enterprise Server.
func ExampleNewFromEnv() {
	c, err := wrapper.NewFromEnv(wrapper.WithUserAgent("ci-dashboard/3.2"))
	if err != nil {
		log.Fatal(err)
	}
	jobs, err := c.AllJobs(context.Background(), wrapper.Attempt{
		Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(len(jobs), "jobs")
}

// A token, and a GitHub Enterprise Server.
func ExampleNew() {
	c, err := wrapper.New(
		wrapper.WithToken(os.Getenv("GITHUB_TOKEN")),
		wrapper.WithBaseURL("https://ghe.example.com/api/v3"),
		wrapper.WithUserAgent("cost-report/0.4"),
	)
	if err != nil {
		log.Fatal(err) // for example: an empty token
	}
	_ = c
}

// Polling a run while it is in progress. With the client's cache (on by default), a page that
// has not changed is answered 304 Not Modified, which costs no primary rate limit when the
// request carries a token (GitHub counts unauthenticated 304s).
func ExampleClient_Rate() {
	srv, attempt := fakeGitHub()
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken("ghp_example")) // in real use: your token
	if err != nil {
		log.Fatal(err)
	}

	for poll := 1; poll <= 3; poll++ {
		jobs, err := c.AllJobs(context.Background(), attempt)
		if err != nil {
			log.Fatal(err)
		}
		r := c.Rate()
		fmt.Printf("poll %d: %d jobs, %d requests counted, %d left\n", poll, len(jobs), r.Used, r.Remaining)
		// in real use: time.Sleep(30 * time.Second), until every job has a Conclusion
	}
	// Output:
	// poll 1: 250 jobs, 3 requests counted, 4997 left
	// poll 2: 250 jobs, 3 requests counted, 4997 left
	// poll 3: 250 jobs, 3 requests counted, 4997 left
}

// A long-running exporter that would rather wait than fail: it waits for the primary rate
// limit to reset, up to 15 minutes, and retries transient failures five times.
func ExampleWithRetryPolicy() {
	srv, attempt := fakeGitHub()
	defer srv.Close()
	// The fake answers the first request 502 and the second with a secondary rate limit.
	srv.Fake.Script(api.Status(502), api.SecondaryRateLimit(429, time.Second))

	policy := wrapper.DefaultRetryPolicy()
	policy.MaxRetries = 5
	policy.WaitForReset = true
	policy.MaxWait = 15 * time.Minute
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithRetryPolicy(policy))
	if err != nil {
		log.Fatal(err)
	}
	jobs, err := c.AllJobs(context.Background(), attempt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d jobs in %d requests\n", len(jobs), len(srv.Fake.Requests()))
	// Output: 250 jobs in 5 requests
}

// Saying why a listing takes longer than usual: the client reports each retry and wait as it
// decides on it. Here the fake answers a 502 first, then a secondary rate limit.
func ExampleWithEvents() {
	srv, attempt := fakeGitHub()
	defer srv.Close()
	srv.Fake.Script(api.Status(502), api.SecondaryRateLimit(429, time.Second))

	logEvent := func(e wrapper.Event) { // called from the goroutines that make the requests
		switch e.Kind {
		case wrapper.EventRetry:
			fmt.Printf("%s after %d: try %d of %d\n", e.Kind, e.StatusCode, e.Retry+1, e.MaxRetries+1)
		case wrapper.EventSecondaryLimit, wrapper.EventPrimaryLimit:
			fmt.Printf("%s (%d): waiting %s, as GitHub asked: %v\n", e.Kind, e.StatusCode, e.Wait, e.Asked)
		case wrapper.EventRedirect:
			fmt.Printf("%s: %s is now %s\n", e.Kind, e.URL, e.Location)
		}
	}
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithEvents(logEvent))
	if err != nil {
		log.Fatal(err)
	}
	jobs, err := c.AllJobs(context.Background(), attempt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(jobs), "jobs")
	// Output:
	// retry after 502: try 2 of 4
	// secondary rate limit (429): waiting 1s, as GitHub asked: true
	// 250 jobs
}
