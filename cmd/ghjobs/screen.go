package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// Escape sequences of the watch's screen (xterm's, which every terminal in use follows).
const (
	enterAltScreen = "\x1b[?1049h\x1b[?25l" // the alternate screen, cursor hidden
	leaveAltScreen = "\x1b[?25h\x1b[?1049l" // cursor shown, back to the screen as it was
	beginFrame     = "\x1b[?2026h"          // synchronized output: the frame shows whole or not at all
	endFrame       = "\x1b[?2026l"
	clearLine      = "\x1b[2K"
	clearBelow     = "\x1b[J"
)

// screen is the terminal --watch draws on, as watch and htop do: the alternate screen, one
// frame of at most the terminal's lines redrawn in place at every poll and when the terminal
// is resized; on leaving, the scrollback gets the last state once.
type screen struct {
	c      *cli
	w      io.Writer
	o      options
	a      wrapper.Attempt
	colour bool

	mu      sync.Mutex
	on      bool // the alternate screen is shown
	jobs    []wrapper.Job
	now     time.Time
	next    time.Duration
	polled  bool
	resized chan os.Signal
	stopped chan struct{}
}

// newScreen sets up the screen and starts redrawing on resizes until close.
func (c *cli) newScreen(w io.Writer, o options, a wrapper.Attempt, colour bool) *screen {
	s := &screen{c: c, w: w, o: o, a: a, colour: colour, stopped: make(chan struct{})}
	if sigs := resizeSignals(); len(sigs) > 0 {
		s.resized = make(chan os.Signal, 1)
		signal.Notify(s.resized, sigs...)
		go s.follow()
	}
	return s
}

// follow redraws the last frame at the terminal's new size.
func (s *screen) follow() {
	for {
		select {
		case <-s.stopped:
			return
		case <-s.resized:
			s.mu.Lock()
			if s.on && s.polled {
				s.drawLocked()
			}
			s.mu.Unlock()
		}
	}
}

// close stops following resizes.
func (s *screen) close() {
	if s.resized != nil {
		signal.Stop(s.resized)
	}
	close(s.stopped)
}

// show draws what a poll found: the jobs at now, the next poll after next (0: none).
func (s *screen) show(jobs []wrapper.Job, now time.Time, next time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs, s.now, s.next, s.polled = jobs, now, next, true
	if !s.on {
		if _, err := io.WriteString(s.w, enterAltScreen); err != nil {
			return err
		}
		s.on = true
	}
	return s.drawLocked()
}

// drawLocked draws the frame: each line placed on its row and cleared first (so that a line
// as wide as the terminal is not cut by a clear after it), the rows below cleared.
func (s *screen) drawLocked() error {
	cols, rows := s.c.size(s.c.stdout)
	if s.o.wide {
		cols = 0
	}
	lines, err := render.Screen(render.Time(s.a, s.jobs, s.now), render.ScreenOptions{
		Status: s.status(), Width: cols, Height: rows, Steps: s.o.steps, Colour: s.colour, Summary: s.o.summary,
	})
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(beginFrame)
	for i, l := range lines {
		fmt.Fprintf(&b, "\x1b[%d;1H%s%s", i+1, clearLine, l)
	}
	if rows <= 0 || len(lines) < rows {
		fmt.Fprintf(&b, "\x1b[%d;1H%s", len(lines)+1, clearBelow)
	}
	b.WriteString(endFrame)
	_, err = io.WriteString(s.w, b.String())
	return err
}

// status is the frame's first line, the news first so that a narrow terminal cuts the
// attempt's name: "3 of 150 jobs completed · 09:01:02 UTC · next poll in 10s · o/r run 1 attempt 2".
func (s *screen) status() string {
	completed := 0
	for i := range s.jobs {
		if s.jobs[i].Status == wrapper.JobStatusCompleted {
			completed++
		}
	}
	poll := "next poll in " + waitText(s.next)
	switch {
	case s.next == 0 && completed == len(s.jobs) && len(s.jobs) > 0:
		poll = "done"
	case s.next == 0:
		poll = "stopped"
	}
	return fmt.Sprintf("%d of %d jobs completed · %s UTC · %s · %s", completed, len(s.jobs), s.now.UTC().Format("15:04:05"), poll, s.a)
}

// leave goes back to the terminal's own screen and prints the last state there once: the
// status line and the whole table (or the summary), fitted to the width.
func (s *screen) leave() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.on {
		return nil
	}
	s.on = false
	if _, err := io.WriteString(s.w, leaveAltScreen); err != nil {
		return err
	}
	if !s.polled {
		return nil
	}
	s.next = 0
	cols, _ := s.c.size(s.c.stdout)
	if s.o.wide {
		cols = 0
	}
	lines, err := render.Screen(render.Time(s.a, s.jobs, s.now), render.ScreenOptions{
		Status: s.status(), Width: cols, Steps: s.o.steps, Colour: s.colour, Summary: s.o.summary,
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(s.w, strings.Join(lines, "\n")+"\n")
	return err
}
