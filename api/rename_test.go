package api

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRename(t *testing.T) {
	run := SampleRun(testOwner, testRepo, testRunID, 1, 40)
	for _, prefix := range []string{"", "/api/v3"} {
		s := NewTestServer(t, WithPathPrefix(prefix), WithRun(run),
			WithRename("Old-Org", "old-repo", testOwner, testRepo),
			WithRename("older-org", "older-repo", "old-org", "old-repo")) // a chain
		const query = "?per_page=10&page=2"
		moved := s.URL + jobsPath(testOwner, testRepo, testRunID, 1) + query

		// Case-insensitive, as GitHub matches names.
		resp, body := get(t, noRedirects(s), s.URL+jobsPath("old-ORG", "Old-Repo", testRunID, 1)+query)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != moved {
			t.Errorf("%q: %d Location %q, want 301 to %s", prefix, resp.StatusCode, resp.Header.Get("Location"), moved)
		}
		if e := decodeError(t, body); e.Message != "Moved Permanently" || e.URL != moved || e.DocumentationURL != docRedirects {
			t.Errorf("%q: body %s", prefix, body)
		}

		// A plain net/http client follows it, through the chain, to the run.
		before := len(s.Fake.Requests())
		resp, body = get(t, s.Client(), s.URL+jobsPath("older-org", "older-repo", testRunID, 1)+query)
		if resp.StatusCode != 200 || resp.Request.URL.String() != moved {
			t.Fatalf("%q: %d at %s, want 200 at %s", prefix, resp.StatusCode, resp.Request.URL, moved)
		}
		if diff := cmp.Diff(jobIDs(run.Jobs[10:20]), jobIDs(decodePage(t, body).Jobs)); diff != "" {
			t.Errorf("%q: job IDs (-want +got):\n%s", prefix, diff)
		}
		if n := len(s.Fake.Requests()) - before; n != 3 {
			t.Errorf("%q: %d requests through the chain, want 3", prefix, n)
		}
		// Every redirect counts against the rate limit.
		if used := resp.Header.Get("X-RateLimit-Used"); used != "4" {
			t.Errorf("%q: X-RateLimit-Used %q, want 4", prefix, used)
		}
		// The old name serves nothing itself, also for a run only it had.
		s.Fake.AddRun(SampleRun("old-org", "old-repo", testRunID, 2, 3))
		if resp, _ := get(t, noRedirects(s), s.URL+jobsPath("old-org", "old-repo", testRunID, 2)); resp.StatusCode != http.StatusMovedPermanently {
			t.Errorf("%q: a run under the old name: status %d, want 301", prefix, resp.StatusCode)
		}
	}
}

func TestRenameRejected(t *testing.T) {
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
