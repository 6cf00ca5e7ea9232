package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Limits of one gantt chart. GitHub renders a mermaid block of at most 50,000 characters
// (mermaid's maxTextSize) and shows an error instead of a longer one; 40,000 leaves room for
// multi-byte names, which some renderers count in bytes. Every task is a row of its own, so
// 200 tasks are already a chart some 5,000 pixels tall: more would be unreadable, and slow
// to lay out, long before the text limit bites.
const (
	mermaidMaxChars = 40_000
	mermaidMaxTasks = 200
	mermaidMaxName  = 200 // columns of a job or step name; longer ones are cut with "…"
)

const mermaidTime = "2006-01-02 15:04:05" // dateFormat YYYY-MM-DD HH:mm:ss, in UTC

// writeMermaid prints gantt charts of the attempt in ```mermaid blocks, ready to append to
// $GITHUB_STEP_SUMMARY. Each job is a section: a "queued" task while it waited for a runner
// (done once over, active while still waiting), then a task for its run named after its
// conclusion (crit for failures, active while running, a milestone for a job that never ran),
// and with steps a task per step. Job tasks have ids j1, j2, … in the API's order. The jobs
// are split over several charts when one would pass mermaidMaxChars or mermaidMaxTasks.
func writeMermaid(w io.Writer, at *attemptTiming, steps bool) error {
	axis := "%H:%M"
	if at.End.Sub(at.Start) > 24*time.Hour {
		axis = "%m-%d %H:%M"
	}
	var charts []*chart
	var cur *chart
	newChart := func(first int) {
		cur = &chart{first: first, last: first}
		charts = append(charts, cur)
	}
	newChart(1)
	for i := range at.Jobs {
		b := mermaidJob(i, &at.Jobs[i], at.Now, steps)
		if cur.tasks > 0 && !cur.fits(b.chars, b.tasks) {
			newChart(i + 1)
		}
		cur.last = i + 1
		if cur.fits(b.chars, b.tasks) {
			cur.add(b.lines, b.chars, b.tasks)
			continue
		}
		// One job larger than a chart (thousands of steps): split it, repeating its section
		// line, rather than leave anything out.
		for _, l := range b.lines[1:] {
			if !cur.fits(ganttChars(l), 1) {
				newChart(i + 1)
			}
			if cur.tasks == 0 {
				cur.add(b.lines[:1], ganttChars(b.lines[0]), 0)
			}
			cur.add([]string{l}, ganttChars(l), 1)
		}
	}

	bw := bufio.NewWriter(w)
	for n, c := range charts {
		if n > 0 {
			bw.WriteString("\n")
		}
		title := fmt.Sprintf("%s/%s run %d attempt %d", at.Attempt.Owner, at.Attempt.Repo, at.Attempt.RunID, at.Attempt.Number)
		switch {
		case len(at.Jobs) == 0:
			title += ": no jobs"
		case len(charts) > 1:
			title += fmt.Sprintf(": jobs %d–%d of %d", c.first, c.last, len(at.Jobs))
		}
		fmt.Fprintf(bw, "```mermaid\ngantt\n    title %s (UTC)\n    dateFormat YYYY-MM-DD HH:mm:ss\n    axisFormat %s\n", title, axis)
		for _, l := range c.lines {
			bw.WriteString("    ")
			bw.WriteString(l)
			bw.WriteString("\n")
		}
		bw.WriteString("```\n")
	}
	return bw.Flush()
}

type chart struct {
	lines        []string
	chars, tasks int
	first, last  int // 1-based numbers of the jobs it shows
}

func (c *chart) fits(chars, tasks int) bool {
	return c.chars+chars <= mermaidMaxChars && c.tasks+tasks <= mermaidMaxTasks
}

func (c *chart) add(lines []string, chars, tasks int) {
	c.lines = append(c.lines, lines...)
	c.chars += chars
	c.tasks += tasks
}

type ganttBlock struct {
	lines        []string // a section line, then tasks
	chars, tasks int
}

// mermaidJob renders the i-th job as a section with its tasks.
func mermaidJob(i int, t *timing, now time.Time, steps bool) ganttBlock {
	id := "j" + strconv.Itoa(i+1)
	lines := []string{"section " + ganttText(t.Job.Name)}
	task := func(text, tags, id string, start time.Time, d time.Duration) {
		if tags != "" {
			tags += ", "
		}
		lines = append(lines, fmt.Sprintf("%s :%s%s, %s, %ds", text, tags, id, start.UTC().Format(mermaidTime), int64(d.Round(time.Second)/time.Second)))
	}
	switch {
	case t.Phase == waiting:
		task("waiting", "active", id, t.Created, t.Queued)
	default:
		if t.Queued > 0 {
			task("queued", "done", "q"+strconv.Itoa(i+1), t.Created, t.Queued)
		}
		o := outcome(t.Job)
		switch {
		case t.Phase == running:
			task("running", "active", id, t.Started, t.Duration)
		case !t.Ran:
			task(ganttTask(o), "milestone", id, t.End, 0)
		default:
			task(ganttTask(o), ganttTag(jobClass(t)), id, t.Started, t.Duration)
		}
	}
	if steps {
		for k := range t.Job.Steps {
			s := &t.Job.Steps[k]
			start, end, ok := stepSpan(s, now)
			if !ok {
				continue // not started: nothing to place on a time axis
			}
			task(ganttTask(stepLabel(s)), ganttTag(classOf(stepOutcome(s))), fmt.Sprintf("s%d_%d", i+1, k+1), start, end.Sub(start))
		}
	}
	b := ganttBlock{lines: lines, tasks: len(lines) - 1}
	for _, l := range lines {
		b.chars += ganttChars(l)
	}
	return b
}

// ganttChars is what a line adds to a chart: its indent, text and newline.
func ganttChars(line string) int { return len("    ") + len(line) + 1 }

// ganttTag marks failures crit, runs in progress active and ends other than success done.
func ganttTag(c class) string {
	switch c {
	case classSuccess:
		return ""
	case classFailure:
		return "crit"
	case classRunning, classWaiting:
		return "active"
	}
	return "done"
}

// ganttReplacer swaps the characters that end a gantt section or task name (':', and '#'
// and ';' in older mermaid versions) or that mermaid could read as markup for look-alikes.
var ganttReplacer = strings.NewReplacer(
	":", "∶", // U+2236 RATIO
	"#", "＃", // U+FF03 FULLWIDTH NUMBER SIGN
	";", "；", // U+FF1B FULLWIDTH SEMICOLON
	"<", "‹",
	">", "›",
	"%%", "%\u200b%", // would start a comment
)

// ganttText makes a name safe as a gantt section or task text: one line, none of the
// characters that end it, not empty, and at most mermaidMaxName columns.
func ganttText(s string) string {
	s = ganttReplacer.Replace(printable(strings.TrimSpace(s)))
	if s == "" {
		return "(unnamed)"
	}
	return truncate(s, mermaidMaxName)
}

// ganttKeywords start the lines that are not tasks; mermaid matches them case-insensitively.
var ganttKeywords = []string{
	"accdescr", "acctitle", "axisformat", "call", "click", "dateformat", "displaymode", "excludes",
	"gantt", "href", "includes", "inclusiveenddates", "section", "tickinterval", "title",
	"todaymarker", "topaxis", "weekday", "weekend",
}

// ganttTask is ganttText for a task's text, which must also not read as a keyword or a date
// (a conclusion GitHub adds later could be any word).
func ganttTask(s string) string {
	s = ganttText(s)
	lower := strings.ToLower(s)
	for _, k := range ganttKeywords {
		if strings.HasPrefix(lower, k) {
			return "‣ " + s
		}
	}
	if len(s) >= 4 && '0' <= s[0] && s[0] <= '9' && strings.IndexFunc(s[:4], func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return "‣ " + s
	}
	return s
}
