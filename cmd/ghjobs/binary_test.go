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
