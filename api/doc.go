// Package api is GitHub's side of the contract: an in-memory fake of the REST operation
// "List jobs for a workflow run attempt"
// (GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs)
// that answers as GitHub does and checks every request it receives and every response it
// sends against openapi.yaml ([ghjobs.Spec]), with kin-openapi.
//
// It is modelled on net/http/httptest. In a test:
//
//	srv := api.NewTestServer(t, api.WithRun(api.SampleRun("octo-org", "octo-repo", 29679449, 1, 250)))
//	// point the client at srv.URL; any request or response that breaks the contract fails t
//
// Outside tests, NewServer returns a Server to Close, and New a Fake to mount as an
// http.Handler. Contract violations are recorded (Fake.Violations) and passed to the
// handlers given with WithViolationHandler; NewTestServer reports them with t.Errorf.
//
// What the fake does as GitHub does (checked against GitHub's recorded traffic, the Octokit
// project's fixtures, cited where each shape is made): pagination with per_page (default
// 30, at most 100) and page; jobs in GitHub's JSON shape and field order (GitHubJob); a
// Link header with prev, next, last and first whose URLs name the repository by id
// (/repositories/{repository_id}/..., a path the fake serves too); 404 for unknown runs
// and repository ids and, with WithToken, for requests without credentials; 401 for wrong
// credentials; 403 without a User-Agent; 400 for an unsupported X-GitHub-Api-Version;
// x-ratelimit-* headers and the primary rate limit in GitHub's words, 5000 an hour for
// requests with credentials (WithRateLimit) and, apart, 60 for requests without
// (WithUnauthenticatedRateLimit), each window reset an hour after it began, or none
// (WithoutRateLimit, a GitHub Enterprise Server with rate limiting off);
// X-GitHub-Request-Id in GitHub's varying shape, its last group the second of the Date
// header, X-GitHub-Media-Type, X-GitHub-Api-Version-Selected, Vary, the edge's Server, CORS
// and security headers, and with a token X-OAuth-Scopes, every name spelled as GitHub
// spells it (ETag, X-GitHub-Request-Id, X-RateLimit-Limit: Go's client reads them as
// always, but code that reads the handler's header map directly, such as an
// httptest.ResponseRecorder's, must index it by that spelling); gzip for a
// request that accepts it; a path prefix as on GitHub Enterprise Server
// (WithPathPrefix); a strong ETag and Cache-Control on every page, and 304 Not Modified
// for an If-None-Match that names it, free for a request with credentials and counted for
// one without; 301 Moved Permanently to the repository's id for a renamed repository
// (WithRename). Requests and Violations keep the most recent RequestLogSize; RequestCount
// and ViolationCount count them all.
//
// What it does on request, to show how a client copes: WithLatency delays every answer,
// and Script (or WithFaults) queues one Fault for each of the next requests: Latency,
// Status (500, 502, 503, ...), PrimaryRateLimit, SecondaryRateLimit (with or without
// retry-after), ValidationFailed (422 with an errors array), MalformedBody, TruncatedBody,
// UnframedTruncatedBody, WrongContentType, NotAPage, Disconnect, CutInHeaders and
// CutInStatusLine, ForeignLink and SelfLink (a Link to another host or back to the same
// page), Shifted (a list that moved between pages) and Redirect. Every request is still
// recorded and validated.
//
// What the contract adds: a request for another path or method is a violation answered
// 404; one whose parameters break the spec's types or bounds is a violation answered 422,
// except per_page above 100, which is flagged and then clamped as GitHub clamps it. A
// response that does not match openapi.yaml is never sent: it is recorded as a violation
// and the client gets 500. Faults that answer with a GitHub error are validated like any
// answer; those that break the answer on purpose are broken after validation and are
// not violations.
package api
