package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/ghwire"
)

// The fake serves two operations beside the attempt's listing, from the same runs: a run's
// jobs (how a client finds the run's latest attempt) and one job (how it finds the attempt
// a job is of). Both answer with the job schema, as GitHub does.
const (
	opAttemptJobs = "actions/list-jobs-for-workflow-run-attempt" // the fake's own (fake.go)
	opRunJobs     = "actions/list-jobs-for-workflow-run"
	opJob         = "actions/get-job-for-workflow-run"

	docRunJobs = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run"
	docJob     = "https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run"
)

// lookupOther answers a routed request for one of the operations above; params are its
// path parameters, still escaped. A renamed repository answers 301 here too.
func (f *Fake) lookupOther(r *http.Request, op string, params map[string]string, fault Fault) reply {
	doc := docRunJobs
	if op == opJob {
		doc = docJob
	}
	repo, ok := f.repository(params)
	if !ok || !f.sees(r, f.finalName(repo)) {
		return errorReply(http.StatusNotFound, "Not Found", doc)
	}
	if to, ok := f.renames[repo]; ok {
		return f.moved(r, to)
	}
	switch op {
	case opRunJobs:
		runID, err := strconv.ParseInt(params["run_id"], 10, 64)
		if err != nil {
			return errorReply(http.StatusNotFound, "Not Found", doc)
		}
		jobs, old, ok := f.runJobs(repo, runID, r.URL.Query().Get("filter") == "all")
		if !ok {
			return errorReply(http.StatusNotFound, "Not Found", doc)
		}
		return pageReply(r, jobs, old, byIDPath(f.v.prefix, f.repositoryID(repo), r.URL.EscapedPath()), fault)
	case opJob:
		id, err := strconv.ParseInt(params["job_id"], 10, 64)
		if err != nil {
			return errorReply(http.StatusNotFound, "Not Found", doc)
		}
		j, ok := f.job(repo, id)
		if !ok {
			return errorReply(http.StatusNotFound, "Not Found", doc)
		}
		rep := jsonReply(http.StatusOK, ToGitHub(&j))
		rep.header.Set("ETag", ghwire.ETag(rep.body))
		return rep
	}
	return errorReply(http.StatusNotFound, "Not Found", docREST)
}

// runJobs returns the jobs of a run the fake serves: those of its latest attempt, as GitHub
// answers filter=latest (the default) since 2025, or with all, every attempt's, the first
// attempt's first; old when the latest attempt is served in the old shape (Run.OldShape).
// False when the fake serves no attempt of the run.
func (f *Fake) runJobs(repo repoKey, runID int64, all bool) (jobs []generated.Job, old, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []runKey
	for k := range f.runs {
		if k.owner == repo.owner && k.repo == repo.repo && k.runID == runID {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, false, false
	}
	slices.SortFunc(keys, func(a, b runKey) int { return cmp.Compare(a.attempt, b.attempt) })
	old = f.oldShape[keys[len(keys)-1]]
	if !all {
		keys = keys[len(keys)-1:]
	}
	jobs = []generated.Job{}
	for _, k := range keys {
		jobs = append(jobs, f.runs[k]...)
	}
	return jobs, old, true
}

// job returns the job with the given id of any run the fake serves for repo.
func (f *Fake) job(repo repoKey, id int64) (generated.Job, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, jobs := range f.runs {
		if k.owner != repo.owner || k.repo != repo.repo {
			continue
		}
		for _, j := range jobs {
			if j.ID == id {
				return j, true
			}
		}
	}
	return generated.Job{}, false
}
