package main

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// Progress shows on a terminal only, and only once fetching has taken progressDelay: a
// quick listing prints nothing extra.
const (
	progressDelay = 500 * time.Millisecond
	progressEvery = 100 * time.Millisecond
)

// fetch lists every job of the attempt, showing a spinner and a job counter on stderr while
// it takes long, if stderr is a terminal.
func (c *cli) fetch(ctx context.Context, client *wrapper.Client, a wrapper.Attempt) ([]wrapper.Job, error) {
	var p *progress
	if c.isTerminal(c.stderr) {
		p = startProgress(c.stderr, a, c.progressDelay)
		defer p.stop()
	}
	jobs := []wrapper.Job{}
	for job, err := range client.Jobs(ctx, a) {
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, job)
		p.add()
	}
	return jobs, nil
}

// progress draws "⠹ octo/repo run 1 attempt 1: 300 jobs" on one line until stopped, then
// erases it.
type progress struct {
	jobs     atomic.Int64
	done     chan struct{}
	finished chan struct{}
}

func startProgress(w io.Writer, a wrapper.Attempt, delay time.Duration) *progress {
	p := &progress{done: make(chan struct{}), finished: make(chan struct{})}
	go func() {
		defer close(p.finished)
		wait := time.NewTimer(delay)
		defer wait.Stop()
		select {
		case <-p.done:
			return
		case <-wait.C:
		}
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		for i := 0; ; i++ {
			fmt.Fprintf(w, "\r%c %s: %d jobs", frames[i%len(frames)], a, p.jobs.Load())
			select {
			case <-p.done:
				fmt.Fprint(w, "\r\x1b[K") // erase the line
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// add counts a job; a nil progress counts nothing.
func (p *progress) add() {
	if p != nil {
		p.jobs.Add(1)
	}
}

// stop erases the progress line and waits until nothing more is written.
func (p *progress) stop() {
	close(p.done)
	<-p.finished
}
