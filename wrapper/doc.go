// Package wrapper is a client for GitHub's REST operation "List jobs for a workflow run
// attempt". It adds to the generated client what a real program needs: authentication,
// Link-based pagination that never stops early, typed errors, rate-limit figures, and a
// refusal to send credentials to any origin but the configured one.
//
// One page at a time:
//
//	page, err := c.ListJobs(ctx, a, &wrapper.ListOptions{PerPage: 100})
//
// Every job of every page, 100 per request:
//
//	for job, err := range c.Jobs(ctx, a) { ... }
//
// Errors from the API are *APIError (and *RateLimitError for rate limits); a missing
// repository, run or attempt satisfies errors.Is(err, ErrNotFound); bad arguments satisfy
// errors.Is(err, ErrInvalidInput) and are reported before any request is sent.
//
// API documentation: https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt
package wrapper
