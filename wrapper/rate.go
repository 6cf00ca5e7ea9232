package wrapper

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Rate is GitHub's rate-limit state after a response, from its x-ratelimit-* headers. Fields
// the response did not carry are zero.
type Rate struct {
	Limit     int       // requests allowed per window (x-ratelimit-limit)
	Remaining int       // requests left in this window (x-ratelimit-remaining)
	Used      int       // requests made in this window (x-ratelimit-used)
	Reset     time.Time // when the window resets (x-ratelimit-reset)
	Resource  string    // which limit counted the request, e.g. "core" (x-ratelimit-resource)
}

func parseRate(h http.Header) Rate {
	r := Rate{
		Limit:     headerInt(h, "X-RateLimit-Limit"),
		Remaining: headerInt(h, "X-RateLimit-Remaining"),
		Used:      headerInt(h, "X-RateLimit-Used"),
		Resource:  h.Get("X-RateLimit-Resource"),
	}
	if secs, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && secs > 0 {
		r.Reset = time.Unix(secs, 0)
	}
	return r
}

// headerInt is 0 for a missing or malformed value: rate figures inform, they never fail a
// response that is otherwise good.
func headerInt(h http.Header, name string) int {
	n, err := strconv.Atoi(h.Get(name))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// rateState is the latest rate-limit figures a client has seen, for Client.Rate and for not
// sending requests that GitHub would refuse.
type rateState struct {
	mu      sync.Mutex
	rate    Rate
	resetAt time.Time // rate.Reset on the local clock
	holdOff time.Time // no request before this: a secondary limit is being waited out
	holdBy  Event     // the event of the request whose secondary limit holdOff waits out
}

// hold keeps every request of the client from being sent before until: one request waiting
// out a secondary limit should not leave the others to keep hitting it. by is that request's
// event, which the others report as the cause of their wait.
func (s *rateState) hold(until time.Time, by Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.holdOff) {
		s.holdOff, s.holdBy = until, by
	}
}

// held returns how long requests must still wait for a secondary limit, and the event of the
// request that hit it.
func (s *rateState) held(now time.Time) (time.Duration, Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(s.holdOff.Sub(now), 0), s.holdBy
}

// observe records the figures of an answer received at now (local clock). Answers to
// concurrent requests arrive in any order: the figures of the later window, or the one with
// fewer requests left, win.
func (s *rateState) observe(h http.Header, now time.Time) {
	r := parseRate(h)
	if r.Limit == 0 || h.Get("X-RateLimit-Remaining") == "" {
		return // no figures (a proxy's answer, or a server that does not rate-limit): not 0 left
	}
	resetAt := r.Reset
	if date, err := http.ParseTime(h.Get("Date")); err == nil && !r.Reset.IsZero() {
		resetAt = now.Add(r.Reset.Sub(date)) // GitHub's clock, not ours, says how long
	}
	s.merge(r, resetAt)
}

// merge records figures r, whose reset is at resetAt on the local clock, unless those kept
// are of a later window, or of the same window with fewer requests left. Figures come from
// this client's answers and from a Store's, in any order.
func (s *rateState) merge(r Rate, resetAt time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rate.Limit != 0 && (r.Reset.Before(s.rate.Reset) || r.Reset.Equal(s.rate.Reset) && r.Remaining > s.rate.Remaining) {
		return
	}
	s.rate, s.resetAt = r, resetAt
}

// snapshot returns the figures and their reset on the local clock, to share with a Store.
func (s *rateState) snapshot() (Rate, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rate, s.resetAt
}

// exhausted returns the figures and how long until they reset when no requests are left.
func (s *rateState) exhausted(now time.Time) (Rate, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rate.Limit == 0 || s.rate.Remaining > 0 || !now.Before(s.resetAt) {
		return Rate{}, 0, false
	}
	return s.rate, s.resetAt.Sub(now), true
}

func (s *rateState) get() Rate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rate
}

// awaitQuota sends no request while the last answer said none are left: it waits for the
// reset when the policy allows, and otherwise returns a *RateLimitError at once. retries is
// how many times req was sent already.
func (c *Client) awaitQuota(ctx context.Context, req *http.Request, retries int) error {
	if d, cause := c.rate.held(time.Now()); d > 0 {
		// Another request is waiting out a secondary limit. A little jitter keeps the
		// waiting requests from all arriving in the same instant afterwards.
		d += rand.N(d/10 + 1)
		ev := cause // the other request's event: its status, error, and whether GitHub asked
		ev.URL, ev.Wait, ev.Retry, ev.MaxRetries = req.URL.Redacted(), d, retries, c.retry.MaxRetries
		c.emit(ev)
		if err := sleep(ctx, d); err != nil {
			return fmt.Errorf("ghjobs: %w while waiting %s for a secondary rate limit", err, d.Round(time.Millisecond))
		}
	}
	rate, wait, exhausted := c.rate.exhausted(time.Now())
	if !exhausted {
		return nil
	}
	err := &RateLimitError{
		APIError: &APIError{Method: req.Method, URL: req.URL.Redacted()},
		Rate:     rate,
		Reset:    rate.Reset,
	}
	if !c.retry.WaitForReset || wait > c.retry.MaxWait {
		return err
	}
	c.emit(Event{Kind: EventPrimaryLimit, URL: req.URL.Redacted(), Wait: wait, Retry: retries,
		MaxRetries: c.retry.MaxRetries, Asked: true, Reset: rate.Reset, Err: err})
	if werr := sleep(ctx, wait); werr != nil {
		return fmt.Errorf("%w (then %w while waiting %s for the reset)", err, werr, wait.Round(time.Second))
	}
	return nil
}
