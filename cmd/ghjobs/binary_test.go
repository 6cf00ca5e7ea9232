package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildGhjobs builds the command into a temporary directory and returns its path.
func buildGhjobs(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	needsExec(t)
	bin := filepath.Join(t.TempDir(), "ghjobs")
	build := exec.Command("go", "build", "-o", bin, ".")
	// For this machine, also when the tests run as another GOARCH (386 under qemu in CI).
	build.Env = append(os.Environ(), "GOARCH=", "GOOS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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
