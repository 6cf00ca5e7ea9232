package render

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

// TestTableFits: at any width the table's lines fit, long names end with "…", and status and
// times are whole; without a width (a pipe, --wide) nothing is cut.
func TestTableFits(t *testing.T) {
	at := fixtureTiming()
	var full bytes.Buffer
	Table(&full, at, true, false, 0)
	for _, width := range []int{200, 120, 80, 60, 40} {
		for _, steps := range []bool{false, true} {
			var b bytes.Buffer
			if err := Table(&b, at, steps, true, width); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			for i, l := range lines {
				plain := strings.NewReplacer(ansiRed, "", ansiGreen, "", ansiGrey, "", ansiYellow, "", ansiReset, "").Replace(l)
				if DisplayWidth(plain) > width {
					t.Errorf("width %d, steps %v, line %d: %d columns: %q", width, steps, i+1, DisplayWidth(plain), plain)
				}
			}
			if !strings.Contains(b.String(), "in_progress") || !strings.Contains(b.String(), "failure") {
				t.Errorf("width %d: a status was cut", width)
			}
			if width <= 80 && !strings.Contains(b.String(), "…") {
				t.Errorf("width %d: nothing cut with …", width)
			}
		}
	}
	if strings.Contains(full.String(), "shard 1…") {
		t.Error("without a width, names were cut")
	}
}

// TestFitTableOrder: columns give way in giveWay's order: the failed step is cut, the
// runner goes whole, the job's name is cut to the width that keeps names apart, the failed
// step, the queue time and the duration go, and only then is the name cut further.
func TestFitTableOrder(t *testing.T) {
	widths := []int{38, 11, 6, 8, 22, 40} // job, status, queued, duration, runner, failed step
	for _, tt := range []struct {
		width int
		want  []int
	}{
		{200, []int{0, 0, 0, 0, 0, 0}},
		{110, []int{0, 0, 0, 0, -1, 16}},
		{80, []int{31, 0, 0, 0, -1, 16}},
		{60, []int{30, 0, -1, 0, -1, -1}},
		{40, []int{27, 0, -1, -1, -1, -1}},
	} {
		if got := fitTable(widths, tt.width, 30); !slices.Equal(got, tt.want) {
			t.Errorf("width %d: limits %v, want %v", tt.width, got, tt.want)
		}
	}
}

// TestNamesStayApart: the demo's 250 names, cut to fit 80, 60 and 40 columns, still name 250
// different jobs, in rows no wider than the terminal.
func TestNamesStayApart(t *testing.T) {
	run := api.SampleRun("o", "r", 1, 1, 250)
	at := Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, run.Jobs, fixedNow)
	for _, width := range []int{80, 60, 40} {
		var b bytes.Buffer
		if err := Table(&b, at, false, false, width); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		col := strings.Index(lines[0], "STATUS")
		names := map[string]bool{}
		for _, l := range lines[1:] {
			if DisplayWidth(l) > width {
				t.Errorf("width %d: a row of %d columns: %q", width, DisplayWidth(l), l)
			}
			names[strings.TrimSpace(string([]rune(l)[:col]))] = true
		}
		if len(names) != 250 {
			t.Errorf("width %d: %d distinct names for 250 jobs; the first rows:\n%s", width, len(names), strings.Join(lines[:8], "\n"))
		}
	}
	if got := cutMiddle("test (ubuntu-latest, 1.25) / shard 17", 24, 8); got != "test (ub….25) / shard 17" {
		t.Errorf("cutMiddle = %q", got)
	}
}

// TestCutAgrees: the cut that apartWidth counts is the cut the table shows.
func TestCutAgrees(t *testing.T) {
	at := fixtureTiming()
	names := jobNames(at)
	ms := measure(names)
	for width := 4; width < 45; width += 3 {
		for head := 0; head < width; head += 2 {
			for i := range ms {
				s, e, whole := ms[i].cut(width, head)
				want := cutMiddle(names[i], width, head)
				if got := s + "…" + e; whole && s != want || !whole && got != want {
					t.Fatalf("cut(%q, %d, %d) = %q, %q, %v; cutMiddle %q", names[i], width, head, s, e, whole, want)
				}
			}
		}
	}
}
