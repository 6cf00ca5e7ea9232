package bench

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

// get sends a GET for path and query with the headers a client sends, then hdr on top.
func get(t *testing.T, s *server, query string, hdr http.Header) (*http.Request, *http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+s.path+"?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "ghjobs-bench-test")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", wrapper.APIVersion)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return req, resp, body
}

func TestSampleRunHasTenStepsAJob(t *testing.T) {
	const n = 400
	run, plain := sampleRun(n), api.SampleRun(owner, repo, runID, attempt, n)
	statuses := map[generated.JobStatus]int{}
	for i, j := range run.Jobs {
		statuses[j.Status]++
		if len(j.Steps) != stepsPerJob {
			t.Fatalf("job %d has %d steps, want %d", i, len(j.Steps), stepsPerJob)
		}
		for k, s := range j.Steps {
			if s.Number != k+1 || s.Name != stepNames[k] {
				t.Errorf("job %d step %d is %d %q", i, k, s.Number, s.Name)
			}
			done := s.Status == generated.JobStepStatusCompleted
			if done != (s.Conclusion != nil) || done != (s.CompletedAt != nil) {
				t.Errorf("job %d step %d: status %s with conclusion %v and completed_at %v", i, k, s.Status, s.Conclusion, s.CompletedAt)
			}
			if s.StartedAt != nil && (s.StartedAt.Before(j.StartedAt.Truncate(time.Second)) || j.CompletedAt != nil && s.CompletedAt.After(*j.CompletedAt)) {
				t.Errorf("job %d step %d runs %v to %v, outside its job's %v to %v", i, k, s.StartedAt, s.CompletedAt, j.StartedAt, j.CompletedAt)
			}
		}
		if c := j.Conclusion; c != nil && (*c == generated.JobConclusionFailure || *c == generated.JobConclusionCancelled) &&
			*j.Steps[stopStep].Conclusion != string(*c) {
			t.Errorf("job %d is %s but its step %d is %s", i, *c, stopStep+1, *j.Steps[stopStep].Conclusion)
		}
		// Only the steps differ from SampleRun's job.
		p := plain.Jobs[i]
		p.Steps = j.Steps
		if diff := cmp.Diff(p, j); diff != "" {
			t.Fatalf("job %d differs from SampleRun's in more than its steps (-SampleRun +sampleRun):\n%s", i, diff)
		}
	}
	for _, s := range []generated.JobStatus{generated.JobStatusCompleted, generated.JobStatusInProgress, generated.JobStatusQueued} {
		if statuses[s] == 0 {
			t.Errorf("no %s job among %d: %v", s, n, statuses)
		}
	}
}

// TestServerAnswersAsTheSpecSays validates every page the benchmarks are served, and the
// server's other answers, against openapi.yaml, and checks that the pages hold the run.
func TestServerAnswersAsTheSpecSays(t *testing.T) {
	run := sampleRun(250) // three pages, the last one short
	s := startServer(t, run, 0)
	v, err := api.NewValidator("")
	if err != nil {
		t.Fatal(err)
	}
	validate := func(req *http.Request, resp *http.Response, body []byte) {
		t.Helper()
		if err := v.ValidateResponse(req, resp.StatusCode, resp.Header, body); err != nil {
			t.Error(err)
		}
	}

	var got []generated.Job
	for p := 1; p <= 4; p++ {
		query := "per_page=100&page=" + strconv.Itoa(p)
		if p == 1 {
			query = "per_page=100"
		}
		req, resp, body := get(t, s, query, nil)
		if err := v.ValidateRequest(req); err != nil {
			t.Fatal(err) // the test's own request: the test is wrong
		}
		validate(req, resp, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %s: %s", p, resp.Status, body)
		}
		var page generated.JobsPage
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("page %d: %v", p, err)
		}
		if page.TotalCount != len(run.Jobs) {
			t.Errorf("page %d: total_count %d, want %d", p, page.TotalCount, len(run.Jobs))
		}
		got = append(got, page.Jobs...)

		want := map[int]string{1: `<P=2>; rel="next", <P=3>; rel="last"`,
			2: `<P=1>; rel="prev", <P=3>; rel="next", <P=3>; rel="last", <P=1>; rel="first"`,
			3: `<P=2>; rel="prev", <P=1>; rel="first"`,
			4: `<P=3>; rel="prev", <P=1>; rel="first"`}[p]
		want = strings.ReplaceAll(want, "P=", s.URL+s.path+"?per_page=100&page=")
		if link := resp.Header.Get("Link"); link != want {
			t.Errorf("page %d: Link\n%s\nwant\n%s", p, link, want)
		}
		if p <= 3 && !strings.HasPrefix(resp.Header.Get("ETag"), `W/"`) {
			t.Errorf("page %d: ETag %q, want a weak one", p, resp.Header.Get("ETag"))
		}
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset", "X-RateLimit-Resource"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("page %d: no %s header", p, h)
			}
		}
	}
	if diff := cmp.Diff(run.Jobs, got); diff != "" {
		t.Errorf("the pages do not hold the run (-want +got):\n%s", diff)
	}
	if want := []int64{run.Jobs[0].ID, run.Jobs[249].ID}; s.ids[0] != want[0] || s.ids[249] != want[1] || len(s.ids) != 250 {
		t.Errorf("ids are not the run's: %d of them, first %d, last %d", len(s.ids), s.ids[0], s.ids[len(s.ids)-1])
	}

	// The very pages scenarios 1 to 3 are served.
	big := startServer(t, sampleRun(runJobs), 0)
	for p := range big.pages {
		req, resp, body := get(t, big, "per_page=100&page="+strconv.Itoa(p+1), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d of %d: %s", p+1, runJobs, resp.Status)
		}
		validate(req, resp, body)
	}

	for _, tc := range []struct {
		name   string
		query  string
		header http.Header
		status int
	}{
		{"no token", "per_page=100", http.Header{"Authorization": nil}, http.StatusNotFound},
		{"wrong token", "per_page=100", http.Header{"Authorization": {"Bearer nope"}}, http.StatusUnauthorized},
		{"no User-Agent", "per_page=100", http.Header{"User-Agent": {""}}, http.StatusForbidden},
		{"GitHub's default page size", "page=2", nil, http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, resp, body := get(t, s, tc.query, tc.header)
			if resp.StatusCode != tc.status {
				t.Errorf("%s, want %d: %s", resp.Status, tc.status, body)
			}
			validate(req, resp, body)
		})
	}
}

func TestServerAnswersIfNoneMatchWith304(t *testing.T) {
	s := startServer(t, sampleRun(150), 0)
	_, resp, _ := get(t, s, "per_page=100&page=2", nil)
	etag := resp.Header.Get("ETag")
	opaque := strings.TrimPrefix(etag, "W/")
	_, other, _ := get(t, s, "per_page=100", nil)
	if other.Header.Get("ETag") == etag {
		t.Fatalf("pages 1 and 2 have the same ETag %s", etag)
	}
	s.resetStats()

	for _, tc := range []struct {
		inm  []string
		want int
	}{
		{[]string{etag}, http.StatusNotModified},
		{[]string{opaque}, http.StatusNotModified}, // If-None-Match compares weakly
		{[]string{`"other", ` + etag}, http.StatusNotModified},
		{[]string{`"other"`, etag}, http.StatusNotModified},
		{[]string{"*"}, http.StatusNotModified},
		{[]string{other.Header.Get("ETag")}, http.StatusOK},
	} {
		_, resp, body := get(t, s, "per_page=100&page=2", http.Header{"If-None-Match": tc.inm})
		if resp.StatusCode != tc.want {
			t.Errorf("If-None-Match %q: %s, want %d", tc.inm, resp.Status, tc.want)
		}
		if resp.StatusCode == http.StatusNotModified && (len(body) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("X-RateLimit-Remaining") == "") {
			t.Errorf("If-None-Match %q: 304 with a %d-byte body, ETag %q, x-ratelimit-remaining %q",
				tc.inm, len(body), resp.Header.Get("ETag"), resp.Header.Get("X-RateLimit-Remaining"))
		}
	}
	if got, want := s.stats(), (stats{requests: 6, counted: 1, maxInFlight: 1}); got != want {
		t.Errorf("stats %+v, want %+v: a 304 must not count against the primary rate limit", got, want)
	}
}

// A long benchmark must never see remaining 0: go-github would stop sending requests.
func TestServerRateLimitWindowNeverRunsDry(t *testing.T) {
	s := startServer(t, sampleRun(10), 0)
	for _, counted := range []int64{0, rateLimit - 2, rateLimit - 1, 3*rateLimit - 1} {
		s.counted.Store(counted)
		_, resp, _ := get(t, s, "per_page=100", nil)
		remaining, err := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
		used, err2 := strconv.Atoi(resp.Header.Get("X-RateLimit-Used"))
		if err := errors.Join(err, err2); err != nil {
			t.Fatal(err)
		}
		if remaining < 1 || remaining+used != rateLimit {
			t.Errorf("after %d requests: remaining %d, used %d", counted+1, remaining, used)
		}
	}
}

func TestPageParam(t *testing.T) {
	for query, want := range map[string]int{
		"per_page=100": 1, "per_page=100&page=3": 3, "page=3&per_page=100": 3, "&per_page=100&": 1,
		"": 0, "page=2": 0, "per_page=30": 0, "per_page=100&per_page=100": 0, "per_page=100&page=0": 0,
		"per_page=100&page=x": 0, "per_page=100&page=2&page=3": 0, "per_page=100&filter=latest": 0,
	} {
		got, err := pageParam(query)
		if got != want || (err != nil) != (want == 0) {
			t.Errorf("pageParam(%q) = %d, %v; want %d", query, got, err, want)
		}
	}
}

// The latency waits for the client, not the other way round: a client that gives up ends
// the wait at once, and Close (which waits for every handler) returns. Meanwhile the server
// sees both requests in flight, as it must to catch a row that is more concurrent than its
// name says.
func TestServerLatencyEndsWithTheRequest(t *testing.T) {
	s := startServer(t, sampleRun(10), time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	for range 2 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+s.path+"?per_page=100", nil)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
	}
	for s.inFlight.Load() < 2 {
		time.Sleep(time.Millisecond) // until the server is waiting out both latencies
	}
	if got := s.stats().maxInFlight; got != 2 {
		t.Errorf("maxInFlight %d with two requests waiting, want 2", got)
	}
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	}
	s.Close() // hangs for an hour if a handler still waits
}
