package main

import (
	"context"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// quickRetries is the default policy with short backoffs, so that tests do not wait seconds.
func quickRetries() *wrapper.RetryPolicy {
	p := wrapper.DefaultRetryPolicy()
	p.MinBackoff, p.MaxBackoff = 10*time.Millisecond, 20*time.Millisecond
	return &p
}

// TestWaitingIsVisible: retries and rate-limit waits are said on stderr, as they happen.
func TestWaitingIsVisible(t *testing.T) {
	srv, env := fixtureServer(t)
	srv.Fake.Script(api.Status(502), api.SecondaryRateLimit(403, time.Second))
	c, _, errb := testCLI(env)
	c.retry = quickRetries()
	if code := c.run(t.Context(), append([]string{"--format", "jsonl"}, fixtureArgs...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	got := errb.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^ghjobs: retrying after 502 \(1/3\) in 0\.0s$`),
		regexp.MustCompile(`(?m)^ghjobs: secondary rate limit: waiting 1\.0s \(GitHub asked\)$`),
	} {
		if !want.MatchString(got) {
			t.Errorf("stderr %q has no line matching %s", got, want)
		}
	}
}

// TestRateLimitMessage: a used-up primary limit is not waited for; the message says when it
// resets and, without a token, what to do.
func TestRateLimitMessage(t *testing.T) {
	srv := api.NewTestServer(t, api.WithRun(fixtureRun()))
	srv.Fake.Script(api.PrimaryRateLimit(37 * time.Minute))
	code, _, errOut := ghjobs(t, map[string]string{"GITHUB_API_URL": srv.URL}, fixtureArgs...)
	if code != 1 || !regexp.MustCompile(`^ghjobs: rate limit used up: resets in 3[67]m; set GH_TOKEN`).MatchString(errOut) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestTimeout: a server that never answers is given up on when --timeout runs out: 124.
func TestTimeout(t *testing.T) {
	url := hangingServer(t)
	code, _, errOut := ghjobs(t, map[string]string{"GITHUB_API_URL": url, "GH_TOKEN": "t"}, "--timeout", "200ms", "o/r", "1")
	if code != 124 || !strings.Contains(errOut, "gave up after 200ms (--timeout 200ms)") {
		t.Errorf("exit %d, stderr %q; want 124", code, errOut)
	}
	if code, _, errOut := ghjobs(t, nil, "--timeout", "-1s", "o/r", "1"); code != 2 {
		t.Errorf("--timeout -1s: exit %d, stderr %q", code, errOut)
	}
}

// TestProgressShowsWaits: on a terminal the progress line shows the retry, and is cut to the
// terminal's width.
func TestProgressShowsWaits(t *testing.T) {
	srv, env := fixtureServer(t)
	srv.Fake.Script(api.Latency(300*time.Millisecond), api.Status(503))
	c, _, errb := testCLI(env)
	c.retry = quickRetries()
	c.progressDelay = 0
	c.isTerminal = func(w io.Writer) bool { return w == c.stderr }
	c.size = func(io.Writer) (int, int) { return 40, 24 }
	if code := c.run(context.Background(), fixtureArgs); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	got := errb.String()
	if !strings.Contains(got, "\r\x1b[Kghjobs: retrying after 503 (1/3) in") && !strings.HasPrefix(got, "ghjobs: retrying after 503 (1/3) in") {
		t.Errorf("stderr %q: want the retry on a line of its own, the progress line erased first", got)
	}
	for _, seg := range strings.Split(got, "\r") {
		line, _, _ := strings.Cut(seg, "\x1b[K")
		line, _, _ = strings.Cut(line, "\n")
		if render.DisplayWidth(line) > 39 {
			t.Errorf("a status line of %d columns on a 40-column terminal: %q", render.DisplayWidth(line), line)
		}
	}
}

// TestQuietIsSaid: on a non-terminal, a server that does not answer is said once, not
// waited on in silence. The test ends the command (Ctrl-C) once it has said so.
func TestQuietIsSaid(t *testing.T) {
	url := hangingServer(t)
	c, _, _ := testCLI(map[string]string{"GITHUB_API_URL": url, "GH_TOKEN": "t"})
	c.quietNotice = 100 * time.Millisecond
	ctx, cancel := context.WithCancelCause(t.Context())
	said := &noticeWriter{cancel: func() { cancel(interrupted{syscall.SIGINT}) }}
	c.stderr = said
	if code := c.run(ctx, []string{"o/r", "1", "1"}); code != 130 {
		t.Errorf("exit %d, stderr %q", code, said.b.String())
	}
	got := said.b.String()
	if strings.Count(got, "no answer for") != 1 || !strings.Contains(got, "ghjobs: o/r run 1 attempt 1: no answer for 0.") {
		t.Errorf("stderr %q: want one line saying there has been no answer", got)
	}
}

// noticeWriter is stderr that stops the command once it says there is no answer; it
// holds the lock of serve's writer for each write.
type noticeWriter struct {
	lockedWriter
	b      strings.Builder
	cancel func()
}

func (w *noticeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.Contains(string(p), "no answer for") {
		w.cancel()
	}
	return w.b.Write(p)
}

func TestEventLines(t *testing.T) {
	refused := &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tt := range []struct {
		e    wrapper.Event
		want string
	}{
		{wrapper.Event{Kind: wrapper.EventRetry, StatusCode: 502, Retry: 2, MaxRetries: 3, Wait: 1200 * time.Millisecond}, "retrying after 502 (2/3) in 1.2s"},
		{wrapper.Event{Kind: wrapper.EventRetry, Err: refused, Retry: 1, MaxRetries: 3, Wait: 800 * time.Millisecond}, "retrying after connection refused (1/3) in 0.8s"},
		{wrapper.Event{Kind: wrapper.EventRetry, Err: context.DeadlineExceeded, Retry: 1, MaxRetries: 3, Wait: time.Second}, "retrying after no answer in time (1/3) in 1.0s"},
		{wrapper.Event{Kind: wrapper.EventSecondaryLimit, Wait: time.Minute, Asked: true}, "secondary rate limit: waiting 60s (GitHub asked)"},
		{wrapper.Event{Kind: wrapper.EventSecondaryLimit, Wait: 2 * time.Minute}, "secondary rate limit: waiting 2m"},
		{wrapper.Event{Kind: wrapper.EventPrimaryLimit, Wait: 37 * time.Minute}, "rate limit used up: waiting 37m for its reset"},
		{wrapper.Event{Kind: wrapper.EventRedirect, URL: "https://api.github.com/repos/a/b", Location: "https://api.github.com/repositories/1"}, "moved permanently: https://api.github.com/repos/a/b is now https://api.github.com/repositories/1"},
	} {
		if got := eventLine(tt.e); got != tt.want {
			t.Errorf("eventLine(%+v) = %q, want %q", tt.e, got, tt.want)
		}
	}
	for d, want := range map[time.Duration]string{1200 * time.Millisecond: "1.2s", 45 * time.Second: "45s", 37 * time.Minute: "37m", 65 * time.Minute: "1h05m"} {
		if got := waitText(d); got != want {
			t.Errorf("waitText(%v) = %q, want %q", d, got, want)
		}
	}
}
