package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// maxDemoJobs bounds --jobs: the fake holds the whole run in memory.
const maxDemoJobs = 100_000

// The sample run that --demo and serve show.
const (
	sampleOwner       = "octo-org"
	sampleRepo        = "octo-repo"
	sampleRunID int64 = 12_345_678_901
	demoToken         = "demo-token"
)

// startDemo serves a sample run of o.demoJobs jobs from the fake API on loopback, and
// returns the real client for it, so that the demo lists it over HTTP as it would list a
// run on github.com. The sample is a snapshot: its "now" is its last timestamp. With
// --watch, the run moves instead (see playDemo).
func (c *cli) startDemo(o options) (*wrapper.Client, wrapper.Attempt, error) {
	run := api.SampleRun(sampleOwner, sampleRepo, sampleRunID, 1, o.demoJobs)
	a := wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Number}
	srv, err := api.NewServer(api.WithToken(demoToken))
	if err != nil {
		return nil, a, err
	}
	c.closers = append(c.closers, func() error { srv.Close(); return nil })
	c.demoServer = srv
	if o.watch {
		c.playDemo(srv.Fake, run)
	} else {
		srv.Fake.AddRun(run)
		now := render.Latest(run.Jobs)
		c.now = func() time.Time { return now }
	}
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(demoToken), wrapper.WithUserAgent("ghjobs-demo"))
	return client, a, err
}

// demoKept fails the demo when its requests broke the contract, before anything is written.
func (c *cli) demoKept() error {
	if v := c.demoServer.Fake.Violations(); len(v) > 0 {
		return commandErr("the fake API saw %d contract violation(s), first: %w", len(v), v[0])
	}
	return nil
}

// demoSay says what the demo listed, after the listing: on a terminal it is then the last
// line, not scrolled away above 250 rows.
func (c *cli) demoSay(jobs int) {
	n := c.demoServer.Fake.RequestCount()
	c.log.say(fmt.Sprintf("ghjobs: demo: %d jobs in %d %s to the built-in fake API", jobs, n, render.Plural(int(n), "request", "requests")))
}

// playDemo makes the demo's run move, for --demo --watch: the sample becomes a timeline
// from its first job's creation to its last job's end, which the watch sees in
// demoPolls polls, each a step of demo time later than the one before. The command's clock is
// the demo's, so that its figures are the run's; the steps are the same on every run, so
// the screens are too.
func (c *cli) playDemo(f *api.Fake, run api.Run) {
	tl := timelineOf(run, 1)
	end := tl.Start
	for _, l := range tl.Jobs {
		end = later(end, tl.Start.Add(l.Completed))
	}
	step := (end.Sub(tl.Start)/demoPolls + time.Second - 1).Truncate(time.Second)
	var mu sync.Mutex
	now := tl.Start
	f.AddRun(tl.At(now))
	c.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	sleep := c.sleep
	c.sleep = func(ctx context.Context, d time.Duration) error {
		if err := sleep(ctx, d); err != nil {
			return err
		}
		mu.Lock()
		now = now.Add(step)
		t := now
		mu.Unlock()
		f.AddRun(tl.At(t))
		return nil
	}
}

// demoPolls is how many polls --demo --watch takes to see its run from start to end: at
// --interval 1s, some 20 seconds.
const demoPolls = 15

// timelineOf turns a sample run, a snapshot, into a timeline that ends with every job
// completed: the jobs that had finished end as they did, the ones still running or queued
// get an end a little after the snapshot. scale shortens (below 1) every time of the run.
func timelineOf(run api.Run, scale float64) api.Timeline {
	start := run.Jobs[0].CreatedAt
	for _, j := range run.Jobs {
		if j.CreatedAt.Before(start) {
			start = j.CreatedAt
		}
	}
	snapshot := render.Latest(run.Jobs)
	at := func(t time.Time) time.Duration { return time.Duration(float64(t.Sub(start)) * scale) }
	tl := api.Timeline{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Number, Start: start}
	for i, j := range run.Jobs {
		life := api.JobLife{Name: j.Name, Created: at(j.CreatedAt), Conclusion: wrapper.JobConclusionSuccess}
		k := time.Duration(i % 7)
		switch {
		case j.Conclusion != nil && j.CompletedAt != nil:
			life.Conclusion = *j.Conclusion
			life.Started, life.Completed = at(later(j.CreatedAt, j.StartedAt)), at(later(j.StartedAt, *j.CompletedAt))
		case j.Status == wrapper.JobStatusInProgress:
			life.Started, life.Completed = at(later(j.CreatedAt, j.StartedAt)), at(snapshot.Add((k+1)*40*time.Second))
		default: // queued or waiting: a runner comes soon
			life.Started = at(snapshot.Add((k + 1) * 20 * time.Second))
			life.Completed = life.Started + at(start.Add((k+2)*time.Minute))
		}
		tl.Jobs = append(tl.Jobs, life)
	}
	return tl
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
