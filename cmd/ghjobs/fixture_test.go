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

	"github.com/ghjobs/ghjobs/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// The fixture run (internal/fixture), under the names the tests use.
var (
	fixedNow   = fixture.Now
	fixtureRun = fixture.Run
)

const (
	fixtureOwner = fixture.Owner
	fixtureRepo  = fixture.Repo
	fixtureRunID = fixture.RunID
	fixtureToken = fixture.Token
)

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
