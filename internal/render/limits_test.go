package render

import (
	"bytes"
	"os"
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
	// The same steps under a budget of 64 kB, on attempts a twentieth the size.
	for _, tt := range []struct {
		jobs  int
		steps bool
		note  string
	}{
		{100, true, "the steps are left out"},
		{1000, false, "jobs are shown in groups of "},
	} {
		at := bigTiming(tt.jobs)
		var b bytes.Buffer
		if err := mermaidWithin(&b, at, tt.steps, 64<<10); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if len(out) > 64<<10+200 {
			t.Errorf("%d jobs, steps %v: %d bytes, over the budget of 64 kB", tt.jobs, tt.steps, len(out))
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

// TestMermaidStepSummaryLimitBig: at the real budget, 2,000 jobs with steps and 20,000
// without stay under GitHub's 1 MiB. A big attempt: with GHJOBS_E2E=1, as CI runs it.
func TestMermaidStepSummaryLimitBig(t *testing.T) {
	if os.Getenv("GHJOBS_E2E") != "1" {
		t.Skip("big attempts (20 s under -race): GHJOBS_E2E=1 runs them (CI does)")
	}
	for _, tt := range []struct {
		jobs  int
		steps bool
		note  string
	}{
		{2000, true, "the steps are left out"},
		{20000, false, "jobs are shown in groups of "},
	} {
		var b bytes.Buffer
		if err := Mermaid(&b, bigTiming(tt.jobs), tt.steps); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if len(out) > stepSummaryMax-60_000 || !strings.Contains(out, "> ghjobs: "+tt.note) {
			t.Errorf("%d jobs, steps %v: %d bytes, note %v", tt.jobs, tt.steps, len(out), strings.Contains(out, tt.note))
		}
		checkMermaid(t, out)
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
	Summary(&b, Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, run.Jobs, fixedNow), 0)
	_, failed, _ := strings.Cut(b.String(), "failed steps\n")
	if n := strings.Count(failed, "\n"); n != maxFailed+1 || !strings.Contains(failed, "… and 80 more failed jobs") {
		t.Errorf("failed steps: %d lines:\n%s", n, failed)
	}
}
