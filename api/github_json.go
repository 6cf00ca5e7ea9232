package api

import (
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// GitHubJob is a job as GitHub writes it in JSON: GitHub's field order (generated.Job
// marshals its fields alphabetically), null for an unset nullable field, steps and labels
// always arrays, and step times with milliseconds (StepTime). Marshal it to print or serve
// what GitHub would; the fake serves its pages through it. A zero CreatedAt is left out, as
// payloads older than the field (Run.OldShape) leave it out, rather than written as the
// year 1.
//
// The order is the one GitHub's serializer gives a job in API answers and in the
// workflow_job webhook payload (id, run_id, workflow_name, head_branch, run_url,
// run_attempt, node_id, ...). The operation's documented example agrees for every field
// but workflow_name and head_branch, which it lists last, and run_attempt and created_at,
// which it lacks: a hand-written example, not recorded traffic.
type GitHubJob struct {
	ID              int64                    `json:"id"`
	RunID           int64                    `json:"run_id"`
	WorkflowName    *string                  `json:"workflow_name"`
	HeadBranch      *string                  `json:"head_branch"`
	RunURL          string                   `json:"run_url"`
	RunAttempt      *int64                   `json:"run_attempt,omitempty"` // older GHES versions leave it out
	NodeID          string                   `json:"node_id"`
	HeadSHA         string                   `json:"head_sha"`
	URL             string                   `json:"url"`
	HTMLURL         *string                  `json:"html_url"`
	Status          generated.JobStatus      `json:"status"`
	Conclusion      *generated.JobConclusion `json:"conclusion"`
	CreatedAt       time.Time                `json:"created_at,omitzero"`
	StartedAt       time.Time                `json:"started_at"`
	CompletedAt     *time.Time               `json:"completed_at"`
	Name            string                   `json:"name"`
	Steps           []GitHubStep             `json:"steps"`
	CheckRunURL     string                   `json:"check_run_url"`
	Labels          []string                 `json:"labels"`
	RunnerID        *int64                   `json:"runner_id"`
	RunnerName      *string                  `json:"runner_name"`
	RunnerGroupID   *int64                   `json:"runner_group_id"`
	RunnerGroupName *string                  `json:"runner_group_name"`
}

// GitHubStep is a step as GitHub writes it: "started_at": null for a step that has not
// started, where generated.JobStep, marshalled, leaves the field out, and times with
// milliseconds.
type GitHubStep struct {
	Name        string                  `json:"name"`
	Status      generated.JobStepStatus `json:"status"`
	Conclusion  *string                 `json:"conclusion"`
	Number      int                     `json:"number"`
	StartedAt   *StepTime               `json:"started_at"`
	CompletedAt *StepTime               `json:"completed_at"`
}

// StepTime is a step's time as GitHub writes it, with milliseconds: "2026-11-02T09:00:35.000Z",
// where a job's own times have none ("2026-11-02T09:00:35Z"). So do the workflow_job
// payloads recorded in @octokit/webhooks-examples (testdata/recorded) and the operation's
// example in openapi.yaml ("2020-01-20T09:42:40.000-08:00"). Finer fractions are cut to the
// millisecond; the time's own zone is kept (UTC is written Z).
type StepTime struct{ time.Time }

// stepTimeLayout is RFC 3339 with exactly three fractional digits.
const stepTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON writes t in stepTimeLayout.
func (t StepTime) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(stepTimeLayout)+2)
	b = append(b, '"')
	b = t.AppendFormat(b, stepTimeLayout)
	return append(b, '"'), nil
}

// stepTime is t as a StepTime, nil for nil.
func stepTime(t *time.Time) *StepTime {
	if t == nil {
		return nil
	}
	return &StepTime{*t}
}

// ToGitHub returns j in GitHub's JSON shape. It shares j's pointers (but for step times)
// and label slice.
func ToGitHub(j *generated.Job) GitHubJob {
	g := GitHubJob{
		ID: j.ID, RunID: j.RunID, WorkflowName: j.WorkflowName, HeadBranch: j.HeadBranch,
		RunURL: j.RunURL, RunAttempt: j.RunAttempt, NodeID: j.NodeID, HeadSHA: j.HeadSHA,
		URL: j.URL, HTMLURL: j.HTMLURL, Status: j.Status, Conclusion: j.Conclusion,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, CompletedAt: j.CompletedAt,
		Name: j.Name, Steps: make([]GitHubStep, len(j.Steps)), CheckRunURL: j.CheckRunURL,
		Labels: j.Labels, RunnerID: j.RunnerID, RunnerName: j.RunnerName,
		RunnerGroupID: j.RunnerGroupID, RunnerGroupName: j.RunnerGroupName,
	}
	for i, s := range j.Steps {
		g.Steps[i] = GitHubStep{s.Name, s.Status, s.Conclusion, s.Number, stepTime(s.StartedAt), stepTime(s.CompletedAt)}
	}
	if g.Labels == nil {
		g.Labels = []string{}
	}
	return g
}

// GitHubPage is a page of the operation as GitHub writes it: total_count, then jobs.
type GitHubPage struct {
	TotalCount int         `json:"total_count"`
	Jobs       []GitHubJob `json:"jobs"`
}

// ToGitHubPage returns the page that holds jobs, of total jobs in all, in GitHub's JSON
// shape. Its jobs share the pointers and label slices of jobs, as ToGitHub's do.
func ToGitHubPage(total int, jobs []generated.Job) GitHubPage {
	p := GitHubPage{TotalCount: total, Jobs: make([]GitHubJob, len(jobs))}
	for i := range jobs {
		p.Jobs[i] = ToGitHub(&jobs[i])
	}
	return p
}
