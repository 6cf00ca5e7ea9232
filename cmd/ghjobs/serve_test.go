package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	c, _, _ := testCLI(nil)
	errb := newSyncBuffer() // read while serve runs
	c.stderr = errb
	c.now = time.Now
	urls := make(chan string, 1)
	c.ready = func(url string) { urls <- url }
	exited := make(chan int)
	go func() { exited <- c.run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--jobs", "120"}) }()
	var url string
	select {
	case url = <-urls:
	case code := <-exited:
		t.Fatalf("serve exited with %d: %s", code, errb)
	}

	env := map[string]string{"GITHUB_API_URL": url, "GH_TOKEN": "any"}
	code, out, errOut := ghjobs(t, env, "--format", "jsonl", fixtureOwner+"/"+fixtureRepo, fmt.Sprint(fixtureRunID))
	if code != 0 || strings.Count(out, "\n") != 120 {
		t.Errorf("listing the served run: exit %d, %d jobs, stderr %q", code, strings.Count(out, "\n"), errOut)
	}
	// A request the contract forbids is reported on serve's stderr.
	resp, err := http.Get(url + "/repos/octo-org/octo-repo/actions/runs/1/attempts/1/jobs?per_page=0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	defer func() {
		cancel()
		if code := <-exited; code != 0 {
			t.Errorf("serve exited with %d after Ctrl-C", code)
		}
	}()
	if got := errb.String(); !strings.Contains(got, "(120 jobs) at "+url) || !strings.Contains(got, "contract violation") ||
		!strings.Contains(got, "\n"+tokenHint+"\n") {
		t.Errorf("serve's stderr: %q", got)
	}

	// The try: line works as printed, with a token set, and without a warning; the sample
	// is placed relative to now, so nothing has run for days.
	try := regexp.MustCompile(`(?m)^try: ghjobs (.*)$`).FindStringSubmatch(errb.String())
	if try == nil {
		t.Fatalf("no try: line in %q", errb)
	}
	c2, out2, err2 := testCLI(map[string]string{"GH_TOKEN": "gho_any"})
	c2.now = time.Now
	if code := c2.run(t.Context(), append(strings.Fields(try[1]), "--summary")); code != 0 || err2.Len() != 0 {
		t.Errorf("the try: line %q: exit %d, stderr %q", try[1], code, err2)
	}
	if m := regexp.MustCompile(`wall time +(\S+),`).FindStringSubmatch(out2.String()); m == nil || strings.Contains(m[1], "h") {
		t.Errorf("the served sample's wall time: %q; want minutes, not hours:\n%s", m, out2)
	}
	if m := regexp.MustCompile(`max (\S+)  \(`).FindAllStringSubmatch(out2.String(), -1); len(m) < 2 || strings.Contains(m[0][1]+m[1][1], "h") {
		t.Errorf("queue time and duration maxima %q: want minutes", m)
	}

	// A port in use is an error, not a usage error.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if code, _, errOut := ghjobs(t, nil, "serve", "--addr", l.Addr().String()); code != 1 || !strings.Contains(errOut, "address already in use") {
		t.Errorf("a busy port: exit %d, stderr %q", code, errOut)
	}
}

// TestEndToEnd builds the command and runs it, as a person would, against `ghjobs serve`
// with a 2,000-job attempt on loopback: every format, every job.
func TestEndToEnd(t *testing.T) {
	bin := buildGhjobs(t)
	dir := t.TempDir()

	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--jobs", "2000")
	serve.Env = []string{"HOME=" + dir}
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	var serveLog strings.Builder
	var drained sync.WaitGroup
	first := make(chan string, 1)
	drained.Go(func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if serveLog.Len() == 0 {
				first <- sc.Text()
			}
			serveLog.WriteString(sc.Text() + "\n")
		}
		close(first)
	})
	t.Cleanup(func() {
		serve.Process.Signal(os.Interrupt)
		err := serve.Wait()
		drained.Wait()
		if err != nil {
			t.Errorf("ghjobs serve after Ctrl-C: %v", err)
		}
		if strings.Contains(serveLog.String(), "contract violation") {
			t.Errorf("ghjobs serve saw contract violations:\n%s", serveLog.String())
		}
	})

	var url string
	select {
	case line := <-first:
		url = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(line + " at x")[1]
	case <-time.After(30 * time.Second):
		t.Fatal("ghjobs serve did not start")
	}
	waitUntilAnswers(t, url+"/repos/octo-org/octo-repo/actions/runs/12345678901/attempts/1/jobs?per_page=1")

	ghjobsBin := func(env []string, args ...string) (int, string, string) {
		t.Helper()
		return runBinary(t, bin, env, args...)
	}
	token := []string{"GH_TOKEN=e2e-token"}
	run := []string{"--api-url", url, "octo-org/octo-repo", "12345678901"}
	for _, format := range []string{"table", "json", "jsonl", "csv", "mermaid", "svg", "summary"} {
		for _, steps := range []bool{false, true} {
			args := []string{"--format", format}
			if format == "summary" {
				args = []string{"--summary"}
			}
			if steps {
				if !slices.Contains([]string{"table", "csv", "mermaid"}, format) {
					continue
				}
				args = append(args, "--steps")
			}
			code, out, errOut := ghjobsBin(token, append(args, run...)...)
			if code != 0 || errOut != "" {
				t.Fatalf("ghjobs %q: exit %d, stderr %q", args, code, errOut)
			}
			if n := countJobs(t, format, steps, out); n != 2000 {
				t.Errorf("ghjobs %q: %d jobs, want 2000", args, n)
			}
		}
	}

	// Inside Actions, with no arguments and no token.
	code, out, errOut := ghjobsBin([]string{"GITHUB_API_URL=" + url, "GITHUB_REPOSITORY=octo-org/octo-repo", "GITHUB_RUN_ID=12345678901", "GITHUB_RUN_ATTEMPT=1"}, "--format", "jsonl")
	if code != 0 || strings.Count(out, "\n") != 2000 || errOut != "" {
		t.Errorf("a bare ghjobs in Actions: exit %d, %d jobs, stderr %q", code, strings.Count(out, "\n"), errOut)
	}
	if code, _, errOut := ghjobsBin(token, "--api-url", url, "octo-org/octo-repo", "12345678901", "2"); code != 1 || !strings.Contains(errOut, "404") {
		t.Errorf("a missing attempt: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := ghjobsBin(token, "--format", "yaml"); code != 2 || !strings.Contains(errOut, "--help") {
		t.Errorf("a bad flag: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := ghjobsBin(nil, "--demo"); code != 0 || strings.Count(out, "\n") != 251 {
		t.Errorf("--demo: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}

// waitUntilAnswers polls url until the server answers it.
func waitUntilAnswers(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncBuffer is serve's lockedWriter on a strings.Builder, which may be read while another
// goroutine writes it.
type syncBuffer struct {
	lockedWriter
	b strings.Builder
}

func newSyncBuffer() *syncBuffer {
	s := &syncBuffer{}
	s.w = &s.b
	return s
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDialable(t *testing.T) {
	for _, tt := range []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "[::1]:8080"},
		{&net.TCPAddr{Port: 8080}, "127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, "127.0.0.1:1"},
		{&net.TCPAddr{IP: net.ParseIP("192.168.1.4"), Port: 1}, "192.168.1.4:1"},
	} {
		if got := dialable(tt.addr); got != tt.want {
			t.Errorf("dialable(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
