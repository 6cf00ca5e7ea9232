package main

import (
	"net"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/internal/redistest"
)

// TestRedisSharesPages: a second ghjobs process, on the same Redis, lists what the first
// listed with conditional requests only, each answered 304: the pages the first kept are
// the second's too.
func TestRedisSharesPages(t *testing.T) {
	bin := buildGhjobs(t)
	rds := redistest.Start(t)
	srv, _ := fixtureServer(t)
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	args := append([]string{"--redis", "redis://" + rds.Addr, "--format", "jsonl"}, fixtureArgs...)
	code, first, errOut := runBinary(t, bin, env, args...)
	if code != 0 {
		t.Fatalf("first ghjobs: exit %d: %s", code, errOut)
	}
	before := len(srv.Fake.Requests())
	// The second reads the URL from the environment, as a workflow's steps would.
	code, second, errOut := runBinary(t, bin, append(env, "GHJOBS_REDIS_URL=redis://"+rds.Addr), append([]string{"--format", "jsonl"}, fixtureArgs...)...)
	if code != 0 || second != first {
		t.Fatalf("second ghjobs: exit %d, %d bytes (first %d): %s", code, len(second), len(first), errOut)
	}
	reqs := srv.Fake.Requests()[before:]
	if len(reqs) == 0 {
		t.Fatal("the second ghjobs sent no request")
	}
	for _, r := range reqs {
		if r.Header.Get("If-None-Match") == "" {
			t.Errorf("the second ghjobs sent %s without If-None-Match: the first's pages were not shared", r.URL)
		}
	}
}

// TestRedisDownIsNoFailure: a Redis that does not answer costs the listing nothing; it is
// said once on stderr.
func TestRedisDownIsNoFailure(t *testing.T) {
	bin := buildGhjobs(t)
	srv, _ := fixtureServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0") // a port nobody answers on, once closed
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	code, out, errOut := runBinary(t, bin, env, append([]string{"--redis", "redis://" + addr, "--format", "jsonl"}, fixtureArgs...)...)
	if code != 0 || strings.Count(out, "\n") != len(fixtureRun().Jobs) {
		t.Fatalf("exit %d, %d lines, stderr %q; want 0 and every job", code, strings.Count(out, "\n"), errOut)
	}
	if n := strings.Count(errOut, "Redis does not answer"); n != 1 {
		t.Errorf("stderr says Redis is down %d times, want once:\n%s", n, errOut)
	}
}

// TestRedisURLChecked: a --redis that is not a Redis URL is a usage error, before any
// request.
func TestRedisURLChecked(t *testing.T) {
	srv, env := fixtureServer(t)
	code, _, errOut := ghjobs(t, env, append([]string{"--redis", "http://example.com"}, fixtureArgs...)...)
	if code != 2 || !strings.HasPrefix(errOut, "ghjobs: invalid input: redis URL") || !strings.Contains(errOut, "(--redis)") ||
		strings.Count(errOut, "ghjobs: ") != 1 || strings.Count(errOut, "\n") != 2 {
		t.Errorf("exit %d, stderr %q; want 2 and one line about --redis, then the pointer to --help", code, errOut)
	}
	if n := len(srv.Fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for a bad --redis", n)
	}
}
