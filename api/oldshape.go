package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ghjobs/ghjobs"
	"github.com/ghjobs/ghjobs/generated"
)

// The old shape of a job: the first workflow_job payloads (2021, in @octokit/webhooks-examples,
// testdata/recorded) and GitHub Enterprise Server 3.3 to 3.5's examples have no created_at,
// run_attempt, workflow_name or head_branch, fields GitHub added later. openapi.yaml requires
// three of them, so a client tested against the current shape alone never meets a zero
// CreatedAt or a nil RunAttempt.

// oldFields are the job's fields the old shape lacks; openapi.yaml requires all but run_attempt.
var oldFields = []string{"created_at", "run_attempt", "workflow_name", "head_branch"}

// oldShapeJob is GitHubJob without oldFields: its fields of the same names, shallower, shadow
// GitHubJob's in encoding/json and, empty, are never written.
type oldShapeJob struct {
	GitHubJob
	CreatedAt    struct{} `json:"created_at,omitzero"`
	RunAttempt   struct{} `json:"run_attempt,omitzero"`
	WorkflowName struct{} `json:"workflow_name,omitzero"`
	HeadBranch   struct{} `json:"head_branch,omitzero"`
}

// oldShapePage is GitHubPage with jobs in the old shape.
type oldShapePage struct {
	TotalCount int           `json:"total_count"`
	Jobs       []oldShapeJob `json:"jobs"`
}

func toOldShapePage(total int, jobs []generated.Job) oldShapePage {
	p := oldShapePage{TotalCount: total, Jobs: make([]oldShapeJob, len(jobs))}
	for i := range jobs {
		p.Jobs[i] = oldShapeJob{GitHubJob: ToGitHub(&jobs[i])}
	}
	return p
}

// SampleRunOldShape is SampleRun served in the old shape (Run.OldShape): the same jobs,
// without created_at, run_attempt, workflow_name and head_branch, so that they hold what a
// client decodes from such a page: a zero CreatedAt and nil RunAttempt, WorkflowName and
// HeadBranch.
func SampleRunOldShape(owner, repo string, runID, attempt int64, n int) Run {
	run := SampleRun(owner, repo, runID, attempt, n)
	run.OldShape = true
	for i := range run.Jobs {
		j := &run.Jobs[i]
		j.CreatedAt = time.Time{}
		j.RunAttempt, j.WorkflowName, j.HeadBranch = nil, nil, nil
	}
	return run
}

// validate checks the fake's answer to r as ValidateResponse does; a page in the old shape
// against openapi.yaml with oldFields not required, which is all that shape breaks.
func (v *Validator) validate(r *http.Request, status int, header http.Header, body []byte, oldShape bool) error {
	if !oldShape {
		return v.validateResponse(r, status, header, body)
	}
	old, err := v.oldShape()
	if err != nil {
		return err
	}
	return old.validateResponse(r, status, header, body)
}

// oldShape returns a Validator for pages in the old shape, made on first use: most fakes
// never serve one.
func (v *Validator) oldShape() (*Validator, error) {
	v.oldOnce.Do(func() { v.old, v.oldErr = v.relaxed(oldFields) })
	return v.old, v.oldErr
}

// relaxed returns a copy of v whose job schema does not require the fields named.
func (v *Validator) relaxed(fields []string) (*Validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(ghjobs.Spec)
	if err != nil {
		return nil, fmt.Errorf("ghjobs/api: load openapi.yaml: %w", err)
	}
	job := doc.Components.Schemas["job"]
	if job == nil || job.Value == nil {
		return nil, fmt.Errorf("ghjobs/api: openapi.yaml has no components.schemas.job")
	}
	job.Value.Required = slices.DeleteFunc(job.Value.Required, func(f string) bool { return slices.Contains(fields, f) })
	router, err := routerFor(context.Background(), doc, v.prefix)
	if err != nil {
		return nil, err
	}
	return &Validator{prefix: v.prefix, router: router, basicError: v.basicError, opts: v.opts}, nil
}

// oldShapeOnce is the part of a Validator that makes the old-shape one.
type oldShapeOnce struct {
	oldOnce sync.Once
	old     *Validator
	oldErr  error
}
