package main

import (
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/api"
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
	if code != 2 || !strings.HasPrefix(errOut, "ghjobs: redisstore: redis URL") || !strings.Contains(errOut, "(--redis)") ||
		strings.Count(errOut, "ghjobs: ") != 1 || strings.Count(errOut, "\n") != 2 {
		t.Errorf("exit %d, stderr %q; want 2 and one line about --redis, then the pointer to --help", code, errOut)
	}
	if n := len(srv.Fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for a bad --redis", n)
	}
}

// TestActionsStepsShareOneScope: two steps of a workflow, each with its own GITHUB_TOKEN
// (ghs_), keep their state in Redis under one scope, the repository's, as GitHub counts
// GITHUB_TOKEN's requests per repository; outside Actions each token is a scope of its own.
func TestActionsStepsShareOneScope(t *testing.T) {
	bin := buildGhjobs(t)
	tokens := []string{"ghs_stepOneToken000000000000000000000", "ghs_stepTwoToken000000000000000000000"}
	repo := fixtureOwner + "/" + fixtureRepo
	srv := api.NewTestServer(t, api.WithRun(fixtureRun()), api.WithTokenForRepos(tokens[0], repo), api.WithTokenForRepos(tokens[1], repo))
	for _, tt := range []struct {
		name   string
		env    []string
		scopes int
	}{
		{"in Actions", []string{"GITHUB_ACTIONS=true", "GITHUB_REPOSITORY=" + repo, "GITHUB_REPOSITORY_ID=4242"}, 1},
		{"named by GHJOBS_STORE_SCOPE", []string{"GHJOBS_STORE_SCOPE=app/1/installation/2"}, 1},
		{"elsewhere", nil, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rds := redistest.Start(t)
			for _, tok := range tokens {
				env := append([]string{"GITHUB_API_URL=" + srv.URL, "GITHUB_TOKEN=" + tok, "GHJOBS_REDIS_URL=redis://" + rds.Addr}, tt.env...)
				if code, _, errOut := runBinary(t, bin, env, append([]string{"--format", "jsonl"}, fixtureArgs...)...); code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
			}
			if got := redisScopes(t, rds.Addr); len(got) != tt.scopes {
				t.Errorf("the two steps' state is under %d scopes %v, want %d", len(got), got, tt.scopes)
			}
		})
	}
}

// redisScopes returns the scopes (the hash tags) of the keys in the Redis at addr.
func redisScopes(t *testing.T, addr string) []string {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	keys, err := rdb.Keys(t.Context(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, k := range keys {
		if _, rest, ok := strings.Cut(k, "{"); ok {
			if scope, _, ok := strings.Cut(rest, "}"); ok && !slices.Contains(scopes, scope) {
				scopes = append(scopes, scope)
			}
		}
	}
	return scopes
}

// TestRedisSecretsStayHidden: a --redis URL's password is never printed, malformed or not,
// and go-redis's own log lines never reach stderr: a Redis that does not answer is said
// once, by ghjobs.
func TestRedisSecretsStayHidden(t *testing.T) {
	bin := buildGhjobs(t)
	srv, _ := fixtureServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	for _, tt := range []struct {
		url  string
		code int
	}{
		{"redis://user:hunter2@" + down + "/0", 0},
		{"redis://:hunter2@" + down + "/0?dial_timeout=x", 2},
		{"redis://u:hunter2@%zz/0", 2},
		{"rediss://u:hunter2@[::1/0", 2},
		{"redis://u:hunter2@" + down + "/notadb", 2},
	} {
		code, _, errOut := runBinary(t, bin, env, append([]string{"--redis", tt.url, "--format", "jsonl"}, fixtureArgs...)...)
		if code != tt.code || strings.Contains(errOut, "hunter2") || strings.Contains(errOut, "redis: ") {
			t.Errorf("--redis %q: exit %d, stderr %q; want %d, no password and no go-redis log line", tt.url, code, errOut, tt.code)
		}
	}
	code, _, errOut := runBinary(t, bin, append(env, "GHJOBS_REDIS_KEY=c2hvcnQ="), append([]string{"--redis", "redis://" + down}, fixtureArgs...)...)
	if code != 2 || strings.Contains(errOut, "c2hvcnQ") || !strings.Contains(errOut, "GHJOBS_REDIS_KEY") {
		t.Errorf("a short GHJOBS_REDIS_KEY: exit %d, stderr %q; want 2, the variable named and the key not shown", code, errOut)
	}
}
