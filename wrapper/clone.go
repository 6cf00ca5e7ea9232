package wrapper

import "time"

// cloneJobs returns a deep copy of jobs: nothing the copy points to is shared with jobs
// (strings, which cannot change, excepted), so a caller may change its copy without changing
// what the cache keeps or another caller sees. The pointers of all the jobs are served from
// a few arrays, one of each kind, which makes a copy a small fraction of a decode.
// TestCloneJobsSharesNothing fails when a field of the generated Job is not copied.
func cloneJobs(jobs []Job) []Job {
	var nStr, nInt, nTime, nConc, nSteps, nLabels, nStepConc int
	for i := range jobs {
		j := &jobs[i]
		nStr += count(j.HeadBranch) + count(j.HTMLURL) + count(j.RunnerGroupName) + count(j.RunnerName) + count(j.WorkflowName)
		nInt += count(j.RunAttempt) + count(j.RunnerGroupID) + count(j.RunnerID)
		nTime += count(j.CompletedAt)
		nConc += count(j.Conclusion)
		nSteps += len(j.Steps)
		nLabels += len(j.Labels)
		for k := range j.Steps {
			s := &j.Steps[k]
			nTime += count(s.StartedAt) + count(s.CompletedAt)
			nStepConc += count(s.Conclusion)
		}
	}
	a := arenas{
		str: make([]string, 0, nStr), num: make([]int64, 0, nInt), time: make([]time.Time, 0, nTime),
		conc: make([]JobConclusion, 0, nConc), stepConc: make([]string, 0, nStepConc),
		steps: make([]JobStep, 0, nSteps), labels: make([]string, 0, nLabels),
	}
	out := make([]Job, len(jobs))
	for i := range jobs {
		j := jobs[i] // a copy of the values; the pointers are replaced below
		j.CompletedAt = clonePtr(&a.time, j.CompletedAt)
		j.Conclusion = clonePtr(&a.conc, j.Conclusion)
		j.HeadBranch = clonePtr(&a.str, j.HeadBranch)
		j.HTMLURL = clonePtr(&a.str, j.HTMLURL)
		j.RunnerGroupName = clonePtr(&a.str, j.RunnerGroupName)
		j.RunnerName = clonePtr(&a.str, j.RunnerName)
		j.WorkflowName = clonePtr(&a.str, j.WorkflowName)
		j.RunAttempt = clonePtr(&a.num, j.RunAttempt)
		j.RunnerGroupID = clonePtr(&a.num, j.RunnerGroupID)
		j.RunnerID = clonePtr(&a.num, j.RunnerID)
		j.Labels = cloneSlice(&a.labels, j.Labels)
		if j.Steps != nil {
			start := len(a.steps)
			for _, s := range j.Steps {
				s.StartedAt = clonePtr(&a.time, s.StartedAt)
				s.CompletedAt = clonePtr(&a.time, s.CompletedAt)
				s.Conclusion = clonePtr(&a.stepConc, s.Conclusion)
				a.steps = append(a.steps, s)
			}
			j.Steps = a.steps[start:len(a.steps):len(a.steps)]
		}
		out[i] = j
	}
	return out
}

// arenas are the arrays the values behind a copy's pointers and slices live in, sized
// before the copy so that they never grow (a pointer into one stays valid).
type arenas struct {
	str      []string
	num      []int64
	time     []time.Time
	conc     []JobConclusion
	stepConc []string
	steps    []JobStep
	labels   []string
}

func count[T any](p *T) int {
	if p == nil {
		return 0
	}
	return 1
}

// clonePtr copies *p into the next element of arena and points there; nil stays nil.
func clonePtr[T any](arena *[]T, p *T) *T {
	if p == nil {
		return nil
	}
	*arena = append(*arena, *p)
	return &(*arena)[len(*arena)-1]
}

// cloneSlice copies s into arena, capped at its length so that appending to the copy does
// not write into the next job's part; nil stays nil and empty stays empty.
func cloneSlice[T any](arena *[]T, s []T) []T {
	if s == nil {
		return nil
	}
	start := len(*arena)
	*arena = append(*arena, s...)
	return (*arena)[start:len(*arena):len(*arena)]
}
