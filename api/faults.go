package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/internal/ghwire"
)

// Fault is one scripted misbehaviour of the fake, for one request: see Fake.Script. Make
// one with the functions below; the zero Fault is no misbehaviour at all (the request is
// answered normally), which lets a request through in the middle of a script.
//
// Faults that answer with an error (Status, PrimaryRateLimit, SecondaryRateLimit,
// ValidationFailed) send valid basic-error bodies and are validated as usual. Faults that
// break the answer on purpose (MalformedBody, TruncatedBody, UnframedTruncatedBody,
// WrongContentType, NotAPage, Disconnect, CutInHeaders, ForeignLink, SelfLink, Shifted)
// are never recorded as violations. Either way the request itself is
// recorded, validated and counted against the rate limit as usual.
//
// The functions panic on arguments that cannot make sense (Status(200), a negative
// duration), as httptest.NewRequest panics: they are written in tests, where a panic at
// the line that is wrong is the clearest error.
type Fault struct {
	kind   faultKind
	d      time.Duration // Latency: the wait; PrimaryRateLimit: until the reset; SecondaryRateLimit: retry-after
	status int           // Status, SecondaryRateLimit, Redirect
	s      string        // ForeignLink: the origin; Redirect: the location; NotAPage: the body
	n      int           // Shifted
	errs   []FieldError  // ValidationFailed
}

type faultKind uint8

const (
	noFault faultKind = iota
	latencyFault
	statusFault
	primaryFault
	secondaryFault
	malformedFault
	truncatedFault
	contentTypeFault
	disconnectFault
	foreignLinkFault
	selfLinkFault
	shiftedFault
	redirectFault
	validationFault
	notAPageFault
	cutInHeadersFault
	unframedFault
)

// WithLatency makes every request wait d before it is answered, faulted or not (a Latency
// fault waits in addition): for benchmarks and timeouts. The wait ends early when the
// request's context is done (the client gave up; nothing is sent) or when the Server
// closes (the request is answered at once, so Close does not wait out the latency). A
// negative d makes New fail.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// WithFaults scripts faults for the first requests, as Script right after New does.
func WithFaults(faults ...Fault) Option {
	return func(c *config) { c.faults = append(c.faults, faults...) }
}

// Script queues faults: the next request to arrive takes the first, the one after it the
// second, and so on; once the queue is empty, requests are answered normally again. A
// later Script appends to what is still queued. A fault is taken when its request
// arrives, so a request whose client gives up during its latency still uses it up.
// Script is safe for concurrent use.
func (f *Fake) Script(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

// Pending returns the number of scripted faults that no request has taken yet.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.faults)
}

// Latency makes the request wait d, then answers it normally (a conditional request may
// get 304). See WithLatency for how the wait ends early.
func Latency(d time.Duration) Fault {
	if d < 0 {
		panic(fmt.Sprintf("ghjobs/api: Latency(%v): negative duration", d))
	}
	return Fault{kind: latencyFault, d: d}
}

// Status answers code, an error status from 400 to 599 (500, 502, 503, 504, 400, 401, 404,
// 410, 422, ...), with GitHub's basic-error JSON body {"message": <the status text>,
// "documentation_url": ..., "status": <code>}, whatever the request asked for, with the
// usual x-ratelimit-* headers and X-GitHub-Request-Id.
func Status(code int) Fault {
	if code < 400 || code > 599 || http.StatusText(code) == "" {
		panic(fmt.Sprintf("ghjobs/api: Status(%d): want an error status from 400 to 599 that net/http knows", code))
	}
	return Fault{kind: statusFault, status: code}
}

// PrimaryRateLimit answers as GitHub does once the hourly quota is used up: 403,
// x-ratelimit-remaining 0, x-ratelimit-used equal to the limit, x-ratelimit-reset resetIn
// from now (unix seconds, rounded up, so never earlier; a negative resetIn gives a reset
// in the past, as a skewed clock would), and the message "API rate limit exceeded for ..."
// with the primary-limit documentation_url. The requests after it see the fake's own
// figures again.
func PrimaryRateLimit(resetIn time.Duration) Fault {
	return Fault{kind: primaryFault, d: resetIn}
}

// SecondaryRateLimit answers as GitHub's secondary (abuse) limit does: status 403 or 429,
// a retry-after header of retryAfter in whole seconds (rounded up) when it is above 0 and
// none when it is 0, the message "You have exceeded a secondary rate limit. ..." and a
// documentation_url naming secondary-rate-limits. x-ratelimit-remaining stays above 0
// (the fake's figures, or 1 when they are used up), so the answer cannot be mistaken for
// the primary limit.
func SecondaryRateLimit(status int, retryAfter time.Duration) Fault {
	if status != http.StatusForbidden && status != http.StatusTooManyRequests {
		panic(fmt.Sprintf("ghjobs/api: SecondaryRateLimit(%d, %v): the status must be 403 or 429", status, retryAfter))
	}
	if retryAfter < 0 {
		panic(fmt.Sprintf("ghjobs/api: SecondaryRateLimit(%d, %v): negative retry-after", status, retryAfter))
	}
	return Fault{kind: secondaryFault, status: status, d: retryAfter}
}

// MalformedBody answers 200 with Content-Type application/json and a body that is not
// valid JSON ({"total_count":1,"jobs":[{"id":1,}]}, whatever the request asked for). The
// usual x-ratelimit-* headers and X-GitHub-Request-Id are kept; there is no Link or ETag.
func MalformedBody() Fault { return Fault{kind: malformedFault} }

// TruncatedBody sends the answer the request would get (for a request the fake serves,
// 200 and a page) with the Content-Length of the whole body but only its first half, then
// closes the connection: the client reads io.ErrUnexpectedEOF.
func TruncatedBody() Fault { return Fault{kind: truncatedFault} }

// WrongContentType answers 200 with Content-Type text/html and an HTML page, as a captive
// portal or a proxy's error page would, whatever the request asked for. The usual
// x-ratelimit-* headers and X-GitHub-Request-Id are kept; there is no Link or ETag.
func WrongContentType() Fault { return Fault{kind: contentTypeFault} }

// Disconnect closes the connection without any answer: the client sees EOF or a reset
// connection. On HTTP/2, or with a ResponseWriter that cannot be hijacked, it aborts the
// response with http.ErrAbortHandler instead.
//
// Go's http.Transport sends a GET again, once, on a new connection when a kept-alive
// connection closes before any answer: a client on a reused connection then gets the next
// request's answer, and the fake records two requests. Script two Disconnects to make such
// a client see the error.
func Disconnect() Fault { return Fault{kind: disconnectFault} }

// CutInHeaders starts the answer the request would get (for a request the fake serves,
// 200 and a page), then closes the connection in the middle of a header's name: net/http
// fails the request with "malformed MIME header: missing colon" before any response
// exists. Unlike Disconnect, bytes of the answer have arrived, so Go's http.Transport
// does not send the request again by itself: the client's own retry policy is what is
// tested. Without a connection to hijack (HTTP/2) it aborts the response as Disconnect
// does.
func CutInHeaders() Fault { return Fault{kind: cutInHeadersFault} }

// CutInStatusLine is CutInHeaders with the cut inside the status code, "HTTP/1.1 20":
// net/http reports "malformed HTTP status code".
func CutInStatusLine() Fault { return Fault{kind: cutInHeadersFault, n: 1} }

// UnframedTruncatedBody sends the answer the request would get (for a request the fake
// serves, 200 and a page) as an HTTP/1.1 server may: without Content-Length or chunking,
// with "Connection: close", the body delimited by the end of the connection. Only the
// first half of the body is sent before the close, so the transport reports no error: the
// client reads a short body that ends early (a JSON syntax error for a page) and must
// notice. Without a connection to hijack (HTTP/2) it aborts the response as Disconnect does.
func UnframedTruncatedBody() Fault { return Fault{kind: unframedFault} }

// NotAPage answers 200 with Content-Type application/json, an ETag and the usual headers,
// but body, a JSON value that is not a page of jobs: "{}", `{"message":"ok"}`,
// `{"total_count":0}`, or the repository object a client gets when it follows a renamed
// repository's 301 and loses the path. It panics when body is not valid JSON.
func NotAPage(body string) Fault {
	if !json.Valid([]byte(body)) {
		panic(fmt.Sprintf("ghjobs/api: NotAPage(%q): not valid JSON", body))
	}
	return Fault{kind: notAPageFault, s: body}
}

// ForeignLink answers with the normal page, but every Link URL (next, last, prev, first)
// points at origin ("https://evil.example", say) with the same path and query. The Link
// always has a next page, also when everything would fit on one page, so that the client
// is tempted. It panics unless origin is an http or https URL with a host and nothing
// after it.
func ForeignLink(origin string) Fault {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		panic(fmt.Sprintf("ghjobs/api: ForeignLink(%q): want an origin such as \"https://evil.example\"", origin))
	}
	return Fault{kind: foreignLinkFault, s: u.Scheme + "://" + u.Host}
}

// SelfLink answers with the normal page, but its Link's next is the URL of this very page:
// a Link loop. The Link always has a next, also on the last page.
func SelfLink() Fault { return Fault{kind: selfLinkFault} }

// Shifted serves the page as if n jobs had been inserted at the head of the list since
// the previous page was fetched: its first n jobs repeat the previous page's last n, and
// total_count is unchanged. On the last page no job is lost; on an earlier one the n jobs
// at the end of its window are served by neither it nor the next page (if that is not
// shifted too), as when a list shifts under a client that pages through it. On the first
// page, and with n = 0, it changes nothing. It panics for a negative n.
func Shifted(n int) Fault {
	if n < 0 {
		panic(fmt.Sprintf("ghjobs/api: Shifted(%d): negative shift", n))
	}
	return Fault{kind: shiftedFault, n: n}
}

// Redirect answers code (301, 302, 307 or 308) with Location: location, as given (an
// absolute URL, or one relative to the request's URL for the client to resolve), and
// GitHub's JSON body for redirects.
func Redirect(code int, location string) Fault {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		panic(fmt.Sprintf("ghjobs/api: Redirect(%d, %q): the status must be 301, 302, 307 or 308", code, location))
	}
	if _, err := url.Parse(location); err != nil || location == "" {
		panic(fmt.Sprintf("ghjobs/api: Redirect(%d, %q): invalid location", code, location))
	}
	return Fault{kind: redirectFault, status: code, s: location}
}

// FieldError is one entry of the "errors" array of GitHub's 422 Validation Failed, in
// GitHub's field order (Octokit's fixture scenarios/api.github.com/errors:
// {"resource":"Label","code":"invalid","field":"color"}). Code is one of GitHub's codes:
// missing, missing_field, invalid, already_exists, unprocessable, or custom with a Message.
type FieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
	Message  string `json:"message,omitempty"`
}

// ValidationFailed answers 422 as GitHub does when it refuses what a request asks for:
// {"message":"Validation Failed","errors":[...],"documentation_url":...,"status":"422"},
// with errs as the errors array. This operation has no natural 422 on GitHub (it clamps
// per_page above 100 and takes any page), so the fault is the way to show a client one. It
// panics without errs, or for an entry without a resource, a field or a code.
func ValidationFailed(errs ...FieldError) Fault {
	if len(errs) == 0 {
		panic("ghjobs/api: ValidationFailed(): want at least one FieldError")
	}
	for _, e := range errs {
		if e.Resource == "" || e.Field == "" || e.Code == "" {
			panic(fmt.Sprintf("ghjobs/api: ValidationFailed(%+v): a FieldError needs a resource, a field and a code", e))
		}
	}
	return Fault{kind: validationFault, errs: slices.Clone(errs)}
}

// String returns the Go call that makes f, such as "Status(503)", for test names.
func (f Fault) String() string {
	switch f.kind {
	case latencyFault:
		return fmt.Sprintf("Latency(%v)", f.d)
	case statusFault:
		return fmt.Sprintf("Status(%d)", f.status)
	case primaryFault:
		return fmt.Sprintf("PrimaryRateLimit(%v)", f.d)
	case secondaryFault:
		return fmt.Sprintf("SecondaryRateLimit(%d, %v)", f.status, f.d)
	case malformedFault:
		return "MalformedBody()"
	case truncatedFault:
		return "TruncatedBody()"
	case contentTypeFault:
		return "WrongContentType()"
	case disconnectFault:
		return "Disconnect()"
	case foreignLinkFault:
		return fmt.Sprintf("ForeignLink(%q)", f.s)
	case selfLinkFault:
		return "SelfLink()"
	case shiftedFault:
		return fmt.Sprintf("Shifted(%d)", f.n)
	case redirectFault:
		return fmt.Sprintf("Redirect(%d, %q)", f.status, f.s)
	case validationFault:
		args := make([]string, len(f.errs))
		for i, e := range f.errs {
			args[i] = fmt.Sprintf("%#v", e)
		}
		return "ValidationFailed(" + strings.Join(args, ", ") + ")"
	case cutInHeadersFault:
		if f.n == 1 {
			return "CutInStatusLine()"
		}
		return "CutInHeaders()"
	case unframedFault:
		return "UnframedTruncatedBody()"
	case notAPageFault:
		return fmt.Sprintf("NotAPage(%q)", f.s)
	}
	return "Fault{}"
}

// delay is how long the fault makes its request wait, on top of WithLatency.
func (f Fault) delay() time.Duration {
	if f.kind == latencyFault {
		return f.d
	}
	return 0
}

// conditional reports whether the request may be answered 304: not when a fault is to
// change or replace the answer, which a 304 would hide.
func (f Fault) conditional() bool { return f.kind == noFault || f.kind == latencyFault }

// answer returns the fault's own answer in place of the fake's, or false for a fault that
// keeps (and perhaps breaks) the fake's answer. rate holds the figures after this
// request was counted, at time at, against the user's limit (authed) or the address's.
func (f Fault) answer(r *http.Request, rate rateFigures, requestID string, at time.Time, authed bool) (reply, bool) {
	var rep reply
	switch f.kind {
	case statusFault:
		rep = errorReply(f.status, http.StatusText(f.status), docREST)
	case primaryFault:
		rep = rateLimitReply(r, requestID, at, authed)
		rate.remaining, rate.used, rate.reset = 0, rate.limit, unixCeil(at.Add(f.d))
	case secondaryFault:
		rep = errorReply(f.status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "+
			"If you reach out to GitHub Support for help, please include the request ID "+requestID+".", docSecondary)
		if f.d > 0 {
			rep.header.Set("Retry-After", strconv.FormatInt(secondsCeil(f.d), 10))
		}
		rate.remaining = max(rate.remaining, 1)
		rate.used = max(rate.limit-rate.remaining, 0)
	case redirectFault:
		rep = redirectReply(f.status, f.s)
	case validationFault:
		rep = jsonReply(http.StatusUnprocessableEntity, basicError{Message: "Validation Failed", Errors: f.errs,
			DocumentationURL: docOperation, Status: strconv.Itoa(http.StatusUnprocessableEntity)})
	default:
		return reply{}, false
	}
	rep.rate = rate
	rep.rateFault = f.kind == primaryFault || f.kind == secondaryFault
	return rep, true
}

// send writes rep to w, broken as the fault says.
func (f Fault) send(w http.ResponseWriter, rep reply) {
	switch f.kind {
	case disconnectFault:
		hangUp(w)
		return
	case truncatedFault:
		write(w, rep, len(rep.body)/2)
		// net/http closes a connection whose handler wrote less than its Content-Length.
		return
	case cutInHeadersFault:
		head := rawHead(rep, false)
		sendRaw(w, head[:cutPoint(head, f.n == 1)])
		return
	case unframedFault:
		sendRaw(w, append(rawHead(rep, true), rep.body[:len(rep.body)/2]...))
		return
	case notAPageFault:
		rep = spoil(rep, "application/json; charset=utf-8", f.s)
		rep.header.Set("ETag", ghwire.ETag(rep.body))
	case malformedFault:
		rep = spoil(rep, "application/json; charset=utf-8", malformedJSON)
	case contentTypeFault:
		rep = spoil(rep, "text/html; charset=utf-8", portalHTML)
	}
	write(w, rep, -1)
}

const (
	malformedJSON = `{"total_count":1,"jobs":[{"id":1,}]}`
	portalHTML    = "<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head>\n" +
		"<body><h1>Sign in to continue</h1><p>You must accept the terms of use of this network before you can reach the Internet.</p></body></html>\n"
)

// spoil turns rep into a 200 with another body, keeping GitHub's headers but not the
// page's Link and ETag.
func spoil(rep reply, contentType, body string) reply {
	h := rep.header.Clone()
	h.Del("Link")
	h.Del("ETag")
	h.Del("Location")
	h.Del("Retry-After")
	h.Set("Content-Type", contentType)
	return reply{status: http.StatusOK, header: h, body: []byte(body)}
}

// rawHead returns rep's status line and headers as HTTP/1.1 writes them, with the
// Content-Length of its body, or, unframed, with none and "Connection: close" instead.
func rawHead(rep reply, unframed bool) []byte {
	h := rep.header.Clone()
	if unframed {
		h.Set("Connection", "close")
	} else {
		h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	ghwire.Spell(h)
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", rep.status, http.StatusText(rep.status))
	_ = h.Write(&b) // a bytes.Buffer does not fail
	b.WriteString("\r\n")
	return b.Bytes()
}

// cutPoint returns where to cut head: inside the status code ("HTTP/1.1 20"), or inside the
// name of its middle header line.
func cutPoint(head []byte, inStatusLine bool) int {
	if inStatusLine {
		return len("HTTP/1.1 20")
	}
	lines := bytes.SplitAfter(head, []byte("\r\n"))
	n := len(lines[0])                 // the status line
	headers := lines[1 : len(lines)-2] // without the blank line and the empty tail
	for _, l := range headers[:len(headers)/2] {
		n += len(l)
	}
	name, _, _ := bytes.Cut(headers[len(headers)/2], []byte(":"))
	return n + max(1, len(name)/2)
}

// sendRaw writes raw to the connection under w, then closes it.
func sendRaw(w http.ResponseWriter, raw []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: see hangUp
	}
	defer conn.Close()
	if _, err := buf.Write(raw); err == nil {
		_ = buf.Flush()
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder: net/http aborts the response (resets the stream) for this
		// panic value, quietly.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// wait pauses for latency+extra. It reports false when the request's context ended the
// wait (nobody is left to answer) and true when the time is up or the server closes.
func (f *Fake) wait(ctx context.Context, latency, extra time.Duration) bool {
	d := latency + extra
	if d < latency { // overflow: wait "forever"
		d = math.MaxInt64
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-f.done:
		return true
	case <-ctx.Done():
		return false
	}
}

// unixCeil returns t in unix seconds, rounded up.
func unixCeil(t time.Time) int64 {
	s := t.Unix()
	if t.After(time.Unix(s, 0)) {
		s++
	}
	return s
}

// secondsCeil returns d in whole seconds, rounded up.
func secondsCeil(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}
