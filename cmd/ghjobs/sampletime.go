package main

import (
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// shiftJobs moves every timestamp of jobs by d, in place: the sample run, made at a fixed
// date so that it is deterministic, is moved to end now when `ghjobs serve` serves it, so
// that its running jobs have run minutes, not weeks.
func shiftJobs(jobs []wrapper.Job, d time.Duration) {
	move := func(t *time.Time) {
		if t != nil && !t.IsZero() {
			*t = t.Add(d)
		}
	}
	for i := range jobs {
		j := &jobs[i]
		move(&j.CreatedAt)
		move(&j.StartedAt)
		if j.CompletedAt != nil {
			c := *j.CompletedAt // the pointer may be shared with another copy of the job
			move(&c)
			j.CompletedAt = &c
		}
		steps := make([]wrapper.JobStep, len(j.Steps))
		copy(steps, j.Steps)
		for k := range steps {
			s := &steps[k]
			if s.StartedAt != nil {
				v := *s.StartedAt
				move(&v)
				s.StartedAt = &v
			}
			if s.CompletedAt != nil {
				v := *s.CompletedAt
				move(&v)
				s.CompletedAt = &v
			}
		}
		if j.Steps != nil {
			j.Steps = steps
		}
	}
}
