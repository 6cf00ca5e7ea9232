package bench

import (
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// change moves one job of the attempt on to its next status and renders its page again,
// as GitHub's answer changes while an attempt runs. It returns the job's index and new
// status. Successive changes walk the pages, a job further into each. Call it while no
// request is in flight.
func (s *server) change() (int, string) {
	i := s.changes * (perPage + 1) % len(s.jobs)
	s.changes++
	j := &s.jobs[i]
	switch j.Status {
	case generated.JobStatusQueued:
		j.Status, j.Conclusion, j.CompletedAt = generated.JobStatusInProgress, nil, nil
	case generated.JobStatusInProgress:
		c, at := generated.JobConclusionSuccess, j.StartedAt.Add(5*time.Minute)
		j.Status, j.Conclusion, j.CompletedAt = generated.JobStatusCompleted, &c, &at
	default:
		j.Status, j.Conclusion, j.CompletedAt = generated.JobStatusQueued, nil, nil
	}
	if err := s.renderPage(i/perPage + 1); err != nil {
		panic(err) // the page rendered before, with only this job's status other
	}
	return i, string(j.Status)
}

// statuses returns every job's status now, in page order.
func (s *server) statuses() []string {
	st := make([]string, len(s.jobs))
	for i := range s.jobs {
		st[i] = string(s.jobs[i].Status)
	}
	return st
}
