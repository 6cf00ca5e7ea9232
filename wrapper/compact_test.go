package wrapper

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/ghjobs/ghjobs/generated"
)

// sampleJobs are n jobs of one attempt as GitHub sends them: the same head_sha, run_url,
// workflow, branch, runner group, labels and step names in each.
func sampleJobs(n int) string {
	var jobs []string
	for i := 1; i <= n; i++ {
		jobs = append(jobs, fmt.Sprintf(`{"id":%d,"run_id":1,"run_url":"https://api.github.com/repos/o/r/actions/runs/1",`+
			`"head_sha":"0123456789abcdef0123456789abcdef01234567","head_branch":"main","workflow_name":"CI",`+
			`"status":"completed","conclusion":"success","name":"test %d","labels":["ubuntu-latest","x64"],`+
			`"runner_group_name":"GitHub Actions","runner_name":"GitHub Actions %d","created_at":"2026-11-24T12:00:00Z","started_at":"2026-11-24T12:00:00Z",`+
			`"steps":[{"name":"Set up job","status":"completed","conclusion":"success","number":1},{"name":"Run tests","status":"completed","conclusion":"success","number":2}]}`, i, i, i))
	}
	return fmt.Sprintf(`{"total_count":%d,"jobs":[%s]}`, n, strings.Join(jobs, ","))
}

func same(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// TestAllJobsSharesRepeatedStrings: the jobs AllJobs returns share the strings an attempt
// repeats, and each job's steps and labels are its own to change, with every value as sent;
// so do those of polls answered 304, which are copies of a page kept compact, not compacted
// again.
func TestAllJobsSharesRepeatedStrings(t *testing.T) {
	body := sampleJobs(3)
	const etag = `"1"`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	var want generated.JobsPage
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	// A 200; a 304 decoded from the body kept; two 304s served from the page kept decoded.
	var polls [][]Job
	for i := range 4 {
		jobs, err := c.AllJobs(context.Background(), testAttempt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(jobs, want.Jobs) {
			t.Fatalf("listing %d changed the jobs:\n got %+v\nwant %+v", i+1, jobs, want.Jobs)
		}
		sharesRepeated(t, jobs)
		polls = append(polls, jobs)
	}
	if a, b := polls[2][0], polls[3][0]; !same(a.Name, b.Name) || !same(a.Steps[1].Name, b.Steps[1].Name) {
		t.Error("two polls served from the page kept decoded do not share its strings: AllJobs compacted them again")
	}
	polls[2][0].Steps[0].Name = "changed"
	if polls[3][0].Steps[0].Name != "Set up job" {
		t.Error("changing one poll's job changed the next poll's")
	}
}

// sharesRepeated checks that jobs share the strings an attempt repeats, and that each job's
// pointers, steps and labels are its own.
func sharesRepeated(t *testing.T, jobs []Job) {
	t.Helper()
	a, b := jobs[0], jobs[2]
	for name, pair := range map[string][2]string{
		"head_sha": {a.HeadSHA, b.HeadSHA}, "run_url": {a.RunURL, b.RunURL}, "status": {string(a.Status), string(b.Status)},
		"conclusion": {string(*a.Conclusion), string(*b.Conclusion)}, "head_branch": {*a.HeadBranch, *b.HeadBranch},
		"workflow_name": {*a.WorkflowName, *b.WorkflowName}, "runner_group_name": {*a.RunnerGroupName, *b.RunnerGroupName},
		"label": {a.Labels[1], b.Labels[1]}, "step name": {a.Steps[1].Name, b.Steps[1].Name},
		"step status": {string(a.Steps[0].Status), string(b.Steps[1].Status)}, "step conclusion": {*a.Steps[0].Conclusion, *b.Steps[0].Conclusion},
	} {
		if !same(pair[0], pair[1]) {
			t.Errorf("%s is not shared", name)
		}
	}
	if a.HeadBranch == b.HeadBranch || &a.Steps[0] == &b.Steps[0] {
		t.Error("two jobs share a pointer or a slice element: changing one would change the other")
	}
	jobs[0].Steps = append(jobs[0].Steps, JobStep{Name: "added"})
	jobs[0].Labels = append(jobs[0].Labels, "added")
	if jobs[1].Steps[0].Name != "Set up job" || jobs[1].Labels[0] != "ubuntu-latest" {
		t.Error("appending to one job's steps or labels changed the next job's")
	}
	jobs[0].Steps, jobs[0].Labels = jobs[0].Steps[:len(jobs[0].Steps)-1], jobs[0].Labels[:len(jobs[0].Labels)-1]
}

// BenchmarkCompact is what compact costs per job, and what it saves: 100 jobs of a page.
func BenchmarkCompact(b *testing.B) {
	body := []byte(sampleJobs(100))
	pages := make([][]Job, 0, 1000)
	for b.Loop() {
		b.StopTimer()
		if len(pages) == 0 {
			for range 1000 {
				var p generated.JobsPage
				json.Unmarshal(body, &p)
				pages = append(pages, p.Jobs)
			}
		}
		jobs := pages[len(pages)-1]
		pages = pages[:len(pages)-1]
		b.StartTimer()
		compact(jobs, make(interner))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/job")
}
