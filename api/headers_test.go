package api

import (
	"bufio"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/ghwire"
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

// TestHeaderSpellingOnTheWire: the header names go out as GitHub writes them (ETag,
// X-GitHub-Request-Id, X-RateLimit-Limit, ...), which only a raw reader sees: Go's client
// canonicalises them as it reads, and finds them with Header.Get as before.
func TestHeaderSpellingOnTheWire(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	path := jobsPath(testOwner, testRepo, testRunID, 1)
	names := rawHeaderNames(t, s, path)
	for _, want := range []string{"ETag", "Link", "X-GitHub-Request-Id", "X-GitHub-Media-Type", "X-GitHub-Api-Version-Selected",
		"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource",
		"X-OAuth-Scopes", "X-Accepted-OAuth-Scopes", "X-XSS-Protection", "Cache-Control", "Content-Type", "Date"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s on the wire; names: %q", want, names)
		}
	}
	for _, n := range names {
		if n != ghwire.Spelling(n) {
			t.Errorf("%s on the wire, GitHub writes %s", n, ghwire.Spelling(n))
		}
	}
	// A fault that writes the head itself spells it the same.
	s.Fake.Script(UnframedTruncatedBody())
	if names := rawHeaderNames(t, s, path); !slices.Contains(names, "X-GitHub-Request-Id") || slices.Contains(names, "X-Github-Request-Id") {
		t.Errorf("UnframedTruncatedBody: names %q", names)
	}
	resp, _ := get(t, s.Client(), s.URL+path)
	if resp.Header.Get("ETag") == "" || resp.Header.Get("X-GitHub-Request-Id") == "" || resp.Header.Get("X-RateLimit-Limit") != "60" {
		t.Errorf("Go's client does not find GitHub's spelling: %v", resp.Header)
	}
}

// rawHeaderNames sends GET path with credentials over a connection of its own and returns
// the header names of the answer as they came, uncanonicalised.
func rawHeaderNames(t *testing.T, s *Server, path string) []string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: raw\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n", path, u.Host)
	r := textproto.NewReader(bufio.NewReader(conn))
	if _, err := r.ReadLine(); err != nil { // the status line
		t.Fatal(err)
	}
	var names []string
	for {
		line, err := r.ReadLine()
		if err != nil {
			t.Fatal(err)
		}
		if line == "" {
			return names
		}
		name, _, _ := strings.Cut(line, ":")
		names = append(names, name)
	}
}
