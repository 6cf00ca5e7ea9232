package bench

import (
	"net/http"
	"strconv"
	"strings"
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

var (
	privateCache = []string{"private, max-age=60, s-maxage=60"}
	publicCache  = []string{"public, max-age=60, s-maxage=60"}
	varyHeader   = []string{"Accept, Authorization, Cookie, X-GitHub-OTP", "Accept-Encoding, Accept, X-Requested-With"}
)

// acceptsGzip reports whether Accept-Encoding allows gzip: it names gzip (or x-gzip), or
// else *, with a q-value above 0 (RFC 9110, section 12.5.3). Without the header, the
// server sends the identity encoding, as GitHub does.
func acceptsGzip(values []string) bool {
	gzipQ, anyQ := -1.0, -1.0 // -1: not named
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				if k, v, _ := strings.Cut(param, "="); strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				anyQ = max(anyQ, q)
			}
		}
	}
	return gzipQ > 0 || gzipQ < 0 && anyQ > 0
}

// etagMatch reports whether an If-None-Match header matches etag, by the weak comparison
// RFC 9110 prescribes for If-None-Match: W/"x" matches "x".
func etagMatch(values []string, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}

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
