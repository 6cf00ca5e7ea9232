package main

import (
	"bufio"
	"io"
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

// writeTable prints one row per job: name, status/conclusion, time queued for a runner,
// time running, runner and first failed step; with steps, an indented row per step.
// Figures still growing end with "…". colour adds ANSI colours to the status column.
func writeTable(w io.Writer, at *attemptTiming, steps, colour bool) error {
	rows := [][]string{{"JOB", "STATUS", "QUEUED", "DURATION", "RUNNER", "FAILED STEP"}}
	colours := []string{""}
	for i := range at.Jobs {
		t := &at.Jobs[i]
		j := t.Job
		queued, duration := "-", "-"
		if t.Ran || t.Queued > 0 {
			queued = human(t.Queued)
		}
		switch {
		case t.Phase == waiting:
			queued += "…"
		case t.Phase == running:
			duration = human(t.Duration) + "…"
		case t.Ran:
			duration = human(t.Duration)
		}
		runner := "-"
		if j.RunnerName != nil {
			runner = *j.RunnerName
		}
		failed := ""
		if s := t.FailedStep; s != nil {
			failed = stepLabel(s)
		}
		rows = append(rows, []string{j.Name, outcome(j), queued, duration, runner, failed})
		colours = append(colours, colourOf(jobClass(t)))
		if !steps {
			continue
		}
		for k := range j.Steps {
			s := &j.Steps[k]
			d := "-"
			if start, end, ok := stepSpan(s, at.Now); ok {
				d = human(end.Sub(start))
				if s.Status == "in_progress" {
					d += "…"
				}
			}
			rows = append(rows, []string{"  " + stepLabel(s), stepOutcome(s), "", d, "", ""})
			colours = append(colours, colourOf(classOf(stepOutcome(s))))
		}
	}
	if !colour {
		colours = nil
	}
	return writeColumns(w, rows, 1, colours)
}

// stepLabel is "3. Run tests": the step's number and name.
func stepLabel(s *wrapper.JobStep) string {
	return strconv.Itoa(s.Number) + ". " + s.Name
}

// writeColumns aligns rows in columns two spaces apart, measuring cells in terminal columns.
// Cells are made printable first. The column colourCol of row r is coloured colours[r], if
// colours has it.
func writeColumns(w io.Writer, rows [][]string, colourCol int, colours []string) error {
	var widths []int
	for _, row := range rows {
		for c := range row {
			row[c] = printable(row[c])
			if c >= len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], displayWidth(row[c]))
		}
	}
	bw := bufio.NewWriter(w)
	var line strings.Builder
	for r, row := range rows {
		line.Reset()
		for c, cell := range row {
			pad := ""
			if c < len(row)-1 {
				pad = strings.Repeat(" ", widths[c]-displayWidth(cell)+2)
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
