package main

import (
	"bufio"
	"encoding/json"
	"io"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// githubJob is a job with GitHub's field order, so that the output reads like GitHub's own
// answer (generated.Job sorts its fields alphabetically). Nullable fields stay null rather
// than being left out, and steps and labels are always arrays, as GitHub sends them.
type githubJob struct {
	ID              int64                  `json:"id"`
	RunID           int64                  `json:"run_id"`
	WorkflowName    *string                `json:"workflow_name"`
	HeadBranch      *string                `json:"head_branch"`
	RunURL          string                 `json:"run_url"`
	RunAttempt      *int64                 `json:"run_attempt,omitempty"` // older GHES versions leave it out
	NodeID          string                 `json:"node_id"`
	HeadSHA         string                 `json:"head_sha"`
	URL             string                 `json:"url"`
	HTMLURL         *string                `json:"html_url"`
	Status          wrapper.JobStatus      `json:"status"`
	Conclusion      *wrapper.JobConclusion `json:"conclusion"`
	CreatedAt       time.Time              `json:"created_at"`
	StartedAt       time.Time              `json:"started_at"`
	CompletedAt     *time.Time             `json:"completed_at"`
	Name            string                 `json:"name"`
	Steps           []githubStep           `json:"steps"`
	CheckRunURL     string                 `json:"check_run_url"`
	Labels          []string               `json:"labels"`
	RunnerID        *int64                 `json:"runner_id"`
	RunnerName      *string                `json:"runner_name"`
	RunnerGroupID   *int64                 `json:"runner_group_id"`
	RunnerGroupName *string                `json:"runner_group_name"`
}

type githubStep struct {
	Name        string                `json:"name"`
	Status      wrapper.JobStepStatus `json:"status"`
	Conclusion  *string               `json:"conclusion"`
	Number      int                   `json:"number"`
	StartedAt   *time.Time            `json:"started_at"`
	CompletedAt *time.Time            `json:"completed_at"`
}

func toGitHub(j *wrapper.Job) githubJob {
	g := githubJob{
		ID: j.ID, RunID: j.RunID, WorkflowName: j.WorkflowName, HeadBranch: j.HeadBranch,
		RunURL: j.RunURL, RunAttempt: j.RunAttempt, NodeID: j.NodeID, HeadSHA: j.HeadSHA,
		URL: j.URL, HTMLURL: j.HTMLURL, Status: j.Status, Conclusion: j.Conclusion,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, CompletedAt: j.CompletedAt,
		Name: j.Name, Steps: make([]githubStep, len(j.Steps)), CheckRunURL: j.CheckRunURL,
		Labels: j.Labels, RunnerID: j.RunnerID, RunnerName: j.RunnerName,
		RunnerGroupID: j.RunnerGroupID, RunnerGroupName: j.RunnerGroupName,
	}
	for i, s := range j.Steps {
		g.Steps[i] = githubStep{s.Name, s.Status, s.Conclusion, s.Number, s.StartedAt, s.CompletedAt}
	}
	if g.Labels == nil {
		g.Labels = []string{}
	}
	return g
}

// newEncoder writes JSON as GitHub does: '<', '>' and '&' stay as they are.
func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// writeJSON prints {"total_count": N, "jobs": [...]} with every job of every page: GitHub's
// shape, field order and value formats, indented by two spaces as GitHub indents.
func writeJSON(w io.Writer, jobs []wrapper.Job) error {
	page := struct {
		TotalCount int         `json:"total_count"`
		Jobs       []githubJob `json:"jobs"`
	}{len(jobs), make([]githubJob, len(jobs))}
	for i := range jobs {
		page.Jobs[i] = toGitHub(&jobs[i])
	}
	bw := bufio.NewWriter(w)
	enc := newEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(page); err != nil {
		return err
	}
	return bw.Flush()
}

// writeJSONL prints one job a line, as writeJSON prints it but on one line.
func writeJSONL(w io.Writer, jobs []wrapper.Job) error {
	bw := bufio.NewWriter(w)
	enc := newEncoder(bw)
	for i := range jobs {
		if err := enc.Encode(toGitHub(&jobs[i])); err != nil {
			return err
		}
	}
	return bw.Flush()
}
