package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

// bigTiming is an attempt of n sample jobs with long names.
func bigTiming(n int) *Timed {
	run := api.SampleRun("o", "r", 1, 1, n)
	for i := range run.Jobs {
		run.Jobs[i].Name += " / " + strings.Repeat("long matrix value ", 4)
	}
	return Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, run.Jobs, fixedNow)
}

// TestMermaidStepSummaryLimit: mermaid output stays under GitHub's 1 MiB for a step summary:
// the steps go first, then jobs are grouped, and a note says what was left out.
func TestMermaidStepSummaryLimit(t *testing.T) {
	for _, tt := range []struct {
		jobs  int
		steps bool
		note  string
	}{
		{2000, true, "the steps are left out"},
		{20000, false, "jobs are shown in groups of "},
	} {
		at := bigTiming(tt.jobs)
		var b bytes.Buffer
		if err := Mermaid(&b, at, tt.steps); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if len(out) > stepSummaryMax-60_000 {
			t.Errorf("%d jobs, steps %v: %d bytes, over the budget under 1 MiB", tt.jobs, tt.steps, len(out))
		}
		if !strings.Contains(out, "> ghjobs: "+tt.note) {
			t.Errorf("%d jobs, steps %v: no note %q", tt.jobs, tt.steps, tt.note)
		}
		checkMermaid(t, out)
	}
	// Small enough: everything, no note.
	var b bytes.Buffer
	Mermaid(&b, bigTiming(300), true)
	if strings.Contains(b.String(), "> ghjobs:") || !strings.Contains(b.String(), ":s250_1,") {
		t.Error("300 jobs with steps: something was left out")
	}
}

// TestMermaidSharedScale: the charts of one attempt span the same time, so bars compare.
func TestMermaidSharedScale(t *testing.T) {
	var b bytes.Buffer
	Mermaid(&b, fixtureTiming(), false)
	starts := regexp.MustCompile(`(?m)^    start :milestone, a\d+_0, (.*), 0s$`).FindAllStringSubmatch(b.String(), -1)
	ends := regexp.MustCompile(`(?m)^    end :milestone, a\d+_1, (.*), 0s$`).FindAllStringSubmatch(b.String(), -1)
	charts := strings.Count(b.String(), "```mermaid")
	if charts < 2 || len(starts) != charts || len(ends) != charts {
		t.Fatalf("%d charts, %d start and %d end milestones", charts, len(starts), len(ends))
	}
	for i := range starts {
		if starts[i][1] != starts[0][1] || ends[i][1] != ends[0][1] {
			t.Errorf("chart %d spans %s–%s, chart 1 %s–%s", i+1, starts[i][1], ends[i][1], starts[0][1], ends[0][1])
		}
	}
}

// TestMermaidNoJobs: an attempt without jobs is still a chart with a task, which mermaid draws.
func TestMermaidNoJobs(t *testing.T) {
	var b bytes.Buffer
	Mermaid(&b, Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, nil, fixedNow), false)
	if _, charts := checkMermaid(t, b.String()); charts != 1 || !strings.Contains(b.String(), "no jobs :milestone, m0, 2026-11-02 09:20:00, 0s") {
		t.Errorf("no jobs:\n%s", b.String())
	}
}

// TestSummaryFailedLimit: the summary names at most maxFailed failed jobs and counts the rest.
func TestSummaryFailedLimit(t *testing.T) {
	run := api.SampleRun("o", "r", 1, 1, 100)
	for i := range run.Jobs {
		run.Jobs[i].Status = wrapper.JobStatusCompleted
		run.Jobs[i].Conclusion = ptr(generated.JobConclusionFailure)
	}
	var b bytes.Buffer
	Summary(&b, Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, run.Jobs, fixedNow))
	_, failed, _ := strings.Cut(b.String(), "failed steps\n")
	if n := strings.Count(failed, "\n"); n != maxFailed+1 || !strings.Contains(failed, "… and 80 more failed jobs") {
		t.Errorf("failed steps: %d lines:\n%s", n, failed)
	}
}
