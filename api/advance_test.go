package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// TestTimeline: jobs appear when created and move queued → in_progress → completed, and
// every state is served without a contract violation.
func TestTimeline(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tl := Timeline{Owner: "o", Repo: "r", RunID: 5, Number: 1, Start: start, Jobs: []JobLife{
		{Name: "build", Created: 0, Started: 10 * time.Second, Completed: time.Minute, Conclusion: generated.JobConclusionSuccess},
		{Name: "test", Created: 30 * time.Second, Started: 40 * time.Second, Completed: 2 * time.Minute, Conclusion: generated.JobConclusionFailure},
		{Name: "deploy", Created: 0, Started: 0, Completed: 3 * time.Minute, Conclusion: generated.JobConclusionSkipped},
	}}
	type state struct {
		status     generated.JobStatus
		conclusion string
	}
	for _, tt := range []struct {
		at   time.Duration
		want []state
	}{
		{5 * time.Second, []state{{"queued", ""}, {"queued", ""}}},
		{20 * time.Second, []state{{"in_progress", ""}, {"queued", ""}}},
		{35 * time.Second, []state{{"in_progress", ""}, {"queued", ""}, {"queued", ""}}},
		{90 * time.Second, []state{{"completed", "success"}, {"in_progress", ""}, {"queued", ""}}},
		{4 * time.Minute, []state{{"completed", "success"}, {"completed", "failure"}, {"completed", "skipped"}}},
	} {
		run := tl.At(start.Add(tt.at))
		var got []state
		for _, j := range run.Jobs {
			s := state{status: j.Status}
			if j.Conclusion != nil {
				s.conclusion = string(*j.Conclusion)
			}
			got = append(got, s)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("at %v: %v, want %v", tt.at, got, tt.want)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("at %v: job %d %v, want %v", tt.at, i, got[i], tt.want[i])
			}
		}

		// Served, each state satisfies the contract (NewTestServer fails the test on a violation).
		srv := NewTestServer(t, WithRun(run))
		resp, err := http.Get(srv.URL + "/repos/o/r/actions/runs/5/attempts/1/jobs")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("at %v: status %d", tt.at, resp.StatusCode)
		}
	}
}
