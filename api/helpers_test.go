package api

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/ghjobs/ghjobs/generated"
)

const (
	testOwner = "octo-org"
	testRepo  = "octo-repo"
	testRunID = 29679449
)

// jobsPath is the operation's path for a run attempt, without prefix.
func jobsPath(owner, repo string, runID, attempt int64) string {
	return "/repos/" + owner + "/" + repo + "/actions/runs/" + itoa(runID) + "/attempts/" + itoa(attempt) + "/jobs"
}

// idJobsPath is the same path with the repository named by its default id, as GitHub
// writes it in Link and Location headers.
func idJobsPath(owner, repo string, runID, attempt int64) string {
	return "/repositories/" + itoa(DefaultRepositoryID(owner, repo)) + "/actions/runs/" + itoa(runID) + "/attempts/" + itoa(attempt) + "/jobs"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// get sends GET url with a User-Agent and the given header pairs (a pair with an empty
// value removes the header, so "User-Agent", "" sends none) and returns the response
// and its body.
func get(t testing.TB, c *http.Client, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return do(t, c, http.MethodGet, url, header...)
}

func do(t testing.TB, c *http.Client, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "ghjobs-api-test/1.0")
	req.Header.Set("Accept", "application/vnd.github+json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header[http.CanonicalHeaderKey(header[i])] = []string{header[i+1]}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// noRedirects returns a client of s that hands redirects back instead of following them.
func noRedirects(s *Server) *http.Client {
	return &http.Client{
		Transport:     s.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// decodePage decodes a 200 body.
func decodePage(t testing.TB, body []byte) generated.JobsPage {
	t.Helper()
	var p generated.JobsPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return p
}

// decodeError decodes an error body.
func decodeError(t testing.TB, body []byte) basicError {
	t.Helper()
	var e basicError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return e
}

// mustServer starts a Server whose violations do not fail the test: for tests that
// provoke violations on purpose and inspect Violations.
func mustServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// checkPrimaryLimitBody checks a primary-limit 403's body is GitHub's, word for word: for
// a user, with the answer's request id and a timestamp; for an address, with the good news.
func checkPrimaryLimitBody(t testing.TB, name string, resp *http.Response, body []byte, credentials bool) {
	t.Helper()
	e := decodeError(t, body)
	var want *regexp.Regexp
	if credentials {
		want = regexp.MustCompile(`^API rate limit exceeded for user ID 1\. If you reach out to GitHub Support for help, please include the request ID ` +
			regexp.QuoteMeta(resp.Header.Get("X-GitHub-Request-Id")) + ` and timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$`)
	} else {
		want = regexp.MustCompile(`^API rate limit exceeded for (127\.0\.0\.1|::1)\. \(But here's the good news: Authenticated requests get a higher rate limit\. Check out the documentation for more details\.\)$`)
	}
	if !want.MatchString(e.Message) || e.DocumentationURL != "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting" || e.Status != "" {
		t.Errorf("%s: body %s", name, body)
	}
}
