package api

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// GitHub's primary rate limits, per hour (its REST docs, "Rate limits for the REST API"): a
// user's 5,000 for requests with a personal access token, and 60 for requests without
// credentials, counted per IP address. The two are separate budgets.
const (
	defaultUserLimit = 5000
	defaultAnonLimit = 60
	window           = time.Hour
)

// WithRateLimit sets the hourly limit of requests with credentials (an Authorization header
// the fake accepts), which their answers' x-ratelimit-limit states (default 5000, a user's
// token on GitHub). Once limit such requests have been answered in the window, every
// further one gets GitHub's primary-rate-limit 403 until the window resets, an hour after
// it began. Every request counts, whatever its answer (a redirect too), except a 304 Not
// Modified to a request with credentials, which GitHub does not count either. A limit of
// 0 rate-limits the first request; a negative limit makes New fail. Requests without
// credentials count against their own limit (WithUnauthenticatedRateLimit);
// WithoutRateLimit turns both off.
func WithRateLimit(limit int) Option {
	return func(c *config) { c.limit = limit }
}

// WithUnauthenticatedRateLimit sets the hourly limit of requests without credentials, or with
// credentials the fake refuses (default 60, as GitHub allows an IP address), counted apart
// from WithRateLimit's, as on GitHub. A 304 Not Modified to such a request counts, as GitHub
// documents. A negative limit makes New fail.
func WithUnauthenticatedRateLimit(limit int) Option {
	return func(c *config) { c.anonLimit = limit }
}

// budget is one hourly rate limit: a user's, or the address's of requests without credentials.
type budget struct {
	limit, used int64
	reset       int64 // unix seconds: the end of the window
}

func newBudget(limit int, now time.Time) budget {
	return budget{limit: int64(limit), reset: now.Add(window).Unix()}
}

// roll starts a new window once the last one has ended, as GitHub's does: the next request
// after the reset opens it, and it ends an hour later.
func (b *budget) roll(at time.Time) {
	if at.Unix() >= b.reset {
		b.used, b.reset = 0, at.Add(window).Unix()
	}
}

func (b *budget) figures() rateFigures {
	return rateFigures{limit: b.limit, remaining: max(b.limit-b.used, 0), used: b.used, reset: b.reset}
}

// budgetOf returns the budget a request counts against: the user's when its credentials
// are accepted, the address's otherwise. f.mu is held.
func (f *Fake) budgetOf(authed bool) *budget {
	if authed {
		return &f.user
	}
	return &f.anon
}

// count counts a request at time at against the user's budget (authed) or the address's,
// and reports whether it was within the limit.
func (f *Fake) count(authed bool, at time.Time) (rateFigures, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.budgetOf(authed)
	b.roll(at)
	within := b.used < b.limit || f.unlimited
	if within {
		b.used++
	}
	return b.figures(), within
}

// figures returns the figures of a budget as they stand at time at, without counting.
func (f *Fake) figures(authed bool, at time.Time) rateFigures {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.budgetOf(authed)
	b.roll(at)
	return b.figures()
}

// rateFigures are what the x-ratelimit-* headers of one answer say.
type rateFigures struct {
	limit, remaining, used, reset int64
}

func (rf rateFigures) set(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.FormatInt(rf.limit, 10))
	h.Set("X-RateLimit-Remaining", strconv.FormatInt(rf.remaining, 10))
	h.Set("X-RateLimit-Used", strconv.FormatInt(rf.used, 10))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(rf.reset, 10))
	h.Set("X-RateLimit-Resource", "core")
}

// rateLimitReply is GitHub's primary-limit 403, whose body has no "status" (as recorded in
// paseo-cafe/paseo-cafe#31, 2026).
func rateLimitReply(r *http.Request, requestID string, at time.Time, authed bool) reply {
	return jsonReply(http.StatusForbidden, basicError{Message: rateLimitMessage(r, requestID, at, authed), DocumentationURL: docRateLimit})
}

// rateLimitMessage is GitHub's primary-limit message, for a user (as recorded in
// zerocracy/judges-action#589, 2025) or, without credentials, for the client's address (as
// in paseo-cafe/paseo-cafe#31, 2026).
func rateLimitMessage(r *http.Request, requestID string, at time.Time, authed bool) string {
	if authed {
		return "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID " +
			requestID + " and timestamp " + at.UTC().Format(time.DateTime) + " UTC."
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return "API rate limit exceeded for " + ip + ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
}
