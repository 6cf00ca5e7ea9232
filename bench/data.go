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

// ghJob and ghStep are generated.Job and generated.JobStep with GitHub's field order and
// GitHub's nulls: GitHub sends "started_at": null for a step that has not started, where
// the generated type, marshalled, would leave the field out.
type ghJob struct {
	ID              int64                    `json:"id"`
	RunID           int64                    `json:"run_id"`
	WorkflowName    *string                  `json:"workflow_name"`
	HeadBranch      *string                  `json:"head_branch"`
	RunURL          string                   `json:"run_url"`
	RunAttempt      *int64                   `json:"run_attempt,omitempty"`
	NodeID          string                   `json:"node_id"`
	HeadSHA         string                   `json:"head_sha"`
	URL             string                   `json:"url"`
	HTMLURL         *string                  `json:"html_url"`
	Status          generated.JobStatus      `json:"status"`
	Conclusion      *generated.JobConclusion `json:"conclusion"`
	CreatedAt       time.Time                `json:"created_at"`
	StartedAt       time.Time                `json:"started_at"`
	CompletedAt     *time.Time               `json:"completed_at"`
	Name            string                   `json:"name"`
	Steps           []ghStep                 `json:"steps"`
	CheckRunURL     string                   `json:"check_run_url"`
	Labels          []string                 `json:"labels"`
	RunnerID        *int64                   `json:"runner_id"`
	RunnerName      *string                  `json:"runner_name"`
	RunnerGroupID   *int64                   `json:"runner_group_id"`
	RunnerGroupName *string                  `json:"runner_group_name"`
}

type ghStep struct {
	Name        string                  `json:"name"`
	Status      generated.JobStepStatus `json:"status"`
	Conclusion  *string                 `json:"conclusion"`
	Number      int                     `json:"number"`
	StartedAt   *time.Time              `json:"started_at"`
	CompletedAt *time.Time              `json:"completed_at"`
}

type ghPage struct {
	TotalCount int     `json:"total_count"`
	Jobs       []ghJob `json:"jobs"`
}

func githubShape(j *generated.Job) ghJob {
	steps := make([]ghStep, len(j.Steps))
	for i, s := range j.Steps {
		steps[i] = ghStep{Name: s.Name, Status: s.Status, Conclusion: s.Conclusion, Number: s.Number, StartedAt: s.StartedAt, CompletedAt: s.CompletedAt}
	}
	return ghJob{
		ID:              j.ID,
		RunID:           j.RunID,
		WorkflowName:    j.WorkflowName,
		HeadBranch:      j.HeadBranch,
		RunURL:          j.RunURL,
		RunAttempt:      j.RunAttempt,
		NodeID:          j.NodeID,
		HeadSHA:         j.HeadSHA,
		URL:             j.URL,
		HTMLURL:         j.HTMLURL,
		Status:          j.Status,
		Conclusion:      j.Conclusion,
		CreatedAt:       j.CreatedAt,
		StartedAt:       j.StartedAt,
		CompletedAt:     j.CompletedAt,
		Name:            j.Name,
		Steps:           steps,
		CheckRunURL:     j.CheckRunURL,
		Labels:          j.Labels,
		RunnerID:        j.RunnerID,
		RunnerName:      j.RunnerName,
		RunnerGroupID:   j.RunnerGroupID,
		RunnerGroupName: j.RunnerGroupName,
	}
}
