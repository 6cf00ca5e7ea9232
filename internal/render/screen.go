package render

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ghjobs/ghjobs/wrapper"
)

// ScreenOptions shape the screen --watch redraws on a terminal.
type ScreenOptions struct {
	Status        string // the first line: what the watch is at
	Width, Height int    // the terminal's; 0 for no bound
	Steps, Colour bool   // as for Table
	Summary       bool   // the summary's figures instead of the table
}

// Screen returns the lines of one screen of the watch: the status line, then the table's
// header and as many jobs as fit in o.Height lines, or the summary. Jobs that do not fit
// are chosen for the person watching: running jobs first, then the failed (and cancelled),
// then those waiting for a runner, then the most recently finished; they are shown in the
// attempt's order, and a last line counts those left out. No line is wider than o.Width.
func Screen(at *Timed, o ScreenOptions) ([]string, error) {
	lines := []string{fitLine(o.Status, o.Width)}
	var b bytes.Buffer
	if o.Summary {
		if err := Summary(&b, at, o.Width); err != nil {
			return nil, err
		}
		for l := range strings.Lines(b.String()) {
			lines = append(lines, fitLine(strings.TrimSuffix(l, "\n"), o.Width))
		}
		if o.Height > 0 && len(lines) > o.Height {
			lines = append(lines[:o.Height-1], "…")
		}
		return lines, nil
	}
	shown, hidden := allJobs(at), []int(nil)
	if o.Height > 0 {
		shown, hidden = chooseRows(at, o.Height-2, o.Steps)
	}
	if err := table(&b, at, shown, o.Steps, o.Colour, o.Width); err != nil {
		return nil, err
	}
	for l := range strings.Lines(b.String()) {
		lines = append(lines, strings.TrimSuffix(l, "\n"))
	}
	if len(hidden) > 0 {
		jobs := make([]*wrapper.Job, len(hidden))
		for i, k := range hidden {
			jobs[i] = at.Jobs[k].Job
		}
		lines = append(lines, fitLine(fmt.Sprintf("… and %d more: %s", len(hidden), tallyText(countOutcomes(jobs))), o.Width))
	}
	if o.Height > 0 && len(lines) > o.Height { // a terminal of a few lines
		lines = lines[:o.Height]
	}
	return lines, nil
}

// chooseRows picks the jobs for rows table rows (a job with steps takes one more a step),
// leaving one for the count of the others when not all fit; it returns the jobs shown, in the
// attempt's order, and those left out.
func chooseRows(at *Timed, rows int, steps bool) (shown, hidden []int) {
	cost := func(i int) int {
		if steps {
			return 1 + len(at.Jobs[i].Job.Steps)
		}
		return 1
	}
	total := 0
	for i := range at.Jobs {
		total += cost(i)
	}
	all := allJobs(at)
	if total <= rows {
		return all, nil
	}
	rows-- // the line that counts the others
	order := slices.Clone(all)
	slices.SortStableFunc(order, func(a, b int) int {
		ta, tb := &at.Jobs[a], &at.Jobs[b]
		if c := cmp.Compare(watchRank(ta), watchRank(tb)); c != 0 || watchRank(ta) != rankFinished {
			return c
		}
		return tb.End.Compare(ta.End) // the most recent first
	})
	for _, i := range order {
		if c := cost(i); c <= rows {
			shown = append(shown, i)
			rows -= c
		} else {
			hidden = append(hidden, i)
		}
	}
	slices.Sort(shown)
	slices.Sort(hidden)
	return shown, hidden
}

// A job's rank for the watch screen: what the person watching wants to see first.
const (
	rankRunning = iota
	rankFailed
	rankWaiting
	rankFinished
)

func watchRank(t *JobTime) int {
	switch c := jobClass(t); {
	case c == classRunning:
		return rankRunning
	case c == classWaiting:
		return rankWaiting
	case !c.ok():
		return rankFailed
	}
	return rankFinished
}

// allJobs are the indexes of every job.
func allJobs(at *Timed) []int {
	all := make([]int, len(at.Jobs))
	for i := range all {
		all[i] = i
	}
	return all
}

// fitLine cuts s to width columns (none for 0), made printable.
func fitLine(s string, width int) string {
	s = Printable(s)
	if width > 0 {
		s = Truncate(s, width)
	}
	return s
}
