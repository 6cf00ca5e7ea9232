package api

import (
	"strconv"
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// Timeline is a run attempt whose jobs move queued → in_progress → completed on a clock the
// caller moves: At(t) is the attempt as GitHub shows it at t. A test advances the fake by
// serving the attempt at its own clock's time, Fake.AddRun(tl.At(now)), whenever that clock
// moves; the ETags follow the contents, so an unchanged attempt still answers 304.
type Timeline struct {
	Owner, Repo string
	RunID       int64
	Number      int64
	Start       time.Time // the attempt's creation; JobLife times count from it
	Jobs        []JobLife
}

// JobLife is one job of a Timeline: when it is created (it is not listed before, as jobs
// can be added while an attempt runs), when a runner takes it, when it completes, and how.
type JobLife struct {
	Name                        string
	Created, Started, Completed time.Duration // from Timeline.Start, in this order
	Conclusion                  generated.JobConclusion
}

// At returns the attempt at t. A job is queued (no runner, no steps) until Started, then in
// progress on a runner with its "Set up job" step done and its "Run" step running, then
// completed with Conclusion, its "Run" step concluding the same way (skipped jobs never
// ran: no runner, no steps). The jobs' other fields come from SampleRun, so they satisfy
// openapi.yaml.
func (tl Timeline) At(t time.Time) Run {
	sample := SampleRun(tl.Owner, tl.Repo, tl.RunID, tl.Number, len(tl.Jobs))
	run := Run{Owner: tl.Owner, Repo: tl.Repo, RunID: tl.RunID, Number: tl.Number, Jobs: []generated.Job{}}
	for i, life := range tl.Jobs {
		created := tl.Start.Add(life.Created)
		if t.Before(created) {
			continue
		}
		run.Jobs = append(run.Jobs, life.at(sample.Jobs[i], created, tl.Start.Add(life.Started), tl.Start.Add(life.Completed), t))
	}
	return run
}

// at sets j's status, times, runner and steps for the moment t.
func (life JobLife) at(j generated.Job, created, started, completed, t time.Time) generated.Job {
	j.Name, j.CreatedAt, j.StartedAt = life.Name, created, created
	j.Status, j.Conclusion, j.CompletedAt = generated.JobStatusQueued, nil, nil
	j.RunnerID, j.RunnerName, j.RunnerGroupID, j.RunnerGroupName = nil, nil, nil, nil
	j.Steps = nil
	done := !t.Before(completed)
	if life.Conclusion == generated.JobConclusionSkipped {
		if done {
			j.Status, j.Conclusion, j.CompletedAt = generated.JobStatusCompleted, ptr(life.Conclusion), ptr(completed)
		}
		return j
	}
	if t.Before(started) {
		return j
	}
	runner := 1_000_000 + j.ID%9_000_000
	j.StartedAt = started
	j.RunnerID, j.RunnerName = ptr(runner), ptr("GitHub Actions "+strconv.FormatInt(runner, 10))
	j.RunnerGroupID, j.RunnerGroupName = ptr(int64(2)), ptr("GitHub Actions")
	setUp := started.Add(min(completed.Sub(started)/4, 10*time.Second))
	j.Steps = []generated.JobStep{
		{Name: "Set up job", Number: 1, Status: generated.JobStepStatusCompleted, Conclusion: ptr("success"), StartedAt: ptr(started), CompletedAt: ptr(setUp)},
		{Name: "Run", Number: 2, Status: generated.JobStepStatusInProgress, StartedAt: ptr(setUp)},
	}
	j.Status = generated.JobStatusInProgress
	if done {
		j.Status, j.Conclusion, j.CompletedAt = generated.JobStatusCompleted, ptr(life.Conclusion), ptr(completed)
		j.Steps[1].Status, j.Steps[1].Conclusion, j.Steps[1].CompletedAt = generated.JobStepStatusCompleted, ptr(string(life.Conclusion)), ptr(completed)
	}
	return j
}
