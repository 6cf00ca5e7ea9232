package redisstore

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/wrapper"
)

// urlTimeout is NewFromURL's dial, read and write timeout unless the URL sets them: the
// client bounds each call to the Store much shorter anyway.
const urlTimeout = time.Second

// NewFromURL returns a Store in the Redis that url names (redis://[user:password@]host:port[/db],
// rediss:// for TLS, unix:// for a socket, with go-redis's options as query parameters, as
// redis.ParseURL reads it), made for short calls: timeouts of a second, connections kept
// open for the client's requests in flight (wrapper.DefaultConcurrency of them, unless the URL
// sets min_idle_conns), and no CLIENT SETINFO round trip per connection. It connects in the
// background: Redis down is no error here. Its errors show the URL with RedactURL. Close
// closes its connections.
func NewFromURL(url string, opts ...Option) (*Store, error) {
	o, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	o.ContextTimeoutEnabled = true
	o.DisableIdentity = true
	for _, d := range []*time.Duration{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout} {
		if *d == 0 {
			*d = urlTimeout
		}
	}
	if o.MinIdleConns == 0 {
		o.MinIdleConns = wrapper.DefaultConcurrency
	}
	rdb := redis.NewClient(o)
	s, err := newStore(rdb, opts)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	s.owned = true
	s.warm()
	return s, nil
}

// parseURL is redis.ParseURL with errors that never show the URL's password.
func parseURL(raw string) (*redis.Options, error) {
	o, err := redis.ParseURL(raw)
	if err == nil {
		return o, nil
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return nil, invalid("redis URL %s does not parse: %s", RedactURL(raw), urlProblem(ue.Err))
	}
	msg := strings.TrimPrefix(err.Error(), "redis: ")
	if i, j, ok := secretSpan(raw); ok && j > i {
		msg = strings.ReplaceAll(msg, raw[i:j], redacted)
	}
	return nil, invalid("redis URL %s: %s", RedactURL(raw), msg)
}

// urlProblem says what is wrong in a URL that net/url does not parse, in words of its own:
// net/url's texts quote the URL, or parts of it that may be of the password.
func urlProblem(err error) string {
	msg := err.Error()
	switch {
	case errors.As(err, new(url.EscapeError)):
		return "a %-escape is not one"
	case errors.As(err, new(url.InvalidHostError)):
		return "the host has a character not allowed in one"
	case strings.Contains(msg, "invalid port"):
		return "the port is not a number (a password with '/', '?', '#' or '@' must be %-escaped)"
	case strings.Contains(msg, "missing protocol scheme"):
		return "it has no scheme (want redis://, rediss:// or unix://)"
	case strings.Contains(msg, "control character"):
		return "it has a control character"
	}
	return "it is not a URL"
}

// redacted stands for a password RedactURL hid, as in url.URL.Redacted.
const redacted = "xxxxx"

// RedactURL returns s, a Redis URL such as NewFromURL takes, for display: with its password
// replaced by "xxxxx", as url.URL.Redacted does, and the values of query parameters whose
// names speak of secrets (password, token, secret, auth, key) too. It takes any string, and
// hides more when s does not parse: everything between the first ':' after the scheme and the
// last '@', which covers passwords with '/', '?', '#' or '@' left unescaped, and without an
// '@', everything after the first ':' after the scheme when s does not parse as a URL.
func RedactURL(s string) string {
	i, j, ok := secretSpan(s)
	if !ok {
		return redactQuery(s)
	}
	return s[:i] + redacted + redactQuery(s[j:])
}

// secretSpan returns where in s a password may be, s[i:j], and whether there may be one.
func secretSpan(s string) (i, j int, ok bool) {
	start := 0
	if k := strings.Index(s, "://"); k >= 0 {
		start = k + len("://")
	}
	at := strings.LastIndexByte(s[start:], '@')
	if at >= 0 { // userinfo: a password follows its first ':'
		colon := strings.IndexByte(s[start:start+at], ':')
		if colon < 0 {
			return 0, 0, false // a user name only
		}
		return start + colon + 1, start + at, true
	}
	if _, err := url.Parse(s); err == nil {
		return 0, 0, false // parses: no userinfo
	}
	if colon := strings.IndexByte(s[start:], ':'); colon >= 0 {
		return start + colon + 1, len(s), true
	}
	return 0, 0, false
}

// redactQuery hides the values of query parameters in s whose names speak of secrets.
func redactQuery(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s
	}
	params := strings.Split(s[q+1:], "&")
	for n, p := range params {
		k, _, ok := strings.Cut(p, "=")
		lk := strings.ToLower(k)
		if ok && secretName(lk) {
			params[n] = k + "=" + redacted
		}
	}
	return s[:q+1] + strings.Join(params, "&")
}

// secretName reports whether a query parameter named k (lower case) may hold a secret.
func secretName(k string) bool {
	for _, w := range []string{"pass", "pwd", "secret", "token", "auth", "key", "cred"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
