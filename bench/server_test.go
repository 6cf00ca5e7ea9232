package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

// get sends a GET for path and query with the headers a client sends, Accept-Encoding:
// gzip included, then hdr on top, through a transport that leaves the body as sent. It
// returns the request, the response and its body, decompressed when it came gzipped.
func get(t *testing.T, s *server, query string, hdr http.Header) (*http.Request, *http.Response, []byte) {
	t.Helper()
	return getURL(t, s, s.URL+s.path+"?"+query, hdr)
}

func getURL(t *testing.T, s *server, url string, hdr http.Header) (*http.Request, *http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "ghjobs-bench-test")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", wrapper.APIVersion)
	req.Header.Set("Accept-Encoding", "gzip")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := rawClient(t, s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return req, resp, body
}

// rawClient is a client of s that neither asks for gzip nor decompresses on its own, as
// net/http's transport does by default, so that a test sees the encoding sent.
func rawClient(t *testing.T, s *server) *http.Client {
	base := s.tls
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	tr := base.Clone()
	tr.DisableCompression = true
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
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

// TestServerAnswersAsTheSpecSays validates every page the benchmarks are served (as
// decompressed), and the server's other answers, against openapi.yaml, in both protocols,
// and checks that the pages hold the run and carry GitHub's headers.
func TestServerAnswersAsTheSpecSays(t *testing.T) {
	v, err := api.NewValidator("")
	if err != nil {
		t.Fatal(err)
	}
	for _, proto := range protos {
		t.Run("proto="+string(proto), func(t *testing.T) { answersAsTheSpecSays(t, v, proto) })
	}
}

func answersAsTheSpecSays(t *testing.T, v *api.Validator, proto proto) {
	run := sampleRun(250) // three pages, the last one short
	s := startServer(t, run, 0, proto)
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
		if want := 1 + strings.Count(string(proto), "2"); resp.ProtoMajor != want {
			t.Errorf("page %d: came over %s, want HTTP/%d", p, resp.Proto, want)
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
		want = strings.ReplaceAll(want, "P=", s.URL+"/repositories/1296269/actions/runs/12345678901/attempts/1/jobs?per_page=100&page=")
		if link := resp.Header.Get("Link"); link != want {
			t.Errorf("page %d: Link\n%s\nwant\n%s", p, link, want)
		}
		for h, want := range map[string]string{
			"Cache-Control": "private, max-age=60, s-maxage=60",
			"Vary":          "Accept, Authorization, Cookie, X-GitHub-OTP",
		} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("page %d: %s %q, want %q", p, h, got, want)
			}
		}
		if p <= 3 {
			if etag := resp.Header.Get("ETag"); !strings.HasPrefix(etag, `"`) {
				t.Errorf("page %d: ETag %q, want a strong one", p, etag)
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
				t.Errorf("page %d: Content-Encoding %q to Accept-Encoding: gzip", p, ce)
			}
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
	big := startServer(t, sampleRun(runJobs), 0, proto)
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
		{"no token", "per_page=100", http.Header{"Authorization": nil}, http.StatusOK}, // a public repository
		{"wrong token", "per_page=100", http.Header{"Authorization": {"Bearer nope"}}, http.StatusUnauthorized},
		{"no User-Agent", "per_page=100", http.Header{"User-Agent": {""}}, http.StatusForbidden},
		{"GitHub's default page size", "page=2", nil, http.StatusUnprocessableEntity},
		{"no gzip", "per_page=100", http.Header{"Accept-Encoding": nil}, http.StatusOK},
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

// The server compresses when, and only when, the request allows gzip; both encodings carry
// the same page, and Content-Length counts the bytes sent.
func TestServerSendsGzipWhenAsked(t *testing.T) {
	s := startServer(t, sampleRun(150), 0, h1)
	want := s.pages[1].Load().body
	for _, tc := range []struct {
		accept []string // nil: no Accept-Encoding
		gzip   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"deflate, gzip, br"}, true},
		{[]string{"br;q=1.0, GZIP;q=0.5"}, true},
		{[]string{"identity", "x-gzip"}, true},
		{[]string{"*"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000, *"}, false},
		{[]string{"*;q=0"}, false},
		{[]string{"identity"}, false},
		{[]string{"br, deflate"}, false},
	} {
		_, resp, body := get(t, s, "per_page=100&page=2", http.Header{"Accept-Encoding": tc.accept})
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tc.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tc.accept, got, tc.gzip)
		}
		sent := len(want)
		if tc.gzip {
			sent = len(s.pages[1].Load().gzip)
		}
		if resp.ContentLength != int64(sent) {
			t.Errorf("Accept-Encoding %q: Content-Length %d, want %d", tc.accept, resp.ContentLength, sent)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("Accept-Encoding %q: the body is not the page", tc.accept)
		}
		if vary := resp.Header.Values("Vary"); !slices.Contains(vary, "Accept-Encoding, Accept, X-Requested-With") {
			t.Errorf("Accept-Encoding %q: Vary %q names no Accept-Encoding", tc.accept, vary)
		}
	}
	if got, want := len(s.pages[1].Load().gzip), len(want)/5; got > want {
		t.Errorf("the page compressed to %d bytes; a page of jobs compresses to under %d", got, want)
	}
}

// The Link URLs name the repository by id, as GitHub's do, and the server answers them with
// the same page.
func TestServerServesTheLinkURLs(t *testing.T) {
	for _, proto := range protos {
		s := startServer(t, sampleRun(250), 0, proto)
		_, resp, first := get(t, s, "per_page=100", nil)
		links := map[string]string{}
		for l := range strings.SplitSeq(resp.Header.Get("Link"), ", ") {
			u, rel, _ := strings.Cut(l, ">; rel=")
			links[strings.Trim(rel, `"`)] = strings.TrimPrefix(u, "<")
		}
		for rel, page := range map[string]int{"next": 2, "last": 3} {
			if !strings.HasPrefix(links[rel], s.URL+"/repositories/") {
				t.Fatalf("proto=%s: rel=%s is %q, want a /repositories/ URL", proto, rel, links[rel])
			}
			_, resp, body := getURL(t, s, links[rel], nil)
			if want := s.pages[page-1].Load().body; resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
				t.Errorf("proto=%s: rel=%s: %s, and the body is not page %d", proto, rel, resp.Status, page)
			}
		}
		if !bytes.Equal(first, s.pages[0].Load().body) {
			t.Errorf("proto=%s: page 1 is not page 1", proto)
		}
	}
}

func TestServerAnswersIfNoneMatchWith304(t *testing.T) {
	s := startServer(t, sampleRun(150), 0, h1)
	_, resp, _ := get(t, s, "per_page=100&page=2", nil)
	etag := resp.Header.Get("ETag")
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
		{[]string{"W/" + etag}, http.StatusNotModified}, // If-None-Match compares weakly
		{[]string{`"other", ` + etag}, http.StatusNotModified},
		{[]string{`"other"`, etag}, http.StatusNotModified},
		{[]string{"*"}, http.StatusNotModified},
		{[]string{other.Header.Get("ETag")}, http.StatusOK},
	} {
		_, resp, body := get(t, s, "per_page=100&page=2", http.Header{"If-None-Match": tc.inm})
		if resp.StatusCode != tc.want {
			t.Errorf("If-None-Match %q: %s, want %d", tc.inm, resp.Status, tc.want)
		}
		if resp.StatusCode == http.StatusNotModified && (len(body) != 0 || resp.Header.Get("ETag") != etag ||
			resp.Header.Get("X-RateLimit-Remaining") == "" || resp.Header.Get("Cache-Control") != "private, max-age=60, s-maxage=60") {
			t.Errorf("If-None-Match %q: 304 with a %d-byte body, ETag %q, x-ratelimit-remaining %q, Cache-Control %q",
				tc.inm, len(body), resp.Header.Get("ETag"), resp.Header.Get("X-RateLimit-Remaining"), resp.Header.Get("Cache-Control"))
		}
	}
	if got, want := s.stats(), (stats{requests: 6, counted: 1, gzipped: 1, conns: 6, maxInFlight: 1}); got != want {
		t.Errorf("stats %+v, want %+v: an authorized 304 must not count against the primary rate limit", got, want)
	}

	// Without credentials, the answer is public, and a 304 counts.
	s.resetStats()
	_, resp, _ = get(t, s, "per_page=100&page=2", http.Header{"If-None-Match": {etag}, "Authorization": nil})
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("Cache-Control") != "public, max-age=60, s-maxage=60" ||
		resp.Header.Get("X-RateLimit-Limit") != "60" {
		t.Errorf("anonymous If-None-Match: %s, Cache-Control %q, x-ratelimit-limit %q", resp.Status, resp.Header.Get("Cache-Control"), resp.Header.Get("X-RateLimit-Limit"))
	}
	if got := s.stats().counted; got != 1 {
		t.Errorf("an anonymous 304 counted %d times against the primary rate limit, want 1", got)
	}
}

// change moves one job on, renders its page again with a new ETag, and leaves every other
// page as it was; successive changes fall on different pages.
func TestServerChangesOneJobAtATime(t *testing.T) {
	s := startServer(t, sampleRun(250), 0, h1)
	_, resp, _ := get(t, s, "per_page=100", nil)
	etag := resp.Header.Get("ETag")
	before := s.statuses()
	etags := []string{s.pages[0].Load().etag, s.pages[1].Load().etag, s.pages[2].Load().etag}

	i, status := s.change()
	if i != 0 || status == before[0] || s.statuses()[0] != status {
		t.Fatalf("change() = %d, %q; job 0 was %q and is %q", i, status, before[0], s.statuses()[0])
	}
	if diff := cmp.Diff(before[1:], s.statuses()[1:]); diff != "" {
		t.Errorf("other jobs changed (-before +after):\n%s", diff)
	}
	_, resp, body := get(t, s, "per_page=100", http.Header{"If-None-Match": {etag}})
	var page generated.JobsPage
	if err := json.Unmarshal(body, &page); resp.StatusCode != http.StatusOK || err != nil || string(page.Jobs[0].Status) != status {
		t.Fatalf("page 1 after the change, asked with its old ETag: %s, %v, job 0 is %q; want 200 and %q", resp.Status, err, page.Jobs[0].Status, status)
	}
	if s.pages[0].Load().etag == etags[0] || s.pages[1].Load().etag != etags[1] || s.pages[2].Load().etag != etags[2] {
		t.Errorf("ETags %q then %q, %q, %q: want page 1's new, the others'", etags, s.pages[0].Load().etag, s.pages[1].Load().etag, s.pages[2].Load().etag)
	}
	pages := []int{1}
	for range 3 {
		j, _ := s.change()
		pages = append(pages, j/perPage+1)
	}
	if want := []int{1, 2, 3, 1}; !slices.Equal(pages, want) {
		t.Errorf("four changes fell on pages %v, want %v", pages, want)
	}
}

// A long benchmark must never see remaining 0: go-github would stop sending requests.
func TestServerRateLimitWindowNeverRunsDry(t *testing.T) {
	s := startServer(t, sampleRun(10), 0, h1)
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
	s := startServer(t, sampleRun(10), time.Hour, h1)
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
