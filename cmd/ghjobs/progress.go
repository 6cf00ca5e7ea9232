package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// Progress shows on a terminal only, and only once fetching has taken progressDelay: a
// quick listing prints nothing extra.
const (
	progressDelay = 500 * time.Millisecond
	progressEvery = 100 * time.Millisecond
	// quietAfter is how long without a new job before the line says how long it has waited.
	quietAfter = 2 * time.Second
	// quietNotice is how long without a job or an event before a non-terminal is told, once.
	quietNotice = 10 * time.Second
)

// fetch lists every job of the attempt, giving each to each as it arrives, with progress
// (see tracked).
func (c *cli) fetch(ctx context.Context, client *wrapper.Client, a wrapper.Attempt, each func(wrapper.Job) error) error {
	return c.tracked(a.String(), "", func(p *progress) error {
		for job, err := range client.Jobs(ctx, a) {
			if err != nil {
				return err
			}
			p.add()
			if err := each(job); err != nil {
				return err
			}
		}
		return nil
	})
}

// tracked runs fn, which asks GitHub about label, doing what doing says ("" for counting
// jobs). While it takes long, stderr shows it: on a terminal a spinner, the job count (or
// doing), the current wait and label; elsewhere a line when no answer has come for
// c.quietNotice.
func (c *cli) tracked(label, doing string, fn func(p *progress) error) error {
	var p *progress
	if terminal := c.isTerminal(c.stderr); !terminal || !c.noProgress {
		p = c.startProgress(label, doing, !terminal)
		defer func() {
			p.stop()
			c.progress.Store(nil)
		}()
	}
	return fn(p)
}

// collect is fetch into a slice.
func (c *cli) collect(ctx context.Context, client *wrapper.Client, a wrapper.Attempt) ([]wrapper.Job, error) {
	jobs := []wrapper.Job{}
	err := c.fetch(ctx, client, a, func(j wrapper.Job) error {
		jobs = append(jobs, j)
		return nil
	})
	return jobs, err
}

// progress draws "⠹ 300 jobs · octo/repo run 1 attempt 1" on the status line until stopped,
// then erases it. What the client waits for (an event) is shown after the count, and so is
// how long no job has come: the news first, so that a narrow terminal cuts the label.
type progress struct {
	log      *statusLog
	mu       sync.Mutex
	jobs     int
	doing    string    // what is asked, shown until the first job
	last     time.Time // when the last job (or the start) was
	note     string    // the last event, until the next job
	noticed  bool      // the quiet since last was reported (plain mode)
	done     chan struct{}
	finished chan struct{}
}

// startProgress starts drawing, or with plain, watching for a long quiet to report.
func (c *cli) startProgress(label, doing string, plain bool) *progress {
	p := &progress{log: c.log, doing: doing, last: time.Now(), done: make(chan struct{}), finished: make(chan struct{})}
	c.progress.Store(p)
	if plain {
		go func() {
			defer close(p.finished)
			tick := time.NewTicker(progressEvery)
			defer tick.Stop()
			for {
				select {
				case <-p.done:
					return
				case <-tick.C:
				}
				if q, ok := p.quiet(c.quietNotice); ok {
					p.log.say(fmt.Sprintf("ghjobs: %s: no answer for %s, still waiting", label, waitText(q)))
				}
			}
		}()
		return p
	}
	frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
	frame := func(i int) { p.log.draw(fmt.Sprintf("%c %s · %s", frames[i%len(frames)], p.text(), label)) }
	first := 0
	if c.progressDelay <= 0 {
		frame(0) // at once, not when the goroutine gets to it
		first = 1
	}
	go func() {
		defer close(p.finished)
		wait := time.NewTimer(c.progressDelay)
		defer wait.Stop()
		select {
		case <-p.done:
			if first > 0 {
				p.log.clear()
			}
			return
		case <-wait.C:
		}
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for i := first; ; i++ {
			frame(i)
			select {
			case <-p.done:
				p.log.clear()
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// text is the line after the attempt: the count, then the wait.
func (p *progress) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := fmt.Sprintf("%d jobs", p.jobs)
	if p.jobs == 0 && p.doing != "" {
		s = p.doing
	}
	if p.note != "" {
		s += " · " + p.note
	}
	if q := time.Since(p.last); q >= quietAfter {
		s += fmt.Sprintf(" · no answer for %s", render.Human(q))
	}
	return s
}

// add counts a job; a nil progress counts nothing.
func (p *progress) add() {
	if p != nil {
		p.mu.Lock()
		p.jobs++
		p.last, p.note, p.noticed = time.Now(), "", false
		p.mu.Unlock()
	}
}

// tell shows an event's message on the line until the next job.
func (p *progress) tell(msg string) {
	if p != nil {
		p.mu.Lock()
		p.note, p.last, p.noticed = msg, time.Now(), false
		p.mu.Unlock()
	}
}

// quiet reports, once per quiet spell, that nothing has come for at least d.
func (p *progress) quiet(d time.Duration) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := time.Since(p.last)
	if p.noticed || q < d {
		return 0, false
	}
	p.noticed = true
	return q, true
}

// stop erases the progress line and waits until nothing more is written.
func (p *progress) stop() {
	close(p.done)
	<-p.finished
}
