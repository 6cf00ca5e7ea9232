package redisstore

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// urlTimeout is NewFromURL's dial, read and write timeout unless the URL sets them, and the
// longest it waits for its connections to open: the client bounds each call to the Store
// much shorter anyway.
const urlTimeout = time.Second

// urlIdleConns is how many connections NewFromURL's client opens at once and keeps open,
// unless the URL sets min_idle_conns: enough for the Begins of a listing's first pages and a
// pipeline of Ends; more open as needed, and stay open while used.
const urlIdleConns = 4

// NewFromURL returns a Store in the Redis that url names (redis://[user:password@]host:port[/db],
// rediss:// for TLS, unix:// for a socket, with go-redis's options as query parameters, as
// redis.ParseURL reads it), made for short calls: timeouts of a second, and one round trip a
// call from the first request on. It returns once its connections are open and the scripts
// loaded (two round trips to Redis), or after a second at most: Redis down or slow is no
// error here, and the Store tries again as requests come. Its errors show the URL with
// RedactURL. Close closes its connections.
func NewFromURL(url string, opts ...Option) (*Store, error) {
	o, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	o.ContextTimeoutEnabled = true
	// A new connection costs one round trip (HELLO), not three: no CLIENT SETINFO, and no
	// CLIENT MAINT_NOTIFICATIONS (Redis Enterprise's), which open source Redis refuses.
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	for _, d := range []*time.Duration{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout} {
		if *d == 0 {
			*d = urlTimeout
		}
	}
	if o.MinIdleConns == 0 {
		o.MinIdleConns = urlIdleConns
	}
	rdb := redis.NewClient(o)
	s, err := newStore(rdb, opts)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	s.owned = true
	s.warm()
	select {
	case <-s.warmed:
	case <-time.After(urlTimeout):
	}
	return s, nil
}

// parseURL is redis.ParseURL with errors that never show the URL's password: they show the
// URL redacted, and say what is wrong in words of their own, since net/url's and go-redis's
// texts quote the URL or parts of it, which may be of the password.
func parseURL(raw string) (*redis.Options, error) {
	o, err := redis.ParseURL(raw)
	if err == nil {
		return o, nil
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return nil, invalid("redis URL %s does not parse: %s", RedactURL(raw), urlProblem(ue.Err))
	}
	return nil, invalid("redis URL %s: %s", RedactURL(raw), optionsProblem(err))
}

// urlProblems say what net/url found wrong in a URL, by a part of its error's text; the last
// says it of any other.
var urlProblems = []struct{ in, say string }{
	{"invalid URL escape", "a %-escape is not one"},
	{"in host name", "the host has a character not allowed in one"},
	{"invalid port", "the port is not a number (a password with '/', '?', '#' or '@' must be %-escaped)"},
	{"missing protocol scheme", "it has no scheme (want redis://, rediss:// or unix://)"},
	{"control character", "it has a control character"},
	{"", "it is not a URL"},
}

// optionsProblems say what go-redis found wrong in a URL that parses, as urlProblems do;
// goRedisOption says which query parameter has a value that is not one.
var (
	optionsProblems = []struct{ in, say string }{
		{"invalid URL scheme", "want the scheme redis://, rediss:// or unix://"},
		{"database number", "the database is not a number"},
		{"invalid URL path", "the path is not /DB"},
		{"empty unix socket path", "it names no socket"},
		{"unexpected option", "a query parameter go-redis does not know"},
		{"", "go-redis does not take it"},
	}
	goRedisOption = regexp.MustCompile(`^redis: invalid ([a-z_]+) (number|duration|boolean)`)
)

func urlProblem(err error) string { return problem(urlProblems, err.Error()) }

func optionsProblem(err error) string {
	if m := goRedisOption.FindStringSubmatch(err.Error()); m != nil && !strings.Contains(err.Error(), "database") {
		return fmt.Sprintf("query parameter %s is not a %s", m[1], m[2]) // go-redis's own name
	}
	return problem(optionsProblems, err.Error())
}

func problem(table []struct{ in, say string }, msg string) string {
	for _, p := range table {
		if strings.Contains(msg, p.in) {
			return p.say
		}
	}
	return table[len(table)-1].say
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
	start := afterScheme(s)
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

// afterScheme returns where what follows "scheme://" begins in s, 0 when s does not begin
// with a scheme.
func afterScheme(s string) int {
	k := strings.Index(s, "://")
	if k <= 0 {
		return 0
	}
	for i, r := range s[:k] {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return 0
		}
	}
	return k + len("://")
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
