package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	// ErrNotFound matches an *APIError with status 404: GitHub's answer for a repository,
	// run or attempt that does not exist or that the token may not see.
	ErrNotFound = errors.New("ghjobs: not found")

	// ErrInvalidInput matches errors for arguments that GitHub would refuse; they are
	// reported before any request is sent.
	ErrInvalidInput = errors.New("ghjobs: invalid input")

	// ErrPagination matches errors for Link headers that cannot be trusted: unparsable, a
	// loop, more pages than total_count allows, or fewer jobs than it promised. The job list
	// would be wrong, so it is not returned.
	ErrPagination = errors.New("ghjobs: inconsistent pagination")
)

// APIError is a response from GitHub other than success.
type APIError struct {
	StatusCode       int    // HTTP status, e.g. 404
	Message          string // GitHub's "message", or the start of a body that is not JSON
	DocumentationURL string // GitHub's "documentation_url"
	RequestID        string // X-GitHub-Request-Id: quote it to GitHub Support
	Method           string // the request's method
	URL              string // the request's URL (credentials are never in URLs)

	// Errors is GitHub's "errors" array, which a 422 Unprocessable Entity (and some other
	// answers) carries: what was wrong with the request, one entry per problem. Error()
	// shows each. Nil when the answer had none.
	Errors []ErrorDetail
}

// ErrorDetail is one entry of GitHub's "errors" array: a Code such as "missing_field",
// "invalid" or "custom" (then Message says what) for a Field of a Resource. GitHub sometimes
// sends a plain string instead of an object; it is kept as Message.
type ErrorDetail struct {
	Resource string `json:"resource"`
	Field    string `json:"field"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// errorEntry decodes an entry of "errors" as GitHub writes it: an object, or a plain string.
// Any other JSON is kept as text in Message, so that an odd entry never hides the answer's
// status. (A type of its own, so that ErrorDetail exports no UnmarshalJSON.)
type errorEntry ErrorDetail

func (d *errorEntry) UnmarshalJSON(data []byte) error {
	type object errorEntry // without this method
	if json.Unmarshal(data, (*object)(d)) == nil || json.Unmarshal(data, &d.Message) == nil {
		return nil
	}
	*d = errorEntry{Message: snippet(data)}
	return nil
}

// text is the entry for Error(): "Resource.field code: message", the parts it has.
func (d ErrorDetail) text() string {
	where := d.Field
	if d.Resource != "" && d.Field != "" {
		where = d.Resource + "." + d.Field
	} else if d.Resource != "" {
		where = d.Resource
	}
	s := strings.TrimSpace(where + " " + d.Code)
	switch {
	case s == "":
		return d.Message
	case d.Message != "":
		return s + ": " + d.Message
	}
	return s
}

func (e *APIError) Error() string { return "ghjobs: " + e.detail() }

// detail is the error's text without the library's "ghjobs: ", for an error that says it
// first (RateLimitError).
func (e *APIError) detail() string {
	var b strings.Builder
	if e.StatusCode == 0 {
		fmt.Fprintf(&b, "%s %s: not sent", e.Method, e.URL)
	} else {
		fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	sep := ": "
	for _, d := range e.Errors {
		if t := d.text(); t != "" {
			b.WriteString(sep + t)
			sep = "; "
		}
	}
	// GitHub's messages for some limits already ask to quote the request id.
	if e.RequestID != "" && !strings.Contains(e.Message, e.RequestID) {
		fmt.Fprintf(&b, " (request ID %s)", e.RequestID)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) true for a 404, and errors.Is(err,
// ErrUnsupportedAPIVersion) true for a refused X-GitHub-Api-Version.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound ||
		target == ErrUnsupportedAPIVersion && e.refusesVersion()
}

// RateLimitError is a 403 or 429 answer that says a rate limit was hit, or the refusal to send
// a request while the primary limit is used up. For the primary limit (Rate.Remaining 0)
// wait until Reset; for a secondary limit wait RetryAfter, or at least a minute when GitHub
// did not say. The client waits itself as far as its RetryPolicy allows.
type RateLimitError struct {
	// APIError is GitHub's answer. Its StatusCode is 0 when the client did not send the
	// request, because the last answer said no requests were left until Reset.
	*APIError

	Secondary  bool          // a secondary (abuse) limit rather than the hourly quota
	Rate       Rate          // the x-ratelimit-* figures of the answer
	Reset      time.Time     // when the primary limit resets (Rate.Reset); zero if not given
	RetryAfter time.Duration // the retry-after header; 0 if not given

	date      time.Time // the answer's Date: GitHub's clock, against which Reset counts
	exhausted bool      // x-ratelimit-remaining was 0, not just missing
}

func (e *RateLimitError) Error() string {
	kind := "primary"
	if e.Secondary {
		kind = "secondary"
	}
	msg := fmt.Sprintf("ghjobs: %s rate limit exceeded", kind)
	switch {
	case e.RetryAfter > 0:
		msg += fmt.Sprintf(", retry after %s", e.RetryAfter)
	case e.Secondary:
		// GitHub's advice when it gives no retry-after; the hourly reset says nothing here.
		msg += ", wait at least a minute"
	case !e.Reset.IsZero():
		msg += fmt.Sprintf(", resets at %s", e.Reset.UTC().Format(time.RFC3339))
	}
	switch {
	case e.APIError == nil: // built by hand
		return msg
	case e.StatusCode == 0 && e.Secondary:
		return fmt.Sprintf("%s (%s: %s %s not sent)", msg, strings.TrimPrefix(e.Message, "ghjobs: "), e.Method, e.URL)
	case e.StatusCode == 0:
		return fmt.Sprintf("%s (0 of %d requests left: %s %s not sent)", msg, e.Rate.Limit, e.Method, e.URL)
	}
	return msg + " (" + e.APIError.detail() + ")"
}

// Unwrap gives errors.As access to the *APIError.
func (e *RateLimitError) Unwrap() error {
	if e.APIError == nil {
		return nil // not a nil *APIError in a non-nil interface
	}
	return e.APIError
}

// Is keeps errors.Is from reaching the methods of a nil *APIError.
func (e *RateLimitError) Is(target error) bool { return e.APIError != nil && e.APIError.Is(target) }

// serverNow is the answer's time on GitHub's clock, or the local time without a Date header.
func (e *RateLimitError) serverNow() time.Time {
	if e.date.IsZero() {
		return time.Now()
	}
	return e.date
}

// maxErrorBody bounds what is read of an error response; GitHub's are a few hundred bytes.
const maxErrorBody = 64 << 10

// errorFromResponse builds the error for a non-200 answer whose body (at most maxErrorBody
// bytes of it) is body.
func errorFromResponse(resp *http.Response, body []byte) error {
	apiErr := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-GitHub-Request-Id"),
		Method:     resp.Request.Method,
		URL:        resp.Request.URL.Redacted(),
	}
	var basic struct {
		Message          string       `json:"message"`
		DocumentationURL string       `json:"documentation_url"`
		Errors           []errorEntry `json:"errors"`
	}
	err := json.Unmarshal(body, &basic)
	if _, mistyped := errors.AsType[*json.UnmarshalTypeError](err); err == nil || mistyped && basic.Message != "" {
		// GitHub's JSON; a field of an unexpected type (an "errors" that is no array, say)
		// does not cost the others.
		apiErr.Message, apiErr.DocumentationURL = basic.Message, basic.DocumentationURL
		for _, e := range basic.Errors {
			apiErr.Errors = append(apiErr.Errors, ErrorDetail(e))
		}
	} else {
		apiErr.Message = snippet(body)
	}
	if rl := rateLimitError(apiErr, resp.Header); rl != nil {
		return rl
	}
	return apiErr
}

// rateLimitError tells a rate-limit answer apart from a plain 403 the way GitHub documents:
// retry-after or a message naming the secondary limit means secondary; otherwise remaining 0
// means primary; a 429 is always a rate limit.
func rateLimitError(apiErr *APIError, h http.Header) *RateLimitError {
	if apiErr.StatusCode != http.StatusForbidden && apiErr.StatusCode != http.StatusTooManyRequests {
		return nil
	}
	rate := parseRate(h)
	date, _ := http.ParseTime(h.Get("Date"))
	now := date
	if now.IsZero() {
		now = time.Now()
	}
	retryAfter, hasRetryAfter := parseRetryAfter(h.Get("Retry-After"), now)
	msg := strings.ToLower(apiErr.Message)
	secondary := hasRetryAfter ||
		strings.Contains(msg, "secondary rate limit") ||
		strings.Contains(msg, "abuse detection") ||
		strings.Contains(apiErr.DocumentationURL, "secondary-rate-limits")
	primary := h.Get("X-RateLimit-Remaining") == "0"
	if !secondary && !primary && apiErr.StatusCode != http.StatusTooManyRequests {
		return nil
	}
	return &RateLimitError{
		APIError:   apiErr,
		Secondary:  secondary || !primary,
		Rate:       rate,
		Reset:      rate.Reset,
		RetryAfter: retryAfter,
		date:       date,
		exhausted:  primary,
	}
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date (RFC 9110, 10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// snippet returns the start of a body that is not JSON (an HTML error page from a proxy, say)
// as one line of valid UTF-8.
func snippet(body []byte) string {
	const max = 200
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "")), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
