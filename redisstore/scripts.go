package redisstore

import (
	"context"
	_ "embed"
	"strings"
	"sync"
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

	scripts = []*redis.Script{beginScript, endScript, putScript}
)

// warmTimeout bounds the loading of the scripts when a Store is made.
const warmTimeout = 5 * time.Second

// compose returns the script of src with lib.lua after its first line, the shebang that
// declares its flags.
func compose(src string) *redis.Script {
	shebang, body, _ := strings.Cut(src, "\n")
	return redis.NewScript(shebang + "\n" + libSource + body)
}

// warm loads the scripts in the background (SCRIPT LOAD, on every master of a cluster), so
// that Begin can run them by hash at once; Begin waits for it, within its deadline.
func (s *Store) warm() {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer close(s.warmed)
		ctx, cancel := context.WithTimeout(context.Background(), warmTimeout)
		defer cancel()
		var wg sync.WaitGroup
		for _, sc := range scripts {
			wg.Go(func() { sc.Load(ctx, s.rdb) })
		}
		wg.Wait()
	}()
}

// noScript reports whether err is Redis's answer for a script it does not have: it restarted,
// failed over, or was told SCRIPT FLUSH.
func noScript(err error) bool { return redis.HasErrorPrefix(err, "NOSCRIPT") }

// run runs sc by its hash and returns its reply; when Redis lost it, it loads it once and
// runs it again.
func (s *Store) run(ctx context.Context, sc *redis.Script, keys []string, args ...any) (any, error) {
	v, err := sc.EvalSha(ctx, s.rdb, keys, args...).Result()
	if noScript(err) {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return nil, err
		}
		v, err = sc.EvalSha(ctx, s.rdb, keys, args...).Result()
	}
	return v, err
}
