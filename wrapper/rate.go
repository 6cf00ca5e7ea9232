package wrapper

import (
	"net/http"
	"strconv"
	"time"
)

// Rate is GitHub's rate-limit state after a response, from its x-ratelimit-* headers. Fields
// the response did not carry are zero.
type Rate struct {
	Limit     int       // requests allowed per window (x-ratelimit-limit)
	Remaining int       // requests left in this window (x-ratelimit-remaining)
	Used      int       // requests made in this window (x-ratelimit-used)
	Reset     time.Time // when the window resets (x-ratelimit-reset)
	Resource  string    // which limit counted the request, e.g. "core" (x-ratelimit-resource)
}

func parseRate(h http.Header) Rate {
	r := Rate{
		Limit:     headerInt(h, "X-RateLimit-Limit"),
		Remaining: headerInt(h, "X-RateLimit-Remaining"),
		Used:      headerInt(h, "X-RateLimit-Used"),
		Resource:  h.Get("X-RateLimit-Resource"),
	}
	if secs, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && secs > 0 {
		r.Reset = time.Unix(secs, 0)
	}
	return r
}

// headerInt is 0 for a missing or malformed value: rate figures inform, they never fail a
// response that is otherwise good.
func headerInt(h http.Header, name string) int {
	n, err := strconv.Atoi(h.Get(name))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
