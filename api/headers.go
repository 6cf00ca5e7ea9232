package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/ghwire"
)

// The headers below are GitHub's, as recorded in Octokit's fixtures
// (scenarios/api.github.com/paginate-issues and rename-repository, raw-fixture.json): every
// answer carries X-GitHub-Media-Type, the x-ratelimit-* figures, a Vary for the edge and
// X-GitHub-Request-Id, and, to a request with a token, X-OAuth-Scopes and
// X-Accepted-OAuth-Scopes; a page (200 with a body GitHub may cache, and its 304) also
// carries Cache-Control, a second Vary and its ETag. Error answers and redirects have no
// Cache-Control. X-GitHub-Api-Version-Selected is what GitHub has sent since API versions
// came in 2022.
const (
	// oauthScopes is what the fake says the token may do, a classic token with repo scope,
	// and acceptedScopes what the operation accepts: the fake checks no scopes.
	oauthScopes    = "repo, workflow"
	acceptedScopes = "repo"
)

// edgeHeaders are the headers GitHub's edge adds to every answer, the same on each, as in
// Octokit's fixtures (scenarios/api.github.com/*/raw-fixture.json).
var edgeHeaders = http.Header{
	"Server":                        {"GitHub.com"},
	"Access-Control-Expose-Headers": {"ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset"},
	"Access-Control-Allow-Origin":   {"*"},
	"Strict-Transport-Security":     {"max-age=31536000; includeSubdomains; preload"},
	"X-Frame-Options":               {"deny"},
	"X-Content-Type-Options":        {"nosniff"},
	"X-Xss-Protection":              {"0"},
	"Referrer-Policy":               {"origin-when-cross-origin, strict-origin-when-cross-origin"},
	"Content-Security-Policy":       {"default-src 'none'"},
}

// supportedVersions are the X-GitHub-Api-Version values GitHub accepts: the one
// openapi.yaml describes, and the later one GitHub's docs offer (?apiVersion=2026-03-10).
var supportedVersions = slices.Compact([]string{generated.APIVersion, "2026-03-10"})

// defaultVersion is the version GitHub selects for a request that names none.
const defaultVersion = "2022-11-28"

// WithoutRateLimit serves as a GitHub Enterprise Server with rate limiting off: answers
// carry no x-ratelimit-* headers at all, and no request is ever refused for the primary
// rate limit (WithRateLimit is ignored). The rate-limit faults (PrimaryRateLimit,
// SecondaryRateLimit) still send their headers: they play a server that has limits.
func WithoutRateLimit() Option {
	return func(c *config) { c.unlimited = true }
}

// setGitHubHeaders adds to the answer rep to r, sent at time at, the headers GitHub sends
// with it, but for Content-Type, which the caller sets. Its Date is at, the second that the
// request id's last group names, as on GitHub.
func (f *Fake) setGitHubHeaders(r *http.Request, rep *reply, requestID string, at time.Time) {
	h := rep.header
	h.Set("Date", at.UTC().Format(http.TimeFormat))
	credentials := r.Header.Get("Authorization") != ""
	if rep.header.Get("ETag") != "" { // a page, or its 304
		h.Set("Cache-Control", ghwire.CacheControl(credentials))
		h.Add("Vary", ghwire.VaryPage)
	}
	if credentials && rep.status != http.StatusUnauthorized {
		h.Set("X-OAuth-Scopes", oauthScopes)
		h.Set("X-Accepted-OAuth-Scopes", acceptedScopes)
	}
	if v := selectedVersion(r); v != "" {
		h.Set("X-GitHub-Api-Version-Selected", v)
	}
	h.Set("X-GitHub-Media-Type", ghwire.MediaType)
	if !f.unlimited || rep.rateFault {
		rep.rate.set(h)
	}
	h.Add("Vary", ghwire.VaryEdge)
	h.Set("X-GitHub-Request-Id", requestID)
	for k, v := range edgeHeaders {
		h[k] = slices.Clone(v)
	}
}

// selectedVersion returns the API version GitHub answers r with, or "" for a version it
// does not support (and refuses).
func selectedVersion(r *http.Request) string {
	v := r.Header.Get("X-GitHub-Api-Version")
	switch {
	case v == "":
		return defaultVersion
	case slices.Contains(supportedVersions, v):
		return v
	}
	return ""
}
