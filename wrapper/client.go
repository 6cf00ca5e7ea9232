package wrapper

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

const (
	// DefaultBaseURL is the REST API root of github.com.
	DefaultBaseURL = "https://api.github.com"
	// DefaultUserAgent identifies requests when WithUserAgent is not given; GitHub rejects
	// requests without a User-Agent.
	DefaultUserAgent = "ghjobs-go"

	mediaType       = "application/vnd.github+json"
	defaultPerPage  = 100
	defaultTimeout  = 60 * time.Second
	maxPerPage      = 100
	envToken        = "GH_TOKEN"
	envTokenActions = "GITHUB_TOKEN"
	envAPIURL       = "GITHUB_API_URL"
)

// Client lists the jobs of workflow run attempts. It is safe for concurrent use.
//
// It holds no token itself: credentials live in the transport, so printing a Client never
// shows them.
type Client struct {
	base        *url.URL // absolute, ends with "/"
	hc          *http.Client
	id          identity   // the credentials, and the scope of WithStoreScope
	cache       *pageCache // WithCache; nil for none
	userAgent   string
	apiVersion  string
	perPage     int
	retry       RetryPolicy
	concurrency int
	rate        *rateState
	events      func(Event) // WithEvents; nil for none
	moved       *movedPaths // permanent redirects, see redirect.go
	known       *knownPages // the pages of attempts listed before, see known.go
	share       *sharing    // WithStore; nil for none
	freshFor    time.Duration
}

// Option configures a Client; see New.
type Option func(*config) error

type config struct {
	baseURL     string
	hc          *http.Client
	tokens      oauth2.TokenSource
	userAgent   string
	apiVersion  string
	perPage     int
	retry       RetryPolicy
	cacheSize   int64
	concurrency int
	events      func(Event)
	store       Store
	storeScope  string
	freshFor    time.Duration
}

// New returns a client for https://api.github.com, unauthenticated unless WithToken or
// WithTokenSource is given (or WithHTTPClient hands in a client that authenticates). Each
// request times out after 60 seconds, so a stalled server cannot hang a caller that passed
// a context without a deadline; WithHTTPClient's client brings its own Timeout instead.
func New(opts ...Option) (*Client, error) {
	cfg := config{
		baseURL:     DefaultBaseURL,
		userAgent:   DefaultUserAgent,
		apiVersion:  APIVersion,
		perPage:     defaultPerPage,
		retry:       DefaultRetryPolicy(),
		cacheSize:   DefaultCacheSize,
		concurrency: DefaultConcurrency,
	}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	base, err := parseBaseURL(cfg.baseURL)
	if err != nil {
		return nil, err
	}
	if cfg.tokens != nil && base.Scheme == "http" && !isLoopback(base.Hostname()) {
		return nil, fmt.Errorf("%w: refusing to send a token over plain http to %s; use https", ErrInvalidInput, base.Host)
	}

	hc := &http.Client{Transport: sharedTransport(), Timeout: defaultTimeout}
	if cfg.hc != nil {
		copied := *cfg.hc
		hc = &copied
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	// The guard wraps the transport, so that it sees every request, redirects included,
	// before a transport of the caller's adds credentials to it.
	hc.Transport = &originGuard{origin: originOf(base), next: next}

	var tokens oauth2.TokenSource
	if cfg.tokens != nil {
		tokens = oauth2.ReuseTokenSource(nil, cfg.tokens)
	}
	id := identity{base: base.String(), name: cfg.storeScope, tokens: tokens, visible: tokens != nil || cfg.hc == nil}
	if err := cfg.checkSharing(id); err != nil {
		return nil, err
	}
	var cache *pageCache
	if cfg.cacheSize > 0 {
		cache = newPageCache(cfg.cacheSize)
	}
	var share *sharing
	if cfg.store != nil {
		share = &sharing{store: cfg.store, id: id, keepPages: cache != nil}
	}
	return &Client{
		base:        base,
		hc:          hc,
		id:          id,
		cache:       cache,
		share:       share,
		freshFor:    cfg.freshFor,
		userAgent:   cfg.userAgent,
		apiVersion:  cfg.apiVersion,
		perPage:     cfg.perPage,
		retry:       cfg.retry,
		concurrency: cfg.concurrency,
		rate:        new(rateState),
		events:      cfg.events,
		moved:       newMovedPaths(),
		known:       newKnownPages(),
	}, nil
}

// sharedTransport is the transport of every Client that WithHTTPClient does not give one:
// http.DefaultTransport's configuration, with room to keep a connection for each page that may
// be in flight. DefaultTransport's 2 idle connections per host would close, and dial again
// (TLS handshake included), most of them on every listing over HTTP/1.1. It is shared, as
// DefaultTransport is, so that short-lived Clients do not each keep idle connections open.
var sharedTransport = sync.OnceValue(func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxConcurrency
	return t
})

// NewFromEnv is New configured from the environment that gh and GitHub Actions set: the token
// from GH_TOKEN, else GITHUB_TOKEN, and the API root from GITHUB_API_URL (GitHub Enterprise
// Server runners set it to https://HOST/api/v3). Without a token it is unauthenticated.
// Options given here override the environment.
func NewFromEnv(opts ...Option) (*Client, error) {
	var env []Option
	if u := os.Getenv(envAPIURL); u != "" {
		env = append(env, WithBaseURL(u))
	}
	for _, name := range []string{envToken, envTokenActions} {
		if tok := os.Getenv(name); strings.TrimSpace(tok) != "" {
			env = append(env, WithToken(tok))
			break
		}
	}
	return New(append(env, opts...)...)
}

// WithToken authenticates every request with "Authorization: Bearer <token>": a personal
// access token, a GitHub App installation token, or GITHUB_TOKEN in Actions. An empty token
// is an error, so that a missing environment variable does not silently mean unauthenticated
// requests and their 60-an-hour limit.
func WithToken(token string) Option {
	return func(c *config) error {
		token = strings.TrimSpace(token) // `gh auth token` output ends with a newline
		if token == "" {
			return fmt.Errorf("%w: empty token (leave out WithToken for unauthenticated requests)", ErrInvalidInput)
		}
		if strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return fmt.Errorf("%w: the token contains white space or control characters", ErrInvalidInput)
		}
		c.tokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token, TokenType: "Bearer"})
		return nil
	}
}

// WithTokenSource authenticates every request with tokens from ts, which is asked again
// whenever its last token has expired.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return fmt.Errorf("%w: nil token source", ErrInvalidInput)
		}
		c.tokens = ts
		return nil
	}
}

// WithBaseURL sets the REST API root: https://HOST/api/v3 for GitHub Enterprise Server,
// https://api.HOST for GHE.com, or a test server's URL. Default https://api.github.com.
func WithBaseURL(baseURL string) Option {
	return func(c *config) error {
		c.baseURL = baseURL
		return nil
	}
}

// WithHTTPClient sends requests through a copy of hc, keeping its transport, timeout and
// redirect policy. Use it for GitHub App authentication (ghinstallation's transport), proxies
// or custom TLS. The client is copied, so hc itself is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return fmt.Errorf("%w: nil *http.Client", ErrInvalidInput)
		}
		c.hc = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header; GitHub asks for the name of your app or user.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.TrimSpace(ua) == "" || strings.ContainsAny(ua, "\r\n") {
			return fmt.Errorf("%w: user agent %q: must be non-empty and on one line", ErrInvalidInput, ua)
		}
		c.userAgent = ua
		return nil
	}
}

// WithPerPage sets how many jobs Jobs and AllJobs ask for per request, 1 to 100 (default
// 100, GitHub's maximum: the fewest requests).
func WithPerPage(n int) Option {
	return func(c *config) error {
		if n < 1 || n > maxPerPage {
			return fmt.Errorf("%w: per page %d: must be 1 to %d", ErrInvalidInput, n, maxPerPage)
		}
		c.perPage = n
		return nil
	}
}

// Rate returns the rate-limit figures of the latest answer from GitHub; zero before the first.
// A 304 Not Modified's figures are taken as GitHub sent them: it costs a request when the
// request was not authorized, and nothing when it was.
func (c *Client) Rate() Rate { return c.rate.get() }

// String describes the client without its credentials.
func (c *Client) String() string { return "wrapper.Client(" + c.base.String() + ")" }

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: base URL: %v", ErrInvalidInput, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q: want an absolute http(s) URL such as https://ghe.example.com/api/v3", ErrInvalidInput, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: base URL %q: must not carry user info, a query or a fragment", ErrInvalidInput, u.Redacted())
	}
	// The generated request builder resolves "./repos/..." against the base, which only keeps
	// a path prefix such as /api/v3 when the base ends with a slash.
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}
