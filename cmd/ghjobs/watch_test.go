package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/fleettest"
)

var watchStart = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// threeJobs is an attempt of ten minutes: build, then test (which fails), and lint beside them.
func threeJobs(testEnds generated.JobConclusion) api.Timeline {
	m := func(min, sec int) time.Duration {
		return time.Duration(min)*time.Minute + time.Duration(sec)*time.Second
	}
	return api.Timeline{Owner: fixtureOwner, Repo: fixtureRepo, RunID: fixtureRunID, Number: 1, Start: watchStart, Jobs: []api.JobLife{
		{Name: "build", Created: 0, Started: m(0, 20), Completed: m(3, 0), Conclusion: generated.JobConclusionSuccess},
		{Name: "lint", Created: 0, Started: m(0, 40), Completed: m(2, 0), Conclusion: generated.JobConclusionSuccess},
		{Name: "test", Created: m(3, 5), Started: m(3, 30), Completed: m(10, 0), Conclusion: testEnds},
	}}
}

// simulated serves tl and gives the command a clock that moves only when it sleeps: each
// sleep moves the clock and serves the attempt as it is then. It returns the cli and the
// sleeps it was asked for.
type simulated struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func watchCLI(t *testing.T, tl api.Timeline, fake *api.Fake, url string) (*cli, *simulated, *strings.Builder, *strings.Builder) {
	t.Helper()
	sim := &simulated{now: tl.Start}
	fake.AddRun(tl.At(sim.now))
	c, _, _ := testCLI(map[string]string{"GITHUB_API_URL": url, "GH_TOKEN": fixtureToken})
	var out, errOut strings.Builder
	c.stdout, c.stderr = &out, &errOut
	c.now = func() time.Time {
		sim.mu.Lock()
		defer sim.mu.Unlock()
		return sim.now
	}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		sim.mu.Lock()
		sim.now = sim.now.Add(d)
		sim.sleeps = append(sim.sleeps, d)
		now := sim.now
		sim.mu.Unlock()
		fake.AddRun(tl.At(now))
		return ctx.Err()
	}
	return c, sim, &out, &errOut
}

// TestWatchLines: on a non-terminal, each change of a job is one line; the end says what
// happened, and the exit status says whether every job succeeded.
func TestWatchLines(t *testing.T) {
	for _, tt := range []struct {
		ends generated.JobConclusion
		code int
	}{{generated.JobConclusionFailure, 1}, {generated.JobConclusionSuccess, 0}, {generated.JobConclusionSkipped, 0}, {generated.JobConclusionCancelled, 1}} {
		srv := api.NewTestServer(t, api.WithToken(fixtureToken))
		c, _, out, errOut := watchCLI(t, threeJobs(tt.ends), srv.Fake, srv.URL)
		code := c.run(t.Context(), append([]string{"--watch"}, fixtureArgs...))
		if code != tt.code {
			t.Errorf("test ends %s: exit %d, want %d; stderr %q", tt.ends, code, tt.code, errOut)
		}
		// The polls fall at 0s, 10s, 25s, 35s, 50s, ... (the interval grows while nothing
		// changes), so test's short wait for a runner falls between two polls but when it ends.
		want := []string{
			"09:00:00  build  queued", "09:00:00  lint  queued",
			"09:00:25  build  in_progress",
			"09:00:50  lint  in_progress",
			"09:02:11  lint  success  1m20s",
			"09:03:32  build  success  2m40s",
		}
		switch tt.ends {
		case generated.JobConclusionSkipped:
			want = append(want, "09:03:32  test  queued", "09:10:13  test  skipped\n")
		default:
			want = append(want, "09:03:32  test  in_progress", "09:10:13  test  "+string(tt.ends)+"  6m30s")
		}
		want = append(want, "09:10:23  all 3 jobs completed: ")
		got := out.String()
		last := -1
		for _, w := range want {
			i := strings.Index(got, w)
			if i < 0 || i < last {
				t.Errorf("test ends %s: %q missing or out of order in:\n%s", tt.ends, w, got)
				break
			}
			last = i
		}
		for line := range strings.Lines(got) {
			if strings.Count(got, line) > 1 {
				t.Errorf("%q printed twice", line)
			}
		}
		if tt.code == 1 && !strings.Contains(errOut.String(), "1 of 3 jobs did not succeed: test ("+string(tt.ends)+")") {
			t.Errorf("stderr %q does not name the job that did not succeed", errOut)
		}
	}
}

// TestWatchJSONL: jsonl prints each job again whenever it changes, and only then.
func TestWatchJSONL(t *testing.T) {
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	c, _, out, errOut := watchCLI(t, threeJobs(generated.JobConclusionSuccess), srv.Fake, srv.URL)
	if code := c.run(t.Context(), append([]string{"--watch", "--format", "jsonl"}, fixtureArgs...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	seen := map[int64][]string{}
	for line := range strings.Lines(out.String()) {
		var j generated.Job
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatal(err)
		}
		seen[j.ID] = append(seen[j.ID], string(j.Status))
	}
	if len(seen) != 3 {
		t.Errorf("%d jobs, want 3", len(seen))
	}
	// build and lint are seen in each state; test only once running (it waited for a runner
	// between two polls).
	var got []string
	for _, states := range seen {
		got = append(got, strings.Join(states, " "))
	}
	slices.Sort(got)
	if want := []string{"in_progress completed", "queued in_progress completed", "queued in_progress completed"}; !slices.Equal(got, want) {
		t.Errorf("jobs printed as %q, want %q", got, want)
	}
}

// TestWatchInterval: the interval grows while nothing changes, up to 4 × --interval, and
// comes back to --interval on a change.
func TestWatchInterval(t *testing.T) {
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	c, sim, _, errOut := watchCLI(t, threeJobs(generated.JobConclusionSuccess), srv.Fake, srv.URL)
	if code := c.run(t.Context(), append([]string{"--watch", "--interval", "10s"}, fixtureArgs...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := func(sec float64) time.Duration { return time.Duration(sec * float64(time.Second)) }
	// 0s: queued; 10s: nothing; 25s: build runs; 35s: nothing; 50s: lint runs; then quiet
	// until lint ends at 2m11s; later, quiet for long enough to reach the cap.
	want := []time.Duration{s(10), s(15), s(10), s(15), s(10), s(15), s(22.5), s(33.75), s(10), s(15), s(22.5), s(33.75),
		s(10), s(15), s(22.5), s(33.75), s(40), s(40)}
	for i, w := range want {
		if i >= len(sim.sleeps) || sim.sleeps[i] != w {
			t.Fatalf("sleeps %v, want them to start %v", sim.sleeps, want)
		}
	}
	for _, d := range sim.sleeps {
		if d > 40*time.Second || d < 10*time.Second {
			t.Errorf("a sleep of %v outside 10s…40s", d)
		}
	}
}

// countingServer serves fake and counts, with fleettest.Counter, what GitHub counts
// against the rate limit (Arrival.Counted).
type countingServer struct {
	*httptest.Server
	counter *fleettest.Counter
}

func newCountingServer(t *testing.T, fake *api.Fake) *countingServer {
	cs := &countingServer{counter: &fleettest.Counter{Next: fake}}
	cs.Server = httptest.NewServer(cs.counter)
	t.Cleanup(cs.Close)
	return cs
}

// counts returns the requests answered and those counted against the rate limit.
func (cs *countingServer) counts() (total, counted int) {
	arrivals := cs.counter.Arrivals()
	for _, a := range arrivals {
		if a.Counted() {
			counted++
		}
	}
	return len(arrivals), counted
}

// watchCost is what TestWatchCost measures, quoted in the README: requests counted against
// the rate limit, with a token, for a ten-minute attempt of 3 jobs watched at 10s.
const watchCost = 6

// TestWatchCost measures what --watch costs: a ten-minute attempt watched at --interval 10s,
// on a simulated clock, counting at the server the requests GitHub would count.
func TestWatchCost(t *testing.T) {
	fake, err := api.New(api.WithToken(fixtureToken), api.WithViolationHandler(func(err error) { t.Errorf("contract violation: %v", err) }))
	if err != nil {
		t.Fatal(err)
	}
	cs := newCountingServer(t, fake)
	c, sim, _, errOut := watchCLI(t, threeJobs(generated.JobConclusionSuccess), fake, cs.URL)
	if code := c.run(t.Context(), append([]string{"--watch", "--format", "jsonl"}, fixtureArgs...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	total, counted := cs.counts()
	t.Logf("a %s attempt watched at 10s: %d requests, %d of them counted against the rate limit (the rest were free 304s)",
		sim.now.Sub(watchStart), total, counted)
	if counted != watchCost {
		t.Errorf("%d requests counted; the README says %d (update watchCost and the README)", counted, watchCost)
	}
	if total <= counted {
		t.Errorf("%d requests, %d counted: no poll was a free 304", total, counted)
	}
}

// TestWatchTimeout: --timeout bounds --watch: 124.
func TestWatchTimeout(t *testing.T) {
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	tl := threeJobs(generated.JobConclusionSuccess)
	srv.Fake.AddRun(tl.At(watchStart.Add(time.Minute))) // never moves on
	code, _, errOut := ghjobs(t, map[string]string{"GITHUB_API_URL": srv.URL, "GH_TOKEN": fixtureToken},
		append([]string{"--watch", "--interval", "1s", "--timeout", "300ms"}, fixtureArgs...)...)
	if code != 124 || !strings.Contains(errOut, "--timeout 300ms") {
		t.Errorf("exit %d, stderr %q; want 124", code, errOut)
	}
}

// TestWatchWaitsForTheRateLimit: at the primary limit, --watch waits for the reset and says so.
func TestWatchWaitsForTheRateLimit(t *testing.T) {
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	c, _, _, errOut := watchCLI(t, threeJobs(generated.JobConclusionSuccess), srv.Fake, srv.URL)
	srv.Fake.Script(api.PrimaryRateLimit(time.Second))
	if code := c.run(t.Context(), append([]string{"--watch"}, fixtureArgs...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`ghjobs: rate limit used up: waiting \d\.\ds for its reset`).MatchString(errOut.String()) {
		t.Errorf("stderr %q does not say it waits for the reset", errOut)
	}
}

func TestWatchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--interval", "5s", "o/r", "1"},
		{"--watch", "--interval", "10ms", "o/r", "1"},
		{"--watch", "--current-job", "o/r", "1"},
	} {
		if code, _, errOut := ghjobs(t, map[string]string{"RUNNER_NAME": "r"}, args...); code != 2 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// TestWatchOtherFormats: formats other than table and jsonl are printed once, at the end; the
// changes go to stderr meanwhile. --summary prints its changes, then the figures.
func TestWatchOtherFormats(t *testing.T) {
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	c, _, out, errOut := watchCLI(t, threeJobs(generated.JobConclusionSuccess), srv.Fake, srv.URL)
	if code := c.run(t.Context(), append([]string{"--watch", "--format", "mermaid"}, fixtureArgs...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if ids, charts := mermaidJobTask.FindAllString(out.String(), -1), strings.Count(out.String(), "```mermaid"); len(ids) != 3 || charts != 1 || strings.Contains(out.String(), "active") {
		t.Errorf("mermaid after --watch: %q in %d charts:\n%s", ids, charts, out)
	}
	if !strings.Contains(errOut.String(), "09:00:25  build  in_progress") {
		t.Errorf("stderr %q: want the changes", errOut)
	}

	srv2 := api.NewTestServer(t, api.WithToken(fixtureToken))
	c, _, out, errOut = watchCLI(t, threeJobs(generated.JobConclusionSuccess), srv2.Fake, srv2.URL)
	if code := c.run(t.Context(), append([]string{"--watch", "--summary"}, fixtureArgs...)); code != 0 {
		t.Fatalf("--summary: exit %d: %s", code, errOut)
	}
	got := out.String()
	if i, j := strings.Index(got, "09:00:25  build  in_progress"), strings.Index(got, "jobs          3: 3 success"); i < 0 || j < i {
		t.Errorf("--watch --summary: want the changes, then the figures:\n%s", got)
	}
}
