package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxResult is what a script run in a tmux pane left: the visible screen, the whole
// history (the screen included), the same with wrapped lines joined, the script's exit
// status, and, when recorded, every byte the pane was sent.
type tmuxResult struct {
	screen, history string
	joined          string // the history with the lines the terminal wrapped joined again
	code            int
	raw             string
}

// inTmux runs script in a tmux pane of cols × rows (a real terminal, as a person has) and
// returns what it left once the script has printed its exit status. With record, the
// script starts only once tmux records what is sent to the pane (pipe-pane).
func inTmux(t *testing.T, cols, rows int, script string, record bool) tmuxResult {
	t.Helper()
	needsE2E(t)
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("GHJOBS_REQUIRE_TMUX") != "" { // CI installs tmux: a skip there would hide the terminal tests
			t.Fatal("GHJOBS_REQUIRE_TMUX is set, but tmux is not installed")
		}
		t.Skip("tmux is not installed (apt-get install -y tmux): the terminal tests need a real terminal")
	}
	dir := t.TempDir()
	start, rawPath := filepath.Join(dir, "start"), filepath.Join(dir, "raw")
	wait := ""
	if record {
		wait = fmt.Sprintf("while [ ! -e %q ]; do sleep 0.05; done\n", start)
	}
	path := filepath.Join(dir, "run.sh")
	body := "#!/bin/sh\n" + wait + script + "\necho \"EXIT=$?\"\nsleep 600\n"
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
	if out, err := tm("new-session", "-d", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), path); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { tm("kill-server") })
	tm("set-option", "-g", "history-limit", "5000")
	if record {
		if out, err := tm("pipe-pane", "-O", "cat > "+rawPath); err != nil {
			t.Fatalf("tmux pipe-pane: %v: %s", err, out)
		}
		if err := os.WriteFile(start, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(3 * time.Minute) // a hang, not a slow machine
	for {
		history, err := tm("capture-pane", "-p", "-S", "-", "-E", "-")
		if err != nil {
			t.Fatalf("tmux capture-pane: %v: %s", err, history)
		}
		if i := strings.LastIndex(history, "EXIT="); i >= 0 {
			var r tmuxResult
			fmt.Sscanf(history[i:], "EXIT=%d", &r.code)
			r.history = history[:i]
			screen, _ := tm("capture-pane", "-p")
			r.screen, _, _ = strings.Cut(screen, "EXIT=")
			joined, _ := tm("capture-pane", "-p", "-J", "-S", "-", "-E", "-")
			r.joined, _, _ = strings.Cut(joined, "EXIT=")
			if record {
				tm("pipe-pane") // stop, so that cat has written all
				raw, _ := os.ReadFile(rawPath)
				r.raw = string(raw)
			}
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command did not finish in tmux:\n%s", history)
		}
		time.Sleep(100 * time.Millisecond) // polling the pane; nothing waits on it to pass
	}
}

// screenLines are a capture's lines, without the blank ones at the end.
func screenLines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}
