package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
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
	Number      int64 // 1 for the first attempt
	Jobs        []generated.Job
	// RepositoryID is the repository's id, which GitHub's Link and Location URLs name
	// (/repositories/{repository_id}/...); zero keeps the id the repository has, at first
	// DefaultRepositoryID. It belongs to the repository: the latest non-zero one counts for
	// all its runs.
	RepositoryID int64
	// OldShape writes the jobs as GitHub wrote them before created_at, run_attempt,
	// workflow_name and head_branch existed, and as older GitHub Enterprise Server versions
	// still may: without those four fields, whatever the jobs hold. See SampleRunOldShape.
	OldShape bool
}

// config collects the options of New.
type config struct {
	runs      []Run
	token     string
	prefix    string
	limit     int // WithRateLimit
	anonLimit int // WithUnauthenticatedRateLimit
	handlers  []func(error)
	latency   time.Duration
	faults    []Fault
	renames   []rename
	unlimited bool

	repoTokens map[string][]repoKey // WithTokenForRepos: the repositories each may see
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
	unlimited bool // WithoutRateLimit
	handlers  []func(error)

	repoTokens map[string][]repoKey // WithTokenForRepos

	latency  time.Duration
	renames  map[repoKey]repoKey // old name to the name it ends at
	done     chan struct{}       // closed by shutdown: latency waits end
	doneOnce sync.Once

	mu         sync.Mutex
	runs       map[runKey][]generated.Job
	oldShape   map[runKey]bool   // the runs served in the old shape (Run.OldShape)
	repoIDs    map[repoKey]int64 // repository ids, set by AddRun
	repoByID   map[int64]repoKey
	requests   ring[Request] // the most recent RequestLogSize, and a count of all
	violations ring[error]   // the most recent RequestLogSize, and a count of all
	user, anon budget        // the rate limits of requests with credentials and without
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
	c := config{limit: defaultUserLimit, anonLimit: defaultAnonLimit}
	for _, o := range opts {
		o(&c)
	}
	if c.limit < 0 || c.anonLimit < 0 {
		return nil, fmt.Errorf("ghjobs/api: negative rate limit %d", min(c.limit, c.anonLimit))
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
	now := time.Now()
	f := &Fake{
		v:          v,
		token:      c.token,
		repoTokens: c.repoTokens,
		unlimited:  c.unlimited,
		user:       newBudget(c.limit, now),
		anon:       newBudget(c.anonLimit, now),
		handlers:   c.handlers,
		latency:    c.latency,
		renames:    renames,
		done:       make(chan struct{}),
		runs:       make(map[runKey][]generated.Job),
		oldShape:   make(map[runKey]bool),
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
	key := keyOf(r.Owner, r.Repo, r.RunID, r.Number)
	f.runs[key] = jobs
	if r.OldShape {
		f.oldShape[key] = true
	} else {
		delete(f.oldShape, key)
	}
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
	oldShape  bool // a page of jobs in the old shape (Run.OldShape)
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
	at := time.Now()
	id := ghwire.RequestID(uint64(n), at)
	rep := f.respond(r, fault, id, at)
	if rep.status != http.StatusNotModified {
		rep.header.Set("Content-Type", "application/json; charset=utf-8")
	}
	f.setGitHubHeaders(r, &rep, id, at)

	if err := f.v.validate(r, rep.status, rep.header, rep.body, rep.oldShape); err != nil {
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
	ghwire.Spell(dst)
	w.WriteHeader(rep.status)
	if n >= 0 {
		body = body[:min(n, len(body))]
	}
	_, _ = w.Write(body)
}

// shutdown ends every latency wait at once, so that closing the server does not wait
// for them. It is idempotent.
func (f *Fake) shutdown() { f.doneOnce.Do(func() { close(f.done) }) }

// respond renders the answer to r, sent at time at, recording the request's violations and
// counting it against the rate limit. Checks run in GitHub's order: the edge (User-Agent, API
// version) and authentication, then the rate limit, then routing, parameters, renamed
// repositories and the data. A scripted fault's own answer wins over all of them.
func (f *Fake) respond(r *http.Request, fault Fault, requestID string, at time.Time) reply {
	rep, refused := f.screen(r)
	// Credentials GitHub refuses do not name a user: the address's limit counts the request.
	authed := r.Header.Get("Authorization") != "" && !(refused && rep.status == http.StatusUnauthorized)
	if !refused {
		rep = f.lookup(r, fault)
		if etag := rep.header.Get("ETag"); fault.conditional() && rep.status == http.StatusOK &&
			ghwire.ETagMatches(strings.Join(r.Header.Values("If-None-Match"), ","), etag) {
			rep = reply{status: http.StatusNotModified, header: http.Header{}}
			rep.header.Set("ETag", etag)
			if authed {
				// Not counted against the rate limit, as GitHub documents for an
				// authorized request.
				rep.rate = f.figures(authed, at)
				return rep
			}
		}
	}
	rate, within := f.count(authed, at)
	if own, ok := fault.answer(r, rate, requestID, at, authed); ok {
		return own
	}
	if !refused && !within {
		rep = rateLimitReply(r, requestID, at, authed)
	}
	rep.rate = rate
	return rep
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
	if err := errors.Join(errID, errA); err != nil || !ok || !f.sees(r, f.finalName(repo)) {
		return errorReply(http.StatusNotFound, "Not Found", docOperation)
	}
	if to, ok := f.renames[repo]; ok {
		return f.moved(r, to)
	}
	key := keyOf(repo.owner, repo.repo, runID, attempt)
	f.mu.Lock()
	jobs, ok := f.runs[key]
	old := f.oldShape[key]
	f.mu.Unlock()
	if !ok {
		return errorReply(http.StatusNotFound, "Not Found", docOperation)
	}
	links := byIDPath(f.v.prefix, f.repositoryID(repo), r.URL.EscapedPath())
	return pageReply(r, jobs, old, links, fault)
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

// authenticate checks the Authorization header when WithToken or WithTokenForRepos is set.
func (f *Fake) authenticate(r *http.Request) (reply, bool) {
	if !f.private() {
		return reply{}, true
	}
	if r.Header.Get("Authorization") == "" {
		// GitHub does not tell anonymous callers that a private repository exists.
		return errorReply(http.StatusNotFound, "Not Found", docOperation), false
	}
	if f.knownToken(credential(r)) {
		return reply{}, true
	}
	return errorReply(http.StatusUnauthorized, "Bad credentials", docREST), false
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
