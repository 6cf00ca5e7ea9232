package otelexport

import "go.opentelemetry.io/otel/codes"

// outcome is what a GitHub conclusion means in a trace: the CICD conventions' result
// (cicd.pipeline.result, cicd.pipeline.task.run.result) and whether the span is an error.
// Jobs and steps share the words, so they share this table.
type outcome struct {
	result string // a cicd.pipeline(.task.run).result value
	err    bool   // span status Error, with error.type set to the conclusion
}

// outcomeOf maps a conclusion of a job or step. Conclusions the conventions have no word
// for (action_required, stale, and any GitHub adds later) are kept as they are, as the
// conventions allow for values outside their list.
func outcomeOf(conclusion string) outcome {
	switch conclusion {
	case "success":
		return outcome{"success", false}
	case "neutral": // finished without failing: GitHub counts it as passing
		return outcome{"success", false}
	case "failure":
		return outcome{"failure", true}
	case "timed_out":
		return outcome{"timeout", true}
	case "cancelled":
		return outcome{"cancellation", true}
	case "startup_failure": // the job never ran: GitHub's side, not the job's code
		return outcome{"error", true}
	case "skipped":
		return outcome{"skip", false}
	}
	return outcome{conclusion, false}
}

// attemptOutcome is the attempt's result from its jobs' conclusions, as GitHub concludes a
// run: a failure anywhere fails it; else a timeout, a cancellation, a startup failure; else
// it succeeded, or was skipped if every job was.
func attemptOutcome(seen map[string]bool) outcome {
	for _, r := range []string{"failure", "timeout", "cancellation", "error"} {
		if seen[r] {
			return outcome{r, true}
		}
	}
	if len(seen) == 1 && seen["skip"] {
		return outcome{"skip", false}
	}
	return outcome{"success", false}
}

// status is the span status for an outcome: Error with the conclusion as its description,
// else Unset, as the conventions' "Recording Errors" asks (Ok is the application's to set).
func (o outcome) status() codes.Code {
	if o.err {
		return codes.Error
	}
	return codes.Unset
}
