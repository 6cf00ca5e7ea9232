package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/testproc"
)

// TestMain runs the tests, removes the binary the end-to-end tests built, and fails on
// goroutines left running.
func TestMain(m *testing.M) {
	testproc.IgnoreSIGPIPE()
	code := jaeger.Around(m).Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// fixtureServer serves fixtureRun as GitHub would, failing the test on any contract
// violation, and returns the environment that points ghjobs at it with the right token.
func fixtureServer(t *testing.T) (*api.Server, map[string]string) {
	t.Helper()
	srv := api.NewTestServer(t, api.WithRun(fixtureRun()), api.WithToken(fixtureToken))
	return srv, map[string]string{"GITHUB_API_URL": srv.URL, "GH_TOKEN": fixtureToken}
}

var fixtureArgs = []string{fixtureOwner + "/" + fixtureRepo, fmt.Sprint(fixtureRunID), "1"}

// TestGolden prints the fixture run in every format through the real client, three pages
// over HTTP, and compares with testdata/*.golden.
func TestGolden(t *testing.T) {
	srv, env := fixtureServer(t)
	for _, tt := range []struct {
		golden string
		flags  []string
	}{
		{"table.golden", nil},
		{"table-steps.golden", []string{"--steps"}},
		{"summary.golden", []string{"--summary"}},
		{"json.golden", []string{"--format", "json"}},
		{"csv.golden", []string{"--format", "csv"}},
		{"csv-steps.golden", []string{"--format", "csv", "--steps"}},
		{"mermaid.golden", []string{"--format", "mermaid"}},
		{"mermaid-steps.golden", []string{"--format", "mermaid", "--steps"}},
		{"timeline.svg.golden", []string{"--format", "svg"}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			before := len(srv.Fake.Requests())
			code, out, errOut := ghjobs(t, env, append(tt.flags, fixtureArgs...)...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if n := len(srv.Fake.Requests()) - before; n != 3 {
				t.Errorf("%d requests, want 3 pages of up to 100", n)
			}
			golden(t, tt.golden, out)
		})
	}
}

// TestJSONLIsJSON: --format jsonl is --format json's jobs, one a line.
func TestJSONLIsJSON(t *testing.T) {
	_, env := fixtureServer(t)
	_, whole, _ := ghjobs(t, env, append([]string{"--format", "json"}, fixtureArgs...)...)
	code, lines, errOut := ghjobs(t, env, append([]string{"--format", "jsonl"}, fixtureArgs...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var page struct{ Jobs []json.RawMessage }
	if err := json.Unmarshal([]byte(whole), &page); err != nil {
		t.Fatal(err)
	}
	var got []string
	for line := range strings.Lines(lines) {
		got = append(got, strings.TrimSuffix(line, "\n"))
	}
	if len(got) != len(page.Jobs) || len(got) != 250 {
		t.Fatalf("%d lines for %d jobs, want 250", len(got), len(page.Jobs))
	}
	for i := range got {
		if want := compact(t, string(page.Jobs[i])); got[i] != want {
			t.Errorf("line %d:\ngot:  %s\nwant: %s", i+1, got[i], want)
		}
	}
}

func TestJSONAlias(t *testing.T) {
	_, env := fixtureServer(t)
	_, viaFormat, _ := ghjobs(t, env, append([]string{"--format", "json"}, fixtureArgs...)...)
	code, viaAlias, errOut := ghjobs(t, env, append([]string{"--json"}, fixtureArgs...)...)
	if code != 0 || viaAlias != viaFormat {
		t.Errorf("--json: exit %d, stderr %q, output differs from --format json: %v", code, errOut, viaAlias != viaFormat)
	}
}

// TestFlagsAfterArguments: people type flags wherever they like.
func TestFlagsAfterArguments(t *testing.T) {
	_, env := fixtureServer(t)
	code, out, errOut := ghjobs(t, env, slices.Concat(fixtureArgs, []string{"--format", "jsonl"})...)
	if code != 0 || strings.Count(out, "\n") != 250 {
		t.Errorf("exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errOut)
	}
}

func TestDemo(t *testing.T) {
	code, out, errOut := ghjobs(t, nil, "--demo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 251 || !strings.HasPrefix(lines[0], "JOB ") {
		t.Errorf("%d lines, want a header and 250 jobs; first: %q", len(lines), lines[0])
	}
	for _, want := range []string{"success", "failure", "in_progress", "queued"} {
		if !strings.Contains(out, "  "+want+" ") {
			t.Errorf("the table has no %q job", want)
		}
	}
	if !strings.Contains(errOut, "250 jobs") || !strings.Contains(errOut, "in 3 requests") {
		t.Errorf("stderr %q does not say 250 jobs in 3 requests", errOut)
	}

	code, out, errOut = ghjobs(t, nil, "--demo", "--jobs", "7", "--format", "jsonl")
	if code != 0 || strings.Count(out, "\n") != 7 {
		t.Errorf("--demo --jobs 7: exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errOut)
	}
}

func TestAPIErrors(t *testing.T) {
	srv, env := fixtureServer(t)

	code, out, errOut := ghjobs(t, env, fixtureOwner+"/"+fixtureRepo, fmt.Sprint(fixtureRunID), "2")
	if code != 1 || out != "" || !strings.Contains(errOut, "404") || !strings.Contains(errOut, "request ID") {
		t.Errorf("a missing attempt: exit %d, stdout %q, stderr %q; want 1 and a message with status and request ID", code, out, errOut)
	}
	if strings.Contains(errOut, "usage:") {
		t.Errorf("an API error shows the usage: %q", errOut)
	}

	env["GH_TOKEN"] = "wrong-token-1234"
	code, _, errOut = ghjobs(t, env, fixtureArgs...)
	if code != 1 || !strings.Contains(errOut, "401") || strings.Contains(errOut, "wrong-token") {
		t.Errorf("a wrong token: exit %d, stderr %q", code, errOut)
	}

	srv.Close() // a network error
	env["GH_TOKEN"] = fixtureToken
	code, _, errOut = ghjobs(t, env, fixtureArgs...)
	if code != 1 || !strings.Contains(errOut, "connection refused") {
		t.Errorf("no server: exit %d, stderr %q", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	env := map[string]string{"GH_TOKEN": "t", "GITHUB_API_URL": "http://127.0.0.1:1"}
	for _, args := range [][]string{
		{},
		{"octo-org/octo-repo"},
		{"octo-org/octo-repo", "1", "1", "1"},
		{"octo-org", "1", "1"},
		{"octo-org/octo-repo/x", "1", "1"},
		{"octo-org/octo-repo", "one", "1"},
		{"octo-org/octo-repo", "-5", "1"},
		{"octo-org/octo-repo", "1", "first"},
		{"octo-org/octo-repo", "1", "0"},
		{"octo org/octo-repo", "1", "1"},
		{"--demo", "octo-org/octo-repo", "1", "1"},
		{"--demo", "--api-url", "http://127.0.0.1:1"},
		{"--jobs", "5", "octo-org/octo-repo", "1"},
		{"--demo", "--jobs", "-1"},
		{"--no-such-flag"},
		{"--format", "xml", "octo-org/octo-repo", "1"},
		{"--json", "--format", "csv", "octo-org/octo-repo", "1"},
		{"--summary", "--format", "csv", "octo-org/octo-repo", "1"},
		{"--current-job", "--steps", "octo-org/octo-repo", "1"},
		{"--steps", "--format", "json", "octo-org/octo-repo", "1"},
		{"--steps", "--summary", "octo-org/octo-repo", "1"},
		{"--current-job", "octo-org/octo-repo", "1"}, // no RUNNER_NAME
		{"--api-url", "not a url", "octo-org/octo-repo", "1", "1"},
		{"serve", "extra"},
		{"serve", "--jobs", "-3"},
		{"serve", "--bogus"},
	} {
		code, out, errOut := ghjobs(t, env, args...)
		help := "\nrun 'ghjobs --help' for usage\n"
		if len(args) > 0 && args[0] == "serve" {
			help = "\nrun 'ghjobs serve --help' for usage\n"
		}
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "ghjobs: ") || strings.Count(errOut, "ghjobs: ") != 1 || !strings.HasSuffix(errOut, help) || strings.Count(errOut, "\n") != 2 {
			t.Errorf("ghjobs %q: exit %d, stdout %q, stderr %q; want 2, one line and a pointer to --help", args, code, out, errOut)
		}
	}
	for _, help := range []string{"-h", "--help"} {
		if code, out, _ := ghjobs(t, env, help); code != 0 || !strings.Contains(out, "usage: ghjobs") {
			t.Errorf("%s: exit %d, stdout %q", help, code, out)
		}
	}
}

// TestActionsEnvironment: a bare ghjobs in a workflow step describes its own run.
func TestActionsEnvironment(t *testing.T) {
	_, env := fixtureServer(t)
	env["GITHUB_REPOSITORY"] = fixtureOwner + "/" + fixtureRepo
	env["GITHUB_RUN_ID"] = fmt.Sprint(fixtureRunID)
	env["GITHUB_RUN_ATTEMPT"] = "1"
	for _, args := range [][]string{nil, fixtureArgs[:1], fixtureArgs[:2], fixtureArgs} {
		code, out, errOut := ghjobs(t, env, slices.Concat(args, []string{"--format", "jsonl"})...)
		if code != 0 || strings.Count(out, "\n") != 250 {
			t.Errorf("ghjobs %q in Actions: exit %d, %d jobs, stderr %q", args, code, strings.Count(out, "\n"), errOut)
		}
	}
	// Another attempt of the same run: a 404 shows it was asked for.
	env["GITHUB_RUN_ATTEMPT"] = "2"
	if code, _, errOut := ghjobs(t, env); code != 1 || !strings.Contains(errOut, "/attempts/2/") {
		t.Errorf("GITHUB_RUN_ATTEMPT=2: exit %d, stderr %q", code, errOut)
	}
}

func TestCurrentJob(t *testing.T) {
	run := fixtureRun()
	var want generated.Job
	for _, j := range run.Jobs {
		if j.Status == generated.JobStatusInProgress {
			want = j
			break
		}
	}
	_, env := fixtureServer(t)
	env["RUNNER_NAME"] = *want.RunnerName
	code, out, errOut := ghjobs(t, env, append([]string{"--current-job"}, fixtureArgs...)...)
	if code != 0 || out != fmt.Sprintln(want.ID) {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d", code, out, errOut, want.ID)
	}

	path := filepath.Join(t.TempDir(), "job-id")
	if code, out, _ := ghjobs(t, env, append([]string{"--current-job", "-o", path}, fixtureArgs...)...); code != 0 || out != "" {
		t.Errorf("--current-job -o: exit %d, stdout %q", code, out)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != fmt.Sprintln(want.ID) {
		t.Errorf("--current-job -o wrote %q, %v", got, err)
	}

	env["RUNNER_NAME"] = "no such runner"
	code, out, errOut = ghjobs(t, env, append([]string{"--current-job"}, fixtureArgs...)...)
	if code != 1 || out != "" || !strings.Contains(errOut, `"no such runner"`) {
		t.Errorf("an unknown runner: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	two := []generated.Job{want, want}
	two[1].ID++
	if _, err := currentJob(two, *want.RunnerName); err == nil || !strings.Contains(err.Error(), "2 in-progress jobs") {
		t.Errorf("two jobs on one runner: %v", err)
	}
}

func TestOutputFile(t *testing.T) {
	_, env := fixtureServer(t)
	path := filepath.Join(t.TempDir(), "timeline.svg")
	code, out, errOut := ghjobs(t, env, append([]string{"--format", "svg", "-o", path}, fixtureArgs...)...)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	got, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(got), "<svg ") {
		t.Errorf("%s: %v, %.40q", path, err, got)
	}

	// An error leaves the old file as it was, and no temporary file behind.
	code, _, _ = ghjobs(t, env, "--format", "svg", "-o", path, fixtureOwner+"/"+fixtureRepo, fmt.Sprint(fixtureRunID), "9")
	again, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if code != 1 || string(again) != string(got) || len(entries) != 1 {
		t.Errorf("a failed run: exit %d, file changed %v, %d files in the directory", code, string(again) != string(got), len(entries))
	}

	code, _, errOut = ghjobs(t, env, append([]string{"-o", filepath.Join(path, "not-a-dir", "x")}, fixtureArgs...)...)
	if code != 2 || !strings.Contains(errOut, "not-a-dir") {
		t.Errorf("an unwritable -o: exit %d, stderr %q", code, errOut)
	}
}

func TestColour(t *testing.T) {
	_, env := fixtureServer(t)
	for _, tt := range []struct {
		terminal, noColor bool
		want              bool
	}{
		{terminal: false, want: false},
		{terminal: true, want: true},
		{terminal: true, noColor: true, want: false},
	} {
		env["NO_COLOR"] = ""
		if tt.noColor {
			env["NO_COLOR"] = "1"
		}
		c, out, _ := testCLI(env)
		c.isTerminal = func(w io.Writer) bool { return tt.terminal && w == c.stdout }
		if code := c.run(context.Background(), fixtureArgs); code != 0 {
			t.Fatalf("exit %d", code)
		}
		if got := strings.Contains(out.String(), "\x1b[31mfailure\x1b[0m"); got != tt.want {
			t.Errorf("terminal %v, NO_COLOR %v: coloured %v, want %v", tt.terminal, tt.noColor, got, tt.want)
		}
		if strings.Contains(out.String(), "\x1b[2J") {
			t.Error("a job name's escape sequence reached the terminal")
		}
	}
}

func TestProgress(t *testing.T) {
	_, env := fixtureServer(t)
	c, out, errb := testCLI(env)
	c.isTerminal = func(w io.Writer) bool { return w == c.stderr }
	c.progressDelay = 0
	if code := c.run(context.Background(), fixtureArgs); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if got := errb.String(); !strings.Contains(got, " · octo-org/octo-repo run 12345678901 attempt 1") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("stderr on a terminal: %q; want a progress line, erased at the end", got)
	}
	if strings.Count(out.String(), "\n") != 251 {
		t.Error("progress changed the table")
	}

	// Not a terminal: silent.
	c, _, errb = testCLI(env)
	c.progressDelay = 0
	if code := c.run(context.Background(), fixtureArgs); code != 0 || errb.Len() != 0 {
		t.Errorf("exit %d, stderr %q", code, errb)
	}
}

// TestJSONIsGitHubs serves a page written the way GitHub writes it and checks that
// --format json gives the same bytes, whitespace aside: every field in GitHub's order, nulls
// kept, empty arrays, no HTML escaping.
func TestJSONIsGitHubs(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "github-page.json"))
	if err != nil {
		t.Fatal(err)
	}
	var page generated.JobsPage
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	srv := api.NewTestServer(t, api.WithRun(api.Run{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 2, Jobs: page.Jobs}))
	env := map[string]string{"GITHUB_API_URL": srv.URL, "GH_TOKEN": "t"}
	code, out, errOut := ghjobs(t, env, "--format", "json", "octo-org/octo-repo", "29679449", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got, want := compact(t, out), compact(t, string(raw)); got != want {
		t.Errorf("--format json is not GitHub's JSON:\ngot:  %s\nwant: %s", got, want)
	}

	_, out, _ = ghjobs(t, env, "--format", "jsonl", "octo-org/octo-repo", "29679449", "2")
	var jobs []json.RawMessage
	var whole struct{ Jobs []json.RawMessage }
	json.Unmarshal(raw, &whole)
	for line := range strings.Lines(out) {
		jobs = append(jobs, json.RawMessage(strings.TrimSuffix(line, "\n")))
	}
	if len(jobs) != len(whole.Jobs) {
		t.Fatalf("%d lines, want %d", len(jobs), len(whole.Jobs))
	}
	for i := range jobs {
		if got, want := string(jobs[i]), compact(t, string(whole.Jobs[i])); got != want {
			t.Errorf("jsonl line %d:\ngot:  %s\nwant: %s", i+1, got, want)
		}
	}
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
