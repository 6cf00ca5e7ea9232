package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ghjobs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDemo(t *testing.T) {
	code, out, errOut := ghjobs(t, "--demo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 251 || !strings.HasPrefix(lines[0], "NAME") {
		t.Errorf("%d lines, want a header and 250 jobs; first: %q", len(lines), lines[0])
	}
	for _, want := range []string{"completed/success", "completed/failure", "in_progress", "queued"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table has no %q job", want)
		}
	}
	if !strings.Contains(errOut, "250 jobs") || !strings.Contains(errOut, "in 3 requests") {
		t.Errorf("stderr %q does not say 250 jobs in 3 requests", errOut)
	}
}

func TestDemoJSON(t *testing.T) {
	code, out, errOut := ghjobs(t, "--demo", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "{\n  \"total_count\": 250,") {
		t.Errorf("JSON does not start with total_count as GitHub's does: %.60q", out)
	}
	var page generated.JobsPage
	if err := json.Unmarshal([]byte(out), &page); err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != 250 || len(page.Jobs) != 250 {
		t.Errorf("total_count %d with %d jobs, want 250 and 250", page.TotalCount, len(page.Jobs))
	}
	ids := map[int64]bool{}
	for _, j := range page.Jobs {
		ids[j.ID] = true
	}
	if len(ids) != 250 {
		t.Errorf("%d distinct job ids, want 250", len(ids))
	}
}

func TestAgainstAServer(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 1<<33+5, 2, 120)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithToken("tok"))
	t.Setenv("GITHUB_API_URL", "")
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GH_TOKEN", "tok")

	code, out, errOut := ghjobs(t, "--api-url", srv.URL, "octo-org/octo-repo", fmt.Sprint(run.RunID), "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "\n"); n != 121 {
		t.Errorf("%d lines, want a header and 120 jobs", n)
	}
	if got := srv.Fake.Requests()[0].Header.Get("User-Agent"); got != "ghjobs-cli" {
		t.Errorf("User-Agent %q", got)
	}

	t.Setenv("GITHUB_API_URL", srv.URL) // as in GitHub Actions
	code, _, errOut = ghjobs(t, "octo-org/octo-repo", fmt.Sprint(run.RunID), "3")
	if code != 1 || !strings.Contains(errOut, "404") || !strings.Contains(errOut, "request ID") {
		t.Errorf("a missing attempt: exit %d, stderr %q; want 1 and a message with status and request ID", code, errOut)
	}

	t.Setenv("GH_TOKEN", "wrong")
	code, _, errOut = ghjobs(t, "octo-org/octo-repo", fmt.Sprint(run.RunID), "2")
	if code != 1 || !strings.Contains(errOut, "401") || strings.Contains(errOut, "wrong") {
		t.Errorf("a wrong token: exit %d, stderr %q", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"octo-org/octo-repo", "1"},
		{"octo-org", "1", "1"},
		{"octo-org/octo-repo", "one", "1"},
		{"octo-org/octo-repo", "1", "first"},
		{"octo-org/octo-repo", "1", "0"},
		{"octo org/octo-repo", "1", "1"},
		{"--demo", "octo-org/octo-repo", "1", "1"},
		{"--no-such-flag"},
		{"--api-url", "not a url", "octo-org/octo-repo", "1", "1"},
	} {
		code, out, errOut := ghjobs(t, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage: ghjobs") {
			t.Errorf("ghjobs %q: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", args, code, out, errOut)
		}
	}
	if code, out, _ := ghjobs(t, "-h"); code != 0 || !strings.Contains(out, "usage: ghjobs") {
		t.Errorf("-h: exit %d, stdout %q", code, out)
	}
}

func TestDuration(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := start.Add(d); return &t }
	for _, tt := range []struct {
		completed *time.Time
		want      string
	}{
		{nil, "-"},
		{at(90*time.Second + 400*time.Millisecond), "1m30s"},
		{at(-5 * time.Second), "0s"}, // GitHub's timestamps can be out of order
	} {
		if got := duration(wrapper.Job{StartedAt: start, CompletedAt: tt.completed}); got != tt.want {
			t.Errorf("duration = %q, want %q", got, tt.want)
		}
	}
}
