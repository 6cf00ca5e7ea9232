package redisstore

import (
	"context"
	_ "embed"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	//go:embed lib.lua
	libSource string
	//go:embed begin.lua
	beginSource string
	//go:embed end.lua
	endSource string
	//go:embed put.lua
	putSource string

	beginScript = compose(beginSource)
	endScript   = compose(endSource)
	putScript   = compose(putSource)

	scripts = []*script{beginScript, endScript, putScript}
)

// script is a script and its text: redis.Script keeps its text to itself, and its Load on a
// pipeline would set its hash to "" (the reply not come yet).
type script struct {
	*redis.Script
	src string
}

// warmTimeout bounds the loading of the scripts when a Store is made.
const warmTimeout = 5 * time.Second

// compose returns the script of src with lib.lua after its first line, the shebang that
// declares its flags.
func compose(src string) *script {
	shebang, body, _ := strings.Cut(src, "\n")
	src = shebang + "\n" + libSource + body
	return &script{redis.NewScript(src), src}
}

// warm loads the scripts in the background (SCRIPT LOAD, on every master of a cluster), so
// that Begin can run them by hash, one round trip on a connection already open. On a single
// node it also opens the client's idle connections (redis.Options.MinIdleConns) at once,
// handshake included: go-redis opens them, but says HELLO only when one is first used.
func (s *Store) warm() {
	s.bg.Go(func() {
		defer close(s.warmed)
		ctx, cancel := context.WithTimeout(context.Background(), warmTimeout)
		defer cancel()
		if c, ok := s.rdb.(*redis.Client); ok { // one round trip, on every connection at once
			var wg sync.WaitGroup
			for range c.Options().MinIdleConns - 1 {
				wg.Go(func() { c.Ping(ctx) })
			}
			pipe := c.Pipeline()
			for _, sc := range scripts {
				pipe.ScriptLoad(ctx, sc.src)
			}
			if _, err := pipe.Exec(ctx); err == nil {
				s.loaded.Store(true)
			}
			wg.Wait()
			return
		}
		var failed atomic.Bool
		var wg sync.WaitGroup
		for _, sc := range scripts {
			wg.Go(func() {
				if sc.Load(ctx, s.rdb).Err() != nil {
					failed.Store(true)
				}
			})
		}
		wg.Wait()
		s.loaded.Store(!failed.Load())
	})
}

// noScript reports whether err is Redis's answer for a script it does not have: it restarted,
// failed over, or was told SCRIPT FLUSH.
func noScript(err error) bool { return redis.HasErrorPrefix(err, "NOSCRIPT") }

// run runs sc and returns its reply in one round trip: by its hash once the warm-up loaded
// it, else (and when Redis lost it since) by its text, which loads it again.
func (s *Store) run(ctx context.Context, sc *script, keys []string, args ...any) (any, error) {
	if s.loaded.Load() {
		v, err := sc.EvalSha(ctx, s.rdb, keys, args...).Result()
		if !noScript(err) {
			return v, err
		}
	}
	return sc.Eval(ctx, s.rdb, keys, args...).Result()
}
