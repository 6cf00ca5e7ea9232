package ghjobs_test

// The fault matrix: every fault the fake can script, against each way of listing jobs, with
// the outcome and the exact number of requests the server saw. Faults hit the first request,
// which is always page 1, so the counts do not depend on which of the concurrent page
// requests arrives first.

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/testkit"
	"github.com/ghjobs/ghjobs/wrapper"
)

// fastRetries keeps the suite quick: the same decisions as the default policy, with waits of
// milliseconds (retry-after headers still count whole seconds).
var fastRetries = wrapper.RetryPolicy{
	MaxRetries:    3,
	MinBackoff:    time.Millisecond,
	MaxBackoff:    5 * time.Millisecond,
	SecondaryWait: 10 * time.Millisecond,
	MaxWait:       3 * time.Second,
}

// outcome checks what a listing returned: nil error and every job, or the error wanted.
type outcome func(t *testing.T, err error)

func succeeds(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("error %v, want every job", err)
	}
}

func failsWith(target error, says string) outcome {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) || !strings.Contains(fmt.Sprint(err), says) {
			t.Errorf("error %v, want %v saying %q", err, target, says)
		}
	}
}

func failsAs[E error](check func(E) bool, says string) outcome {
	return func(t *testing.T, err error) {
		t.Helper()
		e, ok := errors.AsType[E](err)
		if !ok || !check(e) || !strings.Contains(fmt.Sprint(err), says) {
			t.Errorf("error %v, want a %T saying %q", err, e, says)
		}
	}
}

func status(code int) func(*wrapper.APIError) bool {
	return func(e *wrapper.APIError) bool { return e.StatusCode == code }
}

func TestFaultMatrix(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 25) // 3 pages of 10: small pages keep validation quick
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached the foreign host: %s %s", r.Method, r.URL)
	}))
	defer evil.Close()

	// Requests the server sees for ListJobs (page 1) and for Jobs and AllJobs (all pages),
	// when nothing goes wrong: 1 and 3.
	cases := []struct {
		name       string
		oldName    bool // ask for the repository by its old name
		faults     []api.Fault
		fake       []api.Option
		client     []wrapper.Option
		one, all   int
		listJobs   outcome
		everything outcome // Jobs and AllJobs
	}{
		{name: "500 once", faults: []api.Fault{api.Status(500)}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "502 once", faults: []api.Fault{api.Status(502)}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "503 three times", faults: []api.Fault{api.Status(503), api.Status(503), api.Status(503)}, one: 4, all: 6, listJobs: succeeds, everything: succeeds},
		{name: "504 four times: retries run out", faults: []api.Fault{api.Status(504), api.Status(504), api.Status(504), api.Status(504)}, one: 4, all: 4,
			listJobs: failsAs(status(504), "gave up after 4 tries"), everything: failsAs(status(504), "gave up after 4 tries")},
		{name: "connection dropped", faults: []api.Fault{api.Disconnect()}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "truncated body", faults: []api.Fault{api.TruncatedBody()}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "slower than the client's timeout", faults: []api.Fault{api.Latency(time.Minute)},
			client: []wrapper.Option{wrapper.WithHTTPClient(&http.Client{Timeout: 3 * time.Second})},
			one:    2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "400", faults: []api.Fault{api.Status(400)}, one: 1, all: 1, listJobs: failsAs(status(400), "400"), everything: failsAs(status(400), "400")},
		{name: "401", faults: []api.Fault{api.Status(401)}, one: 1, all: 1, listJobs: failsAs(status(401), "401"), everything: failsAs(status(401), "401")},
		{name: "403, not a rate limit", faults: []api.Fault{api.Status(403)}, one: 1, all: 1, listJobs: failsAs(status(403), "403"), everything: failsAs(status(403), "403")},
		{name: "404", faults: []api.Fault{api.Status(404)}, one: 1, all: 1, listJobs: failsWith(wrapper.ErrNotFound, "404"), everything: failsWith(wrapper.ErrNotFound, "404")},
		{name: "410", faults: []api.Fault{api.Status(410)}, one: 1, all: 1, listJobs: failsAs(status(410), "410"), everything: failsAs(status(410), "410")},
		{name: "422", faults: []api.Fault{api.Status(422)}, one: 1, all: 1, listJobs: failsAs(status(422), "422"), everything: failsAs(status(422), "422")},
		{name: "primary rate limit", faults: []api.Fault{api.PrimaryRateLimit(time.Hour)}, one: 1, all: 1,
			listJobs:   failsAs(func(e *wrapper.RateLimitError) bool { return !e.Secondary && !e.Reset.IsZero() }, "primary rate limit"),
			everything: failsAs(func(e *wrapper.RateLimitError) bool { return !e.Secondary && !e.Reset.IsZero() }, "primary rate limit")},
		{name: "primary rate limit, waiting for the reset", faults: []api.Fault{api.PrimaryRateLimit(time.Second)},
			client: []wrapper.Option{wrapper.WithRetryPolicy(waitForReset(fastRetries))},
			one:    2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "primary rate limit, reset beyond MaxWait", faults: []api.Fault{api.PrimaryRateLimit(time.Hour)},
			client: []wrapper.Option{wrapper.WithRetryPolicy(waitForReset(fastRetries))}, one: 1, all: 1,
			listJobs:   failsAs(func(e *wrapper.RateLimitError) bool { return !e.Secondary }, "resets at"),
			everything: failsAs(func(e *wrapper.RateLimitError) bool { return !e.Secondary }, "resets at")},
		{name: "secondary rate limit, 403 with retry-after", faults: []api.Fault{api.SecondaryRateLimit(403, time.Second)}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "secondary rate limit, 429 without retry-after", faults: []api.Fault{api.SecondaryRateLimit(429, 0), api.SecondaryRateLimit(429, 0)}, one: 3, all: 5, listJobs: succeeds, everything: succeeds},
		{name: "secondary rate limit, retry-after beyond MaxWait", faults: []api.Fault{api.SecondaryRateLimit(403, time.Hour)}, one: 1, all: 1,
			listJobs:   failsAs(func(e *wrapper.RateLimitError) bool { return e.Secondary && e.RetryAfter == time.Hour }, "secondary rate limit"),
			everything: failsAs(func(e *wrapper.RateLimitError) bool { return e.Secondary && e.RetryAfter == time.Hour }, "secondary rate limit")},
		{name: "malformed JSON", faults: []api.Fault{api.MalformedBody()}, one: 1, all: 1,
			listJobs: failsSaying("decoding the page"), everything: failsSaying("decoding the page")},
		{name: "connection cut inside the headers", faults: []api.Fault{api.CutInHeaders()}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "connection cut inside the status line", faults: []api.Fault{api.CutInStatusLine()}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "unframed body cut short", faults: []api.Fault{api.UnframedTruncatedBody()}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "a 200 that is not a page: {}", faults: []api.Fault{api.NotAPage(`{}`)}, one: 1, all: 1,
			listJobs: notAPage, everything: notAPage},
		{name: "a 200 that is not a page: total_count alone", faults: []api.Fault{api.NotAPage(`{"total_count":0}`)}, one: 1, all: 1,
			listJobs: notAPage, everything: notAPage},
		{name: "a 200 that is not a page: a message", faults: []api.Fault{api.NotAPage(`{"message":"ok"}`)}, one: 1, all: 1,
			listJobs: notAPage, everything: notAPage},
		{name: "a 200 that is not a page: a repository", faults: []api.Fault{api.NotAPage(`{"id":1296269,"node_id":"MDEwOlJlcG9zaXRvcnkxMjk2MjY5","name":"Hello-World","full_name":"octocat/Hello-World","private":false}`)}, one: 1, all: 1,
			listJobs: notAPage, everything: notAPage},
		{name: "422 with its errors", faults: []api.Fault{api.ValidationFailed(api.FieldError{Resource: "WorkflowJob", Field: "per_page", Code: "invalid"})}, one: 1, all: 1,
			listJobs: failsAs(has422Detail, "per_page"), everything: failsAs(has422Detail, "per_page")},
		{name: "wrong Content-Type", faults: []api.Fault{api.WrongContentType()}, one: 1, all: 1,
			listJobs: failsSaying("unexpected Content-Type"), everything: failsSaying("unexpected Content-Type")},
		{name: "Link to a foreign host", faults: []api.Fault{api.ForeignLink(evil.URL)}, one: 1, all: 1,
			listJobs: succeeds, everything: failsWith(wrapper.ErrForeignOrigin, evil.URL)},
		{name: "Link to itself", faults: []api.Fault{api.SelfLink()}, one: 1, all: 1,
			listJobs: succeeds, everything: failsWith(wrapper.ErrPagination, "returns to")},
		{name: "301 on the same origin", faults: []api.Fault{api.Redirect(301, "?per_page=10")}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "307 on the same origin", faults: []api.Fault{api.Redirect(307, "?per_page=10")}, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "301 to a foreign host", faults: []api.Fault{api.Redirect(301, evil.URL+"/repos/x/y/actions/runs/1/attempts/1/jobs")}, one: 1, all: 1,
			listJobs: failsWith(wrapper.ErrForeignOrigin, evil.URL), everything: failsWith(wrapper.ErrForeignOrigin, evil.URL)},
		{name: "renamed repository", fake: []api.Option{api.WithRename(owner, "old-name", owner, repo)}, oldName: true, one: 2, all: 4, listJobs: succeeds, everything: succeeds},
		{name: "list shifted before the last page", faults: []api.Fault{api.Latency(0), api.Latency(0), api.Shifted(5)},
			client: []wrapper.Option{wrapper.WithConcurrency(1)}, one: 1, all: 3, listJobs: succeeds, everything: succeeds},
		{name: "list shifted before a middle page: jobs lost", faults: []api.Fault{api.Latency(0), api.Shifted(5)},
			client: []wrapper.Option{wrapper.WithConcurrency(1)}, one: 1, all: 3,
			listJobs: succeeds, everything: failsWith(wrapper.ErrPagination, "ended after 20 jobs, but total_count is 25")},
	}

	const token = "ghp_f4ultm4tr1x"
	for _, tt := range cases {
		for _, method := range []string{"ListJobs", "Jobs", "AllJobs"} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				srv := api.NewTestServer(t, append([]api.Option{api.WithRun(run), api.WithToken(token), api.WithFaults(tt.faults...)}, tt.fake...)...)
				opts := append([]wrapper.Option{wrapper.WithBaseURL(srv.URL), wrapper.WithRetryPolicy(fastRetries), wrapper.WithPerPage(10)}, tt.client...)
				c, err := wrapper.New(append(opts, wrapper.WithToken(token))...) // after WithHTTPClient
				if err != nil {
					t.Fatal(err)
				}
				a := testkit.AttemptOf(run)
				if tt.oldName {
					a.Repo = "old-name"
				}

				var jobs []wrapper.Job
				want, check := tt.all, tt.everything
				switch method {
				case "ListJobs":
					want, check = tt.one, tt.listJobs
					var p *wrapper.Page
					if p, err = c.ListJobs(ctx, a, &wrapper.ListOptions{PerPage: 10}); err == nil {
						jobs = p.Jobs
					}
				case "Jobs":
					jobs, err = collect(c.Jobs(ctx, a))
				case "AllJobs":
					jobs, err = c.AllJobs(ctx, a)
				}
				check(t, err)
				if err == nil {
					if method == "ListJobs" {
						sameJobs(t, run.Jobs[:10], jobs)
					} else {
						sameJobs(t, run.Jobs, jobs)
					}
				} else if jobs != nil {
					t.Errorf("%d jobs with the error, want none", len(jobs))
				}
				if err != nil && strings.Contains(err.Error(), token) {
					t.Errorf("the error shows the token: %v", err)
				}
				// Every error of the library says whose it is first, and once.
				if err != nil && (!strings.HasPrefix(err.Error(), "ghjobs: ") || strings.Count(err.Error(), "ghjobs: ") != 1) {
					t.Errorf("the error does not start with one \"ghjobs: \": %v", err)
				}
				if got := len(srv.Fake.Requests()); got != want {
					t.Errorf("the server saw %d requests, want %d", got, want)
				}
				if n, want := srv.Fake.Pending(), max(len(tt.faults)-want, 0); n != want {
					t.Errorf("%d scripted faults were not served, want %d", n, want)
				}
			})
		}
	}
}

func waitForReset(p wrapper.RetryPolicy) wrapper.RetryPolicy {
	p.WaitForReset = true
	return p
}

func failsSaying(says string) outcome {
	return func(t *testing.T, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), says) || !strings.Contains(err.Error(), "request ID") {
			t.Errorf("error %v, want one saying %q and naming the request ID", err, says)
		}
	}
}

// notAPage: a 200 whose body is JSON but not a page of jobs fails the listing, naming the
// status and the request id, rather than reading as an empty list.
func notAPage(t *testing.T, err error) {
	t.Helper()
	failsWith(wrapper.ErrMalformedPage, "200")(t, err)
	failsSaying("request ID")(t, err)
}

// has422Detail: the entry of a 422's errors array is kept on the APIError.
func has422Detail(e *wrapper.APIError) bool {
	return e.StatusCode == 422 && len(e.Errors) == 1 && e.Errors[0].Field == "per_page" && e.Errors[0].Code == "invalid"
}

// collect gathers what Jobs yields: every job, or no jobs and its one error.
func collect(seq iter.Seq2[wrapper.Job, error]) ([]wrapper.Job, error) {
	var jobs []wrapper.Job
	for job, err := range seq {
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, job)
	}
	return jobs, nil
}

// TestConditionalPolling: polling an unchanged attempt is answered 304 from the second time
// on, which costs no primary rate limit (GitHub's rule for an authorized request: the
// token matters), and a change is seen at once.
func TestConditionalPolling(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 250)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithToken("t"))
	c := newClient(t, srv, wrapper.WithToken("t"))
	for poll := range 10 {
		jobs, err := c.AllJobs(ctx, testkit.AttemptOf(run))
		if err != nil {
			t.Fatal(err)
		}
		sameJobs(t, run.Jobs, jobs)
		if used := c.Rate().Used; used != 3 {
			t.Fatalf("poll %d: %d requests counted against the rate limit, want the first 3 only", poll+1, used)
		}
	}
	if n := len(srv.Fake.Requests()); n != 30 {
		t.Errorf("%d requests, want 30", n)
	}
	// ListJobs asks for page 3 by the repository's name; AllJobs read it at GitHub's Link
	// URL (/repositories/{id}/...), another URL to GitHub and to the cache. Asked for again
	// at the same URL, it is a free 304.
	for ask, wantUsed := range []int{4, 4} {
		p, err := c.ListJobs(ctx, testkit.AttemptOf(run), &wrapper.ListOptions{PerPage: 100, Page: 3})
		if err != nil {
			t.Fatalf("page 3 by name, ask %d: %v", ask+1, err)
		}
		if p.NotModified != (ask > 0) || len(p.Jobs) != 50 || p.Rate.Used != wantUsed {
			t.Fatalf("page 3 by name, ask %d: %d jobs, NotModified %v, %d used; want 50 jobs, NotModified %v, %d used",
				ask+1, len(p.Jobs), p.NotModified, p.Rate.Used, ask > 0, wantUsed)
		}
	}

	// A job that was running finishes: its page changes, and only that page costs a request.
	changed := run
	changed.Jobs = slices.Clone(run.Jobs)
	last := &changed.Jobs[len(changed.Jobs)-1]
	if last.Status == wrapper.JobStatusCompleted {
		t.Fatal("SampleRun's last job should still be running")
	}
	done, now := wrapper.JobConclusionSuccess, time.Now().UTC().Truncate(time.Second)
	last.Status, last.Conclusion, last.CompletedAt = wrapper.JobStatusCompleted, &done, &now
	srv.Fake.AddRun(changed)
	jobs, err := c.AllJobs(ctx, testkit.AttemptOf(run))
	if err != nil {
		t.Fatal(err)
	}
	sameJobs(t, changed.Jobs, jobs)
	if used := c.Rate().Used; used != 5 {
		t.Errorf("%d requests counted after one page changed, want 4 + 1", used)
	}

	// Without the cache every poll costs every page.
	uncached := newClient(t, srv, wrapper.WithToken("t"), wrapper.WithCache(0))
	for range 2 {
		if _, err := uncached.AllJobs(ctx, testkit.AttemptOf(run)); err != nil {
			t.Fatal(err)
		}
	}
	if used := uncached.Rate().Used; used != 11 {
		t.Errorf("without the cache: %d requests counted, want 5 + 6", used)
	}
}

// TestListGrowsWhilePagesAreFetchedAtOnce: pages fetched at once may be answered in any order.
// A middle page that arrives last and says the list grew must not be outvoted by the last
// page's older total_count: the listing is short, and says so.
func TestListGrowsWhilePagesAreFetchedAtOnce(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 251)
	page2Sent := make(chan struct{})
	srv, _ := validatingServer(t, func(w http.ResponseWriter, r *http.Request) {
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		total := 250
		switch page {
		case 2:
			<-page2Sent // answered only after page 3: a job was added meanwhile
			total = 251
		case 3:
			defer close(page2Sent)
		}
		link := fmt.Sprintf(`<http://%s%s?per_page=100&page=%%d>; rel="%%s"`, r.Host, r.URL.Path)
		links := []string{fmt.Sprintf(link, 3, "last")}
		if page < 3 {
			links = append(links, fmt.Sprintf(link, page+1, "next"))
		}
		w.Header().Set("Link", strings.Join(links, ", "))
		w.Header().Set("Content-Type", "application/json")
		jobs := run.Jobs[(page-1)*100 : min(page*100, 250)]
		json.NewEncoder(w).Encode(map[string]any{"total_count": total, "jobs": jobs})
	})
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := c.AllJobs(ctx, testkit.AttemptOf(run))
	if !errors.Is(err, wrapper.ErrPagination) || !strings.Contains(err.Error(), "ended after 250 jobs, but total_count is 251") || jobs != nil {
		t.Errorf("AllJobs = %d jobs, %v; want ErrPagination: 250 jobs of 251", len(jobs), err)
	}
}

// TestRenamedRepositoryPolling: GitHub counts every 301 against the rate limit, so a poll
// loop over a renamed repository pays for the move once, not once a poll: the client
// remembers the fake's GitHub-shaped Location (/repositories/{id}/...).
func TestRenamedRepositoryPolling(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 250)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithRename(owner, "old-name", owner, repo))
	const token = "ghp_r3n4m3d"
	c := newClient(t, srv, wrapper.WithToken(token))
	a := testkit.AttemptOf(run)
	a.Repo = "old-name"
	for poll := range 5 {
		jobs, err := c.AllJobs(ctx, a)
		if err != nil {
			t.Fatalf("poll %d: %v", poll+1, err)
		}
		sameJobs(t, run.Jobs, jobs)
	}
	old := 0
	for _, r := range srv.Fake.Requests() {
		if strings.Contains(r.URL.Path, "/old-name/") {
			old++
		}
	}
	if old != 1 {
		t.Errorf("%d requests to the old name over 5 polls, want 1", old)
	}
	// The first poll: the 301 and 3 pages; then each poll is 3 free 304s.
	if used := c.Rate().Used; used != 4 {
		t.Errorf("%d requests counted over 5 polls, want 4", used)
	}
}
