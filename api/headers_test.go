package api

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ghjobs/ghjobs/generated"
)

// TestGitHubHeaders: each kind of answer carries the headers GitHub sends with it, as
// Octokit's recorded traffic shows them.
func TestGitHubHeaders(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)), WithRename("old", "name", testOwner, testRepo))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	const absent = "(absent)"
	type want map[string]string
	page := want{
		"Server":                        "GitHub.com",
		"Content-Type":                  "application/json; charset=utf-8",
		"Vary":                          "Accept, Authorization, Cookie, X-GitHub-OTP|Accept-Encoding, Accept, X-Requested-With",
		"X-GitHub-Media-Type":           "github.v3; format=json",
		"X-GitHub-Api-Version-Selected": "2022-11-28",
		"X-RateLimit-Resource":          "core",
	}
	with := func(w want, kv ...string) want {
		out := maps.Clone(w)
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	edgeOnly := "Accept-Encoding, Accept, X-Requested-With"
	for _, tt := range []struct {
		name   string
		url    string
		header []string
		status int
		want   want
	}{
		{"page with a token", url, []string{"Authorization", "Bearer t"}, 200, with(page,
			"Cache-Control", "private, max-age=60, s-maxage=60", "X-OAuth-Scopes", "repo, workflow", "X-Accepted-OAuth-Scopes", "repo")},
		{"page without", url, nil, 200, with(page,
			"Cache-Control", "public, max-age=60, s-maxage=60", "X-OAuth-Scopes", absent, "X-Accepted-OAuth-Scopes", absent)},
		{"page at the later version", url, []string{"X-GitHub-Api-Version", "2026-03-10"}, 200, with(page,
			"X-GitHub-Api-Version-Selected", "2026-03-10")},
		{"not found", s.URL + jobsPath(testOwner, testRepo, testRunID, 2), []string{"Authorization", "Bearer t"}, 404, with(page,
			"Cache-Control", absent, "Vary", edgeOnly, "ETag", absent, "X-OAuth-Scopes", "repo, workflow")},
		{"renamed", s.URL + jobsPath("old", "name", testRunID, 1), nil, 301, with(page,
			"Cache-Control", absent, "Vary", edgeOnly, "ETag", absent, "Link", absent)},
		{"unsupported version", url, []string{"X-GitHub-Api-Version", "2020-01-01"}, 400, with(page,
			"Cache-Control", absent, "Vary", edgeOnly, "X-GitHub-Api-Version-Selected", absent)},
	} {
		resp, body := get(t, noRedirects(s), tt.url, tt.header...)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: status %d, want %d: %s", tt.name, resp.StatusCode, tt.status, body)
		}
		for k, v := range tt.want {
			got := strings.Join(resp.Header.Values(k), "|")
			if v == absent && got != "" || v != absent && got != v {
				t.Errorf("%s: %s %q, want %q", tt.name, k, got, v)
			}
		}
		for k, v := range edgeHeaders {
			if got := resp.Header.Values(k); !slices.Equal(got, v) {
				t.Errorf("%s: %s %q, want GitHub's %q", tt.name, k, got, v)
			}
		}
		if tt.status == 200 && !etagPattern.MatchString(resp.Header.Get("ETag")) {
			t.Errorf("%s: ETag %q", tt.name, resp.Header.Get("ETag"))
		}
	}

	// A 304 carries what a cache needs to update its entry, without a body's headers.
	resp, _ := get(t, s.Client(), url, "Authorization", "Bearer t")
	nm, _ := get(t, s.Client(), url, "Authorization", "Bearer t", "If-None-Match", resp.Header.Get("ETag"))
	if nm.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional: status %d", nm.StatusCode)
	}
	for _, k := range []string{"ETag", "Cache-Control", "Vary", "X-GitHub-Media-Type", "X-RateLimit-Remaining", "X-GitHub-Request-Id"} {
		if got, want := nm.Header.Values(k), resp.Header.Values(k); k != "X-GitHub-Request-Id" && !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("304: %s %q, the 200 had %q", k, got, want)
		}
	}
}

// TestWithoutRateLimit: a GitHub Enterprise Server with rate limiting off sends no
// x-ratelimit-* headers and refuses nothing for the limit.
func TestWithoutRateLimit(t *testing.T) {
	s := NewTestServer(t, WithoutRateLimit(), WithRateLimit(1), WithPathPrefix("/api/v3"),
		WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for i := range 3 {
		resp, _ := get(t, s.Client(), url)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i+1, resp.StatusCode)
		}
		for k := range resp.Header {
			if strings.HasPrefix(k, "X-Ratelimit-") {
				t.Errorf("request %d: %s %q", i+1, k, resp.Header.Get(k))
			}
		}
	}
	// A rate-limit fault still plays a server with limits.
	s.Fake.Script(PrimaryRateLimit(0))
	if resp, _ := get(t, s.Client(), url); resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("PrimaryRateLimit: %d remaining %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
}

// TestSupportedVersions: the version openapi.yaml describes is always accepted, and the
// refusal lists it.
func TestSupportedVersions(t *testing.T) {
	if !slices.Contains(supportedVersions, generated.APIVersion) {
		t.Errorf("supportedVersions %v lack the spec's %s", supportedVersions, generated.APIVersion)
	}
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	_, body := get(t, s.Client(), url, "X-GitHub-Api-Version", "2020-01-01")
	if e := decodeError(t, body); !strings.Contains(e.Message, generated.APIVersion) {
		t.Errorf("refusal %q does not name %s", e.Message, generated.APIVersion)
	}
}

// TestJobsInGitHubsFieldOrder: a page is written as GitHub writes it, total_count first
// and each job's fields in GitHub's order, not alphabetically as generated.Job marshals.
func TestJobsInGitHubsFieldOrder(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	_, body := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1))
	if !strings.HasPrefix(string(body), `{"total_count":3,"jobs":[{"id":`) {
		t.Fatalf("body starts %.60s", body)
	}
	var order []string
	for _, name := range jsonNames(GitHubJob{}) {
		if i := strings.Index(string(body), `"`+name+`":`); i >= 0 {
			order = append(order, name)
			body = body[i:]
		}
	}
	if diff := cmp.Diff(jsonNames(GitHubJob{}), order); diff != "" {
		t.Errorf("fields of the first job out of GitHub's order (-want +got):\n%s", diff)
	}
}
