package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
)

// The end-to-end tests of issue 18's items: the built binary in tmux, at 80 columns and
// narrower, and as a pipe. They run with GHJOBS_E2E=1.

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/watch-80x24.txt with the watch screen captured in tmux (GHJOBS_E2E=1)")

// watchScreenDoc is the capture of the watch screen the README shows.
const watchScreenDoc = "../../docs/watch-80x24.txt"

// watchScreenFrame is the frame of `ghjobs --demo --watch --jobs 150` that the README shows:
// one with jobs running, failed and finished, and some left out.
const watchScreenFrame = 8

// jobColumn is the first cols display columns of a table line: its job's name, padded.
func jobColumn(line string, cols int) string {
	w := 0
	for i, r := range line {
		if w >= cols {
			return strings.TrimSpace(line[:i])
		}
		w += render.DisplayWidth(string(r))
	}
	return strings.TrimSpace(line)
}

// TestTerminalWidth runs the built command in tmux at 80, 60 and 40 columns: no line wraps
// (every job is one screen line), names are cut with "…" yet every row names another job;
// --wide and a pipe keep them whole.
func TestTerminalWidth(t *testing.T) {
	bin := buildGhjobs(t)
	// The binary's clock is the real one: the fixture is moved to end now, as serve does,
	// so that running jobs show minutes, as they would.
	run := fixtureRun()
	shiftJobs(run.Jobs, time.Since(render.Latest(run.Jobs)))
	srv := api.NewTestServer(t, api.WithRun(run), api.WithToken(fixtureToken))
	envs := fmt.Sprintf("GITHUB_API_URL=%s GH_TOKEN=%s NO_COLOR=1 HOME=%s", srv.URL, fixtureToken, t.TempDir())
	args := strings.Join(fixtureArgs, " ")
	for _, width := range []int{80, 60, 40} {
		r := inTmux(t, width, 50, fmt.Sprintf("env %s %s %s", envs, bin, args), false)
		lines := screenLines(r.history)
		if r.code != 0 || len(lines) != 251 {
			t.Errorf("%d columns: exit %d, %d screen lines for a header and 250 jobs (a wrapped line adds one)", width, r.code, len(lines))
			continue
		}
		col := strings.Index(lines[0], "STATUS")
		names := map[string]bool{}
		for i, l := range lines {
			if render.DisplayWidth(l) > width {
				t.Errorf("%d columns, line %d is %d wide", width, i+1, render.DisplayWidth(l))
			}
			names[jobColumn(l, col)] = true
		}
		if !strings.Contains(r.history, "…") || !strings.HasPrefix(lines[0], "JOB ") || len(names) != 251 {
			t.Errorf("%d columns: %d distinct names in 251 rows, or none cut with …, or no header:\n%s", width, len(names), strings.Join(lines[:5], "\n"))
		}
	}

	// --wide, and a pipe, keep the names whole: lines wrap, as the person asked.
	wide := inTmux(t, 60, 50, fmt.Sprintf("env %s %s --wide %s", envs, bin, args), false)
	piped := inTmux(t, 60, 50, fmt.Sprintf("env %s %s %s | cat", envs, bin, args), false)
	for name, r := range map[string]tmuxResult{"--wide": wide, "a pipe": piped} {
		if n := len(screenLines(r.history)); n <= 251 || !strings.Contains(strings.ReplaceAll(r.history, "\n", ""), "test (windows-latest, 1.26) / shard 40") {
			t.Errorf("%s at 60 columns: %d screen lines; want wrapped lines, nothing cut", name, n)
		}
	}
}

// TestWatchScreenInTmux: `ghjobs --demo --watch --jobs 150` in tmux at 80×24 and 40×24, every
// byte it sends recorded: each frame has the status line and the header on top, at most 24
// lines no wider than the terminal, the jobs left out counted; the terminal's own screen
// gets the last state once; the exit status is 1, as the demo has failed jobs. At 80
// columns, one frame is replayed in a fresh pane and captured: the README's picture
// (docs/watch-80x24.txt, rewritten by -update-docs).
func TestWatchScreenInTmux(t *testing.T) {
	bin := buildGhjobs(t)
	for _, cols := range []int{80, 40} {
		r := inTmux(t, cols, 24, fmt.Sprintf("HOME=%s %s --demo --watch --jobs 150", t.TempDir(), bin), true)
		if r.code != 1 {
			t.Errorf("%d columns: exit %d, want 1", cols, r.code)
		}
		screens, _ := frames(t, r.raw)
		if len(screens) < demoPolls {
			t.Fatalf("%d columns: %d frames", cols, len(screens))
		}
		for n, lines := range screens {
			if len(lines) > 24 || !strings.Contains(lines[0], " jobs completed · ") || !strings.HasPrefix(lines[1], "JOB ") {
				t.Fatalf("%d columns, frame %d: %d lines, starting %q", cols, n+1, len(lines), lines[:2])
			}
		}
		// The pane's own screen: what was there, then the last state once, then the verdict.
		h := r.history
		if strings.Count(h, "JOB ") != 1 || strings.Count(h, "150 of 150 jobs completed") != 1 || !strings.Contains(h, "jobs did not succeed") {
			t.Errorf("%d columns: the history after the watch:\n%s", cols, h)
		}
		for i, l := range screenLines(h) {
			if render.DisplayWidth(l) > cols {
				t.Errorf("%d columns: history line %d is %d wide", cols, i+1, render.DisplayWidth(l))
			}
		}
		if cols != 80 {
			continue
		}
		got := replayFrame(t, r.raw, watchScreenFrame)
		if *updateDocs {
			if err := os.WriteFile(watchScreenDoc, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(watchScreenDoc)
		if err != nil || string(want) != got {
			t.Errorf("frame %d of the watch differs from %s (go test -run TestWatchScreenInTmux ./cmd/ghjobs -args -update-docs rewrites it, with GHJOBS_E2E=1):\n%s", watchScreenFrame, watchScreenDoc, got)
		}
	}
}

// replayFrame shows frame n of a recorded watch in a fresh 80×24 pane and captures it.
func replayFrame(t *testing.T, raw string, n int) string {
	t.Helper()
	parts := strings.Split(raw, beginFrame)
	if n >= len(parts) {
		t.Fatalf("no frame %d in %d", n, len(parts)-1)
	}
	path := filepath.Join(t.TempDir(), "frame")
	if err := os.WriteFile(path, []byte(beginFrame+parts[n]), 0o644); err != nil {
		t.Fatal(err)
	}
	// After the frame, a new line below its last row moves the frame up into the history
	// by one line, so that the exit status is printed under it, not over it.
	r := inTmux(t, 80, 24, fmt.Sprintf("cat %q; printf '\\033[24;1H\\n'", path), false)
	lines := screenLines(r.history)
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	return b.String()
}

// TestWatchPiped: --watch into a pipe prints each change once, as before: no screen.
func TestWatchPiped(t *testing.T) {
	bin := buildGhjobs(t)
	code, out, errOut := runBinary(t, bin, nil, "--demo", "--watch", "--jobs", "12")
	line := regexp.MustCompile(`^\d\d:\d\d:\d\d  \S.*  (queued|in_progress|success|failure|cancelled|skipped)(  \S+)?$`)
	lines := screenLines(out)
	if code != 1 || strings.Contains(out, "\x1b") || !strings.Contains(lines[len(lines)-1], "all 12 jobs completed: ") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	for _, l := range lines[:len(lines)-1] {
		if !line.MatchString(l) {
			t.Errorf("not a line of a change: %q", l)
		}
	}
}

// TestServeLiveWatched: `ghjobs serve --live` serves a run that moves in real time;
// `ghjobs --watch` in tmux follows it to its end.
func TestServeLiveWatched(t *testing.T) {
	bin := buildGhjobs(t)
	url := startServe(t, bin, "--jobs", "12", "--live", "4s")
	r := inTmux(t, 50, 24, fmt.Sprintf("HOME=%s %s --watch --interval 1s --api-url %s %s/%s %d", t.TempDir(), bin, url, sampleOwner, sampleRepo, sampleRunID), false)
	if r.code != 1 || !strings.Contains(r.history, "12 of 12 jobs completed") || !strings.Contains(r.history, "did not succeed") {
		t.Errorf("exit %d:\n%s", r.code, r.history)
	}
}

// startServe runs `ghjobs serve` with args on a free port until the test ends, and returns
// its URL.
func startServe(t *testing.T, bin string, args ...string) string {
	t.Helper()
	serve := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	serve.Env = []string{"HOME=" + t.TempDir()}
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case first <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
		<-drained
	})
	m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(<-first)
	if m == nil {
		t.Fatal("ghjobs serve did not say where it listens")
	}
	return m[1]
}

// TestLatestAttemptBinary: a run named without its attempt lists the latest, in a pipe and
// in tmux.
func TestLatestAttemptBinary(t *testing.T) {
	bin := buildGhjobs(t)
	srv, _, rerun := twoAttempts(t)
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	run := fmt.Sprintf("%s/%s %d", fixtureOwner, fixtureRepo, fixtureRunID)
	code, out, errOut := runBinary(t, bin, env, append([]string{"--format", "jsonl"}, strings.Fields(run)...)...)
	if code != 0 || strings.Count(out, "\n") != len(rerun.Jobs) {
		t.Errorf("piped: exit %d, %d jobs, stderr %q", code, strings.Count(out, "\n"), errOut)
	}
	r := inTmux(t, 80, 24, fmt.Sprintf("env %s HOME=%s %s --summary %s", strings.Join(env, " "), t.TempDir(), bin, run), false)
	if r.code != 0 || !strings.HasPrefix(r.history, fmt.Sprintf("%s/%s run %d attempt 2", fixtureOwner, fixtureRepo, fixtureRunID)) {
		t.Errorf("tmux: exit %d:\n%s", r.code, r.history)
	}
}

// TestGhHabitsBinary: --jq, --summary --format json and serve --help, in a pipe and in tmux
// at 80 columns.
func TestGhHabitsBinary(t *testing.T) {
	bin := buildGhjobs(t)
	srv, _ := fixtureServer(t)
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	code, out, _ := runBinary(t, bin, env, append([]string{"--jq", ".jobs[:3][].name"}, fixtureArgs...)...)
	if code != 0 || out != "build\nlint\ntest (ubuntu-latest, 1.25)\n" {
		t.Errorf("--jq: exit %d, %q", code, out)
	}
	if code, _, errOut := runBinary(t, bin, env, append([]string{"--jq", ".jobs["}, fixtureArgs...)...); code != 2 || !strings.Contains(errOut, "--help") {
		t.Errorf("a bad --jq: exit %d, stderr %q", code, errOut)
	}
	code, out, _ = runBinary(t, bin, env, append([]string{"--summary", "--format", "json"}, fixtureArgs...)...)
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); code != 0 || err != nil || s["jobs"] != float64(250) {
		t.Errorf("--summary --format json: exit %d, %v, jobs %v", code, err, s["jobs"])
	}
	if code, out, _ := runBinary(t, bin, nil, "serve", "--help"); code != 0 || out != serveUsage {
		t.Errorf("serve --help: exit %d, %q", code, out)
	}
	envs := strings.Join(env, " ")
	for _, script := range []string{
		fmt.Sprintf("env %s HOME=%s %s --jq .total_count %s", envs, t.TempDir(), bin, strings.Join(fixtureArgs, " ")),
		fmt.Sprintf("env %s HOME=%s %s --summary --json %s", envs, t.TempDir(), bin, strings.Join(fixtureArgs, " ")),
		fmt.Sprintf("HOME=%s %s serve --help", t.TempDir(), bin),
	} {
		r := inTmux(t, 80, 50, script, false)
		if r.code != 0 {
			t.Errorf("%s: exit %d:\n%s", script, r.code, r.history)
		}
		for i, l := range screenLines(r.history) {
			if render.DisplayWidth(l) > 80 {
				t.Errorf("%s: line %d is %d wide", script, i+1, render.DisplayWidth(l))
			}
		}
	}
}

// TestSmallThingsBinary: -o "" is a usage error; the demo's note fits 80 columns; at 40
// columns the progress line still says what it waits for.
func TestSmallThingsBinary(t *testing.T) {
	bin := buildGhjobs(t)
	if code, _, errOut := runBinary(t, bin, nil, "-o", "", "--demo"); code != 2 || !strings.Contains(errOut, `-o ""`) {
		t.Errorf(`-o "": exit %d, stderr %q`, code, errOut)
	}
	// One "ghjobs: " a message, the library's included.
	code, _, errOut := runBinary(t, bin, []string{"GH_TOKEN=t"}, "--redis", "http://example.com", "o/r", "1")
	if first, _, _ := strings.Cut(errOut, "\n"); code != 2 || strings.Count(first, "ghjobs: ") != 1 || !strings.HasSuffix(first, "(--redis)") {
		t.Errorf("a bad --redis: exit %d, stderr %q", code, errOut)
	}
	r := inTmux(t, 80, 24, fmt.Sprintf("HOME=%s %s --demo >/dev/null", t.TempDir(), bin), false)
	if lines := screenLines(r.history); r.code != 0 || len(lines) != 1 || !strings.Contains(lines[0], "250 jobs in 3 requests") {
		t.Errorf("the demo's note at 80 columns: exit %d, %q", r.code, r.history)
	}
	// With the table on the same terminal, the note comes last: still on the screen.
	r = inTmux(t, 80, 24, fmt.Sprintf("HOME=%s %s --demo", t.TempDir(), bin), false)
	if lines := screenLines(r.screen); r.code != 0 || !strings.Contains(lines[len(lines)-1], "250 jobs in 3 requests") {
		t.Errorf("the demo at 80x24: exit %d, the screen ends %q", r.code, lines[len(lines)-1])
	}

	// A 503, then an answer that takes 1.5 s: the progress line says it retries while it
	// waits, at 40 columns.
	srv, _ := fixtureServer(t)
	srv.Fake.Script(api.Status(503), api.Latency(1500*time.Millisecond))
	r = inTmux(t, 40, 24, fmt.Sprintf("GITHUB_API_URL=%s GH_TOKEN=%s HOME=%s %s %s >/dev/null", srv.URL, fixtureToken, t.TempDir(), bin, strings.Join(fixtureArgs, " ")), true)
	drawn := false
	for _, seg := range strings.Split(r.raw, "\r") {
		line, drawnHere, _ := strings.Cut(seg, "\x1b[K")
		if i := strings.LastIndex(line, "\n"); i >= 0 {
			line = line[i+1:] // after a message's line: the status line drawn under it
		}
		if drawnHere == "" && !strings.HasSuffix(seg, "\x1b[K") {
			continue // no status line drawn in this piece
		}
		if render.DisplayWidth(line) > 39 {
			t.Errorf("a progress line of %d columns at 40: %q", render.DisplayWidth(line), line)
		}
		drawn = drawn || strings.Contains(line, "· retrying after 503")
	}
	if r.code != 0 || !drawn {
		t.Errorf("exit %d; no progress line with the retry at 40 columns in %q", r.code, r.raw)
	}
}

// TestSummaryFitsTerminal runs --summary in tmux at 80 and 40 columns: no line wraps
// (tmux joins the lines it wrapped: none is wider than the terminal), the figures' lines are
// broken at words, step names and then job names cut to the width; piped, nothing is cut.
func TestSummaryFitsTerminal(t *testing.T) {
	bin := buildGhjobs(t)
	srv, _ := fixtureServer(t)
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken, "NO_COLOR=1"}
	code, piped, errOut := runBinary(t, bin, env, append([]string{"--summary"}, fixtureArgs...)...)
	const whole = "10. Upload coverage"
	if code != 0 || !strings.Contains(piped, whole) {
		t.Fatalf("piped: exit %d, %q not whole: %s%s", code, whole, piped, errOut)
	}
	envs := strings.Join(append(env, "HOME="+t.TempDir()), " ")
	for _, width := range []int{80, 40} {
		r := inTmux(t, width, 60, fmt.Sprintf("env %s %s --summary %s", envs, bin, strings.Join(fixtureArgs, " ")), false)
		if r.code != 0 || !strings.Contains(r.joined, "failed steps") {
			t.Errorf("%d columns: exit %d:\n%s", width, r.code, r.joined)
			continue
		}
		for i, l := range screenLines(r.joined) {
			if render.DisplayWidth(l) > width {
				t.Errorf("%d columns: line %d wrapped, %d wide: %q", width, i+1, render.DisplayWidth(l), l)
			}
		}
		if width == 40 && strings.Contains(r.joined, whole) {
			t.Errorf("%d columns: the step names were not cut:\n%s", width, r.joined)
		}
	}
}
