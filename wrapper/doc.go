// Package wrapper is a client for GitHub's REST operation "List jobs for a workflow run
// attempt". It adds to the generated client what a real program needs: authentication,
// Link-based pagination that never stops early, typed errors, rate-limit manners, retries,
// conditional requests, and a refusal to send credentials to any origin but the configured one.
//
// One page at a time:
//
//	page, err := c.ListJobs(ctx, a, &wrapper.ListOptions{PerPage: 100})
//
// Every job of every page, 100 per request, the pages after the first fetched in parallel
// (WithConcurrency) and yielded in order:
//
//	for job, err := range c.Jobs(ctx, a) { ... }
//
// Errors from the API are *APIError (and *RateLimitError for rate limits); a missing
// repository, run or attempt satisfies errors.Is(err, ErrNotFound); bad arguments satisfy
// errors.Is(err, ErrInvalidInput) and are reported before any request is sent.
//
// What the client does on its own, so that a poll loop survives GitHub and the network:
//   - 500, 502, 503, 504, dropped connections, truncated bodies and timeouts are retried with
//     exponential backoff and full jitter; secondary rate limits are waited out as GitHub
//     asks; at the primary limit it stops sending until the reset (see RetryPolicy).
//   - A page asked for again is a conditional request: with a token, an unchanged page costs
//     no primary rate limit (see WithCache).
//   - Redirects within the base URL's origin are followed (renamed repositories answer 301);
//     a redirect or Link to any other origin is refused (ErrForeignOrigin).
//   - A Link loop, more pages than total_count allows, or fewer jobs than it promised is an
//     error (ErrPagination), never a short list; a job seen twice is yielded once.
//
// API documentation: https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt
package wrapper
