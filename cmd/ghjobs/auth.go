package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// ghTimeout bounds `gh auth token`, which reads a file or the system keyring.
const ghTimeout = 5 * time.Second

// client builds the API client: the API root from --api-url, else GITHUB_API_URL, else
// github.com; the token from GH_TOKEN, else GITHUB_TOKEN, else `gh auth token`, else none,
// with a warning; state shared through the Redis of --redis, else GHJOBS_REDIS_URL
// (store.go).
func (c *cli) client(ctx context.Context, o options) (*wrapper.Client, error) {
	base := c.apiURL(o.apiURL)
	if base == "" {
		base = wrapper.DefaultBaseURL
	}
	opts := []wrapper.Option{wrapper.WithBaseURL(base), wrapper.WithUserAgent("ghjobs-cli"), wrapper.WithEvents(c.event)}
	if c.retry != nil {
		opts = append(opts, wrapper.WithRetryPolicy(*c.retry))
	}
	// A bad API root is a usage error, reported before any token is looked up.
	if _, err := wrapper.New(opts...); err != nil {
		return nil, err
	}
	token, from := "", ""
	for _, name := range []string{"GH_TOKEN", "GITHUB_TOKEN"} {
		if v := c.getenv(name); strings.TrimSpace(v) != "" {
			token, from = v, name
			break
		}
	}
	if token == "" {
		token, from = ghToken(ctx, base, c.ghTimeout), "gh auth token"
	}
	if token == "" {
		if !c.local(base) { // a local server (ghjobs serve, a test's fake) has no such limit
			fmt.Fprintln(c.stderr, "ghjobs: warning: no token in GH_TOKEN or GITHUB_TOKEN, none from 'gh auth token': unauthenticated requests are limited to 60 an hour")
		}
	} else {
		// WithToken's error never shows the token; say where the bad one came from.
		if _, err := wrapper.New(wrapper.WithToken(token)); err != nil {
			return nil, fmt.Errorf("%w (the token from %s)", err, from)
		}
		opts = append(opts, wrapper.WithToken(token))
		c.authenticated = true
	}
	shared, err := c.storeOptions(o, token)
	if err != nil {
		return nil, err
	}
	return wrapper.New(append(opts, shared...)...)
}

// event tells the person what the client waits for: a line on stderr, and the progress
// line's note on a terminal.
func (c *cli) event(e wrapper.Event) {
	msg := eventLine(e)
	if p := c.progress.Load(); p != nil {
		p.tell(msg)
	}
	c.log.say("ghjobs: " + msg)
}

// loopback reports whether the API root is on this machine.
func loopback(apiURL string) bool {
	u, err := url.Parse(apiURL)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// apiURL is the API root given: --api-url, else GITHUB_API_URL, else "".
func (c *cli) apiURL(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return c.getenv("GITHUB_API_URL")
}

// ghToken asks the gh CLI, if it is installed, for its token for the API's host. Any
// failure means no token: gh not logged in is a normal state, reported by the caller.
func ghToken(ctx context.Context, apiURL string, timeout time.Duration) string {
	path, err := exec.LookPath("gh")
	if err != nil {
		return ""
	}
	host := ghHost(apiURL)
	if host == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "auth", "token", "--hostname", host)
	cmd.WaitDelay = time.Second // a child of gh holding stdout open cannot hang us
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// ghHost is the host gh knows an API root by: github.com for api.github.com, NAME.ghe.com
// for api.NAME.ghe.com, and the host itself for GitHub Enterprise Server's HOST/api/v3.
func ghHost(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "api.github.com":
		return "github.com"
	case strings.HasPrefix(host, "api.") && strings.HasSuffix(host, ".ghe.com"):
		return strings.TrimPrefix(host, "api.")
	}
	return host
}
