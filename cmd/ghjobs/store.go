package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/redisstore"
	"github.com/ghjobs/ghjobs/wrapper"
)

// The shared store of --redis: which Redis, under which scope, sealed with which key.

// Environment variables of the shared store. The key has no flag: a secret on the command
// line is visible to every user of the machine (ps).
const (
	envRedisURL   = "GHJOBS_REDIS_URL"
	envRedisKey   = "GHJOBS_REDIS_KEY"   // 32 bytes, base64 or hex: pages sealed (AES-256-GCM)
	envStoreScope = "GHJOBS_STORE_SCOPE" // whom the store is shared among: GitHub's identity
)

// storeOptions returns the client options that share state through the Redis of --redis,
// else GHJOBS_REDIS_URL, none without either. token is the token the client sends ("" for
// none). The Store is closed when the command ends.
func (c *cli) storeOptions(o options, token string) ([]wrapper.Option, error) {
	raw := o.redis
	if raw == "" {
		raw = c.getenv(envRedisURL)
	}
	scope := c.storeScope(o, token)
	if raw == "" {
		if scope != "" && (o.set["store-scope"] || c.getenv(envStoreScope) != "") {
			return nil, usageErr("--store-scope (or %s) names whom --redis is shared among: give --redis too", envStoreScope)
		}
		return nil, nil
	}
	var ropts []redisstore.Option
	if k := strings.TrimSpace(c.getenv(envRedisKey)); k != "" {
		key, err := decodeKey(k)
		if err != nil {
			return nil, err
		}
		ropts = append(ropts, redisstore.WithEncryptionKey(key))
	}
	// The store's troubles are said once, by the client's events (EventStoreDown, then
	// EventStoreUp): go-redis's own log lines, one per failed connection, would repeat them
	// on stderr and across the --watch screen.
	redis.SetLogger(quietRedis{})
	store, err := redisstore.NewFromURL(raw, ropts...) // Redis down is no error: the client goes on alone
	if err != nil {
		return nil, fmt.Errorf("%w (--redis)", err) // its text shows the URL redacted
	}
	c.closers = append(c.closers, store.Close) // sends the last figures before the exit
	opts := []wrapper.Option{wrapper.WithStore(store)}
	if scope != "" {
		opts = append(opts, wrapper.WithStoreScope(scope))
	}
	return opts, nil
}

// storeScope names the identity GitHub counts the requests of, so that every ghjobs of one
// identity shares one budget whatever its token: --store-scope, else GHJOBS_STORE_SCOPE, else,
// inside GitHub Actions with the workflow's own token, the repository, as GitHub counts
// GITHUB_TOKEN's requests per repository (1,000 an hour) and every job has a token of its
// own. "" leaves the scope to the client: one per token.
//
// An installation token (ghs_) in Actions is taken for the workflow's: an App's own is
// counted per installation, so naming its repository shares less than GitHub would, never
// more, and pages still cross tokens only as GitHub confirms them.
func (c *cli) storeScope(o options, token string) string {
	if o.storeScope != "" {
		return o.storeScope
	}
	if s := strings.TrimSpace(c.getenv(envStoreScope)); s != "" {
		return s
	}
	if c.getenv("GITHUB_ACTIONS") != "true" || !strings.HasPrefix(token, "ghs_") {
		return ""
	}
	if id := c.getenv("GITHUB_REPOSITORY_ID"); id != "" {
		return "github-actions/repository-id/" + id
	}
	if repo := c.getenv("GITHUB_REPOSITORY"); repo != "" {
		return "github-actions/repository/" + strings.ToLower(repo)
	}
	return ""
}

// decodeKey reads GHJOBS_REDIS_KEY: 32 bytes written as 64 hex digits or in base64 (as
// `openssl rand -base64 32` prints them). The key itself is never shown.
func decodeKey(s string) ([]byte, error) {
	if key, err := hex.DecodeString(s); err == nil && len(key) == 32 {
		return key, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil && len(key) == 32 {
			return key, nil
		}
	}
	return nil, usageErr("%s: want 32 bytes as 64 hex digits or in base64 (openssl rand -base64 32); it has %d characters", envRedisKey, len(s))
}

// quietRedis is go-redis's logger, silent.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
