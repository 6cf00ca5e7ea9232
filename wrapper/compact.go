package wrapper

import "strings"

// compact makes the jobs of one page, which AllJobs or the cache keeps, take less memory
// without changing a value: the strings the jobs of an attempt repeat (head_sha, run_url,
// workflow_name, head_branch, runner group names, labels, statuses and conclusions, step
// names) are shared through in, and the page's steps and labels each share one array cut to
// size, where the JSON decoder left one array per job with room to grow. Each job keeps its
// own pointers and slices: changing one job through them changes no other.
func compact(jobs []Job, in interner) {
	var steps, labels int
	for i := range jobs {
		steps += len(jobs[i].Steps)
		labels += len(jobs[i].Labels)
	}
	stepArr, labelArr := make([]JobStep, 0, steps), make([]string, 0, labels)
	packOwn(jobs)
	for i := range jobs {
		j := &jobs[i]
		j.HeadSHA = in.str(j.HeadSHA)
		j.RunURL = in.str(j.RunURL)
		j.Status = JobStatus(in.str(string(j.Status)))
		if j.Conclusion != nil {
			*j.Conclusion = JobConclusion(in.str(string(*j.Conclusion)))
		}
		in.ptr(j.HeadBranch)
		in.ptr(j.WorkflowName)
		in.ptr(j.RunnerGroupName)
		if j.Labels != nil {
			start := len(labelArr)
			for _, l := range j.Labels {
				labelArr = append(labelArr, in.str(l))
			}
			j.Labels = labelArr[start:len(labelArr):len(labelArr)]
		}
		if j.Steps != nil {
			start := len(stepArr)
			for _, s := range j.Steps {
				s.Name = in.str(s.Name)
				s.Status = JobStepStatus(in.str(string(s.Status)))
				in.ptr(s.Conclusion)
				stepArr = append(stepArr, s)
			}
			j.Steps = stepArr[start:len(stepArr):len(stepArr)]
		}
	}
}

// packOwn moves the strings each job has to itself (its name, URLs, node id and runner's
// name) into one string for the page, of which each becomes a part: one allocation where
// there were six a job, each rounded up to its size class. A job kept alone keeps its page's
// strings with it (some 30 kB for 100 jobs).
func packOwn(jobs []Job) {
	own := func(j *Job) [6]*string {
		return [6]*string{&j.Name, &j.URL, &j.CheckRunURL, &j.NodeID, j.HTMLURL, j.RunnerName}
	}
	n := 0
	for i := range jobs {
		for _, p := range own(&jobs[i]) {
			if p != nil {
				n += len(*p)
			}
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i := range jobs {
		for _, p := range own(&jobs[i]) {
			if p != nil {
				b.WriteString(*p)
			}
		}
	}
	all, at := b.String(), 0
	for i := range jobs {
		for _, p := range own(&jobs[i]) {
			if p != nil {
				*p, at = all[at:at+len(*p)], at+len(*p)
			}
		}
	}
}

// interner shares equal strings: the first of them stands for all. One listing has one, so
// that it holds the strings of one attempt and is gone with it.
type interner map[string]string

func (in interner) str(s string) string {
	if s == "" {
		return s
	}
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

func (in interner) ptr(p *string) {
	if p != nil {
		*p = in.str(*p)
	}
}
