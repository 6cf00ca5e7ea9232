package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"
)

// RetryPolicy says when the client sends a request again and how long it waits first. Only
// GETs are sent, so every retry is safe. The zero RetryPolicy never retries and never waits:
// every failure is returned at once. To change a few fields, start from
// DefaultRetryPolicy(); WithRetryPolicy refuses retries without pauses.
type RetryPolicy struct {
	// MaxRetries is how many times one request is sent again after its first try, for a
	// 500, 502, 503 or 504, a dropped connection, a truncated body or a timeout, and for
	// rate limits the client waits out. 400, 401, 404, 410, 422 and other 403s are final.
	MaxRetries int

	// MinBackoff and MaxBackoff bound the wait before a retry: retry n waits a random
	// time up to MinBackoff·2ⁿ ("full jitter", so that many clients do not retry in step),
	// and never more than MaxBackoff.
	MinBackoff, MaxBackoff time.Duration

	// SecondaryWait is the wait after a secondary rate limit that gives no retry-after
	// header; GitHub asks for at least a minute. Each further secondary limit for the same
	// request doubles the wait. A retry-after header is honoured as given. While one request
	// waits out a secondary limit, the client's other requests wait too.
	SecondaryWait time.Duration

	// MaxWait is the longest the client waits for a rate limit before it gives up and
	// returns the *RateLimitError. 0 never waits.
	MaxWait time.Duration

	// WaitForReset makes the client wait, up to MaxWait, for the primary rate limit to reset
	// instead of returning a *RateLimitError at once.
	WaitForReset bool
}

// DefaultRetryPolicy is the policy of a client built without WithRetryPolicy: three retries
// from one second, GitHub's minute for secondary limits, waits of up to five minutes for
// them, and an immediate *RateLimitError at the primary limit, whose reset may be an hour
// away: waiting that long is the caller's decision.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:    3,
		MinBackoff:    time.Second,
		MaxBackoff:    30 * time.Second,
		SecondaryWait: time.Minute,
		MaxWait:       5 * time.Minute,
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy. Waits always end early, with the context's
// error, when the request's context is done.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxRetries < 0 || p.MinBackoff < 0 || p.MaxBackoff < 0 || p.SecondaryWait < 0 || p.MaxWait < 0 {
			return fmt.Errorf("%w: retry policy %+v: negative values", ErrInvalidInput, p)
		}
		if p.MaxBackoff < p.MinBackoff {
			return fmt.Errorf("%w: retry policy: MaxBackoff %s is below MinBackoff %s", ErrInvalidInput, p.MaxBackoff, p.MinBackoff)
		}
		// Fields left at zero in a literal would mean retrying without any pause, which
		// GitHub may answer by banning the integration: say so rather than do it.
		if p.MaxRetries > 0 && (p.MinBackoff == 0 || p.SecondaryWait == 0) {
			return fmt.Errorf("%w: retry policy: retries need MinBackoff and SecondaryWait above 0 (start from DefaultRetryPolicy())", ErrInvalidInput)
		}
		if p.WaitForReset && (p.MaxWait == 0 || p.MaxRetries == 0) {
			return fmt.Errorf("%w: retry policy: WaitForReset needs MaxWait and MaxRetries above 0", ErrInvalidInput)
		}
		c.retry = p
		return nil
	}
}

// retryable reports whether a failed try may succeed when sent again: a server error that
// GitHub documents as transient, or a connection that broke before the whole answer came.
// ctx is the request's: once it is done, nothing is retried.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		switch apiErr.StatusCode {
		case http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	netErr, ok := errors.AsType[net.Error](err)
	return ok && netErr.Timeout()
}

// backoff is the wait before retry n (from 0): uniformly random up to min·2ⁿ, capped at max.
func backoff(p RetryPolicy, n int) time.Duration {
	ceiling := p.MaxBackoff
	if n < 62 && p.MinBackoff < p.MaxBackoff>>n {
		ceiling = p.MinBackoff << n
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// rateLimitWait is how long to wait before sending again a request that hit rl, the n-th
// (from 0) rate limit for this request, as GitHub asks: retry-after if given; else, with no
// requests left, until the reset; else SecondaryWait, doubled for each repeat. now is the
// server's clock when the answer carried a Date header, so that a skewed local clock does
// not make the client early. asked is true when the wait is GitHub's (retry-after or the
// reset), not the policy's. ok is false when the policy does not wait that long.
func rateLimitWait(p RetryPolicy, rl *RateLimitError, n int, now time.Time) (wait time.Duration, asked, ok bool) {
	switch {
	case rl.Secondary && rl.RetryAfter > 0:
		wait, asked = rl.RetryAfter, true
	case rl.exhausted && !rl.Reset.IsZero():
		if !rl.Secondary && !p.WaitForReset {
			return 0, false, false
		}
		// A reset already past (clocks disagree, or GitHub's window is late) is still
		// not a reason to send again at once.
		wait, asked = max(rl.Reset.Sub(now), p.MinBackoff), true
	case rl.Secondary:
		wait = p.SecondaryWait
		for range n {
			if wait > p.MaxWait-wait { // doubling would pass MaxWait (or overflow)
				return 0, false, false
			}
			wait *= 2
		}
	default:
		return 0, false, false
	}
	return wait, asked, wait <= p.MaxWait
}

// sleep waits d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
