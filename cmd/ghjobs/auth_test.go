package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
)

// fakeGH puts a gh on a PATH of its own that runs script, and returns the file where it
// records its arguments.
func fakeGH(t *testing.T, script string) (argsFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	body := "#!/bin/sh\necho \"$@\" > '" + argsFile + "'\n" + script + "\n"
	if err := os.WriteFile(filepath.Join(dir, "gh"), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return argsFile
}

// authorization returns the Authorization header of the fake's last request.
func authorization(srv *api.Server) string {
	r := srv.Fake.Requests()
	return r[len(r)-1].Header.Get("Authorization")
}

func TestTokenSources(t *testing.T) {
	srv := api.NewTestServer(t, api.WithRun(fixtureRun()))
	t.Setenv("PATH", t.TempDir()) // no gh
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GH_TOKEN": "gh-1", "GITHUB_TOKEN": "actions-1"}, "Bearer gh-1"},
		{map[string]string{"GH_TOKEN": "  ", "GITHUB_TOKEN": "actions-1"}, "Bearer actions-1"},
		{map[string]string{"GITHUB_TOKEN": "actions-1\n"}, "Bearer actions-1"},
	} {
		tt.env["GITHUB_API_URL"] = srv.URL
		code, _, errOut := ghjobs(t, tt.env, fixtureArgs...)
		if got := authorization(srv); code != 0 || got != tt.want || errOut != "" {
			t.Errorf("%v: exit %d, Authorization %q, stderr %q; want %q and no warning", tt.env, code, got, errOut, tt.want)
		}
	}

	// No token anywhere: unauthenticated, with one line of warning for a server elsewhere...
	code, _, errOut := ghjobsRemote(t, map[string]string{"GITHUB_API_URL": srv.URL}, fixtureArgs...)
	if got := authorization(srv); code != 0 || got != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "60 an hour") {
		t.Errorf("no token: exit %d, Authorization %q, stderr %q", code, got, errOut)
	}
	// ...and none for one on loopback (ghjobs serve), which has no such limit.
	code, _, errOut = ghjobs(t, map[string]string{"GITHUB_API_URL": srv.URL}, fixtureArgs...)
	if code != 0 || errOut != "" {
		t.Errorf("no token, loopback: exit %d, stderr %q; want no warning", code, errOut)
	}

	// A token GitHub could not accept is a usage error that names its source, not the token.
	code, _, errOut = ghjobs(t, map[string]string{"GITHUB_API_URL": srv.URL, "GITHUB_TOKEN": "secret value"}, fixtureArgs...)
	if code != 2 || !strings.Contains(errOut, "GITHUB_TOKEN") || strings.Contains(errOut, "secret") {
		t.Errorf("a token with a space: exit %d, stderr %q", code, errOut)
	}
}

func TestGHAuthToken(t *testing.T) {
	needsExec(t)
	srv := api.NewTestServer(t, api.WithRun(fixtureRun()))
	env := map[string]string{"GITHUB_API_URL": srv.URL}

	args := fakeGH(t, "echo gho_from_gh")
	code, out, errOut := ghjobs(t, env, fixtureArgs...)
	if got := authorization(srv); code != 0 || got != "Bearer gho_from_gh" || errOut != "" {
		t.Errorf("gh logged in: exit %d, Authorization %q, stderr %q", code, got, errOut)
	}
	if strings.Contains(out+errOut, "gho_from_gh") {
		t.Error("the token was printed")
	}
	if got, _ := os.ReadFile(args); string(got) != "auth token --hostname 127.0.0.1\n" {
		t.Errorf("gh ran with %q", got)
	}

	fakeGH(t, "echo 'no oauth token found' >&2; exit 1")
	code, _, errOut = ghjobsRemote(t, env, fixtureArgs...)
	if got := authorization(srv); code != 0 || got != "" || !strings.Contains(errOut, "warning") || strings.Contains(errOut, "oauth") {
		t.Errorf("gh logged out: exit %d, Authorization %q, stderr %q", code, got, errOut)
	}

	// A gh that hangs is given up on: were it not, this test would hang until go test's
	// own timeout.
	fakeGH(t, "exec sleep 3600")
	c, _, errb := testCLI(env)
	c.local = func(string) bool { return false }
	c.ghTimeout = 100 * time.Millisecond
	if code := c.run(t.Context(), fixtureArgs); code != 0 || !strings.Contains(errb.String(), "warning") {
		t.Errorf("gh hanging: exit %d, stderr %q", code, errb)
	}
}

func TestGHHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.github.com":              "github.com",
		"https://API.GitHub.com/":             "github.com",
		"https://ghe.example.com/api/v3":      "ghe.example.com",
		"https://api.octocorp.ghe.com":        "octocorp.ghe.com",
		"http://127.0.0.1:8080":               "127.0.0.1",
		"https://ghe.example.com:8443/api/v3": "ghe.example.com",
	} {
		if got := ghHost(in); got != want {
			t.Errorf("ghHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttemptFromArgs(t *testing.T) {
	actions := map[string]string{"GITHUB_REPOSITORY": "octo-org/octo-repo", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "3"}
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string // Attempt.String(), attempt 0 for the latest, or "" for a usage error
	}{
		{[]string{"o/r", "7", "2"}, nil, "o/r run 7 attempt 2"},
		{[]string{"o/r", "7"}, nil, "o/r run 7 attempt 0"},
		{nil, actions, "octo-org/octo-repo run 42 attempt 3"},
		{[]string{"Octo-Org/octo-repo"}, actions, "Octo-Org/octo-repo run 42 attempt 3"},
		{[]string{"octo-org/octo-repo", "42"}, actions, "octo-org/octo-repo run 42 attempt 3"},
		{[]string{"octo-org/octo-repo", "41"}, actions, "octo-org/octo-repo run 41 attempt 0"}, // another run: its latest attempt
		{[]string{"other/repo"}, actions, ""},                                                  // another repo: not this run
		{[]string{"other/repo", "42"}, actions, "other/repo run 42 attempt 0"},
		{nil, map[string]string{"GITHUB_REPOSITORY": "o/r"}, ""},
		{nil, nil, ""},
		{[]string{"o/r", "7", "2", "1"}, nil, ""},
		{[]string{"o/r", "7", "-2"}, nil, ""},
		{[]string{"o/r", "99999999999999999999"}, nil, ""},
	} {
		a, err := targetFromArgs(tt.args, func(k string) string { return tt.env[k] })
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%q with %v: %v, want a usage error", tt.args, tt.env, a)
		case tt.want != "" && (err != nil || a.String() != tt.want):
			t.Errorf("%q with %v: %v, %v; want %s", tt.args, tt.env, a, err, tt.want)
		}
	}
}

// ghjobsRemote is ghjobs with the API root taken for a remote one, as api.github.com is.
func ghjobsRemote(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	c, out, errb := testCLI(env)
	c.local = func(string) bool { return false }
	code = c.run(t.Context(), args)
	return code, out.String(), errb.String()
}

func TestLoopback(t *testing.T) {
	for in, want := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://[::1]:8080/api/v3": true, "http://localhost:1": true,
		"https://api.github.com": false, "https://ghe.example.com/api/v3": false, "http://10.0.0.1": false,
	} {
		if got := loopback(in); got != want {
			t.Errorf("loopback(%q) = %v, want %v", in, got, want)
		}
	}
}
