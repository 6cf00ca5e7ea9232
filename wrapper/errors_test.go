package wrapper

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func response(status int, header map[string]string) *http.Response {
	u, _ := url.Parse("https://api.github.com/repos/o/r/actions/runs/1/attempts/1/jobs")
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: status, Header: h, Request: &http.Request{Method: "GET", URL: u}}
}

func TestErrorFromResponse(t *testing.T) {
	reset := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		wantRate   bool
		secondary  bool
		retryAfter time.Duration
		notFound   bool
		message    string
	}{
		{name: "404", status: 404, body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`, notFound: true, message: "Not Found"},
		{name: "plain 403", status: 403, header: map[string]string{"X-RateLimit-Remaining": "4999"}, body: `{"message":"Resource not accessible by integration"}`, message: "Resource not accessible by integration"},
		{name: "primary 403", status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800000000"}, body: `{"message":"API rate limit exceeded for user ID 1."}`, wantRate: true},
		{name: "primary 429", status: 429, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800000000"}, body: `{"message":"API rate limit exceeded"}`, wantRate: true},
		{name: "secondary by retry-after", status: 403, header: map[string]string{"Retry-After": "60", "X-RateLimit-Remaining": "4000"}, body: `{"message":"slow down"}`, wantRate: true, secondary: true, retryAfter: time.Minute},
		{name: "secondary by message", status: 403, body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`, wantRate: true, secondary: true},
		{name: "secondary by documentation_url", status: 403, body: `{"message":"x","documentation_url":"https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`, wantRate: true, secondary: true},
		{name: "bare 429", status: 429, body: ``, wantRate: true, secondary: true},
		{name: "HTML from a proxy", status: 502, body: "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>", message: "<html> <head><title>502 Bad Gateway</title></head> </html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"X-GitHub-Request-Id": "AB12:CD34"}
			for k, v := range tt.header {
				h[k] = v
			}
			err := errorFromResponse(response(tt.status, h), []byte(tt.body))

			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.RequestID != "AB12:CD34" {
				t.Errorf("status %d, request ID %q", apiErr.StatusCode, apiErr.RequestID)
			}
			if tt.message != "" && apiErr.Message != tt.message {
				t.Errorf("message %q, want %q", apiErr.Message, tt.message)
			}
			if got := errors.Is(err, ErrNotFound); got != tt.notFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v", got)
			}
			if !strings.Contains(err.Error(), "AB12:CD34") {
				t.Errorf("error %q does not name the request ID", err)
			}

			var rl *RateLimitError
			if got := errors.As(err, &rl); got != tt.wantRate {
				t.Fatalf("rate limit error = %v, want %v (%v)", got, tt.wantRate, err)
			}
			if !tt.wantRate {
				return
			}
			if rl.Secondary != tt.secondary || rl.RetryAfter != tt.retryAfter {
				t.Errorf("secondary %v retry after %v, want %v %v", rl.Secondary, rl.RetryAfter, tt.secondary, tt.retryAfter)
			}
			if tt.secondary && tt.retryAfter == 0 && !strings.Contains(err.Error(), "at least a minute") {
				t.Errorf("a secondary limit without retry-after should say to wait a minute: %v", err)
			}
			if h["X-RateLimit-Reset"] != "" && !rl.Reset.Equal(reset) {
				t.Errorf("reset %v, want %v", rl.Reset, reset)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"99999999999", 24 * time.Hour, true},
		{"Tue, 24 Nov 2026 12:01:30 GMT", 90 * time.Second, true},
		{"Tue, 24 Nov 2026 11:00:00 GMT", 0, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseRate(t *testing.T) {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "4990")
	h.Set("X-RateLimit-Used", "10")
	h.Set("X-RateLimit-Reset", "1800000000")
	h.Set("X-RateLimit-Resource", "core")
	want := Rate{Limit: 5000, Remaining: 4990, Used: 10, Reset: time.Unix(1_800_000_000, 0), Resource: "core"}
	if got := parseRate(h); got != want {
		t.Errorf("parseRate = %+v, want %+v", got, want)
	}
	h.Set("X-RateLimit-Limit", "lots")
	h.Set("X-RateLimit-Reset", "-1")
	if got := parseRate(h); got.Limit != 0 || !got.Reset.IsZero() {
		t.Errorf("malformed figures should read as zero, got %+v", got)
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("é", 300)
	got := snippet([]byte(long))
	if !strings.HasSuffix(got, "…") || len(got) > 210 || !strings.HasPrefix(got, "éé") {
		t.Errorf("snippet of a long body = %q", got)
	}
	if got := snippet([]byte("bad \xff utf8")); got != "bad utf8" {
		t.Errorf("snippet = %q", got)
	}
}

func TestRateLimitErrorBuiltByHand(t *testing.T) {
	err := error(&RateLimitError{Secondary: true, RetryAfter: time.Minute})
	if !strings.Contains(err.Error(), "secondary rate limit") || errors.Is(err, ErrNotFound) {
		t.Errorf("hand-built RateLimitError: %v", err)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Error("errors.As found an *APIError in a RateLimitError without one")
	}
	notSent := &APIError{Method: "GET", URL: "https://api.github.com/x"}
	if got := notSent.Error(); !strings.Contains(got, "not sent") || strings.Contains(got, " 0 ") {
		t.Errorf("an APIError for a request not sent reads %q", got)
	}
}

// TestAPIErrorDetails: a 422's "errors" array is kept, objects and plain strings alike, and
// shown in the error's text.
func TestAPIErrorDetails(t *testing.T) {
	const body = `{"message":"Validation Failed","errors":[{"resource":"Job","field":"per_page","code":"invalid"},` +
		`"per_page must be at most 100",{"resource":"Job","code":"custom","field":"page","message":"page is too large"}],` +
		`"documentation_url":"https://docs.github.com/rest/actions/workflow-jobs"}`
	srv, _ := scripted(t, answer(422, body, "X-GitHub-Request-Id", "AB12:CD34"))
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListJobs(context.Background(), testAttempt, nil)
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok {
		t.Fatalf("%v is not an *APIError", err)
	}
	want := []ErrorDetail{
		{Resource: "Job", Field: "per_page", Code: "invalid"},
		{Message: "per_page must be at most 100"},
		{Resource: "Job", Field: "page", Code: "custom", Message: "page is too large"},
	}
	if !slices.Equal(apiErr.Errors, want) || apiErr.Message != "Validation Failed" {
		t.Errorf("message %q, errors %+v; want %+v", apiErr.Message, apiErr.Errors, want)
	}
	const text = ": 422 Unprocessable Entity: Validation Failed: Job.per_page invalid; per_page must be at most 100; Job.page custom: page is too large (request ID AB12:CD34)"
	if !strings.HasSuffix(err.Error(), text) {
		t.Errorf("error %q\nwant it to end %q", err, text)
	}
}

// TestAPIErrorOddBodies: entries or an "errors" of another shape cost nothing of the rest.
func TestAPIErrorOddBodies(t *testing.T) {
	tests := []struct {
		body    string
		message string
		errors  []ErrorDetail
		text    string
	}{
		{`{"message":"x","errors":[5,null,{"code":7},"y"]}`, "x", []ErrorDetail{{Message: "5"}, {}, {Message: `{"code":7}`}, {Message: "y"}}, `: x: 5; {"code":7}; y (request ID R:1)`},
		{`{"message":"x","errors":"not a list"}`, "x", nil, ": x (request ID R:1)"},
		{`{"message":"x","errors":{"code":"invalid"}}`, "x", nil, ": x (request ID R:1)"},
		{`{"errors":[{"code":"missing"}]}`, "", []ErrorDetail{{Code: "missing"}}, ": missing (request ID R:1)"},
	}
	for _, tt := range tests {
		err := errorFromResponse(response(422, map[string]string{"X-GitHub-Request-Id": "R:1"}), []byte(tt.body))
		apiErr, ok := errors.AsType[*APIError](err)
		if !ok || apiErr.Message != tt.message || !slices.Equal(apiErr.Errors, tt.errors) || !strings.HasSuffix(err.Error(), tt.text) {
			t.Errorf("%s: %#v\nwant message %q, errors %+v, text ending %q", tt.body, err, tt.message, tt.errors, tt.text)
		}
	}
}

// TestRequestIDOnce: GitHub's messages for secondary limits name the request id already;
// the error's text then does not repeat it.
func TestRequestIDOnce(t *testing.T) {
	const id = "CA8C:2B3F:1DB5D1A:1E5B3C0:6743A1B2"
	for _, msg := range []string{
		"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID " + id + ".",
		"Not Found",
	} {
		err := errorFromResponse(response(403, map[string]string{"X-GitHub-Request-Id": id, "Retry-After": "60"}), []byte(`{"message":"`+msg+`"}`))
		if n := strings.Count(err.Error(), id); n != 1 {
			t.Errorf("%q names the request ID %d times, want once", err, n)
		}
	}
}
