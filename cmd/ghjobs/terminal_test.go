package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
)

// tmuxRun runs script in a tmux pane of the given width (a real terminal, as a person has)
// and returns the screen, history included, once the script has printed its exit status.
func tmuxRun(t *testing.T, width int, script string) (screen string, code int) {
	return tmuxCapture(t, width, script, true)
}

// tmuxCapture is tmuxRun; with history false, it returns only the visible screen (tmux
// keeps what a clear-screen wiped in its history).
func tmuxCapture(t *testing.T, width int, script string, history bool) (screen string, code int) {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("GHJOBS_REQUIRE_TMUX") != "" { // CI installs tmux: a skip there would hide the terminal tests
			t.Fatal("GHJOBS_REQUIRE_TMUX is set, but tmux is not installed")
		}
		t.Skip("tmux is not installed (apt-get install -y tmux): the terminal tests need a real terminal")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "run.sh")
	body := "#!/bin/sh\n" + script + "\necho \"EXIT=$?\"\nsleep 600\n"
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) (string, error) {
		cmd := exec.Command(tmux, append([]string{"-S", sock, "-f", "/dev/null"}, args...)...)
		cmd.Env = append(os.Environ(), "TERM=xterm-256color")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := tm("new-session", "-d", "-x", fmt.Sprint(width), "-y", "50", path); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { tm("kill-server") })
	tm("set-option", "-g", "history-limit", "5000")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		args := []string{"capture-pane", "-p"}
		if history {
			args = append(args, "-S", "-", "-E", "-")
		}
		out, err := tm(args...)
		if err != nil {
			t.Fatalf("tmux capture-pane: %v: %s", err, out)
		}
		if i := strings.LastIndex(out, "EXIT="); i >= 0 {
			fmt.Sscanf(out[i:], "EXIT=%d", &code)
			return out[:i], code
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command did not finish in tmux:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTerminalWidth runs the built command in tmux at 80, 60 and 40 columns: no line wraps
// (every job is one screen line), long names end with "…"; --wide and a pipe keep them whole.
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
		screen, code := tmuxRun(t, width, fmt.Sprintf("env %s %s %s", envs, bin, args))
		lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
		if code != 0 || len(lines) != 251 {
			t.Errorf("%d columns: exit %d, %d screen lines for a header and 250 jobs (a wrapped line adds one)", width, code, len(lines))
		}
		for i, l := range lines {
			if render.DisplayWidth(l) > width {
				t.Errorf("%d columns, line %d is %d wide", width, i+1, render.DisplayWidth(l))
			}
		}
		if !strings.Contains(screen, "…") || !strings.HasPrefix(lines[0], "JOB ") {
			t.Errorf("%d columns: no name cut with …, or no header:\n%s", width, strings.Join(lines[:5], "\n"))
		}
	}

	// --wide, and a pipe, keep the names whole: lines wrap, as the person asked.
	screen, _ := tmuxRun(t, 60, fmt.Sprintf("env %s %s --wide %s", envs, bin, args))
	piped, _ := tmuxRun(t, 60, fmt.Sprintf("env %s %s %s | cat", envs, bin, args))
	for name, s := range map[string]string{"--wide": screen, "a pipe": piped} {
		if n := len(strings.Split(strings.TrimRight(s, "\n"), "\n")); n <= 251 {
			t.Errorf("%s at 60 columns: %d screen lines; want wrapped lines, nothing cut", name, n)
		}
	}
}

// TestWatchRedraws runs the built command with --watch in tmux, against an attempt that
// moves on in real time (seconds): the screen is redrawn in place, so the header shows
// once, with the final state, and the exit status is 1 for the failed job.
func TestWatchRedraws(t *testing.T) {
	bin := buildGhjobs(t)
	start := time.Now()
	tl := api.Timeline{Owner: fixtureOwner, Repo: fixtureRepo, RunID: fixtureRunID, Attempt: 1, Start: start, Jobs: []api.JobLife{
		{Name: "build", Created: 0, Started: 500 * time.Millisecond, Completed: 1500 * time.Millisecond, Conclusion: "success"},
		{Name: "test with a name long enough to be cut on a narrow terminal", Created: 0, Started: time.Second, Completed: 2500 * time.Millisecond, Conclusion: "failure"},
	}}
	srv := api.NewTestServer(t, api.WithRun(tl.At(start)), api.WithToken(fixtureToken))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				srv.Fake.AddRun(tl.At(now))
			}
		}
	}()
	defer func() { close(stop); <-done }()

	envs := fmt.Sprintf("GITHUB_API_URL=%s GH_TOKEN=%s HOME=%s", srv.URL, fixtureToken, t.TempDir())
	screen, code := tmuxCapture(t, 50, fmt.Sprintf("env %s %s --watch --interval 1s %s", envs, bin, strings.Join(fixtureArgs, " ")), false)
	if code != 1 {
		t.Errorf("exit %d, want 1 (a job failed)\n%s", code, screen)
	}
	if n := strings.Count(screen, "jobs completed"); n != 1 {
		t.Errorf("the header shows %d times: the screen was not redrawn in place\n%s", n, screen)
	}
	for _, want := range []string{"2 of 2 jobs completed", "UTC · done", "build", "success", "failure", "…", "1 of 2 jobs did not succeed"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the final screen has no %q:\n%s", want, screen)
		}
	}
	for i, l := range strings.Split(screen, "\n") {
		if render.DisplayWidth(l) > 50 {
			t.Errorf("line %d is %d wide on a 50-column terminal", i+1, render.DisplayWidth(l))
		}
	}
}
