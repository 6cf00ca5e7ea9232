package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghjobs/ghjobs/generated"
)

// waitFor polls cond until it holds; the fake's requests arrive on other goroutines.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// freshClient returns a client that opens a new connection for every request, so that
// net/http's retry of a GET on a reused connection does not hide a Disconnect.
func freshClient(t *testing.T) *http.Client {
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// tryGet is get for requests that may fail: it returns the transport's or the body's error.
func tryGet(c *http.Client, url string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", "ghjobs-api-test/1.0")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestScriptOrder(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)),
		WithFaults(Status(500), Fault{}, Status(502)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	if n := s.Fake.Pending(); n != 3 {
		t.Fatalf("Pending %d after WithFaults, want 3", n)
	}
	s.Fake.Script(Status(503)) // appended to what is queued
	for i, want := range []int{500, 200, 502, 503, 200, 200} {
		if resp, body := get(t, s.Client(), url); resp.StatusCode != want {
			t.Errorf("request %d: status %d, want %d: %s", i+1, resp.StatusCode, want, body)
		}
		if got, want := s.Fake.Pending(), max(3-i, 0); got != want {
			t.Errorf("after request %d: Pending %d, want %d", i+1, got, want)
		}
	}
	if n := len(s.Fake.Requests()); n != 6 {
		t.Errorf("%d requests recorded, want 6", n)
	}
}

func TestStatus(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for i, code := range []int{400, 401, 403, 404, 410, 422, 429, 500, 502, 503, 504} {
		s.Fake.Script(Status(code))
		resp, body := get(t, s.Client(), url)
		if resp.StatusCode != code {
			t.Errorf("Status(%d): status %d", code, resp.StatusCode)
		}
		want := fmt.Sprintf(`{"message":%q,"documentation_url":"https://docs.github.com/rest","status":"%d"}`, http.StatusText(code), code)
		if string(body) != want {
			t.Errorf("Status(%d): body %s, want %s", code, body, want)
		}
		h := resp.Header
		if h.Get("Content-Type") != "application/json; charset=utf-8" || !requestIDPattern.MatchString(h.Get("X-GitHub-Request-Id")) {
			t.Errorf("Status(%d): Content-Type %q, X-GitHub-Request-Id %q", code, h.Get("Content-Type"), h.Get("X-GitHub-Request-Id"))
		}
		// A faulted request counts against the rate limit like any other.
		if h.Get("X-RateLimit-Used") != strconv.Itoa(i+1) || h.Get("X-RateLimit-Remaining") != strconv.Itoa(60-i-1) {
			t.Errorf("Status(%d): used %q remaining %q, want %d and %d", code, h.Get("X-RateLimit-Used"), h.Get("X-RateLimit-Remaining"), i+1, 60-i-1)
		}
		if h.Get("Link") != "" || h.Get("ETag") != "" || h.Get("Retry-After") != "" {
			t.Errorf("Status(%d): page headers on an error: %v", code, h)
		}
	}
	// A scripted fault wins over everything, also over a request for nothing at all.
	s.Fake.Script(Status(503))
	if resp, _ := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID+1, 1)); resp.StatusCode != 503 {
		t.Errorf("Status(503) for a missing run: status %d", resp.StatusCode)
	}
}

func TestPrimaryRateLimit(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for _, resetIn := range []time.Duration{90 * time.Second, 1500 * time.Millisecond, 0, -time.Minute} {
		for _, auth := range []string{"", "Bearer t"} {
			s.Fake.Script(PrimaryRateLimit(resetIn))
			before := time.Now()
			resp, body := get(t, s.Client(), url, "Authorization", auth)
			after := time.Now()
			name := fmt.Sprintf("PrimaryRateLimit(%v) auth %q", resetIn, auth)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("%s: status %d: %s", name, resp.StatusCode, body)
			}
			h, limit := resp.Header, "60" // the limit of the request's own budget
			if auth != "" {
				limit = "5000"
			}
			if h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Used") != limit || h.Get("X-RateLimit-Limit") != limit {
				t.Errorf("%s: limit %q remaining %q used %q", name, h.Get("X-RateLimit-Limit"), h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Used"))
			}
			reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
			if lo, hi := unixCeil(before.Add(resetIn)), unixCeil(after.Add(resetIn)); err != nil || reset < lo || reset > hi {
				t.Errorf("%s: X-RateLimit-Reset %q, want between %d and %d", name, h.Get("X-RateLimit-Reset"), lo, hi)
			}
			if h.Get("Retry-After") != "" {
				t.Errorf("%s: Retry-After %q on a primary limit", name, h.Get("Retry-After"))
			}
			checkPrimaryLimitBody(t, name, resp, body, auth != "")
		}
	}
	// The next request sees the fake's own figures again: 4 requests without credentials
	// counted so far, and this one.
	resp, _ := get(t, s.Client(), url)
	if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != "55" {
		t.Errorf("after the fault: status %d remaining %q, want 200 and 55", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
}

func TestSecondaryRateLimit(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter time.Duration
		header     string // Retry-After
	}{
		{403, 0, ""},
		{429, 0, ""},
		{403, time.Minute, "60"},
		{429, 1500 * time.Millisecond, "2"},
		{429, time.Nanosecond, "1"},
	}
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for _, tt := range tests {
		fault := SecondaryRateLimit(tt.status, tt.retryAfter)
		s.Fake.Script(fault)
		resp, body := get(t, s.Client(), url)
		if resp.StatusCode != tt.status {
			t.Fatalf("%v: status %d: %s", fault, resp.StatusCode, body)
		}
		h := resp.Header
		if got, ok := h["Retry-After"]; tt.header == "" && ok || tt.header != "" && (len(got) != 1 || got[0] != tt.header) {
			t.Errorf("%v: Retry-After %q, want %q", fault, got, tt.header)
		}
		if n, err := strconv.Atoi(h.Get("X-RateLimit-Remaining")); err != nil || n <= 0 {
			t.Errorf("%v: X-RateLimit-Remaining %q, want above 0", fault, h.Get("X-RateLimit-Remaining"))
		}
		e := decodeError(t, body)
		if !strings.HasPrefix(e.Message, "You have exceeded a secondary rate limit. ") ||
			!strings.Contains(e.Message, h.Get("X-GitHub-Request-Id")) ||
			!strings.Contains(e.DocumentationURL, "secondary-rate-limits") || e.Status != strconv.Itoa(tt.status) {
			t.Errorf("%v: body %s", fault, body)
		}
	}

	// Remaining stays above 0 even when the fake's own figures are used up.
	s = NewTestServer(t, WithUnauthenticatedRateLimit(1), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url = s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	get(t, s.Client(), url)
	s.Fake.Script(SecondaryRateLimit(429, 0))
	resp, _ := get(t, s.Client(), url)
	if h := resp.Header; resp.StatusCode != 429 || h.Get("X-RateLimit-Remaining") != "1" || h.Get("X-RateLimit-Used") != "0" {
		t.Errorf("limit used up: status %d remaining %q used %q, want 429, 1 and 0", resp.StatusCode, h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Used"))
	}
	// And a scripted fault wins over the fake's own rate limit.
	s.Fake.Script(Status(502))
	if resp, _ := get(t, s.Client(), url); resp.StatusCode != 502 {
		t.Errorf("Status(502) past the limit: status %d", resp.StatusCode)
	}
	if resp, _ := get(t, s.Client(), url); resp.StatusCode != 403 {
		t.Errorf("past the limit, no fault: status %d, want 403", resp.StatusCode)
	}
}

func TestBrokenBodies(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	tests := []struct {
		fault       Fault
		contentType string
		body        string
	}{
		{MalformedBody(), "application/json; charset=utf-8", malformedJSON},
		{WrongContentType(), "text/html; charset=utf-8", portalHTML},
	}
	for _, tt := range tests {
		s.Fake.Script(tt.fault)
		resp, body := get(t, s.Client(), url)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Type") != tt.contentType || string(body) != tt.body {
			t.Errorf("%v: %d %q %s", tt.fault, resp.StatusCode, h.Get("Content-Type"), body)
		}
		if h.Get("Link") != "" || h.Get("ETag") != "" {
			t.Errorf("%v: Link %q ETag %q on a broken body", tt.fault, h.Get("Link"), h.Get("ETag"))
		}
		if !requestIDPattern.MatchString(h.Get("X-GitHub-Request-Id")) || h.Get("X-RateLimit-Remaining") == "" {
			t.Errorf("%v: GitHub's headers are missing: %v", tt.fault, h)
		}
		if h.Get("Content-Length") != strconv.Itoa(len(tt.body)) {
			t.Errorf("%v: Content-Length %q for %d bytes", tt.fault, h.Get("Content-Length"), len(tt.body))
		}
	}
	var page generated.JobsPage
	var syntax *json.SyntaxError
	if err := json.NewDecoder(strings.NewReader(malformedJSON)).Decode(&page); !errors.As(err, &syntax) {
		t.Errorf("a streaming decoder reads the malformed body without a syntax error: %v", err)
	}
	if !strings.HasPrefix(portalHTML, "<!DOCTYPE html>") {
		t.Errorf("the portal page is not HTML: %s", portalHTML)
	}
	// NewTestServer fails the test on any violation: the broken bodies were not ones.
	if n := len(s.Fake.Requests()); n != 2 {
		t.Errorf("%d requests recorded, want 2", n)
	}
}

func TestTruncatedBody(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	_, full := get(t, s.Client(), url)

	s.Fake.Script(TruncatedBody())
	resp, body, err := tryGet(s.Client(), url)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading a truncated body: error %v, want io.ErrUnexpectedEOF", err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(full)) {
		t.Errorf("status %d, Content-Length %d, want 200 and %d", resp.StatusCode, resp.ContentLength, len(full))
	}
	if string(body) != string(full[:len(full)/2]) {
		t.Errorf("got %d bytes, want the first %d of the page", len(body), len(full)/2)
	}
	// The connection is gone, not out of step: the next request is answered normally.
	if resp, again := get(t, s.Client(), url); resp.StatusCode != 200 || string(again) != string(full) {
		t.Errorf("after the truncated body: %d, %d bytes", resp.StatusCode, len(again))
	}
	if n := len(s.Fake.Requests()); n != 3 {
		t.Errorf("%d requests recorded, want 3", n)
	}
}

func TestDisconnect(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	isHangUp := func(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) }

	s.Fake.Script(Disconnect())
	if _, _, err := tryGet(freshClient(t), url); !isHangUp(err) {
		t.Errorf("new connection: error %v, want EOF or connection reset", err)
	}
	if n := len(s.Fake.Requests()); n != 1 {
		t.Errorf("new connection: %d requests recorded, want 1", n)
	}

	// On a kept-alive connection net/http sends the GET again on a new one, once.
	c := s.Client()
	get(t, c, url)
	s.Fake.Script(Disconnect())
	if resp, _, err := tryGet(c, url); err != nil || resp.StatusCode != 200 {
		t.Errorf("reused connection, one Disconnect: %v, want net/http's retry to get 200", err)
	}
	if n := len(s.Fake.Requests()); n != 4 {
		t.Errorf("reused connection, one Disconnect: %d requests recorded, want 4 (a retry)", n)
	}
	s.Fake.Script(Disconnect(), Disconnect())
	if _, _, err := tryGet(c, url); !isHangUp(err) {
		t.Errorf("reused connection, two Disconnects: error %v, want EOF or connection reset", err)
	}
	if n := len(s.Fake.Requests()); n != 6 {
		t.Errorf("reused connection, two Disconnects: %d requests recorded, want 6", n)
	}
}

func TestForeignLink(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		s := NewTestServer(t, WithPathPrefix(prefix),
			WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 75)),
			WithRun(SampleRun(testOwner, testRepo, testRunID, 2, 3)))
		path := prefix + jobsPath(testOwner, testRepo, testRunID, 1)
		evil := func(query, rel string) string {
			return "<https://evil.example:8443" + prefix + idJobsPath(testOwner, testRepo, testRunID, 1) + "?" + query + `>; rel="` + rel + `"`
		}
		tests := []struct {
			path, query string
			want        []string
		}{
			{path, "per_page=30&page=2", []string{evil("per_page=30&page=1", "prev"), evil("per_page=30&page=3", "next"), evil("per_page=30&page=3", "last"), evil("per_page=30&page=1", "first")}},
			{path, "", []string{evil("page=2", "next"), evil("page=3", "last")}},
			// Everything fits on one page: a next is made up, to tempt the client.
			{prefix + jobsPath(testOwner, testRepo, testRunID, 2), "", []string{
				"<https://evil.example:8443" + prefix + idJobsPath(testOwner, testRepo, testRunID, 2) + `?page=2>; rel="next"`,
				"<https://evil.example:8443" + prefix + idJobsPath(testOwner, testRepo, testRunID, 2) + `?page=2>; rel="last"`,
			}},
		}
		base := strings.TrimSuffix(s.URL, prefix)
		for _, tt := range tests {
			s.Fake.Script(ForeignLink("https://evil.example:8443/"))
			resp, body := get(t, s.Client(), base+tt.path+"?"+tt.query)
			if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
				t.Fatalf("%s?%s: %d %s", tt.path, tt.query, resp.StatusCode, body)
			}
			if diff := cmp.Diff(tt.want, strings.Split(resp.Header.Get("Link"), ", ")); diff != "" {
				t.Errorf("%s?%s: Link (-want +got):\n%s", tt.path, tt.query, diff)
			}
		}
	}
}

func TestSelfLink(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 75)), WithRun(SampleRun(testOwner, testRepo, testRunID, 2, 3)))
	base := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	byID := s.URL + idJobsPath(testOwner, testRepo, testRunID, 1)
	link := func(url, rel string) string { return "<" + url + `>; rel="` + rel + `"` }
	tests := []struct {
		url  string
		want []string
	}{
		{base, []string{link(base, "next"), link(byID+"?page=3", "last")}},
		{base + "?page=2&per_page=30", []string{link(byID+"?per_page=30&page=1", "prev"), link(base+"?page=2&per_page=30", "next"), link(byID+"?per_page=30&page=3", "last"), link(byID+"?per_page=30&page=1", "first")}},
		{byID + "?page=3", []string{link(byID+"?page=2", "prev"), link(byID+"?page=3", "next"), link(byID+"?page=1", "first")}},
		{s.URL + jobsPath(testOwner, testRepo, testRunID, 2), []string{link(s.URL+jobsPath(testOwner, testRepo, testRunID, 2), "next")}},
	}
	for _, tt := range tests {
		s.Fake.Script(SelfLink())
		resp, body := get(t, s.Client(), tt.url)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", tt.url, resp.StatusCode, body)
		}
		if diff := cmp.Diff(tt.want, strings.Split(resp.Header.Get("Link"), ", ")); diff != "" {
			t.Errorf("%s: Link (-want +got):\n%s", tt.url, diff)
		}
	}
}

func TestShifted(t *testing.T) {
	run := SampleRun(testOwner, testRepo, testRunID, 1, 75)
	ids := jobIDs(run.Jobs)
	s := NewTestServer(t, WithRun(run))
	base := s.URL + jobsPath(testOwner, testRepo, testRunID, 1) + "?per_page=30&page="
	tests := []struct {
		fault Fault
		page  int
		want  []int64
	}{
		{Shifted(5), 2, ids[25:55]},
		{Shifted(5), 3, ids[55:75]},
		{Shifted(5), 1, ids[0:30]},
		{Shifted(40), 2, ids[0:30]},
		{Shifted(0), 2, ids[30:60]},
		{Shifted(30), 3, ids[30:60]},
	}
	for _, tt := range tests {
		s.Fake.Script(tt.fault)
		resp, body := get(t, s.Client(), base+strconv.Itoa(tt.page))
		p := decodePage(t, body)
		if resp.StatusCode != 200 || p.TotalCount != 75 {
			t.Errorf("%v, page %d: status %d, total_count %d", tt.fault, tt.page, resp.StatusCode, p.TotalCount)
		}
		if diff := cmp.Diff(tt.want, jobIDs(p.Jobs)); diff != "" {
			t.Errorf("%v, page %d: job IDs (-want +got):\n%s", tt.fault, tt.page, diff)
		}
	}

	// Paging through with one shifted page: its first 5 jobs come twice, and on a page
	// before the last 5 jobs are never served.
	walk := func() (distinct, repeated int) {
		seen := map[int64]bool{}
		for page := 1; page <= 3; page++ {
			_, body := get(t, s.Client(), base+strconv.Itoa(page))
			for _, id := range jobIDs(decodePage(t, body).Jobs) {
				if seen[id] {
					repeated++
				}
				seen[id] = true
			}
		}
		return len(seen), repeated
	}
	s.Fake.Script(Fault{}, Shifted(5))
	if d, r := walk(); d != 70 || r != 5 {
		t.Errorf("page 2 shifted: %d distinct jobs, %d repeated, want 70 and 5", d, r)
	}
	s.Fake.Script(Fault{}, Fault{}, Shifted(5))
	if d, r := walk(); d != 75 || r != 5 {
		t.Errorf("page 3 shifted: %d distinct jobs, %d repeated, want 75 and 5", d, r)
	}
}

func TestRedirect(t *testing.T) {
	run := SampleRun(testOwner, testRepo, testRunID, 1, 40)
	s := NewTestServer(t, WithRun(run))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	tests := []struct {
		fault    Fault
		location string
		reached  string // the page a following client lands on
	}{
		{Redirect(301, url+"?page=2"), url + "?page=2", url + "?page=2"},
		{Redirect(302, "jobs?per_page=5"), "jobs?per_page=5", url + "?per_page=5"},
		{Redirect(307, "https://evil.example/x"), "https://evil.example/x", ""},
		{Redirect(308, "/api/v3"+jobsPath(testOwner, testRepo, testRunID, 1)), "/api/v3" + jobsPath(testOwner, testRepo, testRunID, 1), ""},
	}
	for _, tt := range tests {
		s.Fake.Script(tt.fault)
		resp, body := get(t, noRedirects(s), url)
		if resp.StatusCode != tt.fault.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("%v: status %d Location %q", tt.fault, resp.StatusCode, resp.Header.Get("Location"))
		}
		if e := decodeError(t, body); e.Message != http.StatusText(tt.fault.status) || e.URL != tt.location || e.DocumentationURL != docRedirects {
			t.Errorf("%v: body %s", tt.fault, body)
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "" || resp.Header.Get("X-GitHub-Request-Id") == "" {
			t.Errorf("%v: GitHub's headers are missing: %v", tt.fault, resp.Header)
		}
		if tt.reached == "" {
			continue
		}
		before := len(s.Fake.Requests())
		s.Fake.Script(tt.fault)
		resp, body = get(t, s.Client(), url)
		if resp.StatusCode != 200 || resp.Request.URL.String() != tt.reached {
			t.Errorf("%v followed: %d at %s, want 200 at %s", tt.fault, resp.StatusCode, resp.Request.URL, tt.reached)
		}
		decodePage(t, body)
		if n := len(s.Fake.Requests()) - before; n != 2 {
			t.Errorf("%v followed: %d requests, want 2", tt.fault, n)
		}
	}
}

func TestLatencyEndsWithTheContext(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		next Fault // scripted for the request that is cancelled
	}{
		{"Latency", nil, Latency(time.Hour)},
		{"WithLatency and a fault", []Option{WithLatency(time.Hour)}, Status(500)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewTestServer(t, append(tt.opts, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))...)
			s.Fake.Script(tt.next)
			ctx, cancel := context.WithCancel(t.Context())
			errc := make(chan error, 1)
			go func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+jobsPath(testOwner, testRepo, testRunID, 1), nil)
				req.Header.Set("User-Agent", "ghjobs-api-test/1.0")
				resp, err := s.Client().Do(req)
				if err == nil {
					resp.Body.Close()
					err = fmt.Errorf("answered %s before the latency was over", resp.Status)
				}
				errc <- err
			}()
			waitFor(t, "the request to arrive", func() bool { return len(s.Fake.Requests()) == 1 })
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
			if n := s.Fake.Pending(); n != 0 {
				t.Errorf("Pending %d: the cancelled request did not use up its fault", n)
			}
		})
	}
	// A Latency of 0 is no wait, and its request may be answered 304.
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	resp, _ := get(t, s.Client(), url)
	s.Fake.Script(Latency(0))
	resp, _ = get(t, s.Client(), url, "If-None-Match", resp.Header.Get("ETag"))
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("Latency(0), conditional: status %d, want 304", resp.StatusCode)
	}
}

func TestCloseEndsLatency(t *testing.T) {
	s, err := NewServer(WithLatency(time.Hour), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)), WithFaults(Status(503)))
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, _, err := tryGet(s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1))
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{status: resp.StatusCode}
	}()
	waitFor(t, "the request to arrive", func() bool { return len(s.Fake.Requests()) == 1 })
	s.Close() // returns at once: the waiting request is answered now
	s.Close() // and again, harmlessly
	// WithLatency applies to faulted requests: the 503 was held back until Close.
	if r := <-done; r.err != nil || r.status != 503 {
		t.Errorf("the waiting request got %d, %v; want 503", r.status, r.err)
	}
}

func TestScriptConcurrent(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	const workers, each = 8, 20
	var faulted atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range each {
				if i%5 == 0 {
					s.Fake.Script(Status(503), Status(503))
				}
				resp, _, err := tryGet(s.Client(), url)
				if err != nil {
					t.Error(err)
					continue
				}
				if resp.StatusCode == 503 {
					faulted.Add(1)
				}
				_ = s.Fake.Pending()
			}
		})
	}
	wg.Wait()
	if got, pending := faulted.Load(), s.Fake.Pending(); got+int64(pending) != workers*each/5*2 {
		t.Errorf("%d requests faulted and %d faults pending, want %d scripted", got, pending, workers*each/5*2)
	}
	if n := len(s.Fake.Requests()); n != workers*each {
		t.Errorf("%d requests recorded, want %d", n, workers*each)
	}
}

func TestNegativeLatency(t *testing.T) {
	if _, err := New(WithLatency(-time.Millisecond)); err == nil {
		t.Error("New accepted a negative latency")
	}
}

func TestFaultArgumentsPanic(t *testing.T) {
	for _, tt := range []struct {
		call string
		make func() Fault
	}{
		{"Latency(-1ns)", func() Fault { return Latency(-1) }},
		{"Status(200)", func() Fault { return Status(200) }},
		{"Status(399)", func() Fault { return Status(399) }},
		{"Status(499)", func() Fault { return Status(499) }},
		{"Status(600)", func() Fault { return Status(600) }},
		{"SecondaryRateLimit(500, 0s)", func() Fault { return SecondaryRateLimit(500, 0) }},
		{"SecondaryRateLimit(429, -1s)", func() Fault { return SecondaryRateLimit(429, -time.Second) }},
		{"Shifted(-1)", func() Fault { return Shifted(-1) }},
		{`Redirect(404, "/x")`, func() Fault { return Redirect(404, "/x") }},
		{`Redirect(303, "/x")`, func() Fault { return Redirect(303, "/x") }},
		{`Redirect(301, "")`, func() Fault { return Redirect(301, "") }},
		{`Redirect(301, "http://[::1")`, func() Fault { return Redirect(301, "http://[::1") }},
		{`ForeignLink("evil.example")`, func() Fault { return ForeignLink("evil.example") }},
		{`ForeignLink("ftp://evil.example")`, func() Fault { return ForeignLink("ftp://evil.example") }},
		{`ForeignLink("https://evil.example/x")`, func() Fault { return ForeignLink("https://evil.example/x") }},
		{`ForeignLink("https://evil.example?x=1")`, func() Fault { return ForeignLink("https://evil.example?x=1") }},
		{`ForeignLink("https://u:p@evil.example")`, func() Fault { return ForeignLink("https://u:p@evil.example") }},
		{`ForeignLink("https://")`, func() Fault { return ForeignLink("https://") }},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				name, _, _ := strings.Cut(tt.call, ",")
				name, _, _ = strings.Cut(name, ")")
				if !strings.HasPrefix(msg, "ghjobs/api: "+name) {
					t.Errorf("%s: panic %q, want one naming the call", tt.call, msg)
				}
			}()
			f := tt.make()
			t.Errorf("%s: no panic, got %v", tt.call, f)
		}()
	}
}

func TestFaultString(t *testing.T) {
	for _, tt := range []struct {
		fault Fault
		want  string
	}{
		{Fault{}, "Fault{}"},
		{Latency(250 * time.Millisecond), "Latency(250ms)"},
		{Status(503), "Status(503)"},
		{PrimaryRateLimit(time.Minute), "PrimaryRateLimit(1m0s)"},
		{SecondaryRateLimit(429, 2*time.Second), "SecondaryRateLimit(429, 2s)"},
		{MalformedBody(), "MalformedBody()"},
		{TruncatedBody(), "TruncatedBody()"},
		{WrongContentType(), "WrongContentType()"},
		{Disconnect(), "Disconnect()"},
		{ForeignLink("https://evil.example/"), `ForeignLink("https://evil.example")`},
		{SelfLink(), "SelfLink()"},
		{Shifted(3), "Shifted(3)"},
		{Redirect(301, "/x"), `Redirect(301, "/x")`},
		{ValidationFailed(FieldError{Resource: "WorkflowRun", Code: "invalid", Field: "run_id"}),
			`ValidationFailed(api.FieldError{Resource:"WorkflowRun", Code:"invalid", Field:"run_id", Message:""})`},
		{CutInHeaders(), "CutInHeaders()"},
		{CutInStatusLine(), "CutInStatusLine()"},
		{UnframedTruncatedBody(), "UnframedTruncatedBody()"},
		{NotAPage(`{}`), "NotAPage(\"{}\")"},
	} {
		if got := tt.fault.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}

func TestRounding(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want int64
	}{
		{time.Unix(100, 0), 100},
		{time.Unix(100, 1), 101},
		{time.Unix(100, 999_999_999), 101},
		{time.Unix(-1, 500_000_000), 0},
	} {
		if got := unixCeil(tt.t); got != tt.want {
			t.Errorf("unixCeil(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
	for _, tt := range []struct {
		d    time.Duration
		want int64
	}{
		{0, 0}, {time.Nanosecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {time.Minute, 60},
		{1<<63 - 1, 9223372037},
	} {
		if got := secondsCeil(tt.d); got != tt.want {
			t.Errorf("secondsCeil(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestValidationFailed(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	s.Fake.Script(ValidationFailed(FieldError{Resource: "WorkflowRun", Code: "invalid", Field: "attempt_number"},
		FieldError{Resource: "WorkflowRun", Code: "custom", Field: "run_id", Message: "run_id is too old"}))
	resp, body := get(t, s.Client(), url)
	// GitHub's shape and order: Octokit's fixture scenarios/api.github.com/errors.
	want := `{"message":"Validation Failed","errors":[{"resource":"WorkflowRun","code":"invalid","field":"attempt_number"},` +
		`{"resource":"WorkflowRun","code":"custom","field":"run_id","message":"run_id is too old"}],` +
		`"documentation_url":"` + docOperation + `","status":"422"}`
	if resp.StatusCode != http.StatusUnprocessableEntity || string(body) != want {
		t.Errorf("got %d %s\nwant 422 %s", resp.StatusCode, body, want)
	}
	for _, bad := range [][]FieldError{nil, {{Resource: "WorkflowRun", Code: "invalid"}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ValidationFailed(%v) did not panic", bad)
				}
			}()
			ValidationFailed(bad...)
		}()
	}
}

// TestCutInHeaders: the connection ends inside the status line or a header; net/http fails
// the request, also on a reused connection (it resends nothing once bytes of an answer
// arrived).
func TestCutInHeaders(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	c := s.Client()
	get(t, c, url) // the next request reuses this connection
	for i, tt := range []struct {
		fault Fault
		want  string
	}{
		{CutInHeaders(), "malformed MIME header: missing colon"},
		{CutInStatusLine(), `malformed HTTP status code "20"`},
	} {
		s.Fake.Script(tt.fault)
		resp, _, err := tryGet(c, url)
		if err == nil {
			t.Fatalf("%v: got %d, want an error", tt.fault, resp.StatusCode)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want net/http's %q", tt.fault, err, tt.want)
		}
		if n, want := s.Fake.RequestCount(), int64(2*i+2); n != want {
			t.Errorf("%v: %d requests recorded, want %d: no resend by the transport", tt.fault, n, want)
		}
		if resp, _ := get(t, c, url); resp.StatusCode != 200 {
			t.Errorf("%v: after the cut: status %d", tt.fault, resp.StatusCode)
		}
	}
}

// TestUnframedTruncatedBody: a close-delimited body that ends early reads without a
// transport error, and is not JSON.
func TestUnframedTruncatedBody(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	_, full := get(t, s.Client(), url)
	s.Fake.Script(UnframedTruncatedBody())
	resp, body, err := tryGet(s.Client(), url)
	if err != nil {
		t.Fatalf("a close-delimited body: error %v, want none from the transport", err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != -1 || len(resp.TransferEncoding) != 0 || !resp.Close ||
		resp.Header.Get("Connection") != "" && resp.Header.Get("Connection") != "close" {
		t.Errorf("status %d, Content-Length %d, Transfer-Encoding %v, Close %v: want 200 and no framing", resp.StatusCode, resp.ContentLength, resp.TransferEncoding, resp.Close)
	}
	if string(body) != string(full[:len(full)/2]) {
		t.Errorf("got %d bytes, want the first %d of the page", len(body), len(full)/2)
	}
	if json.Valid(body) {
		t.Error("the short body is valid JSON")
	}
	if resp.Header.Get("ETag") == "" || !requestIDPattern.MatchString(resp.Header.Get("X-GitHub-Request-Id")) {
		t.Errorf("GitHub's headers are missing: %v", resp.Header)
	}
	if resp, again := get(t, s.Client(), url); resp.StatusCode != 200 || string(again) != string(full) {
		t.Errorf("after the short body: %d, %d bytes", resp.StatusCode, len(again))
	}
}

// TestNotAPage: a 200 with JSON that is no page, with GitHub's headers.
func TestNotAPage(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for _, body := range []string{`{}`, `{"message":"ok"}`, `{"total_count":0}`, `{"id":515436299,"node_id":"R_kgDOHrjvCw","name":"octo-repo"}`} {
		s.Fake.Script(NotAPage(body))
		resp, got := get(t, s.Client(), url)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Type") != "application/json; charset=utf-8" || string(got) != body {
			t.Errorf("NotAPage(%s): %d %q %s", body, resp.StatusCode, h.Get("Content-Type"), got)
		}
		if h.Get("Link") != "" || !etagPattern.MatchString(h.Get("ETag")) || h.Get("X-RateLimit-Remaining") == "" {
			t.Errorf("NotAPage(%s): Link %q ETag %q remaining %q", body, h.Get("Link"), h.Get("ETag"), h.Get("X-RateLimit-Remaining"))
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("NotAPage of invalid JSON did not panic")
		}
	}()
	NotAPage("{")
}
