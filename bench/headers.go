package bench

import (
	"net/http"
	"strconv"

	"github.com/ghjobs/ghjobs/internal/ghwire"
)

// cacheHeaders sets what GitHub sends about caching on a page's answer: private when the
// request carried credentials, public when it did not.
func cacheHeaders(h http.Header, authed bool) {
	h["Cache-Control"] = publicCache
	if authed {
		h["Cache-Control"] = privateCache
	}
	h["Vary"] = varyHeader
}

// The header values, made once: the server sets them on every answer without allocating.
var (
	privateCache = []string{ghwire.CacheControl(true)}
	publicCache  = []string{ghwire.CacheControl(false)}
	varyHeader   = []string{ghwire.VaryPage, ghwire.VaryEdge}
)

// rate sets the per-request x-ratelimit-* headers for the n-th counted request, with the
// token's limit or, without credentials, the anonymous one. The window starts again every
// limit requests, so that a long benchmark never sees remaining 0: go-github refuses to
// send requests then, and the benchmark would time its rate limiter.
func (s *server) rate(h http.Header, authed bool, n int64) {
	limit, limitHeader := int64(anonLimit), anonLimitHeader
	if authed {
		limit, limitHeader = rateLimit, rateLimitHeader
	}
	used := n % limit
	h["X-Ratelimit-Limit"] = limitHeader
	h["X-Ratelimit-Remaining"] = []string{strconv.FormatInt(limit-used, 10)}
	h["X-Ratelimit-Used"] = []string{strconv.FormatInt(used, 10)}
	h["X-Ratelimit-Reset"] = []string{s.reset}
	h["X-Ratelimit-Resource"] = coreHeader
	h["X-Github-Request-Id"] = []string{"BE0C:" + strconv.FormatInt(s.requests.Load(), 16)}
}

var (
	rateLimitHeader = []string{strconv.Itoa(rateLimit)}
	anonLimitHeader = []string{strconv.Itoa(anonLimit)}
	coreHeader      = []string{"core"}
)
