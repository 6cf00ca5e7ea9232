package ghjobs_test

// The client against GitHub's recorded bytes (testdata/recorded): every recorded header set
// and body goes through wrapper's public API, and what the client reports is what the
// recording says. The recordings are of other operations (issues, repositories, labels), so
// a recorded 200 or 201 carries a page of jobs in place of its body, and its status is made
// 200; everything else (headers, error and redirect bodies, Link and Location URLs) is
// replayed as recorded.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

// recordedAttempt is an attempt of the fixtures' organisation; the replay answers any path.
var recordedAttempt = wrapper.Attempt{Owner: "octokit-fixture-org", Repo: "hello-world", RunID: 1, Number: 1}

// recordedScenarios are the vendored fixture scenarios.
var recordedScenarios = []string{"paginate-issues", "rename-repository", "branch-protection", "errors"}

// pageOf renders jobs as GitHub's page of total jobs.
func pageOf(t *testing.T, total int, jobs []generated.Job) []byte {
	t.Helper()
	b, err := json.Marshal(api.ToGitHubPage(total, jobs))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReplayedBodiesAreRecorded: compacting nock's parsed body gives GitHub's bytes back, as
// long as the recorded Content-Length.
func TestReplayedBodiesAreRecorded(t *testing.T) {
	for _, name := range recordedScenarios {
		for i, x := range scenario(t, name) {
			cl, ok := x.get("Content-Length")
			if n := len(x.body(t)); ok && cl != fmt.Sprint(n) || !ok && n != 0 {
				t.Errorf("%s %d: %d bytes, recorded Content-Length %q", name, i, n, cl)
			}
		}
	}
}

// asJobs puts the recorded attempt's jobs listing in place of the issues listing that
// Octokit's paginate-issues recording pages through: its Links have the jobs listing's shape
// (the repository by id, per_page and page, GitHub's order of relations) but the issues'
// path, which the client does not follow from a listing of jobs (TestRecordedPagination's
// "as recorded"). Every other byte stays as recorded.
func asJobs(s string) string {
	return strings.ReplaceAll(s, "/issues", "/actions/runs/1/attempts/1/jobs")
}

// TestRecordedAnswers replays every recorded answer, one at a time, to ListJobs: a success's
// header set with a page of jobs, an answer without a body as it is, an error with its
// recorded body. (Redirects: TestRecordedRedirects.)
func TestRecordedAnswers(t *testing.T) {
	jobs := api.SampleRun(owner, repo, recordedAttempt.RunID, recordedAttempt.Number, 3).Jobs
	for _, name := range recordedScenarios {
		for i, x := range scenario(t, name) {
			if x.Status >= 300 && x.Status < 400 {
				continue // a redirect: TestRecordedRedirects follows it
			}
			t.Run(fmt.Sprintf("%s/%d_%s_%d", name, i, strings.ToUpper(x.Method), x.Status), func(t *testing.T) {
				a := replayed(t, x, nil)
				if x.Status == http.StatusOK || x.Status == http.StatusCreated {
					a = replayed(t, x, pageOf(t, len(jobs), jobs))
					a.status = http.StatusOK
					if link, ok := x.get("Link"); ok {
						a = a.withHeader("Link", asJobs(link))
					}
				}
				rp := newReplay(t, func(*http.Request) (answer, bool) { return a, true })
				c := recordedClient(t, rp)
				page, err := c.ListJobs(ctx, recordedAttempt, &wrapper.ListOptions{PerPage: 3})
				if got, want := c.Rate(), x.rate(t); got != want {
					t.Errorf("Rate() %+v, recorded %+v", got, want)
				}
				id, _ := x.get("X-GitHub-Request-Id")
				switch {
				case a.status == http.StatusOK:
					checkRecordedPage(t, x, page, err, jobs)
				case x.Status == http.StatusNoContent:
					// Not a page: an error, never an empty list.
					apiErr, ok := errors.AsType[*wrapper.APIError](err)
					if !ok || apiErr.StatusCode != x.Status || apiErr.RequestID != id || page != nil {
						t.Errorf("error %v (%+v), want an *APIError for %d with request id %s", err, apiErr, x.Status, id)
					}
				default:
					checkRecordedError(t, x, err)
				}
			})
		}
	}
}

// checkRecordedPage checks what ListJobs reports of a recorded success's header set.
func checkRecordedPage(t *testing.T, x exchange, page *wrapper.Page, err error, jobs []generated.Job) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if page.Rate != x.rate(t) || len(page.Jobs) != len(jobs) || page.Jobs[2].ID != jobs[2].ID {
		t.Errorf("page: rate %+v (recorded %+v), %d jobs", page.Rate, x.rate(t), len(page.Jobs))
	}
	link, _ := x.get("Link")
	want := linkPages(t, link)
	got := map[string]int{"next": page.NextPage, "prev": page.PrevPage, "first": page.FirstPage, "last": page.LastPage}
	for rel, n := range got {
		if n != want[rel] {
			t.Errorf("rel=%q: page %d, the recorded Link says %d (%s)", rel, n, want[rel], link)
		}
	}
}

// checkRecordedError checks the error ListJobs returns for a recorded error answer: its
// fields are the recorded body's and headers'.
func checkRecordedError(t *testing.T, x exchange, err error) {
	t.Helper()
	var body struct {
		Message          string                `json:"message"`
		DocumentationURL string                `json:"documentation_url"`
		Errors           []wrapper.ErrorDetail `json:"errors"`
	}
	if err := json.Unmarshal(x.body(t), &body); err != nil {
		t.Fatal(err)
	}
	id, _ := x.get("X-GitHub-Request-Id")
	apiErr, ok := errors.AsType[*wrapper.APIError](err)
	if !ok {
		t.Fatalf("error %v, want an *APIError", err)
	}
	want := wrapper.APIError{StatusCode: x.Status, Message: body.Message, DocumentationURL: body.DocumentationURL,
		RequestID: id, Method: http.MethodGet, URL: apiErr.URL, Errors: body.Errors}
	if diff := cmp.Diff(want, *apiErr); diff != "" {
		t.Errorf("APIError (-recorded +got):\n%s", diff)
	}
	if errors.Is(err, wrapper.ErrNotFound) != (x.Status == http.StatusNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) for %d", err, x.Status)
	}
	if !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), body.Message) {
		t.Errorf("error %q does not quote the message and request id", err)
	}
}

// TestRecordedPagination: the client follows the recorded Link headers, five pages of three,
// to the URLs GitHub wrote (/repositories/515435940/issues?per_page=3&page=N), one by one
// and fetched at once, and lists every job once, in order.
func TestRecordedPagination(t *testing.T) {
	var gets []exchange
	for _, x := range scenario(t, "paginate-issues") {
		if x.Method == "get" {
			gets = append(gets, x)
		}
	}
	if len(gets) != 5 || !strings.HasPrefix(gets[0].Path, "/repos/") || !strings.HasSuffix(gets[0].Path, "?per_page=3") {
		t.Fatalf("recorded GETs: %d, the first %q", len(gets), gets[0].Path)
	}
	jobs := api.SampleRun(owner, repo, recordedAttempt.RunID, recordedAttempt.Number, 13).Jobs // as many as the recorded issues
	answers, recordedLinks := map[string]answer{}, map[string]answer{}
	for i, x := range gets {
		a := replayed(t, x, pageOf(t, len(jobs), jobs[i*3:min(i*3+3, len(jobs))]))
		recordedLinks[x.Path] = a
		if link, ok := x.get("Link"); ok {
			a = a.withHeader("Link", asJobs(link))
		}
		answers[asJobs(x.Path)] = a
	}
	t.Run("as recorded", func(t *testing.T) {
		rp := newReplay(t, func(r *http.Request) (answer, bool) { return recordedLinks[gets[0].Path], true })
		_, err := recordedClient(t, rp, wrapper.WithPerPage(3)).AllJobs(ctx, recordedAttempt)
		if !errors.Is(err, wrapper.ErrPagination) || len(rp.requests()) != 1 {
			t.Errorf("Links to the issues of the repository from a listing of jobs: %v after %d requests, want ErrPagination after 1", err, len(rp.requests()))
		}
	})
	for _, concurrency := range []int{1, wrapper.DefaultConcurrency} {
		t.Run(fmt.Sprint("concurrency ", concurrency), func(t *testing.T) {
			rp := newReplay(t, func(r *http.Request) (answer, bool) {
				if strings.HasPrefix(r.URL.Path, "/repos/") { // the client's own first request
					return answers[asJobs(gets[0].Path)], r.URL.Query().Get("per_page") == "3"
				}
				a, ok := answers[r.URL.RequestURI()]
				return a, ok
			})
			c := recordedClient(t, rp, wrapper.WithPerPage(3), wrapper.WithConcurrency(concurrency))
			got, err := c.AllJobs(ctx, recordedAttempt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(jobIDs(jobs), jobIDs(got)); diff != "" {
				t.Errorf("jobs (-served +listed):\n%s", diff)
			}
			var followed []string
			for _, r := range rp.requests()[1:] {
				followed = append(followed, strings.TrimPrefix(r, "GET "))
			}
			slices.Sort(followed)
			var recorded []string
			for _, x := range gets[1:] {
				recorded = append(recorded, asJobs(x.Path))
			}
			if !slices.Equal(followed, recorded) {
				t.Errorf("requests after the first %q, want the recorded Links' %q", followed, recorded)
			}
			// The fewest remaining of the window: the last page's.
			if got, want := c.Rate(), gets[4].rate(t); got != want {
				t.Errorf("Rate() %+v, want the last page's %+v", got, want)
			}
		})
	}
}

func jobIDs(jobs []wrapper.Job) []int64 {
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	return ids
}

// TestRecordedRedirects: a renamed repository's recorded 301 (and 307) is followed to
// GitHub's Location, https://api.github.com/repositories/515436299, with the rest of the path
// and the query the client asked for, as GitHub keeps them (nolar/setup-k3d-k3s#6 recorded
// /repos/rancher/k3s/releases?per_page=999 moved to /repositories/135516270/releases?per_page=999;
// the recording asked for the repository itself). The 301 is remembered, the 307 is not.
func TestRecordedRedirects(t *testing.T) {
	xs := scenario(t, "rename-repository")
	var moved exchange // the GET of the new location, answered 200
	for _, x := range xs {
		if x.Method == "get" && x.Status == http.StatusOK {
			moved = x
		}
	}
	jobs := api.SampleRun(owner, repo, recordedAttempt.RunID, recordedAttempt.Number, 3).Jobs
	for _, x := range xs {
		if x.Status != http.StatusMovedPermanently && x.Status != http.StatusTemporaryRedirect {
			continue
		}
		t.Run(fmt.Sprint(x.Status), func(t *testing.T) {
			location, _ := x.get("Location")
			if location != "https://api.github.com"+moved.Path {
				t.Fatalf("recorded Location %q, the new location's GET %q", location, moved.Path)
			}
			rp := newReplay(t, func(r *http.Request) (answer, bool) {
				if rest, ok := strings.CutPrefix(r.URL.RequestURI(), "/repos/octokit-fixture-org/hello-world"); ok {
					return replayed(t, x, nil).withHeader("Location", location+rest), true
				}
				if strings.HasPrefix(r.URL.Path, moved.Path+"/actions/runs/1/attempts/1/jobs") {
					return replayed(t, moved, pageOf(t, len(jobs), jobs)), true
				}
				return answer{}, false
			})
			var mu sync.Mutex
			var events []wrapper.Event
			c := recordedClient(t, rp, wrapper.WithEvents(func(e wrapper.Event) {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, e)
			}))
			for range 2 {
				got, err := c.AllJobs(ctx, recordedAttempt)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(jobIDs(jobs), jobIDs(got)); diff != "" {
					t.Errorf("jobs (-served +listed):\n%s", diff)
				}
			}
			old, newPath := "/repos/octokit-fixture-org/hello-world/actions/runs/1/attempts/1/jobs", moved.Path+"/actions/runs/1/attempts/1/jobs"
			want := []string{"GET " + old + "?per_page=100", "GET " + newPath + "?per_page=100", "GET " + newPath + "?per_page=100"}
			if x.Status == http.StatusTemporaryRedirect { // not remembered: asked again
				want = slices.Insert(want, 2, "GET "+old+"?per_page=100")
			}
			if got := rp.requests(); !slices.Equal(got, want) {
				t.Errorf("requests %q, want %q", got, want)
			}
			mu.Lock()
			defer mu.Unlock()
			var redirects []wrapper.Event
			for _, e := range events {
				if e.Kind == wrapper.EventRedirect {
					redirects = append(redirects, e)
				}
			}
			if x.Status == http.StatusMovedPermanently && (len(redirects) != 1 || redirects[0].StatusCode != 301 ||
				redirects[0].Location != location+"/actions/runs/1/attempts/1/jobs?per_page=100") {
				t.Errorf("redirect events %+v, want one for the 301 to %s", redirects, location)
			}
			if x.Status == http.StatusTemporaryRedirect && len(redirects) != 0 {
				t.Errorf("redirect events %+v for a 307, which is not remembered", redirects)
			}
			// The figures of the answer the client read: the page's (net/http follows the
			// redirect and hands the client only the answer it ends at).
			if got, want := c.Rate(), moved.rate(t); got != want {
				t.Errorf("Rate() %+v, want the page's %+v", got, want)
			}
		})
	}
}

// recordedJobs returns the workflow_job objects of @octokit/webhooks-examples, as recorded.
func recordedJobs(t *testing.T) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(recordedDir, "octokit-webhooks-examples-7.6.1/api.github.com/workflow_job.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entry struct {
		Name     string `json:"name"`
		Examples []struct {
			WorkflowJob json.RawMessage `json:"workflow_job"`
		} `json:"examples"`
	}
	if err := json.Unmarshal(data, &entry); err != nil || entry.Name != "workflow_job" || len(entry.Examples) != 8 {
		t.Fatalf("workflow_job.json: %q, %d examples, %v", entry.Name, len(entry.Examples), err)
	}
	jobs := make([]json.RawMessage, len(entry.Examples))
	for i, e := range entry.Examples {
		jobs[i] = e.WorkflowJob
	}
	return jobs
}

// TestRecordedJobsDecode: the eight recorded workflow_job payloads, each served as it is on
// a page of its own run and attempt (the client checks that a page's jobs are of the attempt
// it asked for), decode through the client without losing anything: written back in GitHub's
// shape they are what was recorded, but for two differences named below.
func TestRecordedJobsDecode(t *testing.T) {
	raw := recordedJobs(t)
	var moved exchange // a recorded 200 without Link
	for _, x := range scenario(t, "rename-repository") {
		if x.Method == "get" && x.Status == http.StatusOK {
			moved = x
		}
	}
	var jobs []wrapper.Job
	for _, r := range raw {
		var of struct {
			RunID      int64  `json:"run_id"`
			RunAttempt *int64 `json:"run_attempt"`
		}
		if err := json.Unmarshal(r, &of); err != nil {
			t.Fatal(err)
		}
		a := recordedAttempt
		a.RunID = of.RunID
		if of.RunAttempt != nil {
			a.Number = *of.RunAttempt
		}
		body := []byte(`{"total_count":1,"jobs":[` + string(r) + `]}`)
		rp := newReplay(t, func(*http.Request) (answer, bool) { return replayed(t, moved, body), true })
		page, err := recordedClient(t, rp).ListJobs(ctx, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Jobs) != 1 {
			t.Fatalf("%d jobs on a page of one", len(page.Jobs))
		}
		jobs = append(jobs, page.Jobs[0])
	}
	page := &wrapper.Page{Jobs: jobs}
	for i, j := range page.Jobs {
		back, err := json.Marshal(api.ToGitHub(&j))
		if err != nil {
			t.Fatal(err)
		}
		want, got := decodeObject(t, raw[i]), decodeObject(t, back)
		for _, f := range []string{"workflow_name", "head_branch"} {
			// 1. The old shape has no workflow_name or head_branch: they decode as nil and
			// are written as GitHub writes a nil one, null.
			if _, ok := want[f]; !ok && got[f] == nil {
				delete(got, f)
			}
		}
		// 2. Times are compared as instants: a step time recorded without milliseconds
		// ("2021-09-13T02:21:13Z") is written with them, as GitHub writes step times now.
		if diff := cmp.Diff(want, got, cmp.Comparer(sameInstant)); diff != "" {
			t.Errorf("job %d (%s, %s): (-recorded +decoded and written back):\n%s", i, j.Name, j.Status, diff)
		}
	}
	old, waiting := page.Jobs[0], page.Jobs[6]
	if !old.CreatedAt.IsZero() || old.RunAttempt != nil || old.WorkflowName != nil || old.HeadBranch != nil {
		t.Errorf("the old shape decoded created_at %v run_attempt %v workflow_name %v head_branch %v", old.CreatedAt, old.RunAttempt, old.WorkflowName, old.HeadBranch)
	}
	if waiting.Status != wrapper.JobStatusWaiting || waiting.RunnerID != nil || waiting.RunnerName != nil || len(waiting.Steps) != 0 || waiting.Conclusion != nil {
		t.Errorf("the waiting job decoded as %+v", waiting)
	}
}

func decodeObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// sameInstant compares two strings as times when both are RFC 3339 times, else as strings.
func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		return ta.Equal(tb)
	}
	return a == b
}
