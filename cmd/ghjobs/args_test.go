package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// TestArgumentMessages: each mistake gets its own one-line reason.
func TestArgumentMessages(t *testing.T) {
	env := map[string]string{"GH_TOKEN": "t", "GITHUB_API_URL": "http://127.0.0.1:1"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"octo-org/octo-repo", "1", "-1"}, "attempt must be ≥ 1, got -1"},
		{[]string{"--format", "csv", "octo-org/octo-repo", "1", "-1"}, "attempt must be ≥ 1, got -1"},
		{[]string{"octo-org/octo-repo", "-5"}, "run ID must be ≥ 1, got -5"},
		{[]string{"octo-org/octo-repo", "1", "0"}, "attempt must be ≥ 1, got 0"},
		{[]string{"octo-org/octo-repo", "99999999999999999999"}, "run ID 99999999999999999999: too large"},
		{[]string{"octo-org/octo-rep!", "1"}, `repository name "octo-rep!"`},
		{[]string{"-octo/octo-repo", "1"}, "flag provided but not defined"},
		{[]string{"https://github.com/o/r/pulls/3"}, "want a run's address"},
		{[]string{"https://github.com/o/r/actions/runs/5/attempts/2", "3"}, "names its attempt already"},
		{[]string{"-o", "-", "--format", "svg", "--steps", "o/r", "1"}, "--steps adds rows"},
	} {
		code, _, errOut := ghjobs(t, env, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 2 {
			t.Errorf("ghjobs %q: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
	// An Enterprise host's run, with no API root configured.
	code, _, errOut := ghjobs(t, map[string]string{"GH_TOKEN": "t"}, "https://ghe.example.com/o/r/actions/runs/5")
	if code != 2 || !strings.Contains(errOut, "--api-url https://ghe.example.com/api/v3") {
		t.Errorf("an Enterprise run's URL: exit %d, stderr %q", code, errOut)
	}
}

// TestRunURLs: the address of a run's page, pasted from the browser, names the run and its
// attempt, or the run's latest attempt (Number 0); a job's page names the job.
func TestRunURLs(t *testing.T) {
	run := wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 12345678901}
	for _, tt := range []struct {
		args    []string
		attempt int64
		job     int64
	}{
		{[]string{"https://github.com/octo-org/octo-repo/actions/runs/12345678901"}, 0, 0},
		{[]string{"https://github.com/octo-org/octo-repo/actions/runs/12345678901/attempts/3"}, 3, 0},
		{[]string{"https://github.com/octo-org/octo-repo/actions/runs/12345678901/job/98765?pr=4"}, 0, 98765},
		{[]string{"https://github.com/octo-org/octo-repo/actions/runs/12345678901/", "2"}, 2, 0},
	} {
		want := target{Attempt: run, job: tt.job}
		want.Number = tt.attempt
		got, err := targetFromArgs(tt.args, func(string) string { return "" })
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", tt.args, got, err, want)
		}
	}
	// Through the command, against the fixture.
	_, env := fixtureServer(t)
	url := fmt.Sprintf("https://github.com/%s/%s/actions/runs/%d/attempts/1", fixtureOwner, fixtureRepo, fixtureRunID)
	if code, out, errOut := ghjobs(t, env, "--format", "jsonl", url); code != 0 || strings.Count(out, "\n") != 250 {
		t.Errorf("a pasted URL: exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errOut)
	}
}

// TestNothingSentOnBadInput: arguments are checked before any token lookup or request.
func TestNothingSentOnBadInput(t *testing.T) {
	srv, env := fixtureServer(t)
	delete(env, "GH_TOKEN")
	argsFile := fakeGH(t, "echo gh-token")
	for _, args := range [][]string{
		{"octo-org/octo rep", "1"},
		{"octo-org/octo-repo", "1", "-1"},
		{"octo-org/octo-repo", "x"},
		{"--api-url", "ftp://x", "octo-org/octo-repo", "1"},
		{"-o", t.TempDir(), "octo-org/octo-repo", "1"},
	} {
		if code, _, errOut := ghjobs(t, env, args...); code != 2 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
	if n := len(srv.Fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
	if _, err := os.Stat(argsFile); err == nil {
		t.Error("gh was asked for a token for bad input")
	}
}

// TestBadTokenIsOneLine: a token GitHub could not accept is exit 2, without the usage.
func TestBadTokenIsOneLine(t *testing.T) {
	code, _, errOut := ghjobs(t, map[string]string{"GITHUB_API_URL": "http://127.0.0.1:1", "GH_TOKEN": "two words"}, "o/r", "1")
	if code != 2 || strings.Count(errOut, "\n") != 2 || strings.Contains(errOut, "flags:") || strings.Contains(errOut, "two words") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestNotFoundHint(t *testing.T) {
	_, env := fixtureServer(t)
	code, _, errOut := ghjobs(t, env, fixtureOwner+"/"+fixtureRepo, fmt.Sprint(fixtureRunID), "2")
	for _, want := range []string{"404", "private repository", "GH_TOKEN", "gh auth login", "repo scope"} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := ghjobs(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "ghjobs ") || !strings.Contains(out, wrapper.APIVersion) || strings.Count(out, "\n") != 1 {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// hangingServer accepts requests and never answers until the test ends.
func hangingServer(t *testing.T) string {
	url, _ := hangingServerSaying(t)
	return url
}

// hangingServerSaying is hangingServer, with a channel that gets a value as each request
// arrives.
func hangingServerSaying(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	stop := make(chan struct{})
	arrived := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL, arrived
}

// TestInterrupt: Ctrl-C ends a listing with status 130.
func TestInterrupt(t *testing.T) {
	url := hangingServer(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(100*time.Millisecond, func() { cancel(interrupted{syscall.SIGINT}) })
	code, _, errOut := ghjobs2(ctx, map[string]string{"GITHUB_API_URL": url, "GH_TOKEN": "t"}, "o/r", "1")
	if code != 130 || !strings.Contains(errOut, "interrupted") {
		t.Errorf("exit %d, stderr %q; want 130", code, errOut)
	}
}

// TestInterruptBinary sends SIGINT to the built command waiting on a server that never
// answers, once its request has arrived (so its handler is set: it is, before any request).
func TestInterruptBinary(t *testing.T) {
	bin := buildGhjobs(t)
	url, arrived := hangingServerSaying(t)
	cmd := exec.Command(bin, "o/r", "1", "1")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=", "GH_TOKEN=t", "GITHUB_API_URL=" + url}
	var errOut strings.Builder
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-arrived
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, stderr %q; want 130", code, errOut.String())
	}
}

// ghjobs2 is ghjobs with a context.
func ghjobs2(ctx context.Context, env map[string]string, args ...string) (code int, stdout, stderr string) {
	c, out, errb := testCLI(env)
	code = c.run(ctx, args)
	return code, out.String(), errb.String()
}
