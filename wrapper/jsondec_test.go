package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/google/go-cmp/cmp"
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
// so do those of polls answered 304, which are copies of the page kept decoded.
func TestAllJobsSharesRepeatedStrings(t *testing.T) {
	body := sampleJobs(3)
	srv := unchangedServer(t, body)
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
		t.Error("two polls served from the page kept decoded do not share its strings")
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

// FuzzDecodeJobsAgrees holds the decoder to encoding/json: on any input, both fail, or both
// decode the same page, and the same job. Where the decoder is not sure, it asks
// encoding/json: the seeds include such inputs (keys in another case or twice, escapes,
// invalid UTF-8, numbers out of range, deep nesting), and GitHub's shapes, which it reads
// alone.
func FuzzDecodeJobsAgrees(f *testing.F) {
	for _, seed := range []string{
		`{"total_count":1,"jobs":[{"id":1,"run_id":2,"run_url":"u","node_id":"n","head_sha":"s","url":"u","html_url":null,"status":"queued","conclusion":null,"created_at":"2026-11-24T12:00:00Z","started_at":"2026-11-24T12:00:00Z","completed_at":null,"name":"build","check_run_url":"u","labels":["a"],"runner_id":null,"runner_name":null,"runner_group_id":null,"runner_group_name":null,"workflow_name":"ci","head_branch":"main","run_attempt":2,"steps":[{"name":"s","status":"completed","conclusion":"success","number":1,"started_at":"2026-11-24T12:00:01.5+01:00","completed_at":null}]}]}`,
		`{"total_count":9007199254740993,"jobs":[{"id":8619614041,"run_id":-1,"steps":null}]}`,
		`{"total_count":2147483648,"jobs":[{"id":-0,"steps":[{"number":2147483648}]}]}`,
		`{"total_count":1,"jobs":[{"id":1,"id":2,"name":"\ud83d\ude00 \u0000","labels":null}],"extra":{"x":[1,2,{}]}}`,
		`{"total_count":1,"jobs":[{"id":1,"name":"\ud83d\ude00 \u00e9\"\\\/\b\f\n\r\t","html_url":"\u003c","labels":["\u0041",""]}]}`,
		`{"total_count":1,"jobs":[{"id":1,"name":"\ud83d x","node_id":"\udc00"}]}`,
		`{"total_count":1,"jobs":[{"id":1e3}]}`,
		`{"total_count":1,"jobs":[{"id":1.0}]}`,
		`{"total_count":1,"jobs":[{"id":9223372036854775807,"run_id":-9223372036854775808,"runner_id":9223372036854775808}]}`,
		`{"total_count":1,"jobs":[{"id":01}]}`,
		`{"total_count":1,"jobs":[{"id":"1"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"created_at":"2026-11-24"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"created_at":"2026-02-29T12:00:00Z","started_at":"2024-02-29T24:00:00Z"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"created_at":"2026-11-24T12:00:00.123456789Z","started_at":"2026-11-24T12:00:60Z","completed_at":"2026-11-24T12:00:00-07:00"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"created_at":"\u0032026-11-24T12:00:00Z"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"created_at":null,"started_at":null,"name":null,"run_id":null,"status":null}]}`,
		`{"total_count":1,"jobs":[{"id":1,"status":7}]}`,
		`{"total_count":1,"jobs":[{"id":1,"steps":[{"number":1},null]}]}`,
		`{"total_count":1,"jobs":[null,{"id":1}]}`,
		`{"TOTAL_COUNT":1,"Jobs":[{"ID":3}]}`,
		`{"total_count":1,"jobs":[{"id":1,"ſtatus":"queued","\u0069d":2}]}`,
		`{"total_count":1,"jobs":[{"id":1,"name":"\xff"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"other":{"a":[true,false,null,-1.5e+3,"x"]}}]}`,
		`{"total_count":1,"jobs":[` + strings.Repeat("[", 200) + `]}`,
		`{"total_count":1,"jobs":[{"id":1,"x":` + strings.Repeat("[", 150) + strings.Repeat("]", 150) + `}]}`,
		`{"total_count":1,"jobs":[]} trailing`,
		`{"total_count":1,"jobs":[],}`,
		`{"total_count":1 "jobs":[]}`,
		"{\"total_count\":1,\"jobs\":[{\"id\":1,\"name\":\"a\tb\"}]}",
		`null`, `[]`, `{}`, ``, ` {"total_count":0,"jobs":[]} `, `{"total_count":0,"jobs":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, set, errGot := decodeJobsPage(bytes.Clone(data))
		var want pageBody
		errWant := json.Unmarshal(data, &want)
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("page: decoder: %v; encoding/json: %v; input %q", errGot, errWant, data)
		}
		if errGot == nil {
			if (set&fieldJobsPageTotalCount != 0) != (want.TotalCount != nil) || want.TotalCount != nil && *want.TotalCount != got.TotalCount {
				t.Fatalf("total_count %d (set: %t); encoding/json: %v; input %q", got.TotalCount, set&fieldJobsPageTotalCount != 0, want.TotalCount, data)
			}
			if d := cmp.Diff(want.Jobs, got.Jobs, sameTime); d != "" {
				t.Fatalf("the decoder and encoding/json decode %q apart (-encoding/json +decoder):\n%s", data, d)
			}
		}
		gotJob, errGot := decodeJob(bytes.Clone(data))
		var wantJob Job
		errWant = json.Unmarshal(data, &wantJob)
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("job: decoder: %v; encoding/json: %v; input %q", errGot, errWant, data)
		}
		if d := cmp.Diff(wantJob, gotJob, sameTime); errGot == nil && d != "" {
			t.Fatalf("the decoder and encoding/json decode the job %q apart (-encoding/json +decoder):\n%s", data, d)
		}
	})
}

// TestGitHubShapesReadAlone: pages as GitHub writes them, served by the fake (jobs in every
// state SampleRun has, in today's shape and the old one), are read by the decoder alone, not
// left to encoding/json, and as encoding/json reads them.
func TestGitHubShapesReadAlone(t *testing.T) {
	for _, run := range []api.Run{api.SampleRun("o", "r", 1, 1, 200), api.SampleRunOldShape("o", "r", 2, 1, 200)} {
		fake, err := api.New(api.WithRun(run))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(fake)
		for page := 1; page <= 2; page++ {
			resp, err := http.Get(fmt.Sprintf("%s/repos/o/r/actions/runs/%d/attempts/1/jobs?per_page=100&page=%d", srv.URL, run.RunID, page))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %v %.200s", resp.Status, err, body)
			}
			var got generated.JobsPage
			if _, ok := readJSON(body, &got, readJobsPage, placeJobsPage); !ok {
				t.Fatalf("run %d page %d is left to encoding/json: %.300s", run.RunID, page, body)
			}
			var want generated.JobsPage
			if err := json.Unmarshal(body, &want); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" || len(got.Jobs) != 100 {
				t.Fatalf("run %d page %d: %d jobs, read apart from encoding/json (-encoding/json +decoder):\n%s", run.RunID, page, len(got.Jobs), d)
			}
		}
		srv.Close()
	}
}

// sameTime compares times whole (instant, location, representation), where cmp would use
// their Equal method, which compares instants only.
var sameTime = cmp.Comparer(func(a, b time.Time) bool { return a == b })

// FuzzUTCTime holds utcTime, the decoder's reader of GitHub's timestamps, to time.Time's
// UnmarshalJSON, which encoding/json calls: where utcTime reads a time, UnmarshalJSON reads
// the same one. It reads both forms GitHub sends.
func FuzzUTCTime(f *testing.F) {
	for _, s := range []string{"2026-11-24T12:00:00Z", "2026-11-02T09:00:35.000Z", "2024-02-29T23:59:59.123456789Z",
		"2026-02-29T12:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T12:00:60Z", "2026-11-24T12:00:00.Z",
		"2026-11-24T12:00:00.1234567891Z", "2026-11-24T12:00:00+01:00", "0000-01-01T00:00:00Z", "2026-1-24T12:00:00Z"} {
		f.Add(s)
	}
	for _, s := range []string{"2026-11-24T12:00:00Z", "2026-11-02T09:00:35.000Z"} {
		if _, ok := utcTime([]byte(s)); !ok {
			f.Fatalf("utcTime does not read %s", s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := utcTime([]byte(s))
		if !ok {
			return
		}
		var want time.Time
		if err := want.UnmarshalJSON([]byte(`"` + s + `"`)); err != nil || want != got {
			t.Fatalf("utcTime(%q) = %v; UnmarshalJSON: %v, %v", s, got, want, err)
		}
	})
}
