package ghjobs_test

// Contract tests: the wrapper against api, GitHub's side of the contract. The fake validates
// every request it receives and every response it sends against openapi.yaml and fails the
// test on any violation (api.NewTestServer); the httptest servers for hostile cases validate
// the requests they receive the same way.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/ghjobs/ghjobs"
	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/recordtb"
	"github.com/ghjobs/ghjobs/internal/testkit"
	"github.com/ghjobs/ghjobs/internal/testproc"
	"github.com/ghjobs/ghjobs/wrapper"
)

func TestMain(m *testing.M) {
	testproc.IgnoreSIGPIPE()
	goleak.VerifyTestMain(m)
}

const (
	owner = "octo-org"
	repo  = "octo-repo"
	// Above 2^32, so that a 32-bit int anywhere on the way would show.
	bigRunID int64 = 1<<33 + 29679449
)

var ctx = context.Background()

func newClient(t *testing.T, srv *api.Server, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameJobs compares decoded jobs with what the fake served: JSON drops the difference
// between a nil and an empty step list, and time zones.
func sameJobs(t *testing.T, want, got []wrapper.Job) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("jobs differ from the run the fake served (-want +got):\n%s", diff)
	}
}

func TestSpecIsValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(ghjobs.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Find("/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs").Get
	if op == nil || op.OperationID != "actions/list-jobs-for-workflow-run-attempt" {
		t.Fatalf("operation missing: %+v", op)
	}
	if got := len(op.Parameters); got != 6 {
		t.Errorf("%d parameters, want 6", got)
	}
	if got := len(doc.Components.Schemas["job"].Value.Properties); got != 23 {
		t.Errorf("job schema has %d properties, want 23", got)
	}
}

// TestEveryJobOnce lists runs around every page boundary through all three entry points and
// checks every job comes back once, in order, with the fewest requests.
func TestEveryJobOnce(t *testing.T) {
	for _, n := range []int{0, 1, 30, 31, 100, 101, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			run := api.SampleRun(owner, repo, bigRunID, 1, n)
			srv := api.NewTestServer(t, api.WithRun(run))
			c := newClient(t, srv)
			a := testkit.AttemptOf(run)
			wantRequests := max((n+99)/100, 1)

			var got []wrapper.Job
			for job, err := range c.Jobs(ctx, a) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, job)
			}
			sameJobs(t, run.Jobs, got)
			reqs := srv.Fake.Requests()
			if len(reqs) != wantRequests {
				t.Errorf("Jobs sent %d requests for %d jobs, want %d", len(reqs), n, wantRequests)
			}
			for _, r := range reqs {
				if pp := r.URL.Query().Get("per_page"); pp != "100" {
					t.Errorf("request %s asks for per_page %q, want 100", r.URL, pp)
				}
			}

			all, err := c.AllJobs(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			sameJobs(t, run.Jobs, all)
			if all == nil {
				t.Error("AllJobs returned nil for an empty attempt; want an empty slice")
			}

			// ListJobs page by page with GitHub's default page size.
			var paged []wrapper.Job
			opts := &wrapper.ListOptions{}
			for pages := 1; ; pages++ {
				p, err := c.ListJobs(ctx, a, opts)
				if err != nil {
					t.Fatal(err)
				}
				if p.TotalCount != n {
					t.Errorf("page %d: total_count %d, want %d", pages, p.TotalCount, n)
				}
				paged = append(paged, p.Jobs...)
				if p.NextPage == 0 {
					if want := max((n+29)/30, 1); pages != want {
						t.Errorf("%d pages of 30 for %d jobs, want %d", pages, n, want)
					}
					break
				}
				opts.Page = p.NextPage
			}
			sameJobs(t, run.Jobs, paged)
		})
	}
}

func TestPageNumbers(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 2, 101)
	srv := api.NewTestServer(t, api.WithRun(run))
	c := newClient(t, srv)
	a := testkit.AttemptOf(run)

	type numbers struct{ jobs, next, prev, first, last int }
	tests := []struct {
		opts *wrapper.ListOptions
		want numbers
	}{
		{nil, numbers{30, 2, 0, 0, 4}},
		{&wrapper.ListOptions{Page: 1}, numbers{30, 2, 0, 0, 4}},
		{&wrapper.ListOptions{Page: 2}, numbers{30, 3, 1, 1, 4}},
		{&wrapper.ListOptions{Page: 4}, numbers{11, 0, 3, 1, 0}},
		{&wrapper.ListOptions{Page: 5}, numbers{0, 0, 4, 1, 0}},
		{&wrapper.ListOptions{PerPage: 100}, numbers{100, 2, 0, 0, 2}},
		{&wrapper.ListOptions{PerPage: 100, Page: 2}, numbers{1, 0, 1, 1, 0}},
		{&wrapper.ListOptions{PerPage: 7, Page: 3}, numbers{7, 4, 2, 1, 15}},
		{&wrapper.ListOptions{PerPage: 1}, numbers{1, 2, 0, 0, 101}},
	}
	for _, tt := range tests {
		p, err := c.ListJobs(ctx, a, tt.opts)
		if err != nil {
			t.Fatalf("%+v: %v", tt.opts, err)
		}
		got := numbers{len(p.Jobs), p.NextPage, p.PrevPage, p.FirstPage, p.LastPage}
		if got != tt.want || p.TotalCount != 101 {
			t.Errorf("%+v: got %+v total %d, want %+v total 101", tt.opts, got, p.TotalCount, tt.want)
		}
		if p.Rate.Limit == 0 || p.Rate.Resource != "core" || p.Rate.Reset.IsZero() {
			t.Errorf("%+v: rate figures missing: %+v", tt.opts, p.Rate)
		}
	}

	// WithPerPage changes what Jobs asks for.
	c = newClient(t, srv, wrapper.WithPerPage(50))
	before := len(srv.Fake.Requests())
	all, err := c.AllJobs(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	sameJobs(t, run.Jobs, all)
	if got := len(srv.Fake.Requests()) - before; got != 3 {
		t.Errorf("AllJobs with 50 per page sent %d requests for 101 jobs, want 3", got)
	}
}

func TestNullFieldsAndBigIDs(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 200)
	srv := api.NewTestServer(t, api.WithRun(run))
	jobs, err := newClient(t, srv).AllJobs(ctx, testkit.AttemptOf(run))
	if err != nil {
		t.Fatal(err)
	}
	sameJobs(t, run.Jobs, jobs)

	var inProgress, queued int
	for _, j := range jobs {
		if j.ID <= 1<<32 || j.RunID != bigRunID {
			t.Errorf("job %q: id %d run id %d; want id above 2^32 and run id %d", j.Name, j.ID, j.RunID, int64(bigRunID))
		}
		switch j.Status {
		case generated.JobStatusInProgress:
			inProgress++
			if j.Conclusion != nil || j.CompletedAt != nil {
				t.Errorf("in-progress job %q has a conclusion or completion time", j.Name)
			}
		case generated.JobStatusQueued:
			queued++
			if j.Conclusion != nil || j.CompletedAt != nil || j.RunnerID != nil || j.RunnerName != nil ||
				j.RunnerGroupID != nil || j.RunnerGroupName != nil || len(j.Steps) != 0 {
				t.Errorf("queued job %q has fields that must be null: %+v", j.Name, j)
			}
		}
	}
	if inProgress == 0 || queued == 0 {
		t.Errorf("the sample run has %d in-progress and %d queued jobs; the test needs both", inProgress, queued)
	}
}

// validatingServer is an httptest server for hostile cases: it checks every request it gets
// against openapi.yaml (the responses are deliberately off-contract) and counts them.
func validatingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	v, err := api.NewValidator("")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if err := v.ValidateRequest(r); err != nil {
			t.Errorf("request %s violates openapi.yaml: %v", r.URL, err)
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestUnlistedEnumValuesDecode(t *testing.T) {
	// GitHub adds enum values before its description lists them; such a job must decode.
	body := `{"total_count":1,"jobs":[{"id":5000000001,"run_id":8589934592,"run_url":"u","node_id":"n",
		"head_sha":"f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0","url":"u","html_url":null,
		"status":"some_new_status","conclusion":"startup_failure",
		"created_at":"2020-01-20T17:42:31Z","started_at":"2020-01-20T17:42:40Z","completed_at":"2020-01-20T17:42:39Z",
		"name":"build","steps":[{"name":"Set up job","status":"pending_approval","conclusion":"weird","number":1}],
		"check_run_url":"u","labels":[],"runner_id":null,"runner_name":null,"runner_group_id":null,
		"runner_group_name":null,"workflow_name":null,"head_branch":null,"a_field_from_the_future":{"x":1}}]}`
	srv, _ := validatingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, body)
	})
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := c.AllJobs(ctx, wrapper.Attempt{Owner: owner, Repo: repo, RunID: 1 << 33, Number: 1})
	if err != nil {
		t.Fatal(err)
	}
	j := jobs[0]
	if j.Status != "some_new_status" || j.Conclusion == nil || *j.Conclusion != "startup_failure" || j.Conclusion.Valid() {
		t.Errorf("unlisted enum values not kept: status %q conclusion %v", j.Status, j.Conclusion)
	}
	if j.Steps[0].Status != "pending_approval" || j.ID != 5000000001 || j.RunID != 1<<33 {
		t.Errorf("job decoded wrongly: %+v", j)
	}
}

func TestNotFound(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 3)
	srv := api.NewTestServer(t, api.WithRun(run))
	c := newClient(t, srv)
	for _, a := range []wrapper.Attempt{
		{Owner: owner, Repo: repo, RunID: bigRunID, Number: 2},
		{Owner: owner, Repo: repo, RunID: bigRunID + 1, Number: 1},
		{Owner: owner, Repo: "other-repo", RunID: bigRunID, Number: 1},
		{Owner: "someone-else", Repo: repo, RunID: bigRunID, Number: 1},
	} {
		_, err := c.ListJobs(ctx, a, nil)
		var apiErr *wrapper.APIError
		if !errors.Is(err, wrapper.ErrNotFound) || !errors.As(err, &apiErr) {
			t.Fatalf("%s: error %v, want a 404 *APIError", a, err)
		}
		if apiErr.StatusCode != 404 || apiErr.Message != "Not Found" || apiErr.RequestID == "" || apiErr.DocumentationURL == "" {
			t.Errorf("%s: %+v", a, apiErr)
		}
		if jobs, err := c.AllJobs(ctx, a); !errors.Is(err, wrapper.ErrNotFound) || jobs != nil {
			t.Errorf("%s: AllJobs = %d jobs, %v", a, len(jobs), err)
		}
	}
	// Owner and repository names are not case sensitive on GitHub.
	if _, err := c.ListJobs(ctx, wrapper.Attempt{Owner: "Octo-Org", Repo: "OCTO-repo", RunID: bigRunID, Number: 1}, nil); err != nil {
		t.Errorf("names differing in case: %v", err)
	}
}

type headerTransport struct {
	header, value string
	base          http.RoundTripper
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.header, h.value)
	return h.base.RoundTrip(r)
}

func TestAuth(t *testing.T) {
	const token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
	run := api.SampleRun(owner, repo, bigRunID, 1, 5)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithToken(token))
	a := testkit.AttemptOf(run)

	ok := []struct {
		name string
		opts []wrapper.Option
		want string
	}{
		{"WithToken", []wrapper.Option{wrapper.WithToken(token)}, "Bearer " + token},
		{"WithToken trims gh's newline", []wrapper.Option{wrapper.WithToken(token + "\n")}, "Bearer " + token},
		{"WithTokenSource", []wrapper.Option{wrapper.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))}, "Bearer " + token},
		{"transport adds the classic token form", []wrapper.Option{wrapper.WithHTTPClient(&http.Client{
			Transport: headerTransport{"Authorization", "token " + token, http.DefaultTransport}})}, "token " + token},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Fake.Requests())
			jobs, err := newClient(t, srv, tt.opts...).AllJobs(ctx, a)
			if err != nil || len(jobs) != 5 {
				t.Fatalf("%d jobs, %v", len(jobs), err)
			}
			reqs := srv.Fake.Requests()[before:]
			if got := reqs[0].Header.Get("Authorization"); got != tt.want {
				t.Errorf("Authorization %q, want %q", got, tt.want)
			}
		})
	}

	for name, tt := range map[string]struct {
		opts   []wrapper.Option
		status int
	}{
		"no token":    {nil, http.StatusNotFound}, // GitHub hides private repositories
		"wrong token": {[]wrapper.Option{wrapper.WithToken("ghp_wrong")}, http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := newClient(t, srv, tt.opts...).ListJobs(ctx, a, nil)
			var apiErr *wrapper.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
				t.Fatalf("error %v, want a %d *APIError", err, tt.status)
			}
			if got := errors.Is(err, wrapper.ErrNotFound); got != (tt.status == http.StatusNotFound) {
				t.Errorf("errors.Is(err, ErrNotFound) = %v", got)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 150)
	srv := api.NewTestServer(t, api.WithRun(run))
	for _, ua := range []string{"", "flaky-hunter/2.1"} {
		var opts []wrapper.Option
		wantUA := wrapper.DefaultUserAgent
		if ua != "" {
			opts, wantUA = append(opts, wrapper.WithUserAgent(ua)), ua
		}
		before := len(srv.Fake.Requests())
		if _, err := newClient(t, srv, opts...).AllJobs(ctx, testkit.AttemptOf(run)); err != nil {
			t.Fatal(err)
		}
		for _, r := range srv.Fake.Requests()[before:] {
			for name, want := range map[string]string{
				"Accept":               "application/vnd.github+json",
				"X-GitHub-Api-Version": "2022-11-28",
				"User-Agent":           wantUA,
			} {
				if got := r.Header.Get(name); got != want {
					t.Errorf("%s %s: %s = %q, want %q", r.Method, r.URL, name, got, want)
				}
			}
			if r.Header.Get("Authorization") != "" {
				t.Errorf("unauthenticated client sent Authorization")
			}
		}
	}
}

func TestEnterpriseServerBaseURL(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 250)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithPathPrefix("/api/v3"), api.WithToken("t"))
	if !strings.HasSuffix(srv.URL, "/api/v3") {
		t.Fatalf("server URL %s has no /api/v3 prefix", srv.URL)
	}
	for _, base := range []string{srv.URL, srv.URL + "/"} {
		c, err := wrapper.New(wrapper.WithBaseURL(base), wrapper.WithToken("t"))
		if err != nil {
			t.Fatal(err)
		}
		before := len(srv.Fake.Requests())
		jobs, err := c.AllJobs(ctx, testkit.AttemptOf(run))
		if err != nil {
			t.Fatal(err)
		}
		sameJobs(t, run.Jobs, jobs)
		reqs := srv.Fake.Requests()[before:]
		if len(reqs) != 3 {
			t.Errorf("%d requests for 250 jobs, want 3", len(reqs))
		}
		// The first request names the repository; the pages after it follow GitHub's Link
		// URLs, which name it by id.
		byID := "/api/v3/repositories/" + strconv.FormatInt(api.DefaultRepositoryID(owner, repo), 10) + "/actions/runs/"
		for i, r := range reqs {
			if !strings.HasPrefix(r.URL.Path, "/api/v3/repos/octo-org/octo-repo/actions/runs/") &&
				(i == 0 || !strings.HasPrefix(r.URL.Path, byID)) {
				t.Errorf("request %d: path %s lost the /api/v3 prefix", i+1, r.URL.Path)
			}
		}
	}
}

func TestBadInputSendsNothing(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 5)
	srv := api.NewTestServer(t, api.WithRun(run))
	c := newClient(t, srv)
	good := testkit.AttemptOf(run)
	bad := []struct {
		a    wrapper.Attempt
		opts *wrapper.ListOptions
	}{
		{wrapper.Attempt{Repo: repo, RunID: 1, Number: 1}, nil},
		{wrapper.Attempt{Owner: "octo org", Repo: repo, RunID: 1, Number: 1}, nil},
		{wrapper.Attempt{Owner: strings.Repeat("o", 40), Repo: repo, RunID: 1, Number: 1}, nil},
		{wrapper.Attempt{Owner: owner, Repo: "", RunID: 1, Number: 1}, nil},
		{wrapper.Attempt{Owner: owner, Repo: "..", RunID: 1, Number: 1}, nil},
		{wrapper.Attempt{Owner: owner, Repo: "a/b", RunID: 1, Number: 1}, nil},
		{wrapper.Attempt{Owner: owner, Repo: strings.Repeat("r", 101), RunID: 1, Number: 1}, nil},
		{wrapper.Attempt{Owner: owner, Repo: repo, RunID: 0, Number: 1}, nil},
		{wrapper.Attempt{Owner: owner, Repo: repo, RunID: 1, Number: 0}, nil},
		{wrapper.Attempt{Owner: owner, Repo: repo, RunID: 1, Number: -3}, nil},
		{good, &wrapper.ListOptions{PerPage: 101}},
		{good, &wrapper.ListOptions{PerPage: -1}},
		{good, &wrapper.ListOptions{Page: -1}},
	}
	for _, tt := range bad {
		if _, err := c.ListJobs(ctx, tt.a, tt.opts); !errors.Is(err, wrapper.ErrInvalidInput) {
			t.Errorf("ListJobs(%+v, %+v) = %v, want ErrInvalidInput", tt.a, tt.opts, err)
		}
		if tt.opts != nil {
			continue
		}
		if _, err := c.AllJobs(ctx, tt.a); !errors.Is(err, wrapper.ErrInvalidInput) {
			t.Errorf("AllJobs(%+v) = %v, want ErrInvalidInput", tt.a, err)
		}
		if errs := yieldedErrors(t, c.Jobs(ctx, tt.a)); len(errs) != 1 || !errors.Is(errs[0], wrapper.ErrInvalidInput) {
			t.Errorf("Jobs(%+v) yielded %v, want ErrInvalidInput once", tt.a, errs)
		}
	}
	if n := len(srv.Fake.Requests()); n != 0 {
		t.Errorf("bad input sent %d requests, want none", n)
	}
}

func TestPrimaryRateLimit(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 5)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithUnauthenticatedRateLimit(2)) // the client has no token
	c := newClient(t, srv)
	for want := 1; want >= 0; want-- {
		// Two different pages: asking for the same one again would be a conditional
		// request, answered 304, which costs nothing.
		p, err := c.ListJobs(ctx, testkit.AttemptOf(run), &wrapper.ListOptions{PerPage: 3, Page: 2 - want})
		if err != nil {
			t.Fatal(err)
		}
		if p.Rate.Limit != 2 || p.Rate.Remaining != want {
			t.Errorf("rate %+v, want limit 2 remaining %d", p.Rate, want)
		}
	}
	if r := c.Rate(); r.Limit != 2 || r.Remaining != 0 || r.Reset.IsZero() {
		t.Errorf("client's rate %+v, want the last answer's: limit 2, none left, a reset", r)
	}

	// The last answer said none are left: the client knows GitHub would refuse.
	_, err := c.ListJobs(ctx, testkit.AttemptOf(run), nil)
	var rl *wrapper.RateLimitError
	if !errors.As(err, &rl) || rl.Secondary || rl.Reset.IsZero() || rl.StatusCode != 0 || !strings.Contains(err.Error(), "not sent") {
		t.Fatalf("error %v (%+v), want a primary *RateLimitError for a request not sent", err, rl)
	}
	if n := len(srv.Fake.Requests()); n != 2 {
		t.Errorf("the fake saw %d requests, want 2: none while the limit is used up", n)
	}

	// A client that did not know gets GitHub's 403, and by default does not wait an hour.
	_, err = newClient(t, srv).ListJobs(ctx, testkit.AttemptOf(run), nil)
	if !errors.As(err, &rl) || rl.Secondary || rl.Reset.IsZero() || rl.Rate.Remaining != 0 || rl.StatusCode != http.StatusForbidden {
		t.Fatalf("error %v (%+v), want a primary *RateLimitError with its reset time", err, rl)
	}
	if n := len(srv.Fake.Requests()); n != 3 {
		t.Errorf("the fake saw %d requests, want 3", n)
	}
}

// TestCredentialsStayHome: a Link or redirect to another origin is refused before it is sent,
// whether the token comes from WithToken or from a transport the caller hands in.
func TestCredentialsStayHome(t *testing.T) {
	const token = "ghp_s3cr3t"
	var evilAuth atomic.Value
	evil, evilHits := validatingServer(t, func(w http.ResponseWriter, r *http.Request) {
		evilAuth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"total_count":0,"jobs":[]}`)
	})
	page := `{"total_count":2,"jobs":[]}`
	a := wrapper.Attempt{Owner: owner, Repo: repo, RunID: 1, Number: 1}

	home, _ := validatingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "":
			w.Header().Set("Link", `<`+evil.URL+r.URL.Path+`?per_page=100&page=2>; rel="next"`)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, page)
		}
	})
	redirecting, _ := validatingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusFound)
	})

	for _, srvURL := range []string{home.URL, redirecting.URL} {
		for name, auth := range map[string]wrapper.Option{
			"WithToken": wrapper.WithToken(token),
			"transport": wrapper.WithHTTPClient(&http.Client{Transport: headerTransport{"Authorization", "token " + token, http.DefaultTransport}}),
		} {
			c, err := wrapper.New(wrapper.WithBaseURL(srvURL), auth)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.AllJobs(ctx, a)
			if !errors.Is(err, wrapper.ErrForeignOrigin) {
				t.Errorf("%s via %s: error %v, want ErrForeignOrigin", srvURL, name, err)
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("the error shows the token: %v", err)
			}
		}
	}
	if n := evilHits.Load(); n != 0 {
		t.Errorf("the foreign host got %d requests (Authorization %q)", n, evilAuth.Load())
	}
}

// yieldedErrors drains an iterator that must yield no job, only errors.
func yieldedErrors(t *testing.T, seq iter.Seq2[wrapper.Job, error]) []error {
	t.Helper()
	var errs []error
	for job, err := range seq {
		if err == nil || job.ID != 0 {
			t.Errorf("yielded job %d with error %v; want only an error, with a zero Job", job.ID, err)
		}
		errs = append(errs, err)
	}
	return errs
}

func TestPaginationThatCannotBeTrusted(t *testing.T) {
	// One job a page, its id from the page number (page 1 when there is none), so that only
	// a case that serves the same page again repeats jobs.
	job := `{"id":%d,"run_id":1,"run_url":"u","node_id":"n","head_sha":"h","url":"u","html_url":null,
		"status":"queued","conclusion":null,"created_at":"2020-01-20T17:42:31Z","started_at":"2020-01-20T17:42:31Z",
		"completed_at":null,"name":"j","check_run_url":"u","labels":[],"runner_id":null,"runner_name":null,
		"runner_group_id":null,"runner_group_name":null,"workflow_name":null,"head_branch":null}`
	serve := func(total int, link func(r *http.Request) string) *httptest.Server {
		srv, _ := validatingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if l := link(r); l != "" {
				w.Header().Set("Link", l)
			}
			page := int64(1)
			fmt.Sscan(r.URL.Query().Get("page"), &page)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"total_count":%d,"jobs":[`+job+`]}`, total, 1<<32+page)
		})
		return srv
	}
	self := func(r *http.Request) string { return `<http://` + r.Host + r.URL.String() + `>; rel="next"` }
	cases := []struct {
		name string
		srv  *httptest.Server
		why  string // what the error must say
	}{
		{"next link loops back", serve(5, func(r *http.Request) string {
			if r.URL.Query().Get("page") == "2" {
				return `<http://` + r.Host + r.URL.Path + `?per_page=100>; rel="next"`
			}
			return `<http://` + r.Host + r.URL.Path + `?per_page=100&page=2>; rel="next"`
		}), "the next link returns to"},
		{"next link to itself", serve(5, self), "the next link returns to"},
		{"endless fresh pages", serve(3, func(r *http.Request) string {
			n := 1
			fmt.Sscan(r.URL.Query().Get("page"), &n)
			return fmt.Sprintf(`<http://%s%s?per_page=100&page=%d>; rel="next"`, r.Host, r.URL.Path, n+1)
		}), "still a next page after 4 pages"},
		{"the same jobs on every page", serve(5, func(r *http.Request) string {
			return `<http://` + r.Host + r.URL.Path + `?per_page=100&page=1&n=` + fmt.Sprint(time.Now().UnixNano()) + `>; rel="next"`
		}), "page 2 holds only jobs already listed"},
		{"a last link beyond reason", serve(5, func(r *http.Request) string {
			return `<http://` + r.Host + r.URL.Path + `?per_page=100&page=2>; rel="next", <http://` + r.Host + r.URL.Path + `?per_page=100&page=2000000000>; rel="last"`
		}), "the last link announces 2000000000 pages"},
		{"fewer jobs than total_count", serve(50, func(*http.Request) string { return "" }), "ended after 1 jobs, but total_count is 50"},
		{"unreadable Link", serve(5, func(*http.Request) string { return `page=2; rel=next` }), "want <URL>"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, err := wrapper.New(wrapper.WithBaseURL(tt.srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			a := wrapper.Attempt{Owner: owner, Repo: repo, RunID: 1, Number: 1}
			jobs, err := c.AllJobs(ctx, a)
			if !errors.Is(err, wrapper.ErrPagination) || !strings.Contains(fmt.Sprint(err), tt.why) || jobs != nil {
				t.Errorf("AllJobs = %d jobs, %v; want no jobs and ErrPagination saying %q", len(jobs), err, tt.why)
			}
			var errs []error
			for _, err := range c.Jobs(ctx, a) {
				if err != nil {
					errs = append(errs, err)
				} else if len(errs) > 0 {
					t.Error("Jobs yielded a job after its error")
				}
			}
			if len(errs) != 1 || !errors.Is(errs[0], wrapper.ErrPagination) {
				t.Errorf("Jobs yielded errors %v, want ErrPagination once", errs)
			}
		})
	}
}

func TestCancellation(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 500)
	for _, tt := range []struct {
		concurrency int
		max         int // requests by the time the context is cancelled on page 2
	}{
		{1, 2},                          // one page after another: exactly pages 1 and 2
		{wrapper.DefaultConcurrency, 5}, // pages 2 to 5 were asked for at once
	} {
		t.Run(fmt.Sprint("concurrency ", tt.concurrency), func(t *testing.T) {
			srv := api.NewTestServer(t, api.WithRun(run))
			c := newClient(t, srv, wrapper.WithConcurrency(tt.concurrency))

			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var n int
			var last error
			for _, err := range c.Jobs(cctx, testkit.AttemptOf(run)) {
				if err != nil {
					last = err
					break
				}
				if n++; n == 150 {
					cancel()
				}
			}
			if !errors.Is(last, context.Canceled) || n != 150 {
				t.Errorf("after cancelling at job 150: %d jobs, last error %v; want 150, then context.Canceled", n, last)
			}
			sent := len(srv.Fake.Requests())
			if sent < 2 || sent > tt.max {
				t.Errorf("%d requests after cancelling on page 2, want 2 to %d", sent, tt.max)
			}

			// Breaking out of the loop on page 1 stops paging before any other request.
			for range c.Jobs(ctx, testkit.AttemptOf(run)) {
				break
			}
			if got := len(srv.Fake.Requests()) - sent; got != 1 {
				t.Errorf("breaking after the first job sent %d requests, want 1", got)
			}
		})
	}
}

func TestContractViolationsFailTheTest(t *testing.T) {
	t.Run("request with per_page=0", func(t *testing.T) {
		rec := recordtb.New(t)
		run := api.SampleRun(owner, repo, bigRunID, 1, 3)
		srv := api.NewTestServer(rec, api.WithRun(run))
		// The wrapper refuses per_page=0, so send it with the generated client.
		gc, err := generated.NewClient(srv.URL, generated.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("User-Agent", "contract-test")
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		zero := 0
		resp, err := gc.ActionsListJobsForWorkflowRunAttempt(ctx, owner, repo, bigRunID, 1,
			&generated.ActionsListJobsForWorkflowRunAttemptParams{PerPage: &zero})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := rec.String(); !strings.Contains(got, "per_page") {
			t.Errorf("per_page=0 was not reported as a violation; reported: %q", got)
		}
	})
	t.Run("response with a job without status", func(t *testing.T) {
		rec := recordtb.New(t)
		run := api.SampleRun(owner, repo, bigRunID, 1, 3)
		run.Jobs[1].Status = ""
		srv := api.NewTestServer(rec, api.WithRun(run))
		_, err := newClient(t, srv).AllJobs(ctx, testkit.AttemptOf(run))
		var apiErr *wrapper.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusInternalServerError {
			t.Errorf("client got %v, want the fake's 500", err)
		}
		if got := rec.String(); !strings.Contains(got, "status") {
			t.Errorf("a job with an empty status was not reported as a violation; reported: %q", got)
		}
	})
	t.Run("response with a job missing a required field", func(t *testing.T) {
		// generated.Job always marshals every required field, so the fake cannot serve this
		// one: check that the validator behind it refuses such a body.
		v, err := api.NewValidator("")
		if err != nil {
			t.Fatal(err)
		}
		run := api.SampleRun(owner, repo, bigRunID, 1, 1)
		body, err := json.Marshal(generated.JobsPage{TotalCount: 1, Jobs: run.Jobs})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/repos/%s/%s/actions/runs/%d/attempts/1/jobs", owner, repo, int64(bigRunID)), nil)
		header := http.Header{"Content-Type": {"application/json"}}
		if err := v.ValidateResponse(req, http.StatusOK, header, body); err != nil {
			t.Fatalf("the intact body is refused: %v", err)
		}
		without := bytes.Replace(body, []byte(`"status":"`), []byte(`"state":"`), 1)
		if err := v.ValidateResponse(req, http.StatusOK, header, without); err == nil || !strings.Contains(err.Error(), "status") {
			t.Errorf("a job without status passed validation: %v", err)
		}
	})
}

// TestConcurrentPaging: once the first page has told how many pages there are, the others are
// requested at once, never more than WithConcurrency of them, and jobs still come in order.
func TestConcurrentPaging(t *testing.T) {
	run := api.SampleRun(owner, repo, bigRunID, 1, 100) // 10 pages of 10
	fake, err := api.New(api.WithRun(run), api.WithViolationHandler(func(err error) { t.Errorf("contract violation: %v", err) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3, wrapper.DefaultConcurrency} {
		t.Run(fmt.Sprint("concurrency ", n), func(t *testing.T) {
			want := min(n, 9) // pages 2 to 10
			var mu sync.Mutex
			inFlight, most, requests := 0, 0, 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				requests++
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				// Hold the pages after the first until the client has as many in flight as
				// it may (or a second has passed), so that the test sees its concurrency.
				for deadline := time.Now().Add(time.Second); r.URL.Query().Get("page") != "" && time.Now().Before(deadline); {
					mu.Lock()
					enough := most >= want
					mu.Unlock()
					if enough {
						break
					}
					time.Sleep(time.Millisecond)
				}
				fake.ServeHTTP(w, r)
				mu.Lock()
				inFlight--
				mu.Unlock()
			}))
			defer srv.Close()

			c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithConcurrency(n), wrapper.WithPerPage(10))
			if err != nil {
				t.Fatal(err)
			}
			var jobs []wrapper.Job
			for job, err := range c.Jobs(ctx, testkit.AttemptOf(run)) {
				if err != nil {
					t.Fatal(err)
				}
				jobs = append(jobs, job)
			}
			sameJobs(t, run.Jobs, jobs)
			mu.Lock()
			defer mu.Unlock()
			if most != want || requests != 10 {
				t.Errorf("%d requests, at most %d at once; want 10, with %d at once", requests, most, want)
			}
		})
	}
}
