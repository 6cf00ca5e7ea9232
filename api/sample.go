package api

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// SampleRun returns a realistic run attempt with n jobs: a Go matrix ("build", "lint",
// "test (ubuntu-latest, 1.25)", "test (macos-latest, 1.26) / shard 3", ...) with job IDs
// above 2^32, 6 to 12 steps a job, mostly successes, some failures, skipped and cancelled
// jobs, from 100 jobs on one each of timed_out, neutral and action_required, and, from 20
// jobs on, jobs still going at the end (the last twentieth): in progress, then not started
// yet, the first of those (from 80 jobs on) waiting as for an environment's approval,
// pending and requested, the rest queued. Jobs not started have no runner and no steps, as GitHub reports them. It is
// deterministic: the same arguments give the same jobs. Every job satisfies openapi.yaml;
// SampleRunOldShape gives the same jobs in the shape of older payloads.
func SampleRun(owner, repo string, runID, attempt int64, n int) Run {
	run := Run{Owner: owner, Repo: repo, RunID: runID, Number: attempt}
	if n <= 0 {
		return run
	}
	g := &sampler{
		rng:     rand.New(rand.NewPCG(uint64(runID), uint64(attempt))),
		owner:   owner,
		repo:    repo,
		runID:   runID,
		attempt: attempt,
	}
	// A re-run starts an hour after the attempt before it.
	g.base = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(min(max(attempt-1, 0), 1000)) * time.Hour)
	var sha [20]byte
	for i := range sha {
		sha[i] = byte(g.rng.Uint32())
	}
	g.sha = hex.EncodeToString(sha[:])
	g.repoNode = g.rng.Uint32()

	inflight := n / 20
	queued := inflight / 2 // not started yet
	// The rarer conclusions each take the place of the first success from a quarter, half and
	// three quarters of the way on.
	var rare []rareOutcome
	if n >= 100 {
		rare = []rareOutcome{{"timed_out", n / 4}, {"neutral", n / 2}, {"action_required", 3 * n / 4}}
	}
	id := 30_000_000_000 + g.rng.Int64N(10_000_000_000)
	run.Jobs = make([]generated.Job, n)
	for i := range n {
		id += 1 + g.rng.Int64N(3)
		var outcome string
		switch {
		case i >= n-queued:
			outcome = notStarted(i-(n-queued), queued)
		case i >= n-inflight:
			outcome = "in_progress"
		case i == 2: // a run to look at has a failure: the first test job fails
			outcome = "failure"
		default:
			switch r := g.rng.IntN(100); {
			case r < 88:
				outcome = "success"
			case r < 93:
				outcome = "failure"
			case r < 97:
				outcome = "skipped"
			default:
				outcome = "cancelled"
			}
			if outcome == "success" && len(rare) > 0 && i >= rare[0].from {
				outcome, rare = rare[0].outcome, rare[1:]
			}
		}
		run.Jobs[i] = g.job(i, id, outcome)
	}
	return run
}

// rareOutcome is a conclusion SampleRun gives once, to the first success from index on.
type rareOutcome struct {
	outcome string
	from    int
}

// notStarted is the status of the k-th of n jobs not started yet: waiting, pending and
// requested first, as far as there are more than one, then queued.
func notStarted(k, n int) string {
	kinds := []string{"waiting", "pending", "requested"}
	if k < min(n-1, len(kinds)) {
		return kinds[k]
	}
	return "queued"
}

// sampleTimeout is the timeout-minutes of the sample's timed-out job.
const sampleTimeout = 15 * time.Minute

type sampler struct {
	rng         *rand.Rand
	owner, repo string
	runID       int64
	attempt     int64
	base        time.Time
	sha         string
	repoNode    uint32
}

var (
	sampleOSes = []string{"ubuntu-latest", "macos-latest", "windows-latest"}
	sampleGos  = []string{"1.25", "1.26"}
	// sampleWork are the steps between setup and teardown; a job runs some of them, in order.
	sampleWork = []string{
		"Run go mod download",
		"Run go vet ./...",
		"Run go build ./...",
		"Run go generate ./... && git diff --exit-code",
		"Run go test -race -shuffle=on ./...",
		"Run golangci/golangci-lint-action@v6",
		"Upload coverage",
	}
)

// sampleName returns the i-th job's unique name and its runs-on label.
func sampleName(i int) (name, label string) {
	switch i {
	case 0:
		return "build", "ubuntu-latest"
	case 1:
		return "lint", "ubuntu-latest"
	}
	j := i - 2
	combo, shard := j%(len(sampleOSes)*len(sampleGos)), j/(len(sampleOSes)*len(sampleGos))
	os, gover := sampleOSes[combo/len(sampleGos)], sampleGos[combo%len(sampleGos)]
	name = fmt.Sprintf("test (%s, %s)", os, gover)
	if shard > 0 {
		name += fmt.Sprintf(" / shard %d", shard)
	}
	return name, os
}

func ptr[T any](v T) *T { return &v }

// seconds returns a random duration between lo and hi seconds.
func (g *sampler) seconds(lo, hi int) time.Duration {
	return time.Duration(lo+g.rng.IntN(hi-lo+1)) * time.Second
}

func (g *sampler) job(i int, id int64, outcome string) generated.Job {
	name, label := sampleName(i)
	api := "https://api.github.com/repos/" + g.owner + "/" + g.repo
	idStr := strconv.FormatInt(id, 10)
	var node [13]byte
	binary.BigEndian.PutUint32(node[:4], g.repoNode)
	node[4] = 0xCF // msgpack uint64, as in GitHub's next-generation node IDs
	binary.BigEndian.PutUint64(node[5:], uint64(id))

	// Jobs are created in waves as the run fans out, then wait for a runner.
	created := g.base.Add(time.Duration(i/50)*2*time.Minute + g.seconds(0, 15))
	queue := 2*time.Second + min(time.Duration(g.rng.ExpFloat64()*20)*time.Second, 5*time.Minute)
	started := created.Add(queue)

	j := generated.Job{
		ID:           id,
		RunID:        g.runID,
		RunURL:       api + "/actions/runs/" + strconv.FormatInt(g.runID, 10),
		RunAttempt:   ptr(g.attempt),
		NodeID:       "CR_kwDO" + base64.RawURLEncoding.EncodeToString(node[:]),
		HeadSHA:      g.sha,
		URL:          api + "/actions/jobs/" + idStr,
		HTMLURL:      ptr("https://github.com/" + g.owner + "/" + g.repo + "/actions/runs/" + strconv.FormatInt(g.runID, 10) + "/job/" + idStr),
		CreatedAt:    created,
		StartedAt:    started,
		Name:         name,
		CheckRunURL:  api + "/check-runs/" + idStr,
		Labels:       []string{label},
		WorkflowName: ptr("CI"),
		HeadBranch:   ptr("main"),
	}
	switch outcome {
	case "queued", "waiting", "pending", "requested":
		// No runner yet, no steps: GitHub reports started_at as the creation time (a waiting
		// job recorded in @octokit/webhooks-examples, testdata/recorded, has the same).
		j.Status = generated.JobStatus(outcome)
		j.StartedAt = created
		return j
	case "skipped":
		// Skipped by an if: condition: never ran, so no runner and no steps.
		j.Status = generated.JobStatusCompleted
		j.Conclusion = ptr(generated.JobConclusionSkipped)
		j.StartedAt = created
		j.CompletedAt = ptr(created)
		return j
	}

	runner := 1_000_000 + g.rng.Int64N(9_000_000)
	j.RunnerID = ptr(runner)
	j.RunnerName = ptr("GitHub Actions " + strconv.FormatInt(runner, 10))
	j.RunnerGroupID = ptr(int64(2))
	j.RunnerGroupName = ptr("GitHub Actions")

	work := g.rng.Perm(len(sampleWork))[:1+g.rng.IntN(len(sampleWork))]
	slices.Sort(work)
	names := []string{"Set up job", "Run actions/checkout@v4", "Set up Go"}
	for _, w := range work {
		names = append(names, sampleWork[w])
	}
	names = append(names, "Post Run actions/checkout@v4", "Complete job")
	firstWork, lastWork := 3, 3+len(work)-1   // indexes of the work steps in names
	stop := firstWork + g.rng.IntN(len(work)) // where a failure, cancellation or the runner is

	j.Steps = make([]generated.JobStep, len(names))
	t := started
	for k, step := range names {
		s := generated.JobStep{Name: step, Number: k + 1, Status: generated.JobStepStatusCompleted}
		var d time.Duration
		switch {
		case k < firstWork:
			d = g.seconds(1, 20)
		case k <= lastWork:
			d = time.Second + min(time.Duration(g.rng.ExpFloat64()*40)*time.Second, 150*time.Second)
		default:
			d = g.seconds(0, 1)
		}
		conclusion := "success"
		switch {
		case outcome == "timed_out" && k == stop:
			// Cut off at the job's timeout: the step is cancelled, the job timed out.
			conclusion, d = "cancelled", max(d, started.Add(sampleTimeout).Sub(t))
		case outcome == "timed_out" && k > stop && k <= lastWork:
			conclusion, d = "skipped", 0
		case outcome == "in_progress" && k == stop:
			s.Status = generated.JobStepStatusInProgress
			s.StartedAt = ptr(t)
			j.Steps[k] = s
			continue
		case outcome == "in_progress" && k > stop:
			s.Status = generated.JobStepStatusQueued
			j.Steps[k] = s
			continue
		case (outcome == "failure" || outcome == "cancelled") && k == stop:
			conclusion = outcome
		case (outcome == "failure" || outcome == "cancelled") && k > stop && k <= lastWork:
			conclusion, d = "skipped", 0
		}
		s.Conclusion = ptr(conclusion)
		s.StartedAt = ptr(t)
		t = t.Add(d)
		s.CompletedAt = ptr(t)
		j.Steps[k] = s
	}
	switch outcome {
	case "in_progress":
		j.Status = generated.JobStatusInProgress
	case "action_required":
		// Never ran, like a skipped job: it awaits someone's approval. It is drawn as a
		// success first, so that the jobs after it are the same either way.
		j.Status = generated.JobStatusCompleted
		j.Conclusion = ptr(generated.JobConclusionActionRequired)
		j.StartedAt, j.CompletedAt = created, ptr(created)
		j.RunnerID, j.RunnerName, j.RunnerGroupID, j.RunnerGroupName = nil, nil, nil, nil
		j.Steps = nil
	default:
		j.Status = generated.JobStatusCompleted
		j.Conclusion = ptr(generated.JobConclusion(outcome))
		j.CompletedAt = ptr(t)
	}
	return j
}
