package render

import (
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// class is what a job's or step's outcome means, decided here once for every format: the
// table's colours, mermaid's task tags, the SVG's bar colours, the summary's failed steps
// and --watch's exit status all read it.
type class int

const (
	classOther     class = iota // action_required, or a conclusion this version does not know
	classSuccess                // success
	classFailure                // failure, timed_out, startup_failure
	classCancelled              // cancelled
	classSkipped                // skipped, neutral, stale: nothing went wrong, nothing ran
	classRunning                // in_progress
	classWaiting                // queued, waiting, pending, requested
)

// classOf reads an outcome word: a conclusion, or a status while there is none.
func classOf(word string) class {
	switch word {
	case "success":
		return classSuccess
	case "failure", "timed_out", "startup_failure":
		return classFailure
	case "cancelled":
		return classCancelled
	case "skipped", "neutral", "stale":
		return classSkipped
	case "in_progress":
		return classRunning
	case "queued", "waiting", "pending", "requested":
		return classWaiting
	}
	return classOther
}

// jobClass is a job's class. Until it completes, its phase decides (so a status GitHub adds
// later is still running or waiting); then its conclusion.
func jobClass(t *JobTime) class {
	switch t.Phase {
	case Running:
		return classRunning
	case Waiting:
		return classWaiting
	}
	return classOf(Outcome(t.Job))
}

// Succeeded reports whether a job ended well: it completed with success, or was skipped (or
// neutral). --watch exits 0 only when every job did.
func Succeeded(j *wrapper.Job) bool {
	t := TimeJob(j, time.Time{})
	return jobClass(&t).ok()
}

// ok reports whether an outcome counts as a good end: --watch exits 0 only when every job's does.
func (c class) ok() bool { return c == classSuccess || c == classSkipped }

// outcome is one word for a job: its conclusion once completed, else its status.
func Outcome(j *wrapper.Job) string {
	if j.Conclusion != nil && *j.Conclusion != "" {
		return string(*j.Conclusion)
	}
	return string(j.Status)
}

// stepOutcome is outcome for a step.
func stepOutcome(s *wrapper.JobStep) string {
	if s.Conclusion != nil && *s.Conclusion != "" {
		return *s.Conclusion
	}
	return string(s.Status)
}

// failedStep is the first step whose outcome is a failure, or nil.
func failedStep(j *wrapper.Job) *wrapper.JobStep {
	for i := range j.Steps {
		if c := j.Steps[i].Conclusion; c != nil && classOf(*c) == classFailure {
			return &j.Steps[i]
		}
	}
	return nil
}
