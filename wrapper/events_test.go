package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scripted serves answers[i] to the i-th request, and the last answer to any after it.
func scripted(t *testing.T, answers ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		answers[min(i, len(answers)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// answer writes status, headers (name, value, ...) and body.
func answer(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// emptyPage is a valid page of an attempt without jobs.
var emptyPage = answer(200, `{"total_count":0,"jobs":[]}`)

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// recorder collects events from any goroutine.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) record(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) got() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// fastPolicy retries three times with waits of a millisecond; rate limits wait up to 5 s.
func fastPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		SecondaryWait: time.Millisecond, MaxWait: 5 * time.Second, WaitForReset: true}
}

var testAttempt = Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}

const testPath = "/repos/o/r/actions/runs/1/attempts/1/jobs"

// TestEvents: each kind of wait is reported once, before it, with the fields that say why.
func TestEvents(t *testing.T) {
	// Whole seconds, as Date and x-ratelimit-reset have them: the reset is 1 s after Date.
	date := time.Now().Truncate(time.Second)
	primary := answer(403, `{"message":"API rate limit exceeded for 127.0.0.1."}`,
		"Date", date.UTC().Format(http.TimeFormat), "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0",
		"X-RateLimit-Reset", strconv.FormatInt(date.Unix()+1, 10))
	tests := []struct {
		name    string
		answers []http.HandlerFunc
		want    Event // URL, MaxRetries and Retry 1 filled in below
		maxWait time.Duration
	}{
		{"502", []http.HandlerFunc{answer(502, `{"message":"Server Error"}`), emptyPage},
			Event{Kind: EventRetry, StatusCode: 502}, time.Millisecond},
		{"connection dropped", []http.HandlerFunc{hangUp, emptyPage},
			Event{Kind: EventRetry}, time.Millisecond},
		{"secondary limit with retry-after", []http.HandlerFunc{answer(429, `{"message":"You have exceeded a secondary rate limit."}`, "Retry-After", "1"), emptyPage},
			Event{Kind: EventSecondaryLimit, StatusCode: 429, Wait: time.Second, Asked: true}, time.Second},
		{"secondary limit without retry-after", []http.HandlerFunc{answer(403, `{"message":"You have exceeded a secondary rate limit."}`), emptyPage},
			Event{Kind: EventSecondaryLimit, StatusCode: 403, Wait: time.Millisecond}, time.Millisecond},
		{"primary limit, waiting for the reset", []http.HandlerFunc{primary, emptyPage},
			Event{Kind: EventPrimaryLimit, StatusCode: 403, Wait: time.Second, Asked: true, Reset: time.Unix(date.Unix()+1, 0)}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := scripted(t, tt.answers...)
			var rec recorder
			c, err := New(WithBaseURL(srv.URL), WithRetryPolicy(fastPolicy()), WithEvents(rec.record))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil {
				t.Fatal(err)
			}
			events := rec.got()
			if len(events) != 1 {
				t.Fatalf("%d events, want 1: %+v", len(events), events)
			}
			got, want := events[0], tt.want
			want.URL, want.Retry, want.MaxRetries = srv.URL+testPath, 1, 3
			if want.Wait == time.Millisecond || want.Kind == EventRetry { // random, up to the bound
				want.Wait = got.Wait
			}
			if got.Err == nil {
				t.Error("event without its error")
			}
			got.Err = nil
			if got.Wait < 0 || got.Wait > tt.maxWait || !got.Reset.Equal(want.Reset) {
				t.Errorf("wait %s (at most %s), reset %s (want %s)", got.Wait, tt.maxWait, got.Reset, want.Reset)
			}
			got.Reset, want.Reset = time.Time{}, time.Time{}
			if got != want {
				t.Errorf("event\n%+v, want\n%+v", got, want)
			}
		})
	}
}

// TestEventPrimaryLimitBeforeSending: after an answer with no requests left, the next request
// waits for the reset before its first try, and says so.
func TestEventPrimaryLimitBeforeSending(t *testing.T) {
	date := time.Now().Truncate(time.Second)
	srv, n := scripted(t, answer(200, `{"total_count":0,"jobs":[]}`,
		"Date", date.UTC().Format(http.TimeFormat), "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0",
		"X-RateLimit-Reset", strconv.FormatInt(date.Unix()+1, 10)))
	var rec recorder
	c, err := New(WithBaseURL(srv.URL), WithRetryPolicy(fastPolicy()), WithEvents(rec.record))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil {
			t.Fatal(err)
		}
	}
	events := rec.got()
	if len(events) != 1 || n.Load() != 2 {
		t.Fatalf("%d requests, events %+v; want 2 and one event", n.Load(), events)
	}
	e := events[0]
	var rl *RateLimitError
	if e.Kind != EventPrimaryLimit || e.Retry != 0 || e.StatusCode != 0 || !e.Asked ||
		e.Wait <= 0 || e.Wait > time.Second || !e.Reset.Equal(time.Unix(date.Unix()+1, 0)) || !errors.As(e.Err, &rl) {
		t.Errorf("event %+v, want the primary limit's wait before the first try", e)
	}
}

// TestEventSecondaryLimitHold: a request that waits for another's secondary limit reports
// that limit as the cause, with its own URL and try.
func TestEventSecondaryLimitHold(t *testing.T) {
	srv, _ := scripted(t, answer(429, `{"message":"You have exceeded a secondary rate limit."}`), emptyPage)
	var rec recorder
	policy := fastPolicy()
	policy.SecondaryWait = 300 * time.Millisecond
	c, err := New(WithBaseURL(srv.URL), WithRetryPolicy(policy), WithEvents(rec.record))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.ListJobs(context.Background(), testAttempt, nil); done <- err }()
	for d, _ := c.rate.held(time.Now()); d == 0; d, _ = c.rate.held(time.Now()) {
		time.Sleep(time.Millisecond)
	}
	other := Attempt{Owner: "o", Repo: "r", RunID: 2, Number: 1}
	if _, err := c.ListJobs(context.Background(), other, nil); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	events := rec.got()
	if len(events) != 2 {
		t.Fatalf("events %+v, want the limit and the hold", events)
	}
	hit, held := events[0], events[1]
	if hit.URL != srv.URL+testPath || hit.Retry != 1 {
		t.Errorf("first event %+v, want the 429 of %s", hit, testPath)
	}
	if held.Kind != EventSecondaryLimit || held.URL != srv.URL+"/repos/o/r/actions/runs/2/attempts/1/jobs" ||
		held.Retry != 0 || held.StatusCode != 429 || held.Err != hit.Err || held.Wait <= 0 || held.Wait > 330*time.Millisecond {
		t.Errorf("hold event %+v, want the other request's 429 as the cause of its wait", held)
	}
}

// TestNoEventHook: without WithEvents a client does what it did with one.
func TestNoEventHook(t *testing.T) {
	if _, err := New(WithEvents(nil)); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("WithEvents(nil): %v, want ErrInvalidInput", err)
	}
	for _, hook := range []bool{false, true} {
		srv, n := scripted(t, answer(502, `{"message":"Server Error"}`), answer(503, `{"message":"Unavailable"}`), emptyPage)
		opts := []Option{WithBaseURL(srv.URL), WithRetryPolicy(fastPolicy())}
		var rec recorder
		if hook {
			opts = append(opts, WithEvents(rec.record))
		}
		c, err := New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil || n.Load() != 3 {
			t.Errorf("hook %v: %d requests, %v; want 3 and the page", hook, n.Load(), err)
		}
		if len(rec.got()) != map[bool]int{false: 0, true: 2}[hook] {
			t.Errorf("hook %v: events %+v", hook, rec.got())
		}
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{EventRetry: "retry", EventSecondaryLimit: "secondary rate limit",
		EventPrimaryLimit: "primary rate limit", EventRedirect: "redirect", 0: "EventKind(0)", 9: "EventKind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("EventKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
