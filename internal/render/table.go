package render

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ghjobs/ghjobs/wrapper"
)

// ANSI colours for the status column.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiGrey   = "\x1b[90m"
)

// colourOf is the colour of a class in the status column.
func colourOf(c class) string {
	switch c {
	case classSuccess:
		return ansiGreen
	case classFailure:
		return ansiRed
	case classCancelled, classSkipped:
		return ansiGrey
	case classRunning, classWaiting:
		return ansiYellow
	}
	return ""
}

// Table prints one row per job: name, status/conclusion, time queued for a runner, time
// running, runner and first failed step; with steps, an indented row per step. Figures still
// growing end with "…". colour adds ANSI colours to the status column. A width above 0 (a
// terminal's) fits the lines into that many columns (see fitTable), names cut so that they
// stay apart (see names.go).
func Table(w io.Writer, at *Timed, steps, colour bool, width int) error {
	return table(w, at, allJobs(at), steps, colour, width)
}

// table is Table for the jobs at the indexes shown, in that order.
func table(w io.Writer, at *Timed, shown []int, steps, colour bool, width int) error {
	rows := [][]string{{"JOB", "STATUS", "QUEUED", "DURATION", "RUNNER", "FAILED STEP"}}
	colours := []string{""}
	jobRow := []bool{false}
	for _, i := range shown {
		t := &at.Jobs[i]
		rows = append(rows, jobCells(t))
		colours = append(colours, colourOf(jobClass(t)))
		jobRow = append(jobRow, true)
		if !steps {
			continue
		}
		for k := range t.Job.Steps {
			s := &t.Job.Steps[k]
			d := "-"
			if start, end, ok := stepSpan(s, at.Now); ok {
				d = Human(end.Sub(start))
				if s.Status == "in_progress" {
					d += "…"
				}
			}
			rows = append(rows, []string{"  " + stepLabel(s), stepOutcome(s), "", d, "", ""})
			colours = append(colours, colourOf(classOf(stepOutcome(s))))
			jobRow = append(jobRow, false)
		}
	}
	if !colour {
		colours = nil
	}
	var limits []int
	if width > 0 {
		names := jobNames(at)
		limits = fitTable(columnWidths(rows), width, apartWidth(names))
		if l := limits[colJob]; l > 0 {
			head := nameHead(names, l)
			for r, row := range rows {
				if jobRow[r] {
					row[colJob] = cutMiddle(Printable(row[colJob]), l, head)
				}
			}
		}
	}
	return writeColumns(w, rows, 1, colours, limits)
}

// jobCells are a job's cells in the table.
func jobCells(t *JobTime) []string {
	j := t.Job
	queued, duration := "-", "-"
	if t.Ran || t.Queued > 0 {
		queued = Human(t.Queued)
	}
	switch {
	case t.Phase == Waiting:
		queued += "…"
	case t.Phase == Running:
		duration = Human(t.Duration) + "…"
	case t.Ran:
		duration = Human(t.Duration)
	}
	runner := "-"
	if j.RunnerName != nil {
		runner = *j.RunnerName
	}
	failed := ""
	if s := t.FailedStep; s != nil {
		failed = stepLabel(s)
	}
	return []string{j.Name, Outcome(j), queued, duration, runner, failed}
}

// The table's columns, and how they give way on a narrow terminal, in giveWay's order. A
// job's name tells the rows apart: it keeps the width at which the names stay apart (see
// apartWidth) while the runner, the failed step and then the times go whole ("GitHub Acti…"
// says nothing, and "2. Run" takes the width a name needs); only then is it cut further.
// The status is never cut.
const (
	colJob = iota
	colStatus
	colQueued
	colDuration
	colRunner
	colFailed
)

// giveWay is each step of fitting the table into a width: a column cut down to min columns
// (apart: to the width at which the names stay apart), or left out (min -1). Each step is
// taken only while the lines are too wide.
var giveWay = []struct {
	col, min int
	apart    bool
}{
	{colFailed, 16, false}, {colRunner, -1, false}, {colJob, 0, true}, {colFailed, -1, false},
	{colQueued, -1, false}, {colDuration, -1, false}, {colJob, 4, false},
}

// fitTable returns each column's limit for lines of at most width columns: 0 for no cut,
// -1 for a column left out. apart is the width the job names need to stay apart.
func fitTable(widths []int, width, apart int) []int {
	limits := make([]int, len(widths))
	cur := slices.Clone(widths)
	total := func() int {
		n, shown := 0, 0
		for c, w := range cur {
			if limits[c] >= 0 {
				n += w
				shown++
			}
		}
		return n + 2*(shown-1)
	}
	for _, s := range giveWay {
		over := total() - width
		floor := s.min
		if s.apart {
			floor = max(apart, 4)
		}
		switch {
		case over <= 0:
			return limits
		case floor < 0:
			limits[s.col] = -1
		case cur[s.col] > floor:
			cur[s.col] = max(floor, cur[s.col]-over)
			limits[s.col] = cur[s.col]
		}
	}
	return limits
}

// columnWidths is the widest cell of each column, in terminal columns, once made printable.
func columnWidths(rows [][]string) []int {
	var widths []int
	for _, row := range rows {
		for c, cell := range row {
			if c >= len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], DisplayWidth(Printable(cell)))
		}
	}
	return widths
}

// stepLabel is "3. Run tests": the step's number and name.
func stepLabel(s *wrapper.JobStep) string {
	return strconv.Itoa(s.Number) + ". " + s.Name
}

// writeColumns aligns rows in columns two spaces apart, measuring cells in terminal columns.
// Cells are made printable first. The column colourCol of row r is coloured colours[r], if
// colours has it. limits, if given, cuts column c to limits[c] columns with "…" (0: no cut),
// or leaves it out (-1).
func writeColumns(w io.Writer, rows [][]string, colourCol int, colours []string, limits []int) error {
	var widths []int
	for _, row := range rows {
		for c := range row {
			row[c] = Printable(row[c])
			if c < len(limits) && limits[c] > 0 {
				row[c] = Truncate(row[c], limits[c])
			}
			if c >= len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], DisplayWidth(row[c]))
		}
	}
	bw := bufio.NewWriter(w)
	var line strings.Builder
	for r, row := range rows {
		line.Reset()
		last := len(row) - 1
		for last > 0 && last < len(limits) && limits[last] < 0 {
			last--
		}
		for c, cell := range row {
			if c < len(limits) && limits[c] < 0 {
				continue
			}
			pad := ""
			if c < last {
				pad = strings.Repeat(" ", widths[c]-DisplayWidth(cell)+2)
			}
			if c == colourCol && r < len(colours) && colours[r] != "" {
				cell = colours[r] + cell + ansiReset
			}
			line.WriteString(cell)
			line.WriteString(pad)
		}
		bw.WriteString(strings.TrimRight(line.String(), " "))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
