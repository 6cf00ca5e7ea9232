package wrapper

import "github.com/ghjobs/ghjobs/generated"

// The states of jobs and steps, re-exported so that callers need only this package.
// GitHub adds values before its description lists them: they decode all the same, and
// Valid reports whether a value is one of these.
type (
	JobStatus     = generated.JobStatus     // where a job is in its lifecycle
	JobConclusion = generated.JobConclusion // how a finished job ended
	JobStepStatus = generated.JobStepStatus // where a step is in its lifecycle
)

// Job statuses.
const (
	JobStatusQueued     = generated.JobStatusQueued
	JobStatusInProgress = generated.JobStatusInProgress
	JobStatusCompleted  = generated.JobStatusCompleted
	JobStatusWaiting    = generated.JobStatusWaiting
	JobStatusRequested  = generated.JobStatusRequested
	JobStatusPending    = generated.JobStatusPending
)

// Job conclusions.
const (
	JobConclusionSuccess        = generated.JobConclusionSuccess
	JobConclusionFailure        = generated.JobConclusionFailure
	JobConclusionNeutral        = generated.JobConclusionNeutral
	JobConclusionCancelled      = generated.JobConclusionCancelled
	JobConclusionSkipped        = generated.JobConclusionSkipped
	JobConclusionTimedOut       = generated.JobConclusionTimedOut
	JobConclusionActionRequired = generated.JobConclusionActionRequired
)

// Step statuses.
const (
	JobStepStatusQueued     = generated.JobStepStatusQueued
	JobStepStatusInProgress = generated.JobStepStatusInProgress
	JobStepStatusCompleted  = generated.JobStepStatusCompleted
)
