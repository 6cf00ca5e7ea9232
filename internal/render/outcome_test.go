package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

// TestOneOutcome renders a job of every outcome in the table, mermaid, the SVG and the
// summary, and checks that all of them read it the same way.
func TestOneOutcome(t *testing.T) {
	type want struct {
		colour, gantt, svg string
		failed, ok         bool
	}
	cases := map[string]want{
		"success":         {ansiGreen, "", "success", false, true},
		"failure":         {ansiRed, "crit", "failure", true, false},
		"timed_out":       {ansiRed, "crit", "failure", true, false},
		"startup_failure": {ansiRed, "crit", "failure", true, false},
		"cancelled":       {ansiGrey, "done", "cancelled", false, false},
		"skipped":         {ansiGrey, "done", "skipped", false, true},
		"neutral":         {ansiGrey, "done", "skipped", false, true},
		"stale":           {ansiGrey, "done", "skipped", false, true},
		"action_required": {"", "done", "other", false, false},
		"a_new_word":      {"", "done", "other", false, false},
		"in_progress":     {ansiYellow, "active", "running", false, false},
	}
	t0 := fixedNow.Add(-time.Hour)
	for word, w := range cases {
		j := generated.Job{ID: 1, Name: "job-" + word, CreatedAt: t0, StartedAt: t0.Add(time.Minute), RunnerName: ptr("r1"), Status: wrapper.JobStatusCompleted}
		if word == "in_progress" {
			j.Status = wrapper.JobStatusInProgress
		} else {
			end := t0.Add(5 * time.Minute)
			j.CompletedAt = &end
			j.Conclusion = ptr(generated.JobConclusion(word))
		}
		at := Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, []generated.Job{j}, fixedNow)

		var table, mermaid, svg, summary bytes.Buffer
		Table(&table, at, false, true, 0)
		Mermaid(&mermaid, at, false)
		SVG(&svg, at)
		Summary(&summary, at, 0)

		gotColour := ""
		if m := regexp.MustCompile("(\x1b\\[\\d+m)" + word).FindStringSubmatch(table.String()); m != nil {
			gotColour = m[1]
		}
		if gotColour != w.colour {
			t.Errorf("%s: table colour %q, want %q", word, gotColour, w.colour)
		}
		gotGantt := regexp.MustCompile(`:((?:done|active|crit), )?j1,`).FindStringSubmatch(mermaid.String())
		if gotGantt == nil || strings.TrimSuffix(gotGantt[1], ", ") != w.gantt {
			t.Errorf("%s: mermaid tag %q, want %q", word, gotGantt, w.gantt)
		}
		if !strings.Contains(svg.String(), `<rect class="`+w.svg+`" x=`) {
			t.Errorf("%s: no %q bar in the SVG", word, w.svg)
		}
		if got := strings.Contains(summary.String(), "failed steps"); got != w.failed {
			t.Errorf("%s: listed as failed %v, want %v", word, got, w.failed)
		}
		if got := jobClass(&at.Jobs[0]).ok(); got != w.ok {
			t.Errorf("%s: ok %v, want %v", word, got, w.ok)
		}
	}
}
