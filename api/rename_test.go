package api

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRename(t *testing.T) {
	run := SampleRun(testOwner, testRepo, testRunID, 1, 40)
	run.RepositoryID = 515436299
	for _, prefix := range []string{"", "/api/v3"} {
		s := NewTestServer(t, WithPathPrefix(prefix), WithRun(run),
			WithRename("Old-Org", "old-repo", testOwner, testRepo),
			WithRename("older-org", "older-repo", "old-org", "old-repo")) // a chain
		const query = "?per_page=10&page=2"
		// GitHub's Location names the repository by id, the rest of the path and the
		// query kept (Octokit's fixture scenarios/api.github.com/rename-repository).
		moved := s.URL + "/repositories/515436299/actions/runs/29679449/attempts/1/jobs" + query

		// Case-insensitive, as GitHub matches names.
		resp, body := get(t, noRedirects(s), s.URL+jobsPath("old-ORG", "Old-Repo", testRunID, 1)+query)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != moved {
			t.Errorf("%q: %d Location %q, want 301 to %s", prefix, resp.StatusCode, resp.Header.Get("Location"), moved)
		}
		want := `{"message":"Moved Permanently","url":"` + moved + `","documentation_url":"https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"}`
		if string(body) != want {
			t.Errorf("%q: body\n got %s\nwant %s", prefix, body, want)
		}
		if used := resp.Header.Get("X-RateLimit-Used"); used != "1" {
			t.Errorf("%q: the 301: X-RateLimit-Used %q, want 1 (GitHub counts it)", prefix, used)
		}

		// A plain net/http client follows it, from any name of the chain in one step, to
		// the run, served by id.
		before := len(s.Fake.Requests())
		resp, body = get(t, s.Client(), s.URL+jobsPath("older-org", "older-repo", testRunID, 1)+query)
		if resp.StatusCode != 200 || resp.Request.URL.String() != moved {
			t.Fatalf("%q: %d at %s, want 200 at %s", prefix, resp.StatusCode, resp.Request.URL, moved)
		}
		if diff := cmp.Diff(jobIDs(run.Jobs[10:20]), jobIDs(decodePage(t, body).Jobs)); diff != "" {
			t.Errorf("%q: job IDs (-want +got):\n%s", prefix, diff)
		}
		if n := len(s.Fake.Requests()) - before; n != 2 {
			t.Errorf("%q: %d requests through the chain, want 2", prefix, n)
		}
		if used := resp.Header.Get("X-RateLimit-Used"); used != "3" {
			t.Errorf("%q: X-RateLimit-Used %q, want 3", prefix, used)
		}
		// The old name serves nothing itself, also for a run only it had.
		s.Fake.AddRun(SampleRun("old-org", "old-repo", testRunID, 2, 3))
		if resp, _ := get(t, noRedirects(s), s.URL+jobsPath("old-org", "old-repo", testRunID, 2)); resp.StatusCode != http.StatusMovedPermanently {
			t.Errorf("%q: a run under the old name: status %d, want 301", prefix, resp.StatusCode)
		}
	}
}

func TestRepositoryID(t *testing.T) {
	if a, b := DefaultRepositoryID("Octo-Org", "Octo-Repo"), DefaultRepositoryID("octo-org", "octo-repo"); a != b || a <= 1<<32 {
		t.Errorf("DefaultRepositoryID: %d and %d, want one id above 2^32 for names that differ in case", a, b)
	}
	if DefaultRepositoryID("octo-org", "octo-repo") == DefaultRepositoryID("octo-org", "other") {
		t.Error("two repositories share a default id")
	}
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)),
		WithRun(Run{Owner: "other", Repo: "repo", RunID: 5, Number: 1, RepositoryID: 42}))
	for _, tt := range []struct {
		path   string
		status int
	}{
		{idJobsPath(testOwner, testRepo, testRunID, 1), 200},
		{"/repositories/42/actions/runs/5/attempts/1/jobs", 200},
		{"/repositories/42/actions/runs/5/attempts/2/jobs", 404},               // no such attempt
		{"/repositories/43/actions/runs/5/attempts/1/jobs", 404},               // no such repository
		{"/repositories/42/actions/runs/29679449/attempts/1/jobs", 404},        // another repository's run
		{"/repositories/00042/actions/runs/5/attempts/1/jobs?per_page=2", 200}, // the id as a number
	} {
		resp, body := get(t, s.Client(), s.URL+tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.path, resp.StatusCode, tt.status, body)
		}
		if tt.status == 404 {
			if e := decodeError(t, body); e.Message != "Not Found" || e.Status != "404" {
				t.Errorf("%s: body %s", tt.path, body)
			}
		}
	}
	// A later run with another id moves the repository; zero keeps the id it has.
	s.Fake.AddRun(Run{Owner: "Other", Repo: "Repo", RunID: 5, Number: 2, RepositoryID: 77})
	s.Fake.AddRun(Run{Owner: "other", Repo: "repo", RunID: 5, Number: 3})
	if resp, _ := get(t, s.Client(), s.URL+"/repositories/77/actions/runs/5/attempts/3/jobs"); resp.StatusCode != 200 {
		t.Errorf("after the id changed: status %d, want 200", resp.StatusCode)
	}
	if resp, _ := get(t, s.Client(), s.URL+"/repositories/42/actions/runs/5/attempts/1/jobs"); resp.StatusCode != 404 {
		t.Errorf("the old id: status %d, want 404", resp.StatusCode)
	}

	for name, r := range map[string]Run{
		"negative": {Owner: "a", Repo: "b", RepositoryID: -1},
		"taken":    {Owner: "a", Repo: "b", RepositoryID: 77},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddRun with a %s RepositoryID did not panic", name)
				}
			}()
			s.Fake.AddRun(r)
		}()
	}
}

func TestRenameRejected(t *testing.T) {
	if _, err := New(WithRename("a", "b", "c", "d"), WithRename("c", "d", "A", "B")); err == nil {
		t.Error("New accepted renames in a circle")
	}
	for name, opt := range map[string]Option{
		"to itself":          WithRename("Octo-Org", "repo", "octo-org", "REPO"),
		"from an empty name": WithRename("", "repo", "octo-org", "repo"),
		"to an empty name":   WithRename("old", "repo", "octo-org", ""),
		"to a slash":         WithRename("old", "repo", "octo-org/x", "repo"),
		"from a slash":       WithRename("old", "a/b", "octo-org", "repo"),
	} {
		if _, err := New(opt); err == nil {
			t.Errorf("rename %s: New accepted it", name)
		}
	}
}
