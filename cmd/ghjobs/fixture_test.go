package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// fixedNow is the clock of the tests: a little after the fixture's last timestamp, so that
// running jobs have run for a while.
var fixedNow = time.Date(2026, 11, 2, 9, 20, 0, 0, time.UTC)

const (
	fixtureOwner       = "octo-org"
	fixtureRepo        = "octo-repo"
	fixtureRunID int64 = 12_345_678_901 // above 2^32: typed, so it stays 64-bit on 386
	fixtureToken       = "fixture-token"
)

// fixtureRun is the run the golden files show: api.SampleRun's 250 jobs, three pages of 100,
// with in-progress and queued jobs at the end, and in jobs 3 to 10 the cases a real attempt
// throws at ghjobs.
func fixtureRun() api.Run {
	run := api.SampleRun(fixtureOwner, fixtureRepo, fixtureRunID, 1, 250)
	j := run.Jobs
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }

	j[3].Name = "tëst (日本語, 🐧) ✓ café"
	j[4].Name = `deploy: "prod" #1; <b>&amp;</b> 100% %% done`

	// Out of order, as GitHub sometimes reports them: completed before started...
	completed := j[5].StartedAt.Add(-sec(30))
	j[5].CompletedAt = &completed
	// ...and started before created.
	j[6].StartedAt = j[6].CreatedAt.Add(-sec(10))

	// Every nullable field null, no labels, and a step that ends before it starts.
	j[7].HTMLURL, j[7].WorkflowName, j[7].HeadBranch, j[7].RunAttempt = nil, nil, nil, nil
	j[7].Labels = []string{}
	before := j[7].Steps[1].StartedAt.Add(-sec(5))
	j[7].Steps[1].CompletedAt = &before

	// A name that would rewrite a terminal and reverse the text after it.
	j[8].Name = "evil\x1b[2J\x1b[31m name \u202e reversed"

	// Waiting for an environment's approval: no runner, no steps, not started.
	j[9].Status = generated.JobStatusWaiting
	j[9].Conclusion, j[9].CompletedAt = nil, nil
	j[9].RunnerID, j[9].RunnerName, j[9].RunnerGroupID, j[9].RunnerGroupName = nil, nil, nil, nil
	j[9].Steps = nil
	j[9].StartedAt = j[9].CreatedAt

	// Timed out, with no step marked failed.
	timedOut := generated.JobConclusionTimedOut
	j[10].Conclusion = &timedOut
	return run
}

// needsExec skips tests that start processes when the tests run as GOARCH=386, which CI does
// under qemu-user: there os/exec's fork crashes the Go runtime. What these tests cover, process
// handling, does not depend on the word size; the 386 run is for 64-bit ids.
func needsExec(t *testing.T) {
	t.Helper()
	if runtime.GOARCH == "386" {
		t.Skip("starts processes; skipped on 386, which CI runs under qemu-user")
	}
}

// testCLI is the command with buffers for its output, a fixed clock, no terminal, and env
// as its whole environment.
func testCLI(env map[string]string) (c *cli, stdout, stderr *bytes.Buffer) {
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	return &cli{
		stdout:        stdout,
		stderr:        stderr,
		getenv:        func(k string) string { return env[k] },
		now:           func() time.Time { return fixedNow },
		isTerminal:    func(io.Writer) bool { return false },
		progressDelay: progressDelay,
		ghTimeout:     ghTimeout,
	}, stdout, stderr
}

// ghjobs runs the command in-process with env as its environment.
func ghjobs(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	c, out, errb := testCLI(env)
	code = c.run(context.Background(), args)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ghjobs -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd/ghjobs -update rewrites it; review with git diff):\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line where want and got differ.
func firstDiff(want, got string) string {
	w, g := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl []byte
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if !bytes.Equal(wl, gl) {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + string(wl) + "\ngot:  " + string(gl)
		}
	}
	return "(only in length)"
}
