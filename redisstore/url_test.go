package redisstore

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/wrapper"
)

func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"redis://user:secret@localhost:6379/0", "redis://user:xxxxx@localhost:6379/0"},
		{"redis://:secret@host", "redis://:xxxxx@host"},
		{"rediss://default:s3cr%2Ft@host:6380?dial_timeout=3s", "rediss://default:xxxxx@host:6380?dial_timeout=3s"},
		{"unix://user:secret@/run/redis.sock?db=2", "unix://user:xxxxx@/run/redis.sock?db=2"},
		{"redis://user@host", "redis://user@host"},
		{"redis://host:6379/1", "redis://host:6379/1"},
		{"", ""},
		// Passwords left unescaped: what net/url would read as host, port, path, query or
		// fragment, or take the wrong '@' of.
		{"redis://u:123/secret@host:1/0", "redis://u:xxxxx@host:1/0"},
		{"redis://u:se@cret@host", "redis://u:xxxxx@host"},
		{"redis://u:se?cr#et@host", "redis://u:xxxxx@host"},
		{"redis://u:%zzsecret@host", "redis://u:xxxxx@host"},
		// No '@': a URL that does not parse hides all after its first ':'.
		{"redis://:secret", "redis://:xxxxx"},
		{"redis://host:secret/0", "redis://host:xxxxx"},
		// No scheme, or one mistyped.
		{"u:secret@host:6379", "u:xxxxx@host:6379"},
		{"redis:/u:secret@host", "redis:xxxxx@host"},
		{"u:secret@host/x://y", "u:xxxxx@host/x://y"},
		// Secrets in the query, which go-redis does not take, are hidden all the same.
		{"redis://host?password=secret&db=1", "redis://host?password=xxxxx&db=1"},
		{"redis://u:p@host?db=1&auth_token=secret", "redis://u:xxxxx@host?db=1&auth_token=xxxxx"},
	} {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// NewFromURL's errors show the URL redacted, and never its password, even when the URL does
// not parse; they are ErrInvalidInput, and made before any connection.
func TestNewFromURLErrorsHidePassword(t *testing.T) {
	for _, u := range []string{
		"http://u:hunter22@localhost",
		"redis://u:hunter22@localhost:6379/x",
		"redis://u:hunter22@localhost:6379/1/2",
		"redis://u:hunter22@localhost?dial_timeout=soon",
		"redis://u:hunter22@localhost?password=hunter22",
		"redis://u:hun/ter22@localhost",
		"redis://u:hunter22%zz@localhost",
		"redis://u:hunter22@local host",
		"redis://:hunter22",
		"redis://u:hunter22@\x7f",
		"u:hunter22@localhost",
		"unix://u:hunter22@",
	} {
		s, err := NewFromURL(u)
		if err == nil {
			s.Close()
			t.Errorf("NewFromURL(%q): no error", u)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "hunter") || strings.Contains(msg, "ter22") {
			t.Errorf("NewFromURL(%q): %s: the password shows", u, msg)
		}
		if !strings.HasPrefix(msg, "ghjobs: redisstore: ") || strings.Count(msg, "ghjobs: ") != 1 {
			t.Errorf("NewFromURL(%q): %s: want one \"ghjobs: redisstore: \" first", u, msg)
		}
		if !errors.Is(err, wrapper.ErrInvalidInput) {
			t.Errorf("NewFromURL(%q): %v, want ErrInvalidInput", u, err)
		}
	}
}

// ownWords matches the texts parseURL puts after the redacted URL: its own, fixed or naming
// one of go-redis's query parameters.
var ownWords = func() *regexp.Regexp {
	alt := func(table []struct{ in, say string }) string {
		var says []string
		for _, p := range table {
			says = append(says, regexp.QuoteMeta(p.say))
		}
		return strings.Join(says, "|")
	}
	return regexp.MustCompile(`^( does not parse: (` + alt(urlProblems) + `)|: (` + alt(optionsProblems) +
		`|query parameter [a-z_]+ is not a (number|duration|boolean)))$`)
}()

// No password survives RedactURL, nor parseURL's errors, whatever it is made of and
// wherever the URL puts it, written with user:password@.
func FuzzRedactURL(f *testing.F) {
	f.Add("user", "secret", "localhost:6379", "/0")
	f.Add("", "p@ss/w?rd#", "host", "?db=1")
	f.Add("u", "123", "host", "/x@y")
	f.Add("u:v", "%zzpass", "[::1]", "")
	f.Fuzz(func(t *testing.T, user, pw, host, tail string) {
		if len(pw) < 3 || strings.Contains(user, "@") {
			return
		}
		for _, scheme := range []string{"redis://", "rediss://", "unix://", "", "http://", "redis:/"} {
			s := scheme + user + ":" + pw + "@" + host + tail
			// What a right redaction shows: the password may appear in it only by chance.
			shown := scheme + user + ":" + redacted + "@" + host + tail
			if strings.Contains(shown, pw) || strings.Contains(redactQuery(host+tail), pw) ||
				scheme == "" && afterScheme(s) > 0 { // "u://p@h": a scheme and a user, not a user and a password
				continue
			}
			if out := RedactURL(s); strings.Contains(out, pw) {
				t.Fatalf("RedactURL(%q) = %q: the password %q shows", s, out, pw)
			}
			if _, err := parseURL(s); err != nil {
				// The URL as RedactURL shows it, then words of the package's own.
				msg, ok := strings.CutPrefix(err.Error(), "ghjobs: redisstore: redis URL "+RedactURL(s))
				if !ok || !ownWords.MatchString(msg) {
					t.Fatalf("parseURL(%q): %v: want the redacted URL and words of the package's own", s, err)
				}
			}
		}
	})
}
