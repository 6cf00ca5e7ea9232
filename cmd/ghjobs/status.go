package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// statusLog is the command's stderr: messages, one a line, and on a terminal a status line
// (progress) redrawn in place under them. Messages come from several goroutines (the
// client's events fire on each page's), so every write holds the lock.
type statusLog struct {
	mu    sync.Mutex
	w     io.Writer
	width func() int // terminal columns; 0 when unknown
	drawn bool       // a status line is on the screen
}

// say prints msg on a line of its own, above the status line if one is drawn.
func (s *statusLog) say(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drawn {
		io.WriteString(s.w, "\r\x1b[K")
		s.drawn = false
	}
	io.WriteString(s.w, render.Printable(msg)+"\n")
}

// draw replaces the status line with line, cut to the terminal's width so that it never
// wraps (a wrapped line cannot be redrawn in place).
func (s *statusLog) draw(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.width(); w > 1 {
		line = render.Truncate(line, w-1)
	}
	io.WriteString(s.w, "\r"+line+"\x1b[K")
	s.drawn = true
}

// clear erases the status line.
func (s *statusLog) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drawn {
		io.WriteString(s.w, "\r\x1b[K")
		s.drawn = false
	}
}

// eventLine says what the client is waiting for, and why.
func eventLine(e wrapper.Event) string {
	switch e.Kind {
	case wrapper.EventRetry:
		return fmt.Sprintf("retrying after %s (%d/%d) in %s", failureText(e), e.Retry, e.MaxRetries, waitText(e.Wait))
	case wrapper.EventSecondaryLimit:
		msg := "secondary rate limit: waiting " + waitText(e.Wait)
		if e.Asked {
			msg += " (GitHub asked)"
		}
		return msg
	case wrapper.EventPrimaryLimit:
		return "rate limit used up: waiting " + waitText(e.Wait) + " for its reset"
	case wrapper.EventRedirect:
		return "moved permanently: " + e.URL + " is now " + e.Location
	case wrapper.EventStoreDown:
		return "Redis does not answer: going on alone, sharing again when it does"
	case wrapper.EventStoreUp:
		return "Redis answers again: sharing the rate budget again"
	}
	return e.Kind.String()
}

// failureText names what failed in a few words: the status, or the kind of network error.
func failureText(e wrapper.Event) string {
	var netErr net.Error
	switch {
	case e.StatusCode > 0:
		return fmt.Sprint(e.StatusCode)
	case errors.As(e.Err, &netErr) && netErr.Timeout():
		return "no answer in time"
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(e.Err, syscall.ECONNRESET), errors.Is(e.Err, syscall.EPIPE):
		return "connection reset"
	case e.Err != nil && strings.Contains(e.Err.Error(), "EOF"):
		return "a cut-off answer"
	}
	return "a network error"
}

// waitText is a wait as people say it: 1.2s, 45s, 37m, 1h05m.
func waitText(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// rateLimitText is the message for a rate limit the command does not wait for.
func rateLimitText(rl *wrapper.RateLimitError, authenticated bool, now time.Time) string {
	if rl.Secondary {
		return rl.Error()
	}
	msg := "rate limit used up"
	if !rl.Reset.IsZero() {
		msg += ": resets in " + waitText(max(rl.Reset.Sub(now), 0))
	}
	if !authenticated {
		msg += "; set GH_TOKEN (or run 'gh auth login'): requests with a token may make 5,000 an hour"
	}
	return msg
}
