package render

import (
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

// A step summary ($GITHUB_STEP_SUMMARY) above 1 MiB is refused by GitHub; mermaid output
// stays under it, with room for what else a step writes there.
const (
	stepSummaryMax = 1 << 20
	mermaidBudget  = stepSummaryMax - 64<<10
)

// writeMermaid prints gantt charts of the attempt in ```mermaid blocks, ready to append to
// $GITHUB_STEP_SUMMARY. Each job is a section: a "queued" task while it waited for a runner
// (done once over, active while still waiting), then a task for its run named after its
// conclusion (crit for failures, active while running, a milestone for a job that never ran),
// and with steps a task per step. Job tasks have ids j1, j2, … in the API's order. The jobs
// are split over several charts when one would pass mermaidMaxChars or mermaidMaxTasks;
// the charts then share one time scale. Above mermaidBudget in all, the steps are left out
// first, then jobs are shown in groups, and a note says so.
func Mermaid(w io.Writer, at *Timed, steps bool) error {
	return mermaidWithin(w, at, steps, mermaidBudget)
}

// mermaidWithin is Mermaid with a budget of its own, for the tests.
func mermaidWithin(w io.Writer, at *Timed, steps bool, budget int) error {
	out := mermaidCharts(at, steps, 1)
	note := ""
	if len(out) > budget && steps {
		out = mermaidCharts(at, false, 1)
		note = "the steps are left out"
	}
	for group := 2; len(out) > budget; group *= 2 {
		out = mermaidCharts(at, false, group)
		note = fmt.Sprintf("jobs are shown in groups of %d, the steps left out", group)
	}
	if note != "" {
		out += fmt.Sprintf("\n> ghjobs: %s, to keep the charts under GitHub's 1 MiB limit for a step summary.\n", note)
	}
	_, err := io.WriteString(w, out)
	return err
}

// mermaidCharts renders the charts, with group jobs to a task when group is above 1.
func mermaidCharts(at *Timed, steps bool, group int) string {
	charts := packCharts(at, steps, group)
	var bw strings.Builder
	for n, c := range charts {
		if n > 0 {
			bw.WriteString("\n")
		}
		writeChart(&bw, at, c, n, len(charts))
	}
	return bw.String()
}

// packCharts places the jobs' sections in charts, each under mermaidMaxChars and
// mermaidMaxTasks; a job larger than a chart is split, its section line repeated.
func packCharts(at *Timed, steps bool, group int) []*chart {
	var charts []*chart
	var cur *chart
	newChart := func(first int) {
		cur = &chart{first: first, last: first}
		charts = append(charts, cur)
	}
	newChart(1)
	for i := 0; i < len(at.Jobs); i += group {
		n := min(group, len(at.Jobs)-i)
		var b ganttBlock
		if group == 1 {
			b = mermaidJob(i, &at.Jobs[i], at.Now, steps)
		} else {
			b = mermaidGroup(i, at.Jobs[i:i+n])
		}
		if cur.tasks > 0 && !cur.fits(b.chars, b.tasks) {
			newChart(i + 1)
		}
		cur.last = i + n
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
	if len(at.Jobs) == 0 {
		// A gantt chart without tasks is not drawn; a milestone says there is nothing.
		cur.add([]string{"section attempt", "no jobs :milestone, m0, " + at.Now.UTC().Format(mermaidTime) + ", 0s"}, 0, 1)
	}
	return charts
}

// writeChart writes chart c, the n-th (from 0) of total, as a ```mermaid block.
func writeChart(bw *strings.Builder, at *Timed, c *chart, n, total int) {
	axis := "%H:%M"
	if at.End.Sub(at.Start) > 24*time.Hour {
		axis = "%m-%d %H:%M"
	}
	a := at.Attempt
	title := fmt.Sprintf("%s/%s run %d attempt %d", a.Owner, a.Repo, a.RunID, a.Number)
	switch {
	case len(at.Jobs) == 0:
		title += ": no jobs"
	case total > 1:
		title += fmt.Sprintf(": jobs %d–%d of %d", c.first, c.last, len(at.Jobs))
	}
	fmt.Fprintf(bw, "```mermaid\ngantt\n    title %s (UTC)\n    dateFormat YYYY-MM-DD HH:mm:ss\n    axisFormat %s\n", title, axis)
	if total > 1 {
		// Milestones at the attempt's start and end give every chart the same time axis.
		fmt.Fprintf(bw, "    section attempt\n    start :milestone, a%d_0, %s, 0s\n    end :milestone, a%d_1, %s, 0s\n",
			n+1, at.Start.UTC().Format(mermaidTime), n+1, at.End.UTC().Format(mermaidTime))
	}
	for _, l := range c.lines {
		bw.WriteString("    ")
		bw.WriteString(l)
		bw.WriteString("\n")
	}
	bw.WriteString("```\n")
}

// scaleChars and scaleTasks are what the shared time scale adds to a chart.
const (
	scaleChars = 160
	scaleTasks = 2
)

type chart struct {
	lines        []string
	chars, tasks int
	first, last  int // 1-based numbers of the jobs it shows
}

func (c *chart) fits(chars, tasks int) bool {
	return c.chars+chars <= mermaidMaxChars-scaleChars && c.tasks+tasks <= mermaidMaxTasks-scaleTasks
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
func mermaidJob(i int, t *JobTime, now time.Time, steps bool) ganttBlock {
	id := "j" + strconv.Itoa(i+1)
	lines := []string{"section " + ganttText(t.Job.Name)}
	task := func(text, tags, id string, start time.Time, d time.Duration) {
		if tags != "" {
			tags += ", "
		}
		lines = append(lines, fmt.Sprintf("%s :%s%s, %s, %ds", text, tags, id, start.UTC().Format(mermaidTime), int64(d.Round(time.Second)/time.Second)))
	}
	switch {
	case t.Phase == Waiting:
		task("waiting", "active", id, t.Created, t.Queued)
	default:
		if t.Queued > 0 {
			task("queued", "done", "q"+strconv.Itoa(i+1), t.Created, t.Queued)
		}
		o := Outcome(t.Job)
		switch {
		case t.Phase == Running:
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

// mermaidGroup renders jobs, the i-th and those after it, as one section with one task from
// the first creation to the last end, named after their outcomes and tagged as the worst.
func mermaidGroup(i int, jobs []JobTime) ganttBlock {
	first, last := jobs[0].Created, jobs[0].End
	counts := map[class]int{}
	words := map[string]int{}
	for k := range jobs {
		t := &jobs[k]
		if t.Created.Before(first) {
			first = t.Created
		}
		last = later(last, t.End)
		counts[jobClass(t)]++
		words[Outcome(t.Job)]++
	}
	var parts []string
	for _, o := range outcomeOrder {
		if words[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", words[o], o))
			delete(words, o)
		}
	}
	if len(words) > 0 {
		n := 0
		for _, c := range words {
			n += c
		}
		parts = append(parts, fmt.Sprintf("%d other", n))
	}
	c := classSuccess
	for _, worst := range []class{classFailure, classRunning, classWaiting, classCancelled, classOther, classSkipped} {
		if counts[worst] > 0 {
			c = worst
			break
		}
	}
	tags := ganttTag(c)
	if tags != "" {
		tags += ", "
	}
	lines := []string{
		fmt.Sprintf("section jobs %d–%d", i+1, i+len(jobs)),
		fmt.Sprintf("%s :%sj%d, %s, %ds", ganttTask(strings.Join(parts, ", ")), tags, i+1, first.UTC().Format(mermaidTime), int64(last.Sub(first).Round(time.Second)/time.Second)),
	}
	return ganttBlock{lines: lines, tasks: 1, chars: ganttChars(lines[0]) + ganttChars(lines[1])}
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

// ganttReplacer swaps the characters that end a gantt section or task name for look-alikes:
// ':', and '#' and ';' (mermaid's lexer ends a section there, and older versions a task).
// Everything else is shown as it is: mermaid draws task names as text, not markup, and
// "%%" starts a comment only at the start of a line (ganttTask sees to that).
var ganttReplacer = strings.NewReplacer(
	":", "∶", // U+2236 RATIO
	"#", "＃", // U+FF03 FULLWIDTH NUMBER SIGN
	";", "；", // U+FF1B FULLWIDTH SEMICOLON
)

// ganttText makes a name safe as a gantt section or task text: one line, none of the
// characters that end it, not empty, and at most mermaidMaxName columns.
func ganttText(s string) string {
	s = ganttReplacer.Replace(Printable(strings.TrimSpace(s)))
	if s == "" {
		return "(unnamed)"
	}
	return Truncate(s, mermaidMaxName)
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
	if strings.HasPrefix(s, "%%") {
		return "‣ " + s
	}
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
