package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestOldShape: a run in the old shape is served without created_at, run_attempt,
// workflow_name and head_branch, its other fields in GitHub's order, without a violation;
// the jobs decode to what SampleRunOldShape holds.
func TestOldShape(t *testing.T) {
	run := SampleRunOldShape(testOwner, testRepo, testRunID, 1, 40)
	if !run.OldShape {
		t.Fatal("SampleRunOldShape's run is not in the old shape")
	}
	s := NewTestServer(t, WithRun(run))
	resp, body := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1)+"?per_page=100")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	var raw struct{ Jobs []map[string]json.RawMessage }
	if err := json.Unmarshal(body, &raw); err != nil || len(raw.Jobs) != 40 {
		t.Fatalf("%d jobs, %v", len(raw.Jobs), err)
	}
	want := slices.DeleteFunc(jsonNames(GitHubJob{}), func(n string) bool { return slices.Contains(oldFields, n) })
	for i, j := range raw.Jobs {
		for _, f := range oldFields {
			if v, ok := j[f]; ok {
				t.Errorf("job %d: %s = %s in the old shape", i, f, v)
			}
		}
		if len(j) != len(want) {
			t.Errorf("job %d: %d fields, want %d", i, len(j), len(want))
		}
	}
	// GitHub's order, less the four.
	var order []string
	rest := string(body)
	for _, name := range want {
		if i := strings.Index(rest, `"`+name+`":`); i >= 0 {
			order = append(order, name)
			rest = rest[i:]
		}
	}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("fields out of GitHub's order (-want +got):\n%s", diff)
	}
	p := decodePage(t, body)
	if diff := cmp.Diff(run.Jobs, p.Jobs, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	if j := p.Jobs[0]; !j.CreatedAt.IsZero() || j.RunAttempt != nil || j.WorkflowName != nil || j.HeadBranch != nil {
		t.Errorf("decoded: created_at %v run_attempt %v workflow_name %v head_branch %v", j.CreatedAt, j.RunAttempt, j.WorkflowName, j.HeadBranch)
	}
	// The same run in the current shape again: the fields are back.
	s.Fake.AddRun(SampleRun(testOwner, testRepo, testRunID, 1, 40))
	if _, body := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1)); !strings.Contains(string(body), `"workflow_name":"CI","head_branch":"main"`) {
		t.Errorf("current shape: %.400s", body)
	}
}

// TestOldShapeIsStillValidated: only the four fields are let off; anything else that breaks
// openapi.yaml is still refused with 500.
func TestOldShapeIsStillValidated(t *testing.T) {
	run := SampleRunOldShape(testOwner, testRepo, testRunID, 1, 3)
	run.Jobs[1].Status = "bogus"
	s := mustServer(t, WithRun(run))
	if resp, _ := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1)); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d for a job with status bogus, want 500", resp.StatusCode)
	}
	if v := s.Fake.Violations(); len(v) != 1 || !strings.Contains(v[0].Error(), "status") {
		t.Errorf("violations %v, want one about the status", v)
	}
}

// TestZeroCreatedAtInTheCurrentShape: a job without a creation time is left without
// created_at, which the current shape requires: the fake refuses to send it.
func TestZeroCreatedAtInTheCurrentShape(t *testing.T) {
	run := SampleRun(testOwner, testRepo, testRunID, 1, 3)
	run.Jobs[0].CreatedAt = time.Time{}
	s := mustServer(t, WithRun(run))
	if resp, _ := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1)); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	if v := s.Fake.Violations(); len(v) != 1 || !strings.Contains(v[0].Error(), "created_at") {
		t.Errorf("violations %v, want one about created_at", v)
	}
	b, err := json.Marshal(ToGitHub(&run.Jobs[0]))
	if err != nil || strings.Contains(string(b), "created_at") || strings.Contains(string(b), "0001-01-01") {
		t.Errorf("ToGitHub of a zero CreatedAt: %s, %v; want no created_at", b, err)
	}
}
