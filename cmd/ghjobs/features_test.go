package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
)

// twoAttempts serves the fixture run as attempt 1 and a re-run of 7 jobs as attempt 2.
func twoAttempts(t *testing.T) (*api.Server, map[string]string, api.Run) {
	t.Helper()
	srv, env := fixtureServer(t)
	rerun := api.SampleRun(fixtureOwner, fixtureRepo, fixtureRunID, 2, 7)
	srv.Fake.AddRun(rerun)
	return srv, env, rerun
}

// TestLatestAttemptByDefault: a run named without its attempt, and a run's URL, list its
// latest attempt; a job's URL lists the attempt the job ran in; ATTEMPT and /attempts/N
// still choose.
func TestLatestAttemptByDefault(t *testing.T) {
	_, env, rerun := twoAttempts(t)
	first := fixtureRun()
	runURL := fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d", fixtureOwner, fixtureRepo, fixtureRunID)
	for _, tt := range []struct {
		args []string
		jobs int
	}{
		{[]string{fixtureOwner + "/" + fixtureRepo, fmt.Sprint(fixtureRunID)}, 7},
		{[]string{runURL}, 7},
		{[]string{runURL + "/attempts/1"}, 250},
		{[]string{fixtureOwner + "/" + fixtureRepo, fmt.Sprint(fixtureRunID), "1"}, 250},
		{[]string{fmt.Sprintf("%s/job/%d", runURL, first.Jobs[42].ID)}, 250},
		{[]string{fmt.Sprintf("%s/job/%d", runURL, rerun.Jobs[3].ID)}, 7},
	} {
		code, out, errOut := ghjobs(t, env, append([]string{"--format", "jsonl"}, tt.args...)...)
		if code != 0 || strings.Count(out, "\n") != tt.jobs {
			t.Errorf("%q: exit %d, %d jobs, stderr %q; want %d", tt.args, code, strings.Count(out, "\n"), errOut, tt.jobs)
		}
	}
	code, out, _ := ghjobs(t, env, "--summary", fixtureOwner+"/"+fixtureRepo, fmt.Sprint(fixtureRunID))
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("%s/%s run %d attempt 2\n", fixtureOwner, fixtureRepo, fixtureRunID)) {
		t.Errorf("--summary of the run: exit %d, %.60q", code, out)
	}

	// A job's URL whose run is another one than the job's.
	code, _, errOut := ghjobs(t, env, fmt.Sprintf("https://github.com/%s/%s/actions/runs/5/job/%d", fixtureOwner, fixtureRepo, rerun.Jobs[0].ID))
	if code != 1 || !strings.Contains(errOut, "is of run 12345678901, not of run 5") {
		t.Errorf("a job of another run: exit %d, stderr %q", code, errOut)
	}
	// A run without jobs yet: said, with what to do.
	srv := api.NewTestServer(t, api.WithRun(api.Run{Owner: "o", Repo: "r", RunID: 3, Number: 1}))
	code, _, errOut = ghjobs(t, map[string]string{"GITHUB_API_URL": srv.URL, "GH_TOKEN": "t"}, "o/r", "3")
	if code != 1 || !strings.HasPrefix(errOut, "ghjobs: no jobs yet: o/r run 3 has no jobs") || !strings.Contains(errOut, "hint: name the attempt") {
		t.Errorf("a run without jobs: exit %d, stderr %q", code, errOut)
	}
}

// TestWatchWaitsForJobs: --watch on a run without jobs yet waits for its first ones.
func TestWatchWaitsForJobs(t *testing.T) {
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	srv.Fake.AddRun(api.Run{Owner: fixtureOwner, Repo: fixtureRepo, RunID: fixtureRunID, Number: 1})
	c, _, _, errOut := watchCLI(t, threeJobs("success"), srv.Fake, srv.URL)
	srv.Fake.AddRun(api.Run{Owner: fixtureOwner, Repo: fixtureRepo, RunID: fixtureRunID, Number: 1}) // no jobs until the first sleep
	if code := c.run(t.Context(), []string{"--watch", "--format", "jsonl", fixtureOwner + "/" + fixtureRepo, fmt.Sprint(fixtureRunID)}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Count(errOut.String(), "has no jobs yet: waiting for them") != 1 {
		t.Errorf("stderr %q: want it said once that the run has no jobs yet", errOut)
	}
}

// TestJQ: --jq prints strings raw and other values as compact JSON, one a line; a bad
// expression is a usage error before any request; one that fails on the data exits 1.
func TestJQ(t *testing.T) {
	srv, env := fixtureServer(t)
	code, out, errOut := ghjobs(t, env, append([]string{"--jq", ".jobs[:2][] | .name, .run_id, {id, status}"}, fixtureArgs...)...)
	run := fixtureRun()
	want := fmt.Sprintf("build\n%d\n{\"id\":%d,\"status\":\"completed\"}\nlint\n%d\n{\"id\":%d,\"status\":\"completed\"}\n",
		fixtureRunID, run.Jobs[0].ID, fixtureRunID, run.Jobs[1].ID)
	if code != 0 || out != want {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, errOut, out, want)
	}
	if code, out, _ := ghjobs(t, env, append([]string{"--jq", ".total_count"}, fixtureArgs...)...); code != 0 || out != "250\n" {
		t.Errorf("--jq .total_count: exit %d, %q", code, out)
	}
	failures := 0
	for _, j := range run.Jobs {
		if j.Conclusion != nil && *j.Conclusion == "failure" {
			failures++
		}
	}
	if code, out, _ := ghjobs(t, env, append([]string{"--summary", "--jq", ".outcomes.failure"}, fixtureArgs...)...); code != 0 || out != fmt.Sprintln(failures) {
		t.Errorf("--summary --jq: exit %d, %q", code, out)
	}
	before := len(srv.Fake.Requests())
	for _, args := range [][]string{{"--jq", ".jobs["}, {"--jq", "nosuchfunction(1)"}, {"--jq", ".", "--format", "csv"}, {"--jq", ".", "--current-job"}} {
		code, _, errOut := ghjobs(t, map[string]string{"RUNNER_NAME": "r", "GITHUB_API_URL": srv.URL, "GH_TOKEN": fixtureToken}, append(args, fixtureArgs...)...)
		if code != 2 || strings.Count(errOut, "\n") != 2 || !strings.HasPrefix(errOut, "ghjobs: ") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
	if n := len(srv.Fake.Requests()) - before; n != 0 {
		t.Errorf("%d requests sent for a bad --jq", n)
	}
	if code, _, errOut := ghjobs(t, env, append([]string{"--jq", ".jobs | keys | .[0] | .x"}, fixtureArgs...)...); code != 1 || !strings.HasPrefix(errOut, "ghjobs: --jq") {
		t.Errorf("a failing expression: exit %d, stderr %q", code, errOut)
	}
}

// TestSummaryJSON: --summary --format json is the summary's figures as one JSON object.
func TestSummaryJSON(t *testing.T) {
	_, env := fixtureServer(t)
	code, out, errOut := ghjobs(t, env, append([]string{"--summary", "--format", "json"}, fixtureArgs...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s struct {
		RunID     int64          `json:"run_id"`
		Attempt   int64          `json:"attempt"`
		Jobs      int            `json:"jobs"`
		Outcomes  map[string]int `json:"outcomes"`
		QueueTime struct {
			Jobs   int     `json:"jobs"`
			Median float64 `json:"median_seconds"`
		} `json:"queue_time"`
		SlowestJobs []struct {
			Name string `json:"name"`
		} `json:"slowest_jobs"`
		Failed []struct {
			Step *struct{ Number int } `json:"failed_step"`
		} `json:"failed"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	sum := 0
	for _, n := range s.Outcomes {
		sum += n
	}
	if s.RunID != fixtureRunID || s.Attempt != 1 || s.Jobs != 250 || sum != 250 || s.QueueTime.Jobs == 0 || len(s.SlowestJobs) != 5 || len(s.Failed) < 15 {
		t.Errorf("summary JSON: %+v", s)
	}
	// The same figures as the text.
	_, text, _ := ghjobs(t, env, append([]string{"--summary"}, fixtureArgs...)...)
	if want := fmt.Sprintf("jobs          250: %d success, %d failure", s.Outcomes["success"], s.Outcomes["failure"]); !strings.Contains(text, want) {
		t.Errorf("the text summary has no %q", want)
	}
}

// TestServeHelp: serve --help describes serve's own flags; --help the command's.
func TestServeHelp(t *testing.T) {
	code, out, errOut := ghjobs(t, nil, "serve", "--help")
	if code != 0 || out != serveUsage || errOut != "" {
		t.Errorf("serve --help: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, flag := range []string{"--addr", "--jobs", "--live"} {
		if !strings.Contains(out, "  "+flag+" ") {
			t.Errorf("serve --help does not describe %s", flag)
		}
	}
	if code, out, _ := ghjobs(t, nil, "--help"); code != 0 || out != usage {
		t.Errorf("--help: exit %d", code)
	}
	for _, text := range []string{usage, serveUsage} {
		for l := range strings.Lines(text) {
			if w := render.DisplayWidth(strings.TrimSuffix(l, "\n")); w > 80 {
				t.Errorf("a help line of %d columns: %q", w, l)
			}
		}
	}
}

// TestServeLive: serve --live moves its run on the clock: every job queued or waiting at
// first, every job completed once the time has passed.
func TestServeLive(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	c, _, _ := testCLI(nil)
	c.stderr = io.Discard
	var clock simulated
	clock.now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { clock.mu.Lock(); defer clock.mu.Unlock(); return clock.now }
	urls := make(chan string, 1)
	c.ready = func(url string) { urls <- url }
	exited := make(chan int)
	go func() {
		exited <- c.run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--jobs", "30", "--live", "1m"})
	}()
	url := <-urls
	defer func() { cancel(); <-exited }()

	env := map[string]string{"GITHUB_API_URL": url, "GH_TOKEN": "any"}
	list := func() string {
		code, out, errOut := ghjobs(t, env, "--jq", "[.jobs[].status] | unique | join(\" \")", sampleOwner+"/"+sampleRepo, fmt.Sprint(sampleRunID))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		return strings.TrimSpace(out)
	}
	if got := list(); strings.Contains(got, "completed") {
		t.Errorf("at the start: statuses %q, want none completed", got)
	}
	clock.mu.Lock()
	clock.now = clock.now.Add(time.Minute + time.Second)
	clock.mu.Unlock()
	if got := list(); got != "completed" {
		t.Errorf("after --live's minute: statuses %q, want all completed", got)
	}
}

// TestSmallThings: -o "" is a usage error; the demo's note fits 80 columns and counts its
// requests.
func TestSmallThings(t *testing.T) {
	if code, _, errOut := ghjobs(t, nil, "-o", "", "--demo"); code != 2 || !strings.Contains(errOut, `-o ""`) {
		t.Errorf(`-o "": exit %d, stderr %q`, code, errOut)
	}
	for n, want := range map[string]string{"7": "in 1 request to", "250": "in 3 requests to"} {
		code, _, errOut := ghjobs(t, nil, "--demo", "--jobs", n)
		if code != 0 || !strings.Contains(errOut, want) || render.DisplayWidth(strings.TrimSuffix(errOut, "\n")) > 79 {
			t.Errorf("--demo --jobs %s: exit %d, stderr %q", n, code, errOut)
		}
	}
}

// rowPlace puts the cursor at the start of a row.
var rowPlace = regexp.MustCompile(`\x1b\[\d+;1H`)

// frames splits what --watch wrote to a terminal into its frames, each as the lines it
// puts on rows 1, 2, …, and returns what it wrote after leaving the alternate screen.
func frames(t *testing.T, out string) (screens [][]string, after string) {
	t.Helper()
	body, after, ok := strings.Cut(out, leaveAltScreen)
	if !ok || !strings.HasPrefix(body, enterAltScreen) {
		t.Fatalf("no alternate screen entered and left: %.200q", out)
	}
	for _, f := range strings.Split(body, beginFrame)[1:] {
		var lines []string
		for _, part := range rowPlace.Split(strings.TrimSuffix(f, endFrame), -1)[1:] {
			if part != clearBelow {
				lines = append(lines, strings.TrimPrefix(part, clearLine))
			}
		}
		screens = append(screens, lines)
	}
	return screens, after
}

// TestWatchScreen: --watch on a terminal of 80×24 and 40×24, on the demo's 150 jobs: every
// frame has the status line and the table's header on top, at most 24 lines of at most the
// width, and the jobs it leaves out counted; the last state is printed once, after it.
func TestWatchScreen(t *testing.T) {
	for _, cols := range []int{80, 40} {
		c, out, errb := testCLI(nil)
		c.isTerminal = func(w io.Writer) bool { return w == c.stdout }
		c.size = func(io.Writer) (int, int) { return cols, 24 }
		c.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
		code := c.run(t.Context(), []string{"--demo", "--watch", "--jobs", "150"})
		if code != 1 || !strings.Contains(errb.String(), "jobs did not succeed") {
			t.Errorf("%d columns: exit %d, stderr %q; want 1, as the demo has failed jobs", cols, code, errb)
		}
		screens, after := frames(t, out.String())
		if len(screens) < demoPolls || len(screens) > 2*demoPolls {
			t.Errorf("%d columns: %d frames for a run played in %d polls", cols, len(screens), demoPolls)
		}
		for n, lines := range screens {
			if len(lines) > 24 || !strings.Contains(lines[0], " jobs completed · ") || !strings.HasPrefix(lines[1], "JOB ") {
				t.Fatalf("%d columns, frame %d: %d lines, starting %q", cols, n+1, len(lines), lines[:2])
			}
			for i, l := range lines {
				if w := render.DisplayWidth(ansiCodes.ReplaceAllString(l, "")); w > cols {
					t.Errorf("%d columns, frame %d, line %d: %d wide: %q", cols, n+1, i+1, w, l)
				}
			}
			var done, all int
			fmt.Sscanf(lines[0], "%d of %d jobs", &done, &all)
			if all > 22 && !strings.HasPrefix(lines[len(lines)-1], "… and ") {
				t.Errorf("%d columns, frame %d: no count of the jobs left out", cols, n+1)
			}
		}
		if first := screens[0]; !strings.Contains(strings.Join(first, "\n"), "queued") {
			t.Errorf("%d columns: the first frame shows no queued job:\n%s", cols, strings.Join(first, "\n"))
		}
		final := strings.Split(strings.TrimSuffix(after, "\n"), "\n")
		if len(final) != 152 || !strings.HasPrefix(final[0], "150 of 150 jobs completed") || !strings.HasPrefix(final[1], "JOB ") {
			t.Errorf("%d columns: after the screen, %d lines starting %q, ending %q; want the status, the header and 150 jobs", cols, len(final), final[:2], final[len(final)-2:])
		}
	}
}

// TestREADMEWatchScreen: the README shows the watch screen as TestWatchScreenInTmux captured
// it (docs/watch-80x24.txt), not as someone typed it.
func TestREADMEWatchScreen(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	capture, err := os.ReadFile(watchScreenDoc)
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "<!-- docs/watch-80x24.txt")
	if !ok {
		t.Fatal("the README has no block marked <!-- docs/watch-80x24.txt")
	}
	_, block, _ = strings.Cut(block, "```text\n")
	block, _, _ = strings.Cut(block, "```\n")
	if block != string(capture) {
		t.Errorf("the README's watch screen differs from %s: copy it in:\n%s", watchScreenDoc, capture)
	}
}
