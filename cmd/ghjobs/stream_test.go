package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/api"
)

// closingWriter takes n lines, then fails as a closed pipe does.
type closingWriter struct {
	lines int
	got   strings.Builder
}

func (w *closingWriter) Write(p []byte) (int, error) {
	if w.lines <= 0 {
		return 0, errors.New("write |1: broken pipe")
	}
	w.lines -= strings.Count(string(p), "\n")
	w.got.Write(p)
	return len(p), nil
}

// TestJSONLStreams: --format jsonl writes each job as it arrives, so a reader that stops
// (`| head`) stops the listing: far fewer pages are fetched than the attempt has.
func TestJSONLStreams(t *testing.T) {
	run := api.SampleRun(fixtureOwner, fixtureRepo, fixtureRunID, 1, 5000) // 50 pages
	srv := api.NewTestServer(t, api.WithRun(run), api.WithToken(fixtureToken))
	c, _, errb := testCLI(map[string]string{"GITHUB_API_URL": srv.URL, "GH_TOKEN": fixtureToken})
	w := &closingWriter{lines: 3}
	c.stdout = w
	code := c.run(t.Context(), append([]string{"--format", "jsonl"}, fixtureArgs...))
	if code != 1 || !strings.Contains(errb.String(), "broken pipe") {
		t.Errorf("exit %d, stderr %q", code, errb)
	}
	if n := strings.Count(w.got.String(), "\n"); n != 3 {
		t.Errorf("%d lines written before the pipe closed, want 3", n)
	}
	if n := len(srv.Fake.Requests()); n >= 50 {
		t.Errorf("%d requests for 50 pages: the listing went on after its reader left", n)
	}
}

// TestJSONLHead runs the built command into `head -n 3`.
func TestJSONLHead(t *testing.T) {
	bin := buildGhjobs(t)
	run := api.SampleRun(fixtureOwner, fixtureRepo, fixtureRunID, 1, 5000)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithToken(fixtureToken))
	sh := exec.Command("sh", "-c", fmt.Sprintf("%q --format jsonl %s | head -n 3", bin, strings.Join(fixtureArgs, " ")))
	sh.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	out, err := sh.Output()
	if err != nil || strings.Count(string(out), "\n") != 3 {
		t.Fatalf("%v: %q", err, out)
	}
	if n := len(srv.Fake.Requests()); n >= 50 {
		t.Errorf("%d requests for 50 pages: the listing went on after head left", n)
	}
}
