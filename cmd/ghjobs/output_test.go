//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOutputDestinations runs the built command with -o on what people point it at: a
// symlink, a private file, a FIFO, a directory, standard output. Nothing there may be
// turned into something else.
func TestOutputDestinations(t *testing.T) {
	bin := buildGhjobs(t)
	srv, _ := fixtureServer(t)
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	args := func(out string) []string { return append([]string{"--format", "jsonl", "-o", out}, fixtureArgs...) }
	dir := t.TempDir()

	t.Run("symlink to a private file", func(t *testing.T) {
		target := filepath.Join(dir, "private.jsonl")
		link := filepath.Join(dir, "link.jsonl")
		if err := os.WriteFile(target, []byte("old\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := runBinary(t, bin, env, args(link)...); code != 0 || out != "" {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the symlink was replaced: %v, %v", fi.Mode(), err)
		}
		fi, err := os.Stat(target)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("the target's mode is %v, want 0600 kept: %v", fi.Mode(), err)
		}
		if got, _ := os.ReadFile(target); strings.Count(string(got), "\n") != 250 {
			t.Errorf("the target has %d lines, want 250 jobs", strings.Count(string(got), "\n"))
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 2 {
			t.Errorf("%d files in the directory, want the target and the link only", len(entries))
		}
	})

	t.Run("FIFO", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		got := drainFIFO(fifo)
		if code, _, errOut := runBinary(t, bin, env, args(fifo)...); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if out := readFIFO(t, got); strings.Count(out, "\n") != 250 {
			t.Errorf("read %d lines from the FIFO, want 250", strings.Count(out, "\n"))
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO is now %v, %v", fi.Mode(), err)
		}
	})

	t.Run("directory", func(t *testing.T) {
		before := len(srv.Fake.Requests())
		code, out, errOut := runBinary(t, bin, env, args(dir)...)
		if code != 2 || out != "" || !strings.Contains(errOut, "is a directory") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 2 and 'is a directory'", code, out, errOut)
		}
		if n := len(srv.Fake.Requests()) - before; n != 0 {
			t.Errorf("%d requests sent before refusing -o", n)
		}
	})

	t.Run("no such directory", func(t *testing.T) {
		code, _, errOut := runBinary(t, bin, env, args(filepath.Join(dir, "nowhere", "x"))...)
		if code != 2 || !strings.Contains(errOut, "nowhere") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("dash is standard output", func(t *testing.T) {
		code, out, errOut := runBinary(t, bin, env, args("-")...)
		if code != 0 || strings.Count(out, "\n") != 250 {
			t.Errorf("exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errOut)
		}
		if _, err := os.Stat("-"); err == nil {
			t.Error("-o - created a file named -")
		}
	})

	t.Run("dev fd 1 is written in place", func(t *testing.T) {
		// Standard output redirected to a FIFO, named as /dev/fd/1: what it names must stay
		// what it is. /dev/stdout is the same, but a broken command run as root would
		// replace the machine's /dev/stdout; under /dev/fd it cannot create anything.
		fifo := filepath.Join(dir, "stdout-fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		got := drainFIFO(fifo)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		code, errOut := runWithStdout(t, bin, env, w, args("/dev/fd/1")...)
		w.Close()
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if out := readFIFO(t, got); strings.Count(out, "\n") != 250 {
			t.Errorf("read %d lines, want 250", strings.Count(out, "\n"))
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO is now %v, %v", fi.Mode(), err)
		}
	})

	t.Run("owner kept", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("only root can give a file to another owner")
		}
		path := filepath.Join(dir, "theirs.jsonl")
		os.WriteFile(path, []byte("old\n"), 0o644)
		if err := os.Chown(path, 12345, 23456); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := runBinary(t, bin, env, args(path)...); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 12345 || st.Gid != 23456 {
			t.Errorf("owner %d:%d after -o, want 12345:23456 kept", st.Uid, st.Gid)
		}
	})

	t.Run("a failure leaves the file", func(t *testing.T) {
		path := filepath.Join(dir, "keep.jsonl")
		os.WriteFile(path, []byte("keep\n"), 0o640)
		code, _, _ := runBinary(t, bin, env, "--format", "jsonl", "-o", path, fixtureOwner+"/"+fixtureRepo, fmt.Sprint(fixtureRunID), "9")
		got, _ := os.ReadFile(path)
		if code != 1 || string(got) != "keep\n" {
			t.Errorf("exit %d, file now %q", code, got)
		}
		if matches, _ := filepath.Glob(filepath.Join(dir, ".keep.jsonl.*")); len(matches) != 0 {
			t.Errorf("temporary files left: %v", matches)
		}
	})
}

// readFIFO waits for what the reader of a FIFO got. A command that replaced the FIFO instead
// of writing to it leaves the reader waiting for ever: the test fails rather than hangs.
// drainFIFO reads the FIFO to its end in the background; readFIFO returns what it read.
func drainFIFO(fifo string) <-chan string {
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until a writer opens it
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	return got
}

func readFIFO(t *testing.T, got <-chan string) string {
	t.Helper()
	select {
	case out := <-got:
		return out
	case <-time.After(30 * time.Second):
		t.Fatal("nothing was written to the FIFO: it was replaced, not written to")
		return ""
	}
}

// TestDescriptorNames: the names of open descriptors are written in place, never replaced.
func TestDescriptorNames(t *testing.T) {
	for _, name := range []string{"/dev/stdout", "/dev/stderr", "/dev/fd/1", "/dev/fd/12", "/proc/self/fd/1", "/proc/4242/fd/3"} {
		d, err := openDestination(name)
		if err != nil || !d.inPlace {
			t.Errorf("%s: %+v, %v; want written in place", name, d, err)
		}
	}
	for _, name := range []string{"/dev/stdout.txt", "/tmp/dev/stdout", "/proc/self/fd"} {
		if procFD.MatchString(name) {
			t.Errorf("%s taken for a descriptor", name)
		}
	}
}
