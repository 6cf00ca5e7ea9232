package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ghjobs/ghjobs/generated"
)

func TestSampleRunDeterministic(t *testing.T) {
	a := SampleRun(testOwner, testRepo, testRunID, 2, 50)
	b := SampleRun(testOwner, testRepo, testRunID, 2, 50)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same arguments, different runs (-a +b):\n%s", diff)
	}
	if c := SampleRun(testOwner, testRepo, testRunID+1, 2, 50); cmp.Equal(jobIDs(a.Jobs), jobIDs(c.Jobs)) {
		t.Error("another run ID gave the same job IDs")
	}
	if c := SampleRun(testOwner, testRepo, testRunID, 3, 50); cmp.Equal(a.Jobs[0].HeadSHA, c.Jobs[0].HeadSHA) && cmp.Equal(jobIDs(a.Jobs), jobIDs(c.Jobs)) {
		t.Error("another attempt gave the same jobs")
	}
	for _, n := range []int{0, -1} {
		if r := SampleRun(testOwner, testRepo, testRunID, 1, n); len(r.Jobs) != 0 || r.Owner != testOwner || r.RunID != testRunID || r.Number != 1 {
			t.Errorf("SampleRun(n=%d) = %+v", n, r)
		}
	}
}

// TestSampleRunIsValid serves sample runs of several sizes through a NewTestServer, so any
// job that breaks openapi.yaml fails the test, and checks every job arrives intact.
func TestSampleRunIsValid(t *testing.T) {
	for _, n := range []int{0, 1, 7, 250, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			run := SampleRun(testOwner, testRepo, testRunID, 1, n)
			s := NewTestServer(t, WithRun(run))
			url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1) + "?per_page=100"
			var got []generated.Job
			for page := 1; ; page++ {
				resp, body := get(t, s.Client(), fmt.Sprintf("%s&page=%d", url, page))
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("page %d: status %d: %.300s", page, resp.StatusCode, body)
				}
				p := decodePage(t, body)
				if p.TotalCount != n {
					t.Fatalf("total_count %d, want %d", p.TotalCount, n)
				}
				got = append(got, p.Jobs...)
				if !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
					break
				}
			}
			// GitHub writes "steps": [] for a job without steps, so nil arrives empty.
			if diff := cmp.Diff(run.Jobs, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("jobs (-want +got):\n%s", diff)
			}
		})
	}
}

var (
	shaPattern  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	namePattern = regexp.MustCompile(`^(build|lint|test \((ubuntu|macos|windows)-latest, 1\.2[56]\)( / shard [0-9]+)?)$`)
)

func TestSampleRunShape(t *testing.T) {
	const n = 250
	run := SampleRun(testOwner, testRepo, testRunID, 1, n)
	if len(run.Jobs) != n {
		t.Fatalf("%d jobs, want %d", len(run.Jobs), n)
	}
	ids, names, nodes := map[int64]bool{}, map[string]bool{}, map[string]bool{}
	conclusions := map[string]int{}
	statuses := map[generated.JobStatus]int{}
	for i, j := range run.Jobs {
		where := fmt.Sprintf("job %d (%s)", i, j.Name)
		if j.ID <= 1<<32 || ids[j.ID] || i > 0 && j.ID <= run.Jobs[i-1].ID {
			t.Errorf("%s: ID %d not above 2^32, not unique or not increasing", where, j.ID)
		}
		if names[j.Name] || !namePattern.MatchString(j.Name) {
			t.Errorf("%s: name not unique or not a matrix name", where)
		}
		if nodes[j.NodeID] || !strings.HasPrefix(j.NodeID, "CR_") {
			t.Errorf("%s: node_id %q", where, j.NodeID)
		}
		ids[j.ID], names[j.Name], nodes[j.NodeID] = true, true, true
		if !shaPattern.MatchString(j.HeadSHA) || j.HeadSHA != run.Jobs[0].HeadSHA {
			t.Errorf("%s: head_sha %q", where, j.HeadSHA)
		}
		wantURL := fmt.Sprintf("https://api.github.com/repos/%s/%s/actions/jobs/%d", testOwner, testRepo, j.ID)
		wantHTML := fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d/job/%d", testOwner, testRepo, testRunID, j.ID)
		if j.URL != wantURL || j.HTMLURL == nil || *j.HTMLURL != wantHTML || j.RunID != testRunID ||
			j.RunURL != fmt.Sprintf("https://api.github.com/repos/%s/%s/actions/runs/%d", testOwner, testRepo, testRunID) ||
			j.CheckRunURL != fmt.Sprintf("https://api.github.com/repos/%s/%s/check-runs/%d", testOwner, testRepo, j.ID) {
			t.Errorf("%s: URLs %q %v %q %q", where, j.URL, j.HTMLURL, j.RunURL, j.CheckRunURL)
		}
		if j.RunAttempt == nil || *j.RunAttempt != 1 || *j.WorkflowName != "CI" || *j.HeadBranch != "main" || len(j.Labels) != 1 {
			t.Errorf("%s: run_attempt, workflow_name, head_branch or labels wrong", where)
		}
		if j.StartedAt.Before(j.CreatedAt) || j.CompletedAt != nil && j.CompletedAt.Before(j.StartedAt) {
			t.Errorf("%s: times out of order", where)
		}
		statuses[j.Status]++
		if j.Conclusion != nil {
			conclusions[string(*j.Conclusion)]++
		}
		checkSampleJob(t, where, j)
	}
	for _, c := range []generated.JobConclusion{"success", "failure", "skipped", "cancelled", "timed_out", "neutral", "action_required"} {
		if conclusions[string(c)] == 0 || !c.Valid() {
			t.Errorf("no %s job in %d", c, n)
		}
	}
	if conclusions["success"] < n/2 {
		t.Errorf("only %d successes in %d jobs", conclusions["success"], n)
	}
	for _, s := range []generated.JobStatus{"completed", "in_progress", "queued", "waiting", "pending", "requested"} {
		if statuses[s] == 0 || !s.Valid() {
			t.Errorf("statuses %v: want %s jobs too", statuses, s)
		}
	}
	// The last twentieth is still running; everything before it is done.
	for _, j := range run.Jobs[:n-n/20] {
		if j.Status != generated.JobStatusCompleted {
			t.Errorf("%s: status %s before the in-flight tail", j.Name, j.Status)
		}
	}
}

// checkSampleJob checks the fields that depend on a job's status and conclusion.
func checkSampleJob(t *testing.T, where string, j generated.Job) {
	t.Helper()
	hasRunner := j.RunnerID != nil && j.RunnerName != nil && *j.RunnerName == fmt.Sprint("GitHub Actions ", *j.RunnerID) &&
		j.RunnerGroupID != nil && *j.RunnerGroupID == 2 && j.RunnerGroupName != nil && *j.RunnerGroupName == "GitHub Actions"
	noRunner := j.RunnerID == nil && j.RunnerName == nil && j.RunnerGroupID == nil && j.RunnerGroupName == nil
	neverRan := j.Conclusion != nil && (*j.Conclusion == generated.JobConclusionSkipped || *j.Conclusion == generated.JobConclusionActionRequired)
	switch {
	case j.Status != generated.JobStatusCompleted && j.Status != generated.JobStatusInProgress: // not started yet
		if j.Conclusion != nil || j.CompletedAt != nil || !noRunner || len(j.Steps) != 0 || !j.StartedAt.Equal(j.CreatedAt) {
			t.Errorf("%s: %s job with conclusion, completed_at, runner, steps or a start", where, j.Status)
		}
		return
	case neverRan:
		if j.CompletedAt == nil || !j.CompletedAt.Equal(j.StartedAt) || !j.StartedAt.Equal(j.CreatedAt) || !noRunner || len(j.Steps) != 0 {
			t.Errorf("%s: %s job that ran", where, *j.Conclusion)
		}
		return
	case j.Status == generated.JobStatusInProgress:
		if j.Conclusion != nil || j.CompletedAt != nil || !hasRunner {
			t.Errorf("%s: in-progress job with conclusion or completed_at, or without runner", where)
		}
	default:
		if j.Conclusion == nil || j.CompletedAt == nil || !hasRunner {
			t.Errorf("%s: completed job without conclusion, completed_at or runner", where)
		}
	}

	if len(j.Steps) < 5 || len(j.Steps) > 12 {
		t.Errorf("%s: %d steps", where, len(j.Steps))
	}
	first, last := j.Steps[0], j.Steps[len(j.Steps)-1]
	if first.Name != "Set up job" || last.Name != "Complete job" || !first.StartedAt.Equal(j.StartedAt) {
		t.Errorf("%s: steps from %q to %q", where, first.Name, last.Name)
	}
	counts := map[string]int{}
	for k, s := range j.Steps {
		if s.Number != k+1 {
			t.Errorf("%s: step %d numbered %d", where, k+1, s.Number)
		}
		switch s.Status {
		case generated.JobStepStatusInProgress:
			counts["in_progress"]++
			if s.StartedAt == nil || s.CompletedAt != nil || s.Conclusion != nil {
				t.Errorf("%s: in-progress step %q", where, s.Name)
			}
		case generated.JobStepStatusQueued:
			counts["queued"]++
			if s.StartedAt != nil || s.CompletedAt != nil || s.Conclusion != nil {
				t.Errorf("%s: queued step %q", where, s.Name)
			}
		default:
			counts[*s.Conclusion]++
			if s.StartedAt == nil || s.CompletedAt == nil || s.CompletedAt.Before(*s.StartedAt) ||
				k > 0 && j.Steps[k-1].CompletedAt != nil && !s.StartedAt.Equal(*j.Steps[k-1].CompletedAt) {
				t.Errorf("%s: step %q times", where, s.Name)
			}
		}
	}
	switch j.Status {
	case generated.JobStatusInProgress:
		if counts["in_progress"] != 1 || counts["queued"] == 0 || last.Status != generated.JobStepStatusQueued {
			t.Errorf("%s: in-progress steps %v", where, counts)
		}
	default:
		if !last.CompletedAt.Equal(*j.CompletedAt) {
			t.Errorf("%s: completed_at %v, last step %v", where, j.CompletedAt, last.CompletedAt)
		}
		switch c := string(*j.Conclusion); c {
		case "success", "neutral":
			if counts["success"] != len(j.Steps) {
				t.Errorf("%s: %s job with steps %v", where, c, counts)
			}
		case "timed_out": // the step running at the timeout is cancelled
			if counts["cancelled"] != 1 || counts["failure"] != 0 || j.CompletedAt.Sub(j.StartedAt) < sampleTimeout {
				t.Errorf("%s: timed-out job with steps %v after %v", where, counts, j.CompletedAt.Sub(j.StartedAt))
			}
		default:
			if counts[c] != 1 || counts["failure"]+counts["cancelled"] != 1 {
				t.Errorf("%s: %s job with steps %v, want exactly one %s step", where, c, counts, c)
			}
		}
	}
}

// TestSampleRunNulls checks what goes on the wire for in-flight jobs: explicit nulls.
func TestSampleRunNulls(t *testing.T) {
	run := SampleRun(testOwner, testRepo, testRunID, 1, 80) // jobs 76, 77 in progress, 78 waiting, 79 queued
	inProgress, waiting, queued := run.Jobs[77], run.Jobs[78], run.Jobs[79]
	if inProgress.Status != generated.JobStatusInProgress || waiting.Status != generated.JobStatusWaiting || queued.Status != generated.JobStatusQueued {
		t.Fatalf("statuses %s, %s, %s", inProgress.Status, waiting.Status, queued.Status)
	}
	noRunner := []string{"conclusion", "completed_at", "runner_id", "runner_name", "runner_group_id", "runner_group_name"}
	for _, tt := range []struct {
		job   generated.Job
		nulls []string
	}{
		{inProgress, []string{"conclusion", "completed_at"}},
		{waiting, noRunner},
		{queued, noRunner},
	} {
		b, err := json.Marshal(tt.job)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range tt.nulls {
			if v, ok := m[k]; !ok || v != nil {
				t.Errorf("%s job: %s = %v, want null", tt.job.Status, k, v)
			}
		}
	}
}
