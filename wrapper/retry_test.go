package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestRetryable(t *testing.T) {
	transport := func(err error) error {
		return fmt.Errorf("ghjobs: %w", &url.Error{Op: "Get", URL: "https://x", Err: err})
	}
	tests := []struct {
		err  error
		want bool
	}{
		{&APIError{StatusCode: 500}, true},
		{&APIError{StatusCode: 502}, true},
		{&APIError{StatusCode: 503}, true},
		{&APIError{StatusCode: 504}, true},
		{fmt.Errorf("wrapped: %w", &APIError{StatusCode: 502}), true},
		{&APIError{StatusCode: 400}, false},
		{&APIError{StatusCode: 401}, false},
		{&APIError{StatusCode: 403}, false},
		{&APIError{StatusCode: 404}, false},
		{&APIError{StatusCode: 410}, false},
		{&APIError{StatusCode: 422}, false},
		{&APIError{StatusCode: 501}, false},
		{&RateLimitError{APIError: &APIError{StatusCode: 403}}, false}, // rateLimitWait decides
		{transport(io.EOF), true},
		{transport(io.ErrUnexpectedEOF), true},
		{transport(&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true},
		{transport(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true},
		{transport(os.ErrDeadlineExceeded), true}, // a net.Error whose Timeout() is true
		{fmt.Errorf("decoding the page: %w", io.ErrUnexpectedEOF), true},
		{transport(ErrForeignOrigin), false},
		{transport(errBodyTooLarge), false},
		{transport(errors.New("x509: certificate signed by unknown authority")), false},
		{errors.New("invalid character '<' looking for beginning of value"), false},
		{ErrPagination, false},
	}
	for _, tt := range tests {
		if got := retryable(context.Background(), tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if retryable(ctx, &APIError{StatusCode: 503}) {
		t.Error("retryable once the context is done")
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{MinBackoff: time.Second, MaxBackoff: 10 * time.Second}
	for n, ceiling := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		var largest time.Duration
		for range 200 {
			d := backoff(p, n)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %s, want 0 to %s", n, d, ceiling)
			}
			largest = max(largest, d)
		}
		// Full jitter spreads the waits over the whole range (chance of failing: 0.5^200).
		if largest < ceiling/2 {
			t.Errorf("backoff(%d): largest of 200 waits is %s, want them spread up to %s", n, largest, ceiling)
		}
	}
	if d := backoff(p, 1000); d > p.MaxBackoff || d < 0 {
		t.Errorf("backoff(1000) = %s: shifts must not overflow", d)
	}
	for _, n := range []int{0, 40} { // no cap: MaxBackoff is the largest Duration
		if d := backoff(RetryPolicy{MinBackoff: time.Second, MaxBackoff: math.MaxInt64}, n); d < 0 {
			t.Errorf("uncapped backoff(%d) = %s", n, d)
		}
	}
	if d := backoff(RetryPolicy{MinBackoff: math.MaxInt64, MaxBackoff: math.MaxInt64}, 0); d < 0 {
		t.Errorf("backoff with the largest Duration = %s", d)
	}
	if d := backoff(RetryPolicy{}, 3); d != 0 {
		t.Errorf("zero policy backoff = %s, want 0", d)
	}
}

func TestRateLimitWait(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	p := DefaultRetryPolicy()
	waiting := p
	waiting.WaitForReset = true
	rate := func(remaining int) Rate {
		return Rate{Limit: 5000, Remaining: remaining, Reset: now.Add(20 * time.Minute)}
	}
	tests := []struct {
		name   string
		policy RetryPolicy
		err    RateLimitError
		n      int
		want   time.Duration
		ok     bool
		asked  bool // the wait is GitHub's, not the policy's
	}{
		{"secondary: retry-after", p, RateLimitError{Secondary: true, RetryAfter: 30 * time.Second, Rate: rate(100)}, 0, 30 * time.Second, true, true},
		{"secondary: retry-after honoured as given on repeats", p, RateLimitError{Secondary: true, RetryAfter: 30 * time.Second, Rate: rate(100)}, 2, 30 * time.Second, true, true},
		{"secondary: no retry-after doubles on repeats", p, RateLimitError{Secondary: true, Rate: rate(100)}, 2, 4 * time.Minute, true, false},
		{"secondary: a missing remaining header is not none left", p, RateLimitError{Secondary: true, Reset: now.Add(40 * time.Minute)}, 0, time.Minute, true, false},
		{"secondary: doubling saturates", RetryPolicy{SecondaryWait: 24 * time.Hour, MaxWait: math.MaxInt64}, RateLimitError{Secondary: true}, 40, 0, false, false},
		{"secondary: no retry-after, requests left: a minute", p, RateLimitError{Secondary: true, Rate: rate(100), Reset: now.Add(20 * time.Minute)}, 0, time.Minute, true, false},
		{"secondary: no retry-after, none left: until the reset", p, RateLimitError{Secondary: true, Rate: rate(0), exhausted: true, Reset: now.Add(90 * time.Second)}, 0, 90 * time.Second, true, true},
		{"secondary: repeats beyond MaxWait give up", p, RateLimitError{Secondary: true, Rate: rate(100)}, 3, 8 * time.Minute, false, false},
		{"secondary: retry-after beyond MaxWait", p, RateLimitError{Secondary: true, RetryAfter: time.Hour}, 0, time.Hour, false, false},
		{"primary: returned at once by default", p, RateLimitError{Rate: rate(0), exhausted: true, Reset: now.Add(time.Minute)}, 0, 0, false, false},
		{"primary: WaitForReset waits until the reset", waiting, RateLimitError{Rate: rate(0), exhausted: true, Reset: now.Add(time.Minute)}, 0, time.Minute, true, true},
		{"primary: repeats do not double", waiting, RateLimitError{Rate: rate(0), exhausted: true, Reset: now.Add(time.Minute)}, 2, time.Minute, true, true},
		{"primary: reset already past: MinBackoff", waiting, RateLimitError{Rate: rate(0), exhausted: true, Reset: now.Add(-time.Minute)}, 0, time.Second, true, true},
		{"primary: reset beyond MaxWait", waiting, RateLimitError{Rate: rate(0), exhausted: true, Reset: now.Add(time.Hour)}, 0, time.Hour, false, false},
		{"primary without a reset", waiting, RateLimitError{Rate: rate(0), exhausted: true}, 0, 0, false, false},
		{"zero policy never waits", RetryPolicy{}, RateLimitError{Secondary: true, RetryAfter: time.Second}, 0, time.Second, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, asked, ok := rateLimitWait(tt.policy, &tt.err, tt.n, now)
			if ok != tt.ok || ok && (got != tt.want || asked != tt.asked) {
				t.Errorf("rateLimitWait = %s, %v, %v; want %s, %v, %v", got, asked, ok, tt.want, tt.asked, tt.ok)
			}
		})
	}
}

func TestWithRetryPolicyRejectsNonsense(t *testing.T) {
	for _, p := range []RetryPolicy{
		{MaxRetries: -1},
		{MinBackoff: -time.Second},
		{MinBackoff: 2 * time.Second, MaxBackoff: time.Second},
		{MaxWait: -1},
		{SecondaryWait: -1},
		{MaxRetries: 3, SecondaryWait: time.Minute},                                                                       // no pause between retries
		{MaxRetries: 3, MinBackoff: time.Second, MaxBackoff: time.Second},                                                 // nor for secondary limits
		{MaxRetries: 3, MinBackoff: time.Second, MaxBackoff: time.Second, SecondaryWait: time.Minute, WaitForReset: true}, // waits 0
		{WaitForReset: true, MaxWait: time.Hour},                                                                          // waits, but never tries again
	} {
		if _, err := New(WithRetryPolicy(p)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("WithRetryPolicy(%+v): error %v, want ErrInvalidInput", p, err)
		}
	}
}

func TestSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Minute {
		t.Error("sleep did not end with the context")
	}
	if err := sleep(context.Background(), 0); err != nil {
		t.Errorf("sleep(0) = %v", err)
	}
}

func TestRateState(t *testing.T) {
	now := time.Now()
	server := now.Add(-time.Hour) // GitHub's clock an hour behind ours
	h := func(remaining int, resetIn time.Duration) map[string]string {
		return map[string]string{
			"X-RateLimit-Limit":     "5000",
			"X-RateLimit-Remaining": fmt.Sprint(remaining),
			"X-RateLimit-Reset":     fmt.Sprint(server.Add(resetIn).Unix()),
			"Date":                  server.UTC().Format(http.TimeFormat),
		}
	}
	var s rateState
	if _, _, ex := s.exhausted(now); ex {
		t.Fatal("exhausted before any answer")
	}
	s.observe(response(200, h(10, 30*time.Minute)).Header, now)
	s.observe(response(200, h(0, 30*time.Minute)).Header, now)
	s.observe(response(200, h(5, 30*time.Minute)).Header, now) // an earlier answer, late
	if r := s.get(); r.Remaining != 0 {
		t.Errorf("remaining %d, want 0: the answer with fewer left wins", r.Remaining)
	}
	_, wait, ex := s.exhausted(now)
	if !ex || wait < 29*time.Minute || wait > 31*time.Minute {
		t.Errorf("exhausted = %v, wait %s; want about 30m on GitHub's clock, whatever ours says", ex, wait)
	}
	if _, _, ex := s.exhausted(now.Add(31 * time.Minute)); ex {
		t.Error("still exhausted after the reset")
	}
	s.observe(response(200, h(4999, 90*time.Minute)).Header, now) // a new window
	if r := s.get(); r.Remaining != 4999 {
		t.Errorf("remaining %d, want the new window's 4999", r.Remaining)
	}
	s.observe(response(502, nil).Header, now) // a proxy's answer carries no figures
	if r := s.get(); r.Remaining != 4999 {
		t.Errorf("an answer without figures changed them: %+v", r)
	}
}

func TestRateStateIgnoresPartialFigures(t *testing.T) {
	var s rateState
	s.observe(response(200, map[string]string{"X-RateLimit-Limit": "5000", "X-RateLimit-Reset": fmt.Sprint(time.Now().Add(time.Hour).Unix())}).Header, time.Now())
	if _, _, ex := s.exhausted(time.Now()); ex {
		t.Error("an answer without x-ratelimit-remaining was read as none left")
	}
}

func TestRateStateHold(t *testing.T) {
	var s rateState
	now := time.Now()
	s.hold(now.Add(time.Minute), Event{StatusCode: 429})
	s.hold(now.Add(time.Second), Event{StatusCode: 403}) // a shorter hold does not shorten the longer one
	if d, by := s.held(now); d != time.Minute || by.StatusCode != 429 {
		t.Errorf("held %s by %d, want 1m by the 429", d, by.StatusCode)
	}
	if d, _ := s.held(now.Add(2 * time.Minute)); d != 0 {
		t.Errorf("held %s after the hold, want 0", d)
	}
}

// TestSecondaryLimitHoldsTheClient: while one request waits out a secondary limit, the
// client's next request waits too instead of hitting the limit again.
func TestSecondaryLimitHoldsTheClient(t *testing.T) {
	var hits atomic.Int32
	c, err := New(WithRetryPolicy(RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond, SecondaryWait: 300 * time.Millisecond, MaxWait: time.Second}),
		WithHTTPClient(&http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if hits.Add(1) == 1 {
				return &http.Response{StatusCode: 429, Status: "429", Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"message":"You have exceeded a secondary rate limit."}`)), Request: req}, nil
			}
			return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{"total_count":0,"jobs":[]}`))}, nil // no Request: a stub's answer
		})}))
	if err != nil {
		t.Fatal(err)
	}
	a := Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}
	done := make(chan error, 1)
	go func() { _, err := c.ListJobs(context.Background(), a, nil); done <- err }()
	for d, _ := c.rate.held(time.Now()); d == 0; d, _ = c.rate.held(time.Now()) {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if _, err := c.ListJobs(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("the second request went out after %s, during the other's secondary-limit wait", waited)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
