package api

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// etagPattern is GitHub's strong ETag (Octokit's fixture scenarios/api.github.com/paginate-issues).
var etagPattern = regexp.MustCompile(`^"[0-9a-f]{64}"$`)

func TestConditionalRequests(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	resp, _ := get(t, s.Client(), url, "Authorization", "Bearer t")
	etag := resp.Header.Get("ETag")
	if !etagPattern.MatchString(etag) {
		t.Fatalf("ETag %q, want a strong validator \"<sha-256 hex>\"", etag)
	}
	if again, _ := get(t, s.Client(), url, "Authorization", "Bearer t"); again.Header.Get("ETag") != etag {
		t.Errorf("the same page has two ETags: %q and %q", etag, again.Header.Get("ETag"))
	}
	if other, _ := get(t, s.Client(), url+"?page=2", "Authorization", "Bearer t"); other.Header.Get("ETag") == etag {
		t.Error("pages 1 and 2 have the same ETag")
	}
	used := 3

	// With credentials, a 304 is free; weak tags match too (If-None-Match compares weakly).
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, `W/"other",W/` + etag + `, "x"`, "*"} {
		resp, body := get(t, s.Client(), url, "If-None-Match", inm, "Authorization", "Bearer t")
		h := resp.Header
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("If-None-Match %s: %d with %d bytes, want 304 and none", inm, resp.StatusCode, len(body))
		}
		if h.Get("ETag") != etag || !requestIDPattern.MatchString(h.Get("X-GitHub-Request-Id")) {
			t.Errorf("If-None-Match %s: ETag %q, X-GitHub-Request-Id %q", inm, h.Get("ETag"), h.Get("X-GitHub-Request-Id"))
		}
		// Not counted: the figures are those of the last counted request.
		if h.Get("X-RateLimit-Used") != strconv.Itoa(used) || h.Get("X-RateLimit-Remaining") != strconv.Itoa(5000-used) {
			t.Errorf("If-None-Match %s: used %q remaining %q, want %d uncounted", inm, h.Get("X-RateLimit-Used"), h.Get("X-RateLimit-Remaining"), used)
		}
		if h.Get("Link") != "" || h.Get("Content-Type") != "" {
			t.Errorf("If-None-Match %s: Link %q Content-Type %q on a 304", inm, h.Get("Link"), h.Get("Content-Type"))
		}
	}

	for _, inm := range []string{`W/"other"`, etag[:len(etag)-2] + `"`, "W/", etag[1 : len(etag)-1]} {
		if resp, _ := get(t, s.Client(), url, "If-None-Match", inm); resp.StatusCode != 200 || resp.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %q: status %d, want 200 and the ETag", inm, resp.StatusCode)
		}
	}

	// A changed run is a changed page.
	s.Fake.AddRun(SampleRun(testOwner, testRepo, testRunID, 1, 41))
	resp, _ = get(t, s.Client(), url, "If-None-Match", etag)
	if resp.StatusCode != 200 || !etagPattern.MatchString(resp.Header.Get("ETag")) || resp.Header.Get("ETag") == etag {
		t.Errorf("after AddRun: status %d ETag %q, want 200 and a new ETag", resp.StatusCode, resp.Header.Get("ETag"))
	}

	// Only a page is ever 304; a fault that changes the answer wins over the condition.
	if resp, _ := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 9), "If-None-Match", "*"); resp.StatusCode != 404 {
		t.Errorf("If-None-Match * for a missing run: status %d, want 404", resp.StatusCode)
	}
	for _, fault := range []Fault{Status(503), Shifted(1), SelfLink(), ForeignLink("https://evil.example")} {
		s.Fake.Script(fault)
		resp, _ := get(t, s.Client(), url+"?page=2", "If-None-Match", "*")
		if resp.StatusCode == http.StatusNotModified {
			t.Errorf("%v, conditional: 304 hides the fault", fault)
		}
	}
}

func TestNotModifiedIsFreeAtTheRateLimit(t *testing.T) {
	s := NewTestServer(t, WithRateLimit(1), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	get := func(t testing.TB, c *http.Client, url string, header ...string) (*http.Response, []byte) {
		return get(t, c, url, append(header, "Authorization", "Bearer t")...) // free only so
	}
	resp, _ := get(t, s.Client(), url)
	if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("first request: %d, remaining %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	etag := resp.Header.Get("ETag")
	for i := range 3 {
		resp, _ := get(t, s.Client(), url, "If-None-Match", etag)
		if h := resp.Header; resp.StatusCode != http.StatusNotModified || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Used") != "1" {
			t.Errorf("conditional request %d at the limit: %d, remaining %q used %q; want 304, 0 and 1", i+1, resp.StatusCode, h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Used"))
		}
	}
	if resp, _ := get(t, s.Client(), url); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unconditional request at the limit: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := get(t, s.Client(), url, "If-None-Match", `W/"stale"`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("conditional request for a changed page at the limit: status %d, want 403", resp.StatusCode)
	}
	if n := len(s.Fake.Requests()); n != 6 {
		t.Errorf("%d requests recorded, want 6", n)
	}
}

// TestNotModifiedWithoutCredentialsCosts: GitHub counts a 304 against the rate limit when
// the request carried no credentials, and at the limit answers 403 instead.
func TestNotModifiedWithoutCredentialsCosts(t *testing.T) {
	s := NewTestServer(t, WithUnauthenticatedRateLimit(3), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	resp, _ := get(t, s.Client(), url)
	etag := resp.Header.Get("ETag")
	for i, want := range []struct {
		status int
		used   string
	}{{304, "2"}, {304, "3"}, {403, "3"}} {
		resp, body := get(t, s.Client(), url, "If-None-Match", etag)
		if resp.StatusCode != want.status || resp.Header.Get("X-RateLimit-Used") != want.used {
			t.Errorf("unauthenticated conditional request %d: %d used %q, want %d and %s", i+1, resp.StatusCode, resp.Header.Get("X-RateLimit-Used"), want.status, want.used)
		}
		if want.status == 403 {
			checkPrimaryLimitBody(t, "at the limit", resp, body, false)
		}
	}
}
