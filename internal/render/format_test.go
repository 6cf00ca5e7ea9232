package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

func fixtureTiming() *Timed {
	run := fixtureRun()
	a := wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Number}
	return Time(a, run.Jobs, fixedNow)
}

var (
	ganttTaskLine = regexp.MustCompile(`^    ([^:#;\n]+) :((?:done|active|crit|milestone), )?([a-z][0-9_a-z]*), (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d), (\d+)s$`)
	ganttSection  = regexp.MustCompile(`^    section [^:#;\n]+$`)
)

// checkMermaid parses out line by line as mermaid's gantt grammar reads it, and returns the
// ids of the job tasks (j1, j2, …) in order, and the number of charts.
func checkMermaid(t *testing.T, out string) (jobIDs []string, charts int) {
	t.Helper()
	seen := map[string]bool{}
	for n, block := range strings.Split(out, "```\n") {
		if block == "" || block == "\n" || strings.HasPrefix(block, "\n> ghjobs: ") {
			continue // between charts, or the note after them
		}
		block = strings.TrimPrefix(block, "\n")
		if len(block) > 50_000 {
			t.Errorf("chart %d: %d characters; GitHub renders at most 50,000", n+1, len(block))
		}
		lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
		head := []string{"```mermaid", "gantt", "", "    dateFormat YYYY-MM-DD HH:mm:ss", ""}
		if len(lines) < len(head) {
			t.Fatalf("chart %d: %d lines", n+1, len(lines))
		}
		for i, want := range head {
			if want != "" && lines[i] != want {
				t.Errorf("chart %d line %d: %q, want %q", n+1, i+1, lines[i], want)
			}
		}
		if !strings.HasPrefix(lines[2], "    title ") || strings.ContainsAny(lines[2], "#;") {
			t.Errorf("chart %d: title line %q", n+1, lines[2])
		}
		if !strings.HasPrefix(lines[4], "    axisFormat %") {
			t.Errorf("chart %d: axisFormat line %q", n+1, lines[4])
		}
		tasks, sectioned := 0, false
		for i, l := range lines[len(head):] {
			switch {
			case ganttSection.MatchString(l):
				sectioned = true
			case ganttTaskLine.MatchString(l):
				m := ganttTaskLine.FindStringSubmatch(l)
				if !sectioned {
					t.Errorf("chart %d line %d: a task before any section", n+1, i+len(head)+1)
				}
				if seen[m[3]] {
					t.Errorf("chart %d: task id %s twice", n+1, m[3])
				}
				seen[m[3]] = true
				if _, err := time.Parse(mermaidTime, m[4]); err != nil {
					t.Errorf("chart %d: %v", n+1, err)
				}
				if strings.HasPrefix(m[3], "j") {
					jobIDs = append(jobIDs, m[3])
				}
				tasks++
			default:
				t.Errorf("chart %d line %d: not a section or a task: %q", n+1, i+len(head)+1, l)
			}
		}
		if tasks > mermaidMaxTasks {
			t.Errorf("chart %d: %d tasks, more than %d", n+1, tasks, mermaidMaxTasks)
		}
		charts++
	}
	return jobIDs, charts
}

// wantJobIDs is j1 … jn.
func wantJobIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("j%d", i+1)
	}
	return ids
}

func TestMermaidStructure(t *testing.T) {
	at := fixtureTiming()
	for _, steps := range []bool{false, true} {
		var b bytes.Buffer
		if err := Mermaid(&b, at, steps); err != nil {
			t.Fatal(err)
		}
		ids, charts := checkMermaid(t, b.String())
		if !reflect.DeepEqual(ids, wantJobIDs(250)) {
			t.Errorf("steps %v: job tasks %d, want j1…j250 in order", steps, len(ids))
		}
		if charts < 2 {
			t.Errorf("steps %v: %d chart(s) for 250 jobs, want them split", steps, charts)
		}
	}
}

// TestMermaidHugeJob: a job with more steps than a chart holds is split, not cut.
func TestMermaidHugeJob(t *testing.T) {
	start := fixedNow.Add(-time.Hour)
	j := generated.Job{Name: "huge", Status: wrapper.JobStatusCompleted, CreatedAt: start, StartedAt: start, CompletedAt: &fixedNow, RunnerName: ptr("r")}
	for i := range 1000 {
		s := start.Add(time.Duration(i) * time.Second)
		j.Steps = append(j.Steps, generated.JobStep{Name: strings.Repeat("long step name ", 10), Number: i + 1, Status: wrapper.JobStepStatusCompleted, Conclusion: ptr("success"), StartedAt: &s, CompletedAt: &s})
	}
	at := Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, []generated.Job{j, j}, fixedNow)
	var b bytes.Buffer
	if err := Mermaid(&b, at, true); err != nil {
		t.Fatal(err)
	}
	ids, charts := checkMermaid(t, b.String())
	if !reflect.DeepEqual(ids, wantJobIDs(2)) || charts < 10 {
		t.Errorf("job tasks %v in %d charts", ids, charts)
	}
	if got := strings.Count(b.String(), "    section huge\n"); got != charts {
		t.Errorf("%d section lines in %d charts: every chart needs its section", got, charts)
	}
	if got := len(regexp.MustCompile(`(?m):s\d+_\d+, `).FindAllString(b.String(), -1)); got != 2000 {
		t.Errorf("%d step tasks, want 2000", got)
	}
}

func TestGanttText(t *testing.T) {
	for in, want := range map[string]string{
		"build":                   "build",
		"deploy: prod #1; ok":     "deploy∶ prod ＃1； ok",
		"<img src=x onerror=1>":   "<img src=x onerror=1>",
		"  \n ":                   "(unnamed)",
		"a\nsection b":            "a\uFFFDsection b",
		strings.Repeat("x", 300):  strings.Repeat("x", mermaidMaxName-1) + "…",
		"%%{init: {}}%%":          "%%{init∶ {}}%%",
		"unicode ✓ 日本語":           "unicode ✓ 日本語",
		"tab\there":               "tab\uFFFDhere",
		"rtl \u202e override":     "rtl \uFFFD override",
		"100% done, crit, active": "100% done, crit, active",
	} {
		if got := ganttText(in); got != want {
			t.Errorf("ganttText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"success":       "success",
		"title x":       "‣ title x",
		"Section":       "‣ Section",
		"2026-01-01":    "‣ 2026-01-01",
		"3. Set up job": "3. Set up job",
		"%%{init}%%":    "‣ %%{init}%%",
		"a %% b":        "a %% b",
	} {
		if got := ganttTask(in); got != want {
			t.Errorf("ganttTask(%q) = %q, want %q", in, got, want)
		}
	}
}

// checkSVG decodes out as XML and returns the number of job lanes; every lane must have a
// tooltip and a name, and every number attribute must be a number.
func checkSVG(t *testing.T, out string) (lanes int) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(out))
	d.Strict = true
	var stack []string
	var inJob, hasTitle, hasText bool
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not valid XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 && (e.Name.Local != "svg" || e.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root element %v, want svg in the SVG namespace", e.Name)
			}
			for _, a := range e.Attr {
				switch a.Name.Local {
				case "x", "y", "width", "height", "x1", "x2", "y1", "y2", "cx", "cy", "r":
					var f float64
					if _, err := fmt.Sscan(strings.TrimSuffix(a.Value, "%"), &f); err != nil || f < 0 {
						t.Errorf("<%s %s=%q>: want a number ≥ 0", e.Name.Local, a.Name.Local, a.Value)
					}
				case "href":
					t.Errorf("<%s> links to %q: the SVG must be self-contained", e.Name.Local, a.Value)
				}
				if a.Name.Local == "class" && a.Value == "job" {
					inJob, hasTitle, hasText = true, false, false
					lanes++
				}
			}
			if inJob && e.Name.Local == "title" {
				hasTitle = true
			}
			if inJob && e.Name.Local == "text" {
				hasText = true
			}
			if e.Name.Local == "image" || e.Name.Local == "script" || e.Name.Local == "foreignObject" {
				t.Errorf("<%s> in the SVG", e.Name.Local)
			}
			stack = append(stack, e.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if inJob && e.Name.Local == "g" {
				if !hasTitle || !hasText {
					t.Errorf("lane %d: title %v, name %v", lanes, hasTitle, hasText)
				}
				inJob = false
			}
		}
	}
	return lanes
}

func TestSVGStructure(t *testing.T) {
	var b bytes.Buffer
	if err := SVG(&b, fixtureTiming()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if lanes := checkSVG(t, out); lanes != 250 {
		t.Errorf("%d lanes, want 250", lanes)
	}
	for _, want := range []string{`class="failure"`, `class="success"`, `class="running"`, `class="waiting"`, `class="skipped"`, `class="failedstep"`, `class="step"`, "tëst (日本語, 🐧) ✓ café", "deploy: &#34;prod&#34; #1; &lt;b&gt;&amp;amp;&lt;/b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("the SVG has no %s", want)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("an escape character reached the SVG")
	}
	// No attempt at all still draws a valid picture.
	b.Reset()
	if err := SVG(&b, Time(wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, nil, fixedNow)); err != nil || checkSVG(t, b.String()) != 0 {
		t.Errorf("no jobs: %v", err)
	}
}

func TestTickStep(t *testing.T) {
	for _, span := range []time.Duration{time.Second, 90 * time.Second, 17 * time.Minute, 5 * time.Hour, 400 * 24 * time.Hour, time.Duration(1<<63 - 1)} {
		step, _ := tickStep(span)
		if n := span / step; n > 13 || step <= 0 {
			t.Errorf("span %v: step %v gives %d ticks", span, step, n)
		}
	}
}

func TestTimeJob(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	pt := func(s int) *time.Time { v := at(s); return &v }
	runner := ptr("runner 1")
	now := at(1000)
	for _, tt := range []struct {
		name              string
		job               generated.Job
		phase             phase
		queued, duration  int
		ran, clamped      bool
		created, finished int
	}{
		{"completed", generated.Job{Status: "completed", CreatedAt: at(0), StartedAt: at(10), CompletedAt: pt(70), RunnerName: runner}, Done, 10, 60, true, false, 0, 70},
		{"completed before started", generated.Job{Status: "completed", CreatedAt: at(0), StartedAt: at(10), CompletedAt: pt(5), RunnerName: runner}, Done, 10, 0, true, true, 0, 10},
		{"started before created", generated.Job{Status: "completed", CreatedAt: at(20), StartedAt: at(10), CompletedAt: pt(30), RunnerName: runner}, Done, 0, 10, true, true, 20, 30},
		{"in progress", generated.Job{Status: "in_progress", CreatedAt: at(0), StartedAt: at(100), RunnerName: runner}, Running, 100, 900, true, false, 0, 1000},
		{"in progress, clock behind", generated.Job{Status: "in_progress", CreatedAt: at(0), StartedAt: at(2000)}, Running, 2000, 0, true, false, 0, 2000},
		{"queued", generated.Job{Status: "queued", CreatedAt: at(400), StartedAt: at(400)}, Waiting, 600, 0, false, false, 400, 1000},
		{"skipped", generated.Job{Status: "completed", Conclusion: ptr(wrapper.JobConclusionSkipped), CreatedAt: at(5), StartedAt: at(5), CompletedAt: pt(5)}, Done, 0, 0, false, false, 5, 5},
		{"cancelled while queued", generated.Job{Status: "completed", Conclusion: ptr(wrapper.JobConclusionCancelled), CreatedAt: at(0), StartedAt: at(0), CompletedAt: pt(50)}, Done, 50, 0, false, false, 0, 50},
		{"unknown status, finished", generated.Job{Status: "archived", CreatedAt: at(0), StartedAt: at(1), CompletedAt: pt(3), RunnerName: runner}, Done, 1, 2, true, false, 0, 3},
		{"unknown status, on a runner", generated.Job{Status: "resuming", CreatedAt: at(0), StartedAt: at(1), RunnerName: runner}, Running, 1, 999, true, false, 0, 1000},
		{"unknown status, nothing else", generated.Job{Status: "planned", CreatedAt: at(0), StartedAt: at(0)}, Waiting, 1000, 0, false, false, 0, 1000},
		{"no created_at", generated.Job{Status: "completed", StartedAt: at(10), CompletedAt: pt(20), RunnerName: runner}, Done, 0, 10, true, true, 10, 20},
		{"no started_at", generated.Job{Status: "completed", CreatedAt: at(10), CompletedAt: pt(20), RunnerName: runner}, Done, 0, 10, true, true, 10, 20},
	} {
		got := TimeJob(&tt.job, now)
		want := JobTime{Phase: tt.phase, Queued: time.Duration(tt.queued) * time.Second, Duration: time.Duration(tt.duration) * time.Second, Ran: tt.ran, Clamped: tt.clamped}
		if got.Phase != want.Phase || got.Queued != want.Queued || got.Duration != want.Duration || got.Ran != want.Ran || got.Clamped != want.Clamped ||
			!got.Created.Equal(at(tt.created)) || !got.End.Equal(at(tt.finished)) {
			t.Errorf("%s: phase %d queued %v duration %v ran %v clamped %v created %v end %v; want %d %v %v %v %v %v %v",
				tt.name, got.Phase, got.Queued, got.Duration, got.Ran, got.Clamped, got.Created.Sub(t0), got.End.Sub(t0),
				want.Phase, want.Queued, want.Duration, want.Ran, want.Clamped, time.Duration(tt.created)*time.Second, time.Duration(tt.finished)*time.Second)
		}
		if got.Queued < 0 || got.Duration < 0 || got.Started.Before(got.Created) || got.End.Before(got.Started) {
			t.Errorf("%s: out of order: %+v", tt.name, got)
		}
	}
}

func TestSpread(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 20; i++ {
		ds = append(ds, time.Duration(21-i)*time.Second)
	}
	if got, want := spreadOf(ds), (spread{N: 20, Median: 10 * time.Second, P95: 19 * time.Second, Max: 20 * time.Second}); got != want {
		t.Errorf("spreadOf(1s…20s) = %+v, want %+v", got, want)
	}
	if got := spreadOf([]time.Duration{7}); got.Median != 7 || got.P95 != 7 || got.Max != 7 {
		t.Errorf("one value: %+v", got)
	}
	if got := spreadOf(nil); got.N != 0 {
		t.Errorf("no values: %+v", got)
	}
}

func TestText(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width int
	}{
		{"abc", 3}, {"日本語", 6}, {"café", 4}, {"cafe\u0301", 4}, {"🐧", 2}, {"", 0},
	} {
		if got := DisplayWidth(tt.in); got != tt.width {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.in, got, tt.width)
		}
	}
	if got := Truncate("日本語テキスト", 7); got != "日本語…" || DisplayWidth(got) > 7 {
		t.Errorf("truncate = %q", got)
	}
	if got := Printable("a\x1b[2Jb\u202ec\xffd"); got != "a\uFFFD[2Jb\uFFFDc\uFFFDd" {
		t.Errorf("printable = %q", got)
	}
	for d, want := range map[time.Duration]string{
		0: "0s", 1499 * time.Millisecond: "1s", 59 * time.Second: "59s", 61 * time.Second: "1m01s",
		3600 * time.Second: "1h00m00s", 90061 * time.Second: "25h01m01s",
	} {
		if got := Human(d); got != want {
			t.Errorf("human(%v) = %q, want %q", d, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
