package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/generated"
)

// TestRunJobs: a run's jobs are its latest attempt's, or with filter=all every attempt's,
// paginated as the attempt's are, with a Link by repository id; a run the fake does not
// serve is 404. Every answer is checked against openapi.yaml (NewTestServer).
func TestRunJobs(t *testing.T) {
	first, second := SampleRun("octo-org", "octo-repo", 7, 1, 3), SampleRun("octo-org", "octo-repo", 7, 2, 150)
	s := NewTestServer(t, WithRun(first), WithRun(second))
	base := s.URL + "/repos/octo-org/octo-repo/actions/runs/7/jobs"
	for _, tt := range []struct {
		query        string
		total, first int64 // total_count, and the attempt of the page's first job
		next         bool
	}{
		{"?per_page=1", 150, 2, true},
		{"?filter=latest&per_page=100", 150, 2, true},
		{"?filter=all&per_page=100", 153, 1, true},
		{"?filter=all&per_page=100&page=2", 153, 2, false},
	} {
		resp, body := get(t, s.Client(), base+tt.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.query, resp.StatusCode, body)
		}
		p := decodePage(t, body)
		if int64(p.TotalCount) != tt.total || len(p.Jobs) == 0 || *p.Jobs[0].RunAttempt != tt.first {
			t.Errorf("%s: total_count %d, first job of attempt %v; want %d and %d", tt.query, p.TotalCount, p.Jobs[0].RunAttempt, tt.total, tt.first)
		}
		if link := resp.Header.Get("Link"); strings.Contains(link, `rel="next"`) != tt.next || resp.Header.Get("ETag") == "" {
			t.Errorf("%s: Link %q, ETag %q", tt.query, link, resp.Header.Get("ETag"))
		}
	}
	if resp, _ := get(t, s.Client(), s.URL+"/repos/octo-org/octo-repo/actions/runs/8/jobs"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a run the fake does not serve: %d, want 404", resp.StatusCode)
	}
}

// TestJob: one job by id, of any attempt, as GitHub writes it, with a strong ETag that a
// conditional request matches; an unknown id, or another repository's, is 404.
func TestJob(t *testing.T) {
	first, second := SampleRun("octo-org", "octo-repo", 7, 1, 3), SampleRun("octo-org", "octo-repo", 7, 2, 3)
	s := NewTestServer(t, WithRun(first), WithRun(second), WithToken("t"))
	want := first.Jobs[1]
	url := s.URL + "/repos/octo-org/octo-repo/actions/jobs/" + itoa(want.ID)
	resp, body := get(t, s.Client(), url, "Authorization", "Bearer t")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var got generated.Job
	if err := json.Unmarshal(body, &got); err != nil || got.ID != want.ID || *got.RunAttempt != 1 || got.RunID != 7 {
		t.Errorf("job %+v, %v; want id %d of attempt 1", got, err, want.ID)
	}
	wantJSON, _ := json.Marshal(ToGitHub(&want))
	if string(body) != string(wantJSON) {
		t.Errorf("body %s, want GitHub's shape %s", body, wantJSON)
	}
	if resp, _ := get(t, s.Client(), url, "Authorization", "Bearer t", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("a conditional request for the same job: %d, want 304", resp.StatusCode)
	}
	for _, path := range []string{"/repos/octo-org/octo-repo/actions/jobs/1", "/repos/octo-org/other/actions/jobs/" + itoa(want.ID)} {
		if resp, _ := get(t, s.Client(), s.URL+path, "Authorization", "Bearer t"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}
