package render

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The timeline's geometry, in pixels.
const (
	svgWidth     = 1200
	svgLabelEnd  = 300 // job names end here, right-aligned
	svgPlotStart = 312
	svgPlotEnd   = svgWidth - 24
	svgTop       = 104 // the first lane
	svgLane      = 16
	svgBar       = 10
	svgQueueBar  = 4
	svgNameCols  = 44 // longer names are cut with "…"; the full name is in the lane's tooltip
)

const svgStyle = `
text { fill: #1f2328; }
.title { font-size: 16px; font-weight: 600; }
.sub, .axis { fill: #59636e; }
.grid { stroke: #d1d9e0; stroke-width: 1; }
.lane { fill: #f6f8fa; }
.queued { fill: #c8d1da; }
.waiting { fill: #fff8c5; stroke: #bf8700; stroke-width: 1; stroke-dasharray: 3 2; }
.success { fill: #2da44e; }
.failure { fill: #cf222e; }
.cancelled { fill: #6e7781; }
.skipped { fill: none; stroke: #8c959f; stroke-width: 1.5; }
.running { fill: #d4a72c; }
.other { fill: #8250df; }
.step { stroke: #ffffff; stroke-opacity: 0.8; stroke-width: 1; }
.failedstep { fill: #82071e; }
`

// svgClass is the colour class of a job's run bar.
func svgClass(t *JobTime) string {
	switch jobClass(t) {
	case classRunning:
		return "running"
	case classSuccess:
		return "success"
	case classFailure:
		return "failure"
	case classCancelled:
		return "cancelled"
	case classSkipped:
		return "skipped"
	}
	return "other"
}

// SVG draws the attempt as a self-contained SVG timeline: a time axis in UTC, one lane per
// job in the API's order, the wait for a runner as a thin grey bar, the run as a bar coloured
// by conclusion with a white tick where each step starts and the failed step in dark red,
// and a ring for a job that never ran. Hovering a lane shows the job's figures.
func SVG(w io.Writer, at *Timed) error {
	n := len(at.Jobs)
	height := svgTop + n*svgLane + 36
	span := max(at.End.Sub(at.Start), time.Second)
	x := func(t time.Time) float64 {
		return svgPlotStart + float64(t.Sub(at.Start))/float64(span)*(svgPlotEnd-svgPlotStart)
	}

	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="-apple-system, 'Segoe UI', 'DejaVu Sans', Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	p("<style>%s</style>\n", svgStyle)
	p(`<rect width="100%%" height="100%%" fill="#ffffff"/>` + "\n")
	a := at.Attempt
	p(`<text class="title" x="16" y="28">%s</text>`+"\n", esc(fmt.Sprintf("%s/%s · run %d · attempt %d", a.Owner, a.Repo, a.RunID, a.Number)))
	p(`<text class="sub" x="16" y="48">%s</text>`+"\n", esc(svgSubtitle(at)))
	svgLegend(p)
	svgAxis(p, at, span, x)
	for i := range at.Jobs {
		svgJob(p, &at.Jobs[i], i, at.Now, x)
	}
	p("</svg>\n")
	return bw.Flush()
}

// svgAxis draws the time axis, at the top and again at the bottom of tall charts, with grid
// lines.
func svgAxis(p func(string, ...any), at *Timed, span time.Duration, x func(time.Time) float64) {
	n := len(at.Jobs)
	step, format := tickStep(span)
	bottom := svgTop + n*svgLane
	for t := at.Start.Truncate(step); !t.After(at.End); t = t.Add(step) {
		if t.Before(at.Start) {
			continue
		}
		tx := x(t)
		label := esc(t.UTC().Format(format))
		p(`<line class="grid" x1="%s" y1="%d" x2="%s" y2="%d"/>`+"\n", f1(tx), svgTop-8, f1(tx), bottom)
		p(`<text class="axis" x="%s" y="%d" text-anchor="middle">%s</text>`+"\n", f1(tx), svgTop-12, label)
		if n > 40 {
			p(`<text class="axis" x="%s" y="%d" text-anchor="middle">%s</text>`+"\n", f1(tx), bottom+16, label)
		}
	}
}

// svgJob draws the i-th job's lane: its name, its wait for a runner and its run.
func svgJob(p func(string, ...any), t *JobTime, i int, now time.Time, x func(time.Time) float64) {
	y := svgTop + i*svgLane
	mid := float64(y) + svgLane/2
	p(`<g class="job">`)
	p("<title>%s</title>", esc(svgTooltip(t)))
	if i%2 == 1 {
		p(`<rect class="lane" x="0" y="%d" width="%d" height="%d"/>`, y, svgWidth, svgLane)
	}
	p(`<text x="%d" y="%s" text-anchor="end" dominant-baseline="central">%s</text>`,
		svgLabelEnd, f1(mid), esc(Truncate(Printable(t.Job.Name), svgNameCols)))
	if t.Queued > 0 {
		class := "queued"
		h := float64(svgQueueBar)
		if t.Phase == Waiting {
			class, h = "waiting", svgBar
		}
		p(`<rect class="%s" x="%s" y="%s" width="%s" height="%s"/>`, class,
			f1(x(t.Created)), f1(mid-h/2), f1(max(x(t.Started)-x(t.Created), 1)), f1(h))
	}
	switch {
	case t.Phase == Waiting:
	case !t.Ran:
		p(`<circle class="skipped" cx="%s" cy="%s" r="3.5"/>`, f1(x(t.End)), f1(mid))
	default:
		x0 := x(t.Started)
		p(`<rect class="%s" x="%s" y="%s" width="%s" height="%d" rx="1.5"/>`, svgClass(t),
			f1(x0), f1(mid-svgBar/2), f1(max(x(t.End)-x0, 1.5)), svgBar)
		svgSteps(p, t, now, x, mid)
	}
	p("</g>\n")
}

// svgSteps marks where each step after the first starts, and paints the failed step.
func svgSteps(p func(string, ...any), t *JobTime, now time.Time, x func(time.Time) float64, mid float64) {
	for k := range t.Job.Steps {
		s := &t.Job.Steps[k]
		start, end, ok := stepSpan(s, now)
		if !ok || start.Before(t.Started) || start.After(t.End) {
			continue
		}
		if s == t.FailedStep {
			if end.After(t.End) {
				end = t.End
			}
			p(`<rect class="failedstep" x="%s" y="%s" width="%s" height="%d"/>`,
				f1(x(start)), f1(mid-svgBar/2), f1(max(x(end)-x(start), 1.5)), svgBar)
		}
		if start.After(t.Started) {
			sx := f1(x(start))
			p(`<line class="step" x1="%s" y1="%s" x2="%s" y2="%s"/>`, sx, f1(mid-svgBar/2), sx, f1(mid+svgBar/2))
		}
	}
}

func svgLegend(p func(string, ...any)) {
	x := 16
	item := func(shape, label string) {
		p(`<g transform="translate(%d 66)">%s<text x="16" y="9">%s</text></g>`+"\n", x, shape, label)
		x += 16 + 8*len(label) + 20
	}
	bar := func(class string) string {
		return fmt.Sprintf(`<rect class="%s" x="0" y="%d" width="12" height="%d"/>`, class, (svgLane-svgBar)/2-2, svgBar)
	}
	item(`<rect class="queued" x="0" y="3" width="12" height="4"/>`, "queued for a runner")
	item(bar("success"), "success")
	item(bar("failure"), "failure")
	item(`<rect class="success" x="0" y="1" width="12" height="10"/><rect class="failedstep" x="6" y="1" width="6" height="10"/>`, "failed step")
	item(bar("cancelled"), "cancelled")
	item(`<circle class="skipped" cx="6" cy="6" r="3.5"/>`, "skipped")
	item(bar("running"), "running")
	item(`<rect class="waiting" x="0" y="1" width="12" height="10"/>`, "still waiting")
}

func svgSubtitle(at *Timed) string {
	counts := map[string]int{}
	for i := range at.Jobs {
		counts[Outcome(at.Jobs[i].Job)]++
	}
	parts := []string{fmt.Sprintf("%d jobs", len(at.Jobs))}
	for _, o := range outcomeOrder {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	if len(at.Jobs) > 0 {
		parts = append(parts, "wall time "+Human(at.End.Sub(at.Start)), at.Start.UTC().Format("2006-01-02 15:04:05")+" UTC")
	}
	return strings.Join(parts, " · ")
}

func svgTooltip(t *JobTime) string {
	var b strings.Builder
	b.WriteString(Printable(t.Job.Name))
	b.WriteString(" — ")
	b.WriteString(Printable(Outcome(t.Job)))
	if t.Queued > 0 || t.Ran {
		fmt.Fprintf(&b, ", queued %s", Human(t.Queued))
		if t.Phase == Waiting {
			b.WriteString(" so far")
		}
	}
	if t.Ran {
		fmt.Fprintf(&b, ", ran %s", Human(t.Duration))
		if t.Phase == Running {
			b.WriteString(" so far")
		}
	}
	if t.Job.RunnerName != nil {
		fmt.Fprintf(&b, " on %s", Printable(*t.Job.RunnerName))
	}
	if s := t.FailedStep; s != nil {
		fmt.Fprintf(&b, "; failed step: %s", Printable(stepLabel(s)))
	}
	return b.String()
}

// tickSteps are the axis intervals to choose from.
var tickSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// tickStep picks an interval that puts at most 12 ticks on span, and their label format. Past
// the last interval it grows with span, so the number of ticks stays bounded whatever the
// timestamps say.
func tickStep(span time.Duration) (time.Duration, string) {
	step := tickSteps[len(tickSteps)-1] * (span/(12*24*time.Hour) + 1)
	for _, s := range tickSteps {
		if span/s <= 12 {
			step = s
			break
		}
	}
	switch {
	case step < time.Minute:
		return step, "15:04:05"
	case step < 24*time.Hour:
		return step, "15:04"
	}
	return step, "2006-01-02"
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// esc escapes s for XML text and attributes; characters XML cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
