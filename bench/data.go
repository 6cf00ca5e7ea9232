package bench

import (
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
)

// The attempt every benchmark lists.
const (
	owner   = "octo-org"
	repo    = "octo-repo"
	repoID  = 1_296_269 // the repository's id, which GitHub's Link URLs name it by
	runID   = 12_345_678_901
	attempt = 1
	token   = "ghs_benchmark"

	stepsPerJob = 10
)

// stepNames are the ten steps of every job, in order.
var stepNames = [stepsPerJob]string{
	"Set up job",
	"Run actions/checkout@v4",
	"Set up Go",
	"Run go mod download",
	"Run go vet ./...",
	"Run go build ./...",
	"Run go test -race -shuffle=on ./...",
	"Upload coverage",
	"Post Run actions/checkout@v4",
	"Complete job",
}

// stopStep is where a failed or cancelled job stopped and where an in-progress job is: the
// tests. The step after it, the coverage upload, is skipped when the tests fail.
const stopStep = 6

// sampleRun is api.SampleRun's attempt of n jobs with exactly ten steps in every job.
// SampleRun gives 6 to 12 steps, and none to skipped and queued jobs, so the jobs' size
// would depend on the sampler; with ten steps each, per-job figures mean the same at every n.
// The steps agree with their job: a queued job's steps are queued, an in-progress job is at
// its test step, a failed job failed there, and step times lie within the job's.
func sampleRun(n int) api.Run {
	run := api.SampleRun(owner, repo, runID, attempt, n)
	for i := range run.Jobs {
		run.Jobs[i].Steps = tenSteps(&run.Jobs[i])
	}
	return run
}

func tenSteps(j *generated.Job) []generated.JobStep {
	steps := make([]generated.JobStep, stepsPerJob)
	end := j.StartedAt.Add(20 * time.Minute) // an in-progress job's steps end before this
	if j.CompletedAt != nil {
		end = *j.CompletedAt
	}
	at := func(k int) *time.Time {
		t := j.StartedAt.Add(end.Sub(j.StartedAt) * time.Duration(k) / stepsPerJob).Truncate(time.Second)
		return &t
	}
	var jobConclusion generated.JobConclusion
	if j.Conclusion != nil {
		jobConclusion = *j.Conclusion
	}
	for k := range steps {
		s := generated.JobStep{Name: stepNames[k], Number: k + 1, Status: generated.JobStepStatusQueued}
		conclusion := "success"
		switch {
		case j.Status == generated.JobStatusQueued,
			j.Status == generated.JobStatusInProgress && k > stopStep:
			steps[k] = s // not started: conclusion and times are null
			continue
		case j.Status == generated.JobStatusInProgress && k == stopStep:
			s.Status, s.StartedAt = generated.JobStepStatusInProgress, at(k)
			steps[k] = s
			continue
		case jobConclusion == generated.JobConclusionSkipped:
			conclusion = "skipped"
		case jobConclusion == generated.JobConclusionFailure || jobConclusion == generated.JobConclusionCancelled:
			switch k {
			case stopStep:
				conclusion = string(jobConclusion)
			case stopStep + 1:
				conclusion = "skipped"
			}
		}
		s.Status, s.Conclusion = generated.JobStepStatusCompleted, &conclusion
		s.StartedAt, s.CompletedAt = at(k), at(k+1)
		steps[k] = s
	}
	return steps
}
