package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// e2eEnv turns on the end-to-end tests: the built binary in a real terminal (tmux), as a
// pipe, with files and signals, and big attempts. They take a minute or two; .ci/run sets it.
const e2eEnv = "GHJOBS_E2E"

// needsE2E skips an end-to-end test unless GHJOBS_E2E=1.
func needsE2E(t *testing.T) {
	t.Helper()
	if os.Getenv(e2eEnv) != "1" {
		t.Skip("end-to-end: runs the built binary; " + e2eEnv + "=1 runs it (CI does)")
	}
	needsExec(t)
}

// The binary the end-to-end tests run, built once per test process into binDir, which
// TestMain removes.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	binErr    error
)

// buildGhjobs returns the built command, building it the first time.
func buildGhjobs(t *testing.T) string {
	t.Helper()
	needsE2E(t)
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "ghjobs-e2e-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ghjobs")
		build := exec.Command("go", "build", "-o", binPath, ".")
		// For this machine, also when the tests run as another GOARCH (386 under qemu in CI).
		build.Env = append(os.Environ(), "GOARCH=", "GOOS=")
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// runBinary runs bin with env as its whole environment (HOME and an empty PATH added, so
// that no gh is found) and returns its exit code and output.
func runBinary(t *testing.T, bin string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH="}, env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// runWithStdout is runBinary with stdout as the command's standard output.
func runWithStdout(t *testing.T, bin string, env []string, stdout *os.File, args ...string) (code int, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH="}, env...)
	var errOut strings.Builder
	cmd.Stdout, cmd.Stderr = stdout, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), errOut.String()
}

// TestExitCodesBinary: the built command's exit statuses, as a shell sees them.
func TestExitCodesBinary(t *testing.T) {
	bin := buildGhjobs(t)
	srv, _ := fixtureServer(t)
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	hang := []string{"GITHUB_API_URL=" + hangingServer(t), "GH_TOKEN=t"}
	for _, tt := range []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"success", env, fixtureArgs, 0, ""},
		{"version", nil, []string{"--version"}, 0, ""},
		{"404", env, []string{fixtureOwner + "/" + fixtureRepo, "1", "1"}, 1, "hint: "},
		{"usage", env, []string{"o/r", "1", "-1"}, 2, "attempt must be ≥ 1"},
		{"bad token", []string{"GH_TOKEN=a b"}, []string{"o/r", "1"}, 2, "GH_TOKEN"},
		{"timeout", hang, []string{"--timeout", "300ms", "o/r", "1"}, 124, "--timeout"},
	} {
		code, _, errOut := runBinary(t, bin, tt.env, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, errOut, tt.code, tt.want)
		}
	}
}
