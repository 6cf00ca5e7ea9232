package wrapper

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Fuzz targets for what a hostile server or caller controls: Link headers, page bodies and
// the names in an Attempt. Seeds are in testdata/fuzz; CI runs each target for a short while:
//
//	go test -run='^$' -fuzz='^FuzzParseLinks$' -fuzztime=20s ./wrapper

func FuzzParseLinks(f *testing.F) {
	f.Add(`<https://api.github.com/repositories/1/actions/runs/2/attempts/1/jobs?page=2&per_page=100>; rel="next", <https://api.github.com/repositories/1/actions/runs/2/attempts/1/jobs?page=3&per_page=100>; rel="last"`)
	f.Add(`</x?page=1>; rel="prev first"; title="a, b", <y?page=9>;rel=last`)
	f.Add(`<https://evil.example/?page=2>; rel="next"`)
	base, _ := url.Parse("https://api.github.com/repos/o/r/actions/runs/1/attempts/1/jobs?page=1")
	f.Fuzz(func(t *testing.T, header string) {
		l, err := parseLinks([]string{header}, base)
		if err != nil {
			if !errors.Is(err, ErrPagination) {
				t.Fatalf("error %v does not match ErrPagination", err)
			}
			return
		}
		for _, u := range []*url.URL{l.next, l.prev, l.first, l.last} {
			if u == nil {
				continue
			}
			if !u.IsAbs() {
				t.Fatalf("link %s is not absolute", u)
			}
			if pageNumber(u) < 0 {
				t.Fatalf("page number %d of %s", pageNumber(u), u)
			}
		}
	})
}

// FuzzDecodePage serves one fuzzed page, with a fuzzed Link header, for every request. The
// client must end, without panicking, with an error or with every job once and at least
// total_count of them: never a short list.
func FuzzDecodePage(f *testing.F) {
	f.Add(`{"total_count":1,"jobs":[{"id":1,"run_id":2,"run_url":"u","node_id":"n","head_sha":"s","url":"u","html_url":null,"status":"queued","conclusion":null,"created_at":"2026-11-24T12:00:00Z","started_at":"2026-11-24T12:00:00Z","completed_at":null,"name":"build","check_run_url":"u","labels":[],"runner_id":null,"runner_name":null,"runner_group_id":null,"runner_group_name":null,"workflow_name":"ci","head_branch":"main"}]}`, "")
	f.Add(`{"total_count":3,"jobs":[{"id":1},{"id":2}]}`, `<?page=2>; rel="next"`)
	f.Add(`{"total_count":-1,"jobs":[]}`, "")
	f.Add(`{"total_count":1,"jobs":[{"id":1,"status":"brand_new_status","steps":[{"number":1,"status":"x"}]}]}`, "")
	f.Add(`{"total_count":1,"jobs":[`, "")
	f.Add(`<html>proxy error</html>`, "")
	f.Fuzz(func(t *testing.T, body, link string) {
		c, err := New(
			WithBaseURL("https://api.github.com"),
			WithRetryPolicy(RetryPolicy{}),
			WithHTTPClient(&http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
				h := http.Header{"Content-Type": {"application/json"}, "X-Github-Request-Id": {"FUZZ:1"}}
				if link != "" {
					h.Set("Link", link)
				}
				return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
			})}),
		)
		if err != nil {
			t.Fatal(err)
		}
		a := Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}
		if p, err := c.ListJobs(context.Background(), a, nil); err == nil && (p.TotalCount < 0 || p.NextPage < 0) {
			t.Fatalf("page %+v has negative figures", p)
		}
		jobs, err := c.AllJobs(context.Background(), a)
		if err != nil {
			if jobs != nil {
				t.Fatalf("AllJobs returned %d jobs with its error", len(jobs))
			}
			return
		}
		seen := make(map[int64]bool)
		for _, j := range jobs {
			if seen[j.ID] {
				t.Fatalf("job %d twice", j.ID)
			}
			seen[j.ID] = true
		}
	})
}

// FuzzValidate: an Attempt that validate accepts builds a request whose path holds exactly
// its owner and repository, so no name can reach another endpoint.
func FuzzValidate(f *testing.F) {
	f.Add("octo-org", "octo-repo", int64(29679449), int64(1))
	f.Add("handle_shortcode", "repo.with.dots", int64(1)<<40, int64(3))
	f.Add("..", "..", int64(1), int64(1))
	f.Add("o", "r/../../users", int64(1), int64(1))
	f.Add("o%2F", "r?x=1#", int64(-1), int64(0))
	c, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, owner, repo string, runID, number int64) {
		a := Attempt{Owner: owner, Repo: repo, RunID: runID, Number: number}
		req, err := c.firstRequest(context.Background(), a, nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error %v does not match ErrInvalidInput", err)
			}
			return
		}
		parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/"), "/")
		if len(parts) != 9 || parts[0] != "repos" || parts[1] != owner || parts[2] != repo || parts[8] != "jobs" {
			t.Fatalf("accepted %+v, but the request goes to %s", a, req.URL)
		}
		if req.URL.RawQuery != "" || req.URL.Host != "api.github.com" {
			t.Fatalf("accepted %+v, but the request is %s", a, req.URL)
		}
	})
}
