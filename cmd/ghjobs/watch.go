package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// --watch's defaults.
const (
	defaultInterval     = 10 * time.Second
	minInterval         = time.Second
	intervalGrowth      = 1.5              // per poll that finds nothing new
	maxIntervalFactor   = 4                // the interval grows to at most 4 × --interval
	defaultWatchTimeout = 6 * time.Hour    // a job's limit on GitHub-hosted runners
	watchMaxWait        = 65 * time.Minute // a primary limit resets within the hour
)

// watchPolicy is the client's retry policy for --watch: as the default, but waiting for the
// primary limit's reset (which --timeout still bounds) rather than giving up.
func watchPolicy() wrapper.RetryPolicy {
	p := wrapper.DefaultRetryPolicy()
	p.WaitForReset, p.MaxWait = true, watchMaxWait
	return p
}

// watcher follows one attempt until every job has completed.
type watcher struct {
	c        *cli
	o        options
	a        wrapper.Attempt
	w        io.Writer
	colour   bool
	scr      *screen          // a terminal: one screen redrawn in place; nil: print each change once
	shown    map[int64]string // per job, what was last printed of it
	contents map[int64][]byte // per job, its JSON at the last poll
}

// watch polls the attempt every interval (longer while nothing changes), shows what
// changed, and returns once every job has completed: nil when all succeeded (or were
// skipped), an exitError with status 1 otherwise.
func (c *cli) watch(ctx context.Context, o options, dest *destination, client *wrapper.Client, a wrapper.Attempt) error {
	c.noProgress = true // the watch's own output says what is going on
	var final []wrapper.Job
	err := c.output(dest, func(w io.Writer, colour bool) error {
		wt := &watcher{c: c, o: o, a: a, w: w, colour: colour, shown: map[int64]string{}, contents: map[int64][]byte{}}
		if dest == nil && c.isTerminal(c.stdout) && o.format == "table" {
			wt.scr = c.newScreen(w, o, a, colour)
			defer wt.scr.close()
		}
		var err error
		final, err = wt.run(ctx, client)
		if wt.scr != nil {
			err = errors.Join(err, wt.scr.leave())
		}
		return err
	})
	if err != nil {
		return err
	}
	c.watched = final // what --otlp --watch exports
	return verdict(final)
}

// run is the polling loop.
func (wt *watcher) run(ctx context.Context, client *wrapper.Client) ([]wrapper.Job, error) {
	interval := wt.o.interval
	wasRunning := false
	for {
		jobs, err := wt.c.collect(ctx, client, wt.a)
		if err != nil {
			return nil, err
		}
		fresh, err := wt.diff(jobs)
		if err != nil {
			return nil, err
		}
		changed, finished := len(fresh) > 0, allCompleted(jobs)
		// An attempt seen running is given one more poll after its jobs have all completed:
		// jobs can be added while it runs (a matrix computed by a job that just finished).
		last := finished && (!wasRunning || !changed)
		wasRunning = wasRunning || !finished
		switch {
		case last:
			interval = 0
		case changed || finished:
			interval = wt.o.interval
		default:
			interval = min(time.Duration(float64(interval)*intervalGrowth), maxIntervalFactor*wt.o.interval)
		}
		if err := wt.show(jobs, fresh, interval); err != nil {
			return nil, err
		}
		if last {
			return jobs, wt.finish(jobs)
		}
		if err := wt.c.sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

// diff returns the indexes of the jobs that are new or changed since the last poll.
func (wt *watcher) diff(jobs []wrapper.Job) ([]int, error) {
	var fresh []int
	for i := range jobs {
		b, err := json.Marshal(api.ToGitHub(&jobs[i]))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(wt.contents[jobs[i].ID], b) {
			fresh = append(fresh, i)
			wt.contents[jobs[i].ID] = b
		}
	}
	return fresh, nil
}

// show prints what this poll found: fresh are the jobs that changed, next the wait before
// the next poll (0: none).
func (wt *watcher) show(jobs []wrapper.Job, fresh []int, next time.Duration) error {
	now := wt.c.now()
	switch {
	case wt.scr != nil:
		return wt.scr.show(jobs, now, next)
	case wt.o.format == "jsonl":
		enc := render.NewEncoder(wt.w)
		for _, i := range fresh {
			if err := enc.Encode(api.ToGitHub(&jobs[i])); err != nil {
				return err
			}
		}
		return nil
	}
	// One line per job whose state changed; for formats other than table and summary on
	// stderr, as standard output is for the final picture.
	out := wt.w
	if wt.o.format != "table" {
		out = wt.c.stderr
	}
	at := render.Time(wt.a, jobs, now)
	for _, i := range fresh {
		t := &at.Jobs[i]
		line := render.Outcome(t.Job)
		if t.Phase == render.Done && t.Ran {
			line += "  " + render.Human(t.Duration)
		}
		if wt.shown[t.Job.ID] == line {
			continue // the steps moved; the job's state did not
		}
		wt.shown[t.Job.ID] = line
		if _, err := fmt.Fprintf(out, "%s  %s  %s\n", now.UTC().Format("15:04:05"), render.Printable(t.Job.Name), line); err != nil {
			return err
		}
	}
	return nil
}

// finish prints the end: the summary or picture the format asks for, or a closing line.
func (wt *watcher) finish(jobs []wrapper.Job) error {
	now := wt.c.now()
	switch {
	case wt.scr != nil, wt.o.format == "jsonl":
		return nil
	case wt.o.format != "table" || wt.o.summary:
		return renderJobs(wt.w, wt.o, wt.a, jobs, now, wt.colour, 0)
	}
	_, err := fmt.Fprintf(wt.w, "%s  all %d jobs completed: %s\n", now.UTC().Format("15:04:05"), len(jobs), render.Tally(jobs))
	return err
}

// allCompleted reports whether the attempt has jobs and every one has completed.
func allCompleted(jobs []wrapper.Job) bool {
	return len(jobs) > 0 && !slices.ContainsFunc(jobs, func(j wrapper.Job) bool { return j.Status != wrapper.JobStatusCompleted })
}

// verdict is --watch's exit: nil when every job succeeded or was skipped, else status 1
// naming the jobs that did not.
func verdict(jobs []wrapper.Job) error {
	var bad []string
	for i := range jobs {
		if !render.Succeeded(&jobs[i]) {
			bad = append(bad, fmt.Sprintf("%s (%s)", render.Printable(jobs[i].Name), render.Printable(render.Outcome(&jobs[i]))))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	msg := fmt.Sprintf("ghjobs: %d of %d jobs did not succeed: %s", len(bad), len(jobs), strings.Join(bad[:min(len(bad), 10)], ", "))
	if len(bad) > 10 {
		msg += fmt.Sprintf(", and %d more", len(bad)-10)
	}
	return exitError{1, msg}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
