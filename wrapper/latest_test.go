package wrapper

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
)

// TestLatestAttempt: the latest attempt is read off the run's latest jobs, in one request
// that names filter=latest; a run without jobs, jobs without run_attempt, a missing run and
// bad input each give their own error, bad input before any request.
func TestLatestAttempt(t *testing.T) {
	srv := api.NewTestServer(t,
		api.WithRun(api.SampleRun("octo-org", "octo-repo", 7, 1, 5)),
		api.WithRun(api.SampleRun("octo-org", "octo-repo", 7, 3, 250)),
		api.WithRun(api.Run{Owner: "octo-org", Repo: "octo-repo", RunID: 8, Number: 1}),
		api.WithToken("t"))
	c, err := New(WithBaseURL(srv.URL), WithToken("t"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := c.LatestAttempt(ctx, "octo-org", "octo-repo", 7)
	if want := (Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 7, Number: 3}); err != nil || a != want {
		t.Errorf("LatestAttempt = %v, %v; want %v", a, err, want)
	}
	reqs := srv.Fake.Requests()
	if len(reqs) != 1 || reqs[0].URL.Path != "/repos/octo-org/octo-repo/actions/runs/7/jobs" || reqs[0].URL.Query().Get("filter") != "latest" {
		t.Errorf("requests %v, want one for the run's jobs with filter=latest", reqs)
	}

	if _, err := c.LatestAttempt(ctx, "octo-org", "octo-repo", 8); !errors.Is(err, ErrNoJobs) || !strings.HasPrefix(err.Error(), "ghjobs: no jobs yet: ") {
		t.Errorf("a run without jobs: %v, want ErrNoJobs", err)
	}
	if _, err := c.LatestAttempt(ctx, "octo-org", "octo-repo", 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing run: %v, want ErrNotFound", err)
	}
	old := api.SampleRun("octo-org", "octo-repo", 10, 1, 2)
	for i := range old.Jobs {
		old.Jobs[i].RunAttempt = nil // GitHub Enterprise Server before re-runs
	}
	srv.Fake.AddRun(old)
	if _, err := c.LatestAttempt(ctx, "octo-org", "octo-repo", 10); !errors.Is(err, ErrAttemptUnknown) || !strings.Contains(err.Error(), "name the attempt") {
		t.Errorf("jobs without run_attempt: %v, want ErrAttemptUnknown", err)
	}

	before := len(srv.Fake.Requests())
	for _, bad := range []struct {
		owner, repo string
		run         int64
	}{{"", "r", 1}, {"o", "r!", 1}, {"o", "r", 0}} {
		if _, err := c.LatestAttempt(ctx, bad.owner, bad.repo, bad.run); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("LatestAttempt(%q, %q, %d): %v, want ErrInvalidInput", bad.owner, bad.repo, bad.run, err)
		}
	}
	if n := len(srv.Fake.Requests()) - before; n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}

// TestJobAttempt: a job's attempt is its run_attempt, of any attempt of the run; a missing
// job is ErrNotFound, bad input fails before any request, a 502 is sent again.
func TestJobAttempt(t *testing.T) {
	first, second := api.SampleRun("octo-org", "octo-repo", 7, 1, 3), api.SampleRun("octo-org", "octo-repo", 7, 2, 3)
	srv := api.NewTestServer(t, api.WithRun(first), api.WithRun(second))
	var events []Event
	c, err := New(WithBaseURL(srv.URL), WithEvents(func(e Event) { events = append(events, e) }),
		WithRetryPolicy(RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond, SecondaryWait: time.Second, MaxWait: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		id   int64
		want int64
	}{{first.Jobs[2].ID, 1}, {second.Jobs[0].ID, 2}} {
		a, err := c.JobAttempt(ctx, "octo-org", "octo-repo", tt.id)
		if want := (Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 7, Number: tt.want}); err != nil || a != want {
			t.Errorf("JobAttempt(%d) = %v, %v; want %v", tt.id, a, err, want)
		}
	}
	if _, err := c.JobAttempt(ctx, "octo-org", "octo-repo", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing job: %v, want ErrNotFound", err)
	}

	srv.Fake.Script(api.Status(http.StatusBadGateway))
	if a, err := c.JobAttempt(ctx, "octo-org", "octo-repo", first.Jobs[0].ID); err != nil || a.Number != 1 {
		t.Errorf("after a 502: %v, %v", a, err)
	}
	if len(events) != 1 || events[0].Kind != EventRetry || events[0].StatusCode != http.StatusBadGateway {
		t.Errorf("events %+v, want one retry after the 502", events)
	}
	srv.Fake.Script(api.MalformedBody())
	if _, err := c.JobAttempt(ctx, "octo-org", "octo-repo", first.Jobs[0].ID); !errors.Is(err, ErrMalformedPage) {
		t.Errorf("a body that is not JSON: %v, want ErrMalformedPage", err)
	}

	before := len(srv.Fake.Requests())
	if _, err := c.JobAttempt(ctx, "octo-org", "octo-repo", 0); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("job 0: %v, want ErrInvalidInput", err)
	}
	if _, err := c.JobAttempt(ctx, "octo org", "octo-repo", 5); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("a bad owner: %v, want ErrInvalidInput", err)
	}
	if n := len(srv.Fake.Requests()) - before; n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}
