package api

import (
	"bytes"
	"compress/gzip"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/ghwire"
)

// Documentation URLs GitHub puts in its error bodies.
const (
	docOperation = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt"
	docREST      = "https://docs.github.com/rest"
	// docRateLimit is what GitHub's primary-limit 403 still links (paseo-cafe/paseo-cafe#31, 2026).
	docRateLimit = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
	docVersions  = "https://docs.github.com/rest/about-the-rest-api/api-versions"
	docUserAgent = "https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent"
	docSecondary = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	docRedirects = "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"
)

// Run is one workflow run attempt that the fake serves.
type Run struct {
	Owner, Repo string // matched case-insensitively, as on GitHub
	RunID       int64
	Attempt     int64 // 1 for the first attempt
	Jobs        []generated.Job
	// RepositoryID is the repository's id, which GitHub's Link and Location URLs name
	// (/repositories/{repository_id}/...); zero keeps the id the repository has, at first
	// DefaultRepositoryID. It belongs to the repository: the latest non-zero one counts for
	// all its runs.
	RepositoryID int64
}

// config collects the options of New.
type config struct {
	runs      []Run
	token     string
	prefix    string
	limit     int
	handlers  []func(error)
	latency   time.Duration
	faults    []Fault
	renames   []rename
	unlimited bool
}

// Option configures a Fake (and the Server around it).
type Option func(*config)

// WithRun serves r. Repeat it for more runs; a later run with the same owner, repo
// (both case-insensitive), run ID and attempt replaces an earlier one.
func WithRun(r Run) Option {
	return func(c *config) { c.runs = append(c.runs, r) }
}

// WithToken makes the runs private to token: a request must carry "Authorization: Bearer
// <token>" (or the older "token <token>"). As on GitHub, a request without credentials gets
// 404, as if the repository did not exist, and one with wrong credentials gets 401.
// The empty token, the default, lets every request through.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithPathPrefix serves the API below prefix, as GitHub Enterprise Server serves it below
// "/api/v3". Requests without the prefix match no operation.
func WithPathPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithRateLimit sets x-ratelimit-limit (default 5000). Once limit requests have been
// answered, every further request gets GitHub's primary-rate-limit 403. Every request
// counts, whatever its answer (a redirect too), except a 304 Not Modified to a request
// with credentials (an Authorization header), which GitHub does not count either; a 304
// to a request without counts, as GitHub documents. A limit of 0 rate-limits the first
// request; a negative limit makes New fail. WithoutRateLimit turns the limit off.
func WithRateLimit(limit int) Option {
	return func(c *config) { c.limit = limit }
}

// WithViolationHandler calls h for every contract violation, in addition to recording it
// for Violations. Repeat it to add handlers; they run in order, possibly on several
// goroutines at once, so h must be safe for concurrent use.
func WithViolationHandler(h func(error)) Option {
	return func(c *config) {
		if h != nil {
			c.handlers = append(c.handlers, h)
		}
	}
}

// Request is what the fake saw of one request.
type Request struct {
	Method string
	URL    *url.URL // as received: path and query
	Header http.Header
}

// Fake is the endpoint "List jobs for a workflow run attempt" as an http.Handler. It
// answers as GitHub does and checks every request it receives and every response it
// sends against openapi.yaml; what breaks the contract is recorded as a violation (see
// Violations and WithViolationHandler), and an invalid response is never sent: the client
// gets a 500 instead. Script makes it misbehave on purpose, one request at a time. A Fake
// is safe for concurrent use.
type Fake struct {
	v         *Validator
	token     string
	limit     int64
	unlimited bool  // WithoutRateLimit
	reset     int64 // unix seconds: creation + 1h
	created   int64 // unix seconds
	handlers  []func(error)

	latency  time.Duration
	renames  map[repoKey]repoKey // old name to the name it ends at
	done     chan struct{}       // closed by shutdown: latency waits end
	doneOnce sync.Once

	mu         sync.Mutex
	runs       map[runKey][]generated.Job
	repoIDs    map[repoKey]int64 // repository ids, set by AddRun
	repoByID   map[int64]repoKey
	requests   ring[Request] // the most recent RequestLogSize, and a count of all
	violations ring[error]   // the most recent RequestLogSize, and a count of all
	used       int64         // requests counted against the rate limit
	faults     []Fault       // scripted, for the next requests in order
}

type runKey struct {
	owner, repo    string
	runID, attempt int64
}

func keyOf(owner, repo string, runID, attempt int64) runKey {
	return runKey{strings.ToLower(owner), strings.ToLower(repo), runID, attempt}
}

// New returns a Fake configured by opts. It loads and validates openapi.yaml, so its error
// means a broken spec or an invalid option.
func New(opts ...Option) (*Fake, error) {
	c := config{limit: 5000}
	for _, o := range opts {
		o(&c)
	}
	if c.limit < 0 {
		return nil, fmt.Errorf("ghjobs/api: negative rate limit %d", c.limit)
	}
	if c.latency < 0 {
		return nil, fmt.Errorf("ghjobs/api: negative latency %v", c.latency)
	}
	renames, err := renameMap(c.renames)
	if err != nil {
		return nil, err
	}
	v, err := NewValidator(c.prefix)
	if err != nil {
		return nil, err
	}
	now := time.Now().Unix()
	f := &Fake{
		v:          v,
		token:      c.token,
		limit:      int64(c.limit),
		unlimited:  c.unlimited,
		created:    now,
		reset:      now + 3600,
		handlers:   c.handlers,
		latency:    c.latency,
		renames:    renames,
		done:       make(chan struct{}),
		runs:       make(map[runKey][]generated.Job),
		repoIDs:    make(map[repoKey]int64),
		repoByID:   make(map[int64]repoKey),
		requests:   ring[Request]{size: RequestLogSize},
		violations: ring[error]{size: RequestLogSize},
	}
	for _, r := range c.runs {
		f.AddRun(r)
	}
	f.Script(c.faults...)
	return f, nil
}

// AddRun serves r from now on, replacing a run with the same owner, repo, run ID and
// attempt. The fake keeps its own copy of the r.Jobs slice (not of what the jobs point to).
// It panics when r.RepositoryID is negative or is the id of another repository.
func (f *Fake) AddRun(r Run) {
	jobs := slices.Clone(r.Jobs)
	if jobs == nil {
		jobs = []generated.Job{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setRepositoryIDLocked(repoKeyOf(r.Owner, r.Repo), r.RepositoryID)
	f.runs[keyOf(r.Owner, r.Repo, r.RunID, r.Attempt)] = jobs
}

// RequestLogSize is how many requests Requests keeps, and how many violations Violations
// keeps: the most recent ones. A Fake that serves for days (ghjobs serve) so holds bounded
// logs; RequestCount and ViolationCount count them all.
const RequestLogSize = 10_000

// Requests returns copies of the requests received so far, in order of arrival: all of
// them up to RequestLogSize, then the most recent RequestLogSize. To count requests across
// the bound, use RequestCount: len(Requests()) stops growing there.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests.all(func(r Request) Request { return copyRequest(r.Method, r.URL, r.Header) })
}

// RequestCount returns how many requests the fake has received, all of them, also those
// Requests no longer holds.
func (f *Fake) RequestCount() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests.total
}

// Violations returns the contract violations so far, in order: requests the contract does
// not allow and responses the fake refused to send because they broke it. Like Requests,
// it keeps the most recent RequestLogSize; ViolationCount counts them all.
func (f *Fake) Violations() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.violations.all(func(err error) error { return err })
}

// ViolationCount returns how many contract violations there have been, all of them, also
// those Violations no longer holds.
func (f *Fake) ViolationCount() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.violations.total
}

func copyRequest(method string, u *url.URL, h http.Header) Request {
	c := *u
	if u.User != nil {
		user := *u.User
		c.User = &user
	}
	return Request{Method: method, URL: &c, Header: h.Clone()}
}

// violate records err and tells the handlers.
func (f *Fake) violate(err error) {
	f.mu.Lock()
	f.violations.add(err)
	f.mu.Unlock()
	for _, h := range f.handlers {
		h(err)
	}
}

// reply is a response rendered before it is validated and sent.
type reply struct {
	status    int
	header    http.Header
	body      []byte
	rate      rateFigures
	rateFault bool // a rate-limit fault's answer: its figures are sent even WithoutRateLimit
	gzip      bool // the request accepts gzip: write compresses a body it sends whole
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

// basicError is components.schemas.basic-error as GitHub writes it: message, errors (of a
// 422; Octokit's fixture scenarios/api.github.com/errors), documentation_url, and "status",
// the code as a string, which GitHub has added since 2024 (a 404 of
// github/rest-api-description#3726: {"message":"Not Found","documentation_url":...,"status":"404"}).
type basicError struct {
	Message          string       `json:"message"`
	Errors           []FieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url,omitempty"`
	URL              string       `json:"url,omitempty"`
	Status           string       `json:"status,omitempty"`
}

func errorReply(status int, message, doc string) reply {
	return jsonReply(status, basicError{Message: message, DocumentationURL: doc, Status: strconv.Itoa(status)})
}

// rateLimitReply is GitHub's primary-limit 403, whose body has no "status" (as recorded in
// paseo-cafe/paseo-cafe#31, 2026).
func rateLimitReply(r *http.Request, requestID string) reply {
	return jsonReply(http.StatusForbidden, basicError{Message: rateLimitMessage(r, requestID), DocumentationURL: docRateLimit})
}

func jsonReply(status int, v any) reply {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only types of this package are encoded; they always marshal.
		panic(fmt.Sprintf("ghjobs/api: encode %T: %v", v, err))
	}
	return reply{status: status, header: http.Header{}, body: bytes.TrimSuffix(buf.Bytes(), []byte("\n"))}
}

// ServeHTTP answers one request as GitHub would, validating both request and response,
// and misbehaves as the next scripted Fault says.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, fault := f.arrive(r)
	if !f.wait(r.Context(), f.latency, fault.delay()) {
		return // the client gave up waiting: nobody is left to answer
	}
	id := f.requestID(n)
	rep := f.respond(r, fault, id)
	if rep.status != http.StatusNotModified {
		rep.header.Set("Content-Type", "application/json; charset=utf-8")
	}
	f.setGitHubHeaders(r, &rep, id)

	if err := f.v.validateResponse(r, rep.status, rep.header, rep.body); err != nil {
		f.violate(responseError(r, rep.status, fmt.Errorf("not sent, the client got 500 instead (is a Run the fake serves invalid?): %w", err)))
		bad := errorReply(http.StatusInternalServerError,
			"ghjobs/api: the fake's response violated openapi.yaml (is a Run it serves invalid?): "+err.Error(), docOperation)
		bad.header = rep.header
		for _, k := range []string{"Link", "ETag", "Cache-Control", "Vary"} {
			bad.header.Del(k)
		}
		bad.header.Set("Vary", ghwire.VaryEdge)
		rep.status, rep.body = bad.status, bad.body
	}
	rep.gzip = ghwire.AcceptsGzip(r.Header.Values("Accept-Encoding"))
	// Deliberate breakage comes after validation: it is the point of the fault, not a
	// violation of the contract.
	fault.send(w, rep)
}

// arrive records r and takes the fault scripted for it, both in order of arrival.
func (f *Fake) arrive(r *http.Request) (int64, Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests.add(copyRequest(r.Method, r.URL, r.Header))
	var fault Fault
	if len(f.faults) > 0 {
		fault = f.faults[0]
		f.faults = f.faults[1:]
		if len(f.faults) == 0 {
			f.faults = nil // let the drained backing array go
		}
	}
	return f.requests.total, fault
}

// write sends rep as it is (compressed when rep.gzip), or its first n body bytes,
// uncompressed, under the Content-Length of the whole body (n < 0 sends all).
func write(w http.ResponseWriter, rep reply, n int) {
	dst := w.Header()
	for k, v := range rep.header {
		dst[k] = v
	}
	body := rep.body
	if rep.gzip && n < 0 && len(body) > 0 {
		body = ghwire.Gzip(body, gzip.BestSpeed) // at the speed a server favours
		dst.Set("Content-Encoding", "gzip")
	}
	if rep.status != http.StatusNotModified { // a 304 has no body, hence no length
		dst.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(rep.status)
	if n >= 0 {
		body = body[:min(n, len(body))]
	}
	_, _ = w.Write(body)
}

// shutdown ends every latency wait at once, so that closing the server does not wait
// for them. It is idempotent.
func (f *Fake) shutdown() { f.doneOnce.Do(func() { close(f.done) }) }

// requestID returns a unique X-GitHub-Request-Id for the n-th request, in GitHub's shape
// (for example C0DE:1A2B:3C4D5E:6F7A8B:6743A1B2).
func (f *Fake) requestID(n int64) string {
	x := uint64(n)
	// Multiplying by an odd constant is a bijection modulo 2^48: groups 3 and 4 are unique.
	y := (x * 0x9E3779B97F4A7C15) & (1<<48 - 1)
	z := x ^ x>>31
	z *= 0xBF58476D1CE4E5B9
	return fmt.Sprintf("%04X:%04X:%06X:%06X:%08X",
		uint16(z>>48), uint16(z>>32), y>>24, y&(1<<24-1), uint32(f.created))
}

// respond renders the answer to r, recording the request's violations and counting it
// against the rate limit. Checks run in GitHub's order: the edge (User-Agent, API
// version) and authentication, then the rate limit, then routing, parameters, renamed
// repositories and the data. A scripted fault's own answer wins over all of them.
func (f *Fake) respond(r *http.Request, fault Fault, requestID string) reply {
	rep, refused := f.screen(r)
	if !refused {
		rep = f.lookup(r, fault)
		if etag := rep.header.Get("ETag"); fault.conditional() && rep.status == http.StatusOK &&
			ghwire.ETagMatches(strings.Join(r.Header.Values("If-None-Match"), ","), etag) {
			rep = reply{status: http.StatusNotModified, header: http.Header{}}
			rep.header.Set("ETag", etag)
			if r.Header.Get("Authorization") != "" {
				// Not counted against the rate limit, as GitHub documents for an
				// authorized request.
				rep.rate = f.figures()
				return rep
			}
		}
	}
	rate, within := f.count()
	if own, ok := fault.answer(r, rate, requestID); ok {
		return own
	}
	if !refused && !within {
		rep = rateLimitReply(r, requestID)
	}
	rep.rate = rate
	return rep
}

// count counts one request against the rate limit and reports whether it was within it.
func (f *Fake) count() (rateFigures, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	within := f.used < f.limit || f.unlimited
	if within {
		f.used++
	}
	return f.figuresLocked(), within
}

// figures returns the rate-limit figures as they stand.
func (f *Fake) figures() rateFigures {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.figuresLocked()
}

func (f *Fake) figuresLocked() rateFigures {
	return rateFigures{limit: f.limit, remaining: f.limit - f.used, used: f.used, reset: f.reset}
}

// screen refuses what GitHub refuses before it looks at the rate limit: a request without
// a User-Agent, with an unsupported API version, or with bad credentials.
func (f *Fake) screen(r *http.Request) (rep reply, refused bool) {
	if r.Header.Get("User-Agent") == "" {
		f.violate(requestError(r, errNoUserAgent))
		return errorReply(http.StatusForbidden,
			"Request forbidden by administrative rules. Please make sure your request has a User-Agent header ("+docUserAgent+").",
			docUserAgent), true
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "" && !slices.Contains(supportedVersions, v) {
		return errorReply(http.StatusBadRequest,
			fmt.Sprintf("Invalid API version provided: %s. Supported versions: %s", v, strings.Join(supportedVersions, ", ")),
			docVersions), true
	}
	if rep, ok := f.authenticate(r); !ok {
		return rep, true
	}
	return reply{}, false
}

// lookup routes r, validates its parameters and answers with the page it asks for, a
// redirect for a renamed repository, or an error.
func (f *Fake) lookup(r *http.Request, fault Fault) reply {
	route, params, err := f.v.validateRequest(r)
	if route == nil {
		f.violate(requestError(r, err))
		return errorReply(http.StatusNotFound, "Not Found", docREST)
	}
	if err != nil {
		f.violate(requestError(r, err))
		// GitHub quietly clamps per_page above 100; the spec's maximum makes it a
		// violation, but the answer stays GitHub's. Anything else is refused.
		if !f.onlyPerPageTooLarge(r) {
			return errorReply(http.StatusUnprocessableEntity, "Invalid request.\n\n"+err.Error(), docOperation)
		}
	}

	if op := route.Operation.OperationID; op != opAttemptJobs {
		return f.lookupOther(r, op, params, fault)
	}
	runID, errID := strconv.ParseInt(params["run_id"], 10, 64)
	attempt, errA := strconv.ParseInt(params["attempt_number"], 10, 64)
	repo, ok := f.repository(params)
	if err := errors.Join(errID, errA); err != nil || !ok {
		return errorReply(http.StatusNotFound, "Not Found", docOperation)
	}
	if to, ok := f.renames[repo]; ok {
		return f.moved(r, to)
	}
	f.mu.Lock()
	jobs, ok := f.runs[keyOf(repo.owner, repo.repo, runID, attempt)]
	f.mu.Unlock()
	if !ok {
		return errorReply(http.StatusNotFound, "Not Found", docOperation)
	}
	links := byIDPath(f.v.prefix, f.repositoryID(repo), r.URL.EscapedPath())
	return pageReply(r, jobs, links, fault)
}

// repository returns the repository a routed request names, by name or by id; false for
// an id that names no repository the fake serves.
func (f *Fake) repository(params map[string]string) (repoKey, bool) {
	if s := params["repository_id"]; s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return repoKey{}, false
		}
		return f.repositoryByID(id)
	}
	owner, errO := url.PathUnescape(params["owner"])
	repo, errR := url.PathUnescape(params["repo"])
	return repoKeyOf(owner, repo), errO == nil && errR == nil
}

// redirectBody is GitHub's body of a redirect, in its field order, without "status"
// (a 301 of api.github.com, as curl showed it in 2026: ubuntu/app-center#2138; the field
// order also in Octokit's fixture scenarios/api.github.com/rename-repository).
type redirectBody struct {
	Message          string `json:"message"`
	URL              string `json:"url"`
	DocumentationURL string `json:"documentation_url"`
}

// redirectReply answers code with Location: location and GitHub's JSON body for redirects.
func redirectReply(code int, location string) reply {
	rep := jsonReply(code, redirectBody{Message: http.StatusText(code), URL: location, DocumentationURL: docRedirects})
	rep.header.Set("Location", location)
	return rep
}

// authenticate checks the Authorization header when WithToken is set.
func (f *Fake) authenticate(r *http.Request) (reply, bool) {
	if f.token == "" {
		return reply{}, true
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		// GitHub does not tell anonymous callers that a private repository exists.
		return errorReply(http.StatusNotFound, "Not Found", docOperation), false
	}
	scheme, cred, _ := strings.Cut(auth, " ")
	if (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "token")) &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(cred)), []byte(f.token)) == 1 {
		return reply{}, true
	}
	return errorReply(http.StatusUnauthorized, "Bad credentials", docREST), false
}

// rateLimitMessage is GitHub's primary-limit message, for a user (as recorded in
// zerocracy/judges-action#589, 2025) or, without credentials, for the client's address (as
// in paseo-cafe/paseo-cafe#31, 2026).
func rateLimitMessage(r *http.Request, requestID string) string {
	if r.Header.Get("Authorization") != "" {
		return "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID " +
			requestID + " and timestamp " + time.Now().UTC().Format(time.DateTime) + " UTC."
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return "API rate limit exceeded for " + ip + ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
}

// onlyPerPageTooLarge reports whether r would be valid with per_page clamped to 100.
func (f *Fake) onlyPerPageTooLarge(r *http.Request) bool {
	q := r.URL.Query()
	pp, err := strconv.ParseInt(q.Get("per_page"), 10, 64)
	if err != nil || pp <= maxPerPage || len(q["per_page"]) != 1 {
		return false
	}
	q.Set("per_page", strconv.Itoa(maxPerPage))
	c := r.Clone(r.Context())
	c.URL.RawQuery = q.Encode()
	_, _, err = f.v.validateRequest(c)
	return err == nil
}
