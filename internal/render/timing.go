package render

import (
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// phase is where a job is. It is read from the status first and from the other fields for
// statuses GitHub adds later, so a new status never drops a job.
type phase int

const (
	Waiting phase = iota // no runner yet: queued, waiting, pending, requested
	Running              // on a runner, not finished
	Done                 // completed
)

// JobTime is what ghjobs derives from one job's timestamps. Created ≤ Started ≤ End always
// holds: out-of-order timestamps are clamped and flagged, never turned into negative
// durations.
type JobTime struct {
	Job   *wrapper.Job
	Phase phase
	// Created is when the job was created, Started when it got a runner (or when it stopped
	// waiting without one), End when it completed, or now while it runs.
	Created, Started, End time.Time
	Queued                time.Duration // Started − Created: waiting for a runner
	Duration              time.Duration // End − Started: running
	Ran                   bool          // it got a runner, so it counts in queue and duration figures
	Clamped               bool          // a timestamp was out of order or missing and was clamped
	FailedStep            *wrapper.JobStep
}

// timeJob derives a job's timing, measuring unfinished jobs up to now.
func TimeJob(j *wrapper.Job, now time.Time) JobTime {
	t := JobTime{Job: j, Created: j.CreatedAt, Started: j.StartedAt, FailedStep: failedStep(j)}
	t.Ran = j.RunnerID != nil || j.RunnerName != nil || len(j.Steps) > 0
	t.Phase = phaseOf(j, t.Ran)
	if t.Phase == Running {
		t.Ran = true
	}

	// A missing timestamp (zero) takes its neighbour's value rather than stretching the
	// timeline back to year 1.
	if t.Created.IsZero() && !t.Started.IsZero() {
		t.Created, t.Clamped = t.Started, true
	}
	if t.Started.IsZero() && !t.Created.IsZero() {
		t.Started, t.Clamped = t.Created, true
	}
	if t.Started.Before(t.Created) {
		t.Started, t.Clamped = t.Created, true
	}

	switch t.Phase {
	case Waiting:
		// GitHub sets started_at to created_at until a runner takes the job.
		t.Started = later(t.Created, now)
		t.End = t.Started
	case Running:
		t.End = later(t.Started, now)
	case Done:
		t.End = t.Started
		if c := j.CompletedAt; c != nil && !c.IsZero() {
			if c.Before(t.Started) {
				t.Clamped = true
			} else {
				t.End = *c
			}
		}
		if !t.Ran {
			// Skipped, or cancelled before a runner took it: the whole life was waiting.
			t.Started = t.End
		}
	}
	t.Queued = t.Started.Sub(t.Created)
	t.Duration = t.End.Sub(t.Started)
	return t
}

// phaseOf reads a job's phase from its status, and for a status this version does not know
// from its other fields: ran says whether it got a runner.
func phaseOf(j *wrapper.Job, ran bool) phase {
	switch j.Status {
	case wrapper.JobStatusCompleted:
		return Done
	case wrapper.JobStatusInProgress:
		return Running
	case wrapper.JobStatusQueued, wrapper.JobStatusWaiting, wrapper.JobStatusPending, wrapper.JobStatusRequested:
		return Waiting
	}
	switch {
	case j.CompletedAt != nil:
		return Done
	case ran:
		return Running
	}
	return Waiting
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// stepSpan is a step's start and end, clamped like a job's; ok is false for a step that has
// not started.
func stepSpan(s *wrapper.JobStep, now time.Time) (start, end time.Time, ok bool) {
	if s.StartedAt == nil || s.StartedAt.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	start = *s.StartedAt
	switch {
	case s.CompletedAt != nil && !s.CompletedAt.IsZero():
		end = later(start, *s.CompletedAt)
	case s.Status == wrapper.JobStepStatusCompleted:
		end = start
	default:
		end = later(start, now)
	}
	return start, end, true
}

// stepClamped reports whether a step finished before it started.
func stepClamped(s *wrapper.JobStep) bool {
	return s.StartedAt != nil && s.CompletedAt != nil && s.CompletedAt.Before(*s.StartedAt)
}

// Timed is every job's timing and the attempt's time span.
type Timed struct {
	Attempt    wrapper.Attempt
	Jobs       []JobTime
	Now        time.Time
	Start, End time.Time // earliest creation, latest end
}

func Time(a wrapper.Attempt, jobs []wrapper.Job, now time.Time) *Timed {
	at := &Timed{Attempt: a, Jobs: make([]JobTime, len(jobs)), Now: now}
	for i := range jobs {
		t := TimeJob(&jobs[i], now)
		at.Jobs[i] = t
		if i == 0 || t.Created.Before(at.Start) {
			at.Start = t.Created
		}
		if i == 0 || t.End.After(at.End) {
			at.End = t.End
		}
	}
	return at
}

// latest is the latest timestamp in jobs: the moment a snapshot of them was taken, used as
// "now" for the demo's fixed sample so its running jobs have sensible durations.
func Latest(jobs []wrapper.Job) time.Time {
	var t time.Time
	for i := range jobs {
		j := &jobs[i]
		t = later(t, later(j.CreatedAt, j.StartedAt))
		if j.CompletedAt != nil {
			t = later(t, *j.CompletedAt)
		}
		for k := range j.Steps {
			s := &j.Steps[k]
			if s.StartedAt != nil {
				t = later(t, *s.StartedAt)
			}
			if s.CompletedAt != nil {
				t = later(t, *s.CompletedAt)
			}
		}
	}
	return t
}
