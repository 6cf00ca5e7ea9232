package otelexport

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/ghjobs/ghjobs/wrapper"
)

// GitHub's own attributes, for what the CICD conventions have no key for. The attempt's key
// is the Collector GitHub receiver's.
const (
	AttemptKey         = attribute.Key("github.workflow.run.attempt") // int: 1 for the first attempt
	JobConclusionKey   = attribute.Key("github.job.conclusion")       // GitHub's word: success, failure, timed_out, ...
	JobLabelsKey       = attribute.Key("github.job.labels")           // string[]: the job's runs-on labels
	RunnerGroupIDKey   = attribute.Key("github.runner_group.id")      // int
	RunnerGroupNameKey = attribute.Key("github.runner_group.name")
	StepNumberKey      = attribute.Key("github.step.number")     // int: 1 for the first step
	StepConclusionKey  = attribute.Key("github.step.conclusion") // GitHub's word
)

// jobAttributes are a finished job's span attributes.
func jobAttributes(j *wrapper.Job, o outcome) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, 12) // room for all: one allocation a job
	kv = append(kv,
		semconv.CICDPipelineTaskName(j.Name),
		semconv.CICDPipelineTaskRunID(strconv.FormatInt(j.ID, 10)),
		semconv.CICDPipelineTaskRunResultKey.String(o.result),
		JobConclusionKey.String(conclusion(j)),
	)
	if j.HTMLURL != nil && *j.HTMLURL != "" {
		kv = append(kv, semconv.CICDPipelineTaskRunURLFull(*j.HTMLURL))
	}
	if j.RunnerID != nil {
		kv = append(kv, semconv.CICDWorkerID(strconv.FormatInt(*j.RunnerID, 10)))
	}
	if j.RunnerName != nil && *j.RunnerName != "" {
		kv = append(kv, semconv.CICDWorkerName(*j.RunnerName))
	}
	if j.RunnerGroupID != nil {
		kv = append(kv, RunnerGroupIDKey.Int64(*j.RunnerGroupID))
	}
	if j.RunnerGroupName != nil && *j.RunnerGroupName != "" {
		kv = append(kv, RunnerGroupNameKey.String(*j.RunnerGroupName))
	}
	if len(j.Labels) > 0 {
		kv = append(kv, JobLabelsKey.StringSlice(j.Labels))
	}
	return withError(kv, o)
}

// stepAttributes are a step's span attributes; jobURL is its job's page, to which GitHub's
// step anchors are added.
func stepAttributes(s *wrapper.JobStep, o outcome, jobURL string) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, 6) // room for all: one allocation a step
	kv = append(kv,
		semconv.CICDPipelineTaskName(s.Name),
		semconv.CICDPipelineTaskRunResultKey.String(o.result),
		StepNumberKey.Int(s.Number),
		StepConclusionKey.String(stepConclusion(s)),
	)
	if jobURL != "" {
		kv = append(kv, semconv.CICDPipelineTaskRunURLFull(jobURL+"#step:"+strconv.Itoa(s.Number)+":1"))
	}
	return withError(kv, o)
}

// attributes are the attempt's span's: what the attempt is, and how it ended.
func (r *rootSummary) attributes(a wrapper.Attempt) []attribute.KeyValue {
	kv := []attribute.KeyValue{
		semconv.CICDPipelineName(r.workflow),
		semconv.CICDPipelineRunID(strconv.FormatInt(a.RunID, 10)),
		AttemptKey.Int64(a.Number),
		semconv.CICDPipelineResultKey.String(r.outcome().result),
	}
	if repo := repositoryURL(r.htmlURL); repo != "" {
		kv = append(kv,
			semconv.CICDPipelineRunURLFull(repo+"/actions/runs/"+strconv.FormatInt(a.RunID, 10)+"/attempts/"+strconv.FormatInt(a.Number, 10)),
			semconv.VCSRepositoryURLFull(repo))
	}
	if r.sha != "" {
		kv = append(kv, semconv.VCSRefHeadRevision(r.sha))
	}
	if r.branch != "" {
		kv = append(kv, semconv.VCSRefHeadName(r.branch))
	}
	return withError(kv, r.outcome())
}

// withError adds error.type to an error's attributes: the result word (failure, timeout,
// cancellation, error), a short list as the conventions ask.
func withError(kv []attribute.KeyValue, o outcome) []attribute.KeyValue {
	if o.err {
		kv = append(kv, semconv.ErrorTypeKey.String(o.result))
	}
	return kv
}

// repositoryURL is the repository's page from a job's: https://HOST/OWNER/REPO from
// https://HOST/OWNER/REPO/actions/runs/RUN/job/JOB (or the older .../runs/JOB), "" if the
// address is neither.
func repositoryURL(jobURL string) string {
	for _, sep := range []string{"/actions/runs/", "/runs/"} {
		if i := strings.LastIndex(jobURL, sep); i > 0 {
			return jobURL[:i]
		}
	}
	return ""
}

func conclusion(j *wrapper.Job) string {
	if j.Conclusion == nil {
		return ""
	}
	return string(*j.Conclusion)
}

func stepConclusion(s *wrapper.JobStep) string {
	if s.Conclusion == nil {
		return ""
	}
	return *s.Conclusion
}
