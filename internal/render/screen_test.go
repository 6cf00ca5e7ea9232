package render

import (
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

// TestScreen: the watch's screen keeps to the terminal's lines and columns, always shows
// the status line and the table's header, picks running and failed jobs before finished
// ones, shows them in the attempt's order, and counts the others.
func TestScreen(t *testing.T) {
	at := fixtureTiming()
	for _, size := range [][2]int{{80, 24}, {40, 24}, {120, 10}, {80, 3}, {30, 2}} {
		cols, rows := size[0], size[1]
		lines, err := Screen(at, ScreenOptions{Status: "status line · " + strings.Repeat("x", 100), Width: cols, Height: rows})
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) > rows {
			t.Errorf("%dx%d: %d lines", cols, rows, len(lines))
		}
		for i, l := range lines {
			if DisplayWidth(l) > cols {
				t.Errorf("%dx%d: line %d is %d wide", cols, rows, i+1, DisplayWidth(l))
			}
		}
		if !strings.HasPrefix(lines[0], "status line") || !strings.HasPrefix(lines[1], "JOB ") {
			t.Errorf("%dx%d: first lines %q", cols, rows, lines[:2])
		}
		if rows >= 4 && !strings.HasPrefix(lines[len(lines)-1], "… and ") {
			t.Errorf("%dx%d: no count of the jobs left out: %q", cols, rows, lines[len(lines)-1])
		}
	}

	// Running first, then failed, then waiting, then the most recently finished.
	run := api.SampleRun("o", "r", 1, 1, 40)
	at = Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, run.Jobs, fixedNow)
	shown, hidden := chooseRows(at, 8, false)
	if len(shown) != 7 || len(shown)+len(hidden) != 40 {
		t.Fatalf("shown %v, hidden %d", shown, len(hidden))
	}
	rank := func(i int) int { return watchRank(&at.Jobs[i]) }
	for _, h := range hidden {
		for _, s := range shown {
			if rank(s) > rank(h) {
				t.Errorf("job %d (rank %d) shown, job %d (rank %d) left out", s, rank(s), h, rank(h))
			}
		}
	}
	for i := 1; i < len(shown); i++ {
		if shown[i] < shown[i-1] {
			t.Errorf("shown out of the attempt's order: %v", shown)
		}
	}
	// Everything fits: no count line.
	lines, _ := Screen(at, ScreenOptions{Status: "s", Width: 200, Height: 50})
	if len(lines) != 42 || strings.HasPrefix(lines[len(lines)-1], "… and ") {
		t.Errorf("40 jobs on 50 lines: %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
