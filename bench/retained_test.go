package bench

import (
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/ghjobs/ghjobs/wrapper"
)

// BenchmarkRetainedHeap is the heap that a listing's result keeps alive once the client is
// gone: every job of a 20,000-job attempt, collected in a slice, as a program that keeps
// the jobs to report on them holds them. go-github's jobs are collected from its iterator
// ([]*github.WorkflowJob); the wrapper's are AllJobs' []wrapper.Job. kept-B/job is the live
// heap after a forced collection, with the slice alive and the client not, above the live
// heap before the listing, per job. floor-B/job is, for the wrapper, the least its jobs
// could take in the generated types with no pointer or slice sharing its target
// (typesFloor): what no packing of them can go below.
func BenchmarkRetainedHeap(b *testing.B) {
	s := startServer(b, sampleRun(bigRun), 0, h1)
	collectors := []struct {
		name    string
		collect func() (any, int, error)
		floor   func(kept any) int64 // nil: not measured
	}{
		{"go-github", func() (any, int, error) {
			base := s.URL + "/"
			c, err := github.NewClient(github.WithAuthToken(token), github.WithURLs(&base, &base))
			if err != nil {
				return nil, 0, err
			}
			var jobs []*github.WorkflowJob
			for job, err := range c.Actions.ListWorkflowJobsAttemptIter(b.Context(), owner, repo, runID, attempt, &github.ListOptions{PerPage: perPage}) {
				if err != nil {
					return nil, 0, err
				}
				jobs = append(jobs, job)
			}
			return jobs, len(jobs), nil
		}, nil},
		{"wrapper-AllJobs", func() (any, int, error) {
			c, err := wrapper.New(wrapper.WithBaseURL(s.URL), wrapper.WithToken(token))
			if err != nil {
				return nil, 0, err
			}
			jobs, err := c.AllJobs(b.Context(), benchAttempt)
			return jobs, len(jobs), err
		}, func(kept any) int64 { return typesFloor(kept.([]wrapper.Job)) }},
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		runtime.GC()
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	for _, col := range collectors {
		b.Run("client="+col.name, func(b *testing.B) {
			var kept uint64
			var floor int64
			for b.Loop() {
				before := live()
				jobs, n, err := col.collect()
				if err != nil {
					b.Fatal(err)
				}
				if n != bigRun {
					b.Fatalf("%d jobs, want %d", n, bigRun)
				}
				kept += live() - before
				if col.floor != nil && floor == 0 {
					floor = col.floor(jobs) // the same every time: the same jobs
				}
				runtime.KeepAlive(jobs)
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(kept)/float64(b.N)/bigRun, "kept-B/job")
			if col.floor != nil {
				b.ReportMetric(float64(floor)/bigRun, "floor-B/job")
			}
		})
	}
}
