package main

import (
	"context"
	"io"
)

// demo runs ghjobs --demo with args, as a person would type them, printing to stdout.
func demo(args ...string) {
	c := newCLI()
	c.stderr = io.Discard // the demo's note about the fake server's address
	c.run(context.Background(), append([]string{"--demo"}, args...))
}

// The table: a row per job, with the time it waited for a runner, how long it ran, where, and
// the step that failed.
func Example_table() {
	demo("--jobs", "5")
	// Output:
	// JOB                         STATUS   QUEUED  DURATION  RUNNER                  FAILED STEP
	// build                       skipped  -       -         -
	// lint                        success  3s      7m10s     GitHub Actions 4130175
	// test (ubuntu-latest, 1.25)  failure  7s      2m12s     GitHub Actions 6601130  6. Run go test -race -shuffle=on ./...
	// test (ubuntu-latest, 1.26)  success  58s     4m31s     GitHub Actions 6884128
	// test (macos-latest, 1.25)   success  38s     3m49s     GitHub Actions 8079086
}

// The figures of an attempt that is still running.
func Example_summary() {
	demo("--jobs", "20", "--summary")
	// Output:
	// octo-org/octo-repo run 12345678901 attempt 1
	//
	// jobs          20: 16 success, 2 failure, 1 skipped, 1 in_progress
	// wall time     8m28s, 2026-11-02 09:00:00 → 09:08:28 UTC, so far: 1 job still waiting or running
	// queue time    median 13s, p95 58s, max 58s  (19 jobs that got a runner)
	// duration      median 3m21s, p95 8m05s, max 8m05s  (18 finished jobs that ran)
	//
	// slowest jobs
	//   8m05s   test (ubuntu-latest, 1.25) / shard 1
	//   7m44s…  test (windows-latest, 1.26) / shard 2
	//   7m10s   lint
	//   7m06s   test (windows-latest, 1.25) / shard 1
	//   5m27s   test (macos-latest, 1.25) / shard 2
	//
	// slowest steps
	//   2m31s  5. Run go generate ./... && git diff --exit-code  in test (ubuntu-latest, 1.26)
	//   2m31s  5. Run go vet ./...                               in test (ubuntu-latest, 1.25) / shard 1
	//   2m25s  4. Run go mod download                            in test (macos-latest, 1.25) / shard 2
	//   2m20s  7. Run go test -race -shuffle=on ./...            in test (ubuntu-latest, 1.25) / shard 1
	//   2m18s  8. Run go test -race -shuffle=on ./...            in test (windows-latest, 1.25) / shard 1
	//
	// failed steps
	//   test (ubuntu-latest, 1.25)           6. Run go test -race -shuffle=on ./...
	//   test (macos-latest, 1.26) / shard 1  4. Run go mod download
}

// A gantt chart to append to $GITHUB_STEP_SUMMARY: a skipped job is a milestone, a job that
// ran waits ("queued", done) and then runs.
func Example_mermaid() {
	demo("--jobs", "2", "--format", "mermaid")
	// Output:
	// ```mermaid
	// gantt
	//     title octo-org/octo-repo run 12345678901 attempt 1 (UTC)
	//     dateFormat YYYY-MM-DD HH:mm:ss
	//     axisFormat %H:%M
	//     section build
	//     skipped :milestone, j1, 2026-11-02 09:00:05, 0s
	//     section lint
	//     queued :done, q2, 2026-11-02 09:00:06, 3s
	//     success :j2, 2026-11-02 09:00:09, 430s
	// ```
}
