// Package redisstore is a wrapper.Store in Redis (or Valkey), single node or cluster, so
// that clients in several processes that use one GitHub credential keep to one rate budget,
// one secondary-limit hold, one cap on requests in flight and one set of kept pages:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	c, err := wrapper.New(wrapper.WithToken(token), wrapper.WithStore(redisstore.New(rdb)))
//
// Each request costs one round trip to Redis before it is sent (a Lua script that checks the
// hold, reads the shared figures, takes a slot and returns the page's ETag and body), and one
// after it, pipelined with those of other requests, off the request's path. Slots are leases
// that expire (WithLease), so a process that dies holding some gives them back. Every key of
// one credential's scope carries the hash tag {scope}, so both scripts run on a cluster.
//
// Redis is never a new way to fail: the client bounds every call (see wrapper.WithStore),
// and this package bounds them too, whatever the timeouts of the redis client it is given.
package redisstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/wrapper"
)

const (
	// DefaultLease is how long a slot stays taken when its End never comes: the process
	// died. It is longer than GitHub takes to answer a page, and short enough that a
	// fleet does not run at a lower cap for long after a crash.
	DefaultLease = 30 * time.Second
	// DefaultPrefix begins every key.
	DefaultPrefix = "ghjobs:"

	// endTimeout bounds a pipeline of Ends.
	endTimeout = 2 * time.Second
	// maxQueued bounds the Ends waiting while Redis is down: those dropped are slots whose
	// lease expires, and figures and pages the next answers bring again.
	maxQueued = 10_000
)

var (
	//go:embed begin.lua
	beginSource string
	//go:embed end.lua
	endSource string

	beginScript = redis.NewScript(beginSource)
	endScript   = redis.NewScript(endSource)
)

// Store is a wrapper.Store in Redis; see New.
type Store struct {
	rdb         redis.UniversalClient
	owned       bool // NewFromURL made rdb: Close closes it
	prefix      string
	maxInFlight int
	lease       time.Duration

	mu       sync.Mutex
	queue    []end
	flushing bool // a goroutine is sending the queue
}

type end struct {
	scope string
	e     wrapper.StoreEnd
}

// Option configures a Store.
type Option func(*Store) error

// WithMaxInFlight caps the requests in flight per scope across every process of the Store,
// 1 to 100 (default wrapper.DefaultMaxInFlight, GitHub's limit). Give every process the same
// cap.
func WithMaxInFlight(n int) Option {
	return func(s *Store) error {
		if n < 1 || n > wrapper.DefaultMaxInFlight {
			return fmt.Errorf("%w: max in flight %d: must be 1 to %d", wrapper.ErrInvalidInput, n, wrapper.DefaultMaxInFlight)
		}
		s.maxInFlight = n
		return nil
	}
}

// WithLease sets how long a slot stays taken when the process that took it dies before it
// gives it back (default DefaultLease). A request that takes longer than the lease lets
// another take its slot.
func WithLease(d time.Duration) Option {
	return func(s *Store) error {
		if d < time.Millisecond {
			return fmt.Errorf("%w: lease %s: must be at least a millisecond", wrapper.ErrInvalidInput, d)
		}
		s.lease = d
		return nil
	}
}

// WithPrefix begins every key with prefix instead of DefaultPrefix: for several fleets on one
// Redis that must not share, such as clients whose credentials a transport adds (the scope
// cannot tell them apart).
func WithPrefix(prefix string) Option {
	return func(s *Store) error {
		if strings.ContainsAny(prefix, "{}") {
			return fmt.Errorf("%w: prefix %q: braces would change the keys' hash tag", wrapper.ErrInvalidInput, prefix)
		}
		s.prefix = prefix
		return nil
	}
}

// New returns a Store in rdb: a *redis.Client, *redis.ClusterClient or *redis.Ring, on Redis
// or Valkey. It panics on a nil rdb or an invalid option, mistakes in a program's setup (as
// regexp.MustCompile does), so that it fits in wrapper.WithStore(redisstore.New(rdb)).
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s, err := newStore(rdb, opts)
	if err != nil {
		panic(err)
	}
	return s
}

func newStore(rdb redis.UniversalClient, opts []Option) (*Store, error) {
	if rdb == nil {
		return nil, fmt.Errorf("%w: nil redis client", wrapper.ErrInvalidInput)
	}
	s := &Store{rdb: rdb, prefix: DefaultPrefix, maxInFlight: wrapper.DefaultMaxInFlight, lease: DefaultLease}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// NewFromURL returns a Store in the Redis that url names (redis://[user:password@]host:port[/db],
// rediss:// for TLS, as redis.ParseURL reads it), with short timeouts; Close closes its
// connections.
func NewFromURL(url string, opts ...Option) (*Store, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("%w: redis URL: %v", wrapper.ErrInvalidInput, err)
	}
	o.ContextTimeoutEnabled = true
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = time.Second, time.Second, time.Second
	rdb := redis.NewClient(o)
	s, err := newStore(rdb, opts)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// Close waits (up to a few seconds) for queued Ends to reach Redis, and closes the
// connections of a Store made by NewFromURL; a redis client given to New is the caller's.
func (s *Store) Close() error {
	for deadline := time.Now().Add(endTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		flushing := s.flushing
		s.mu.Unlock()
		if !flushing {
			break
		}
	}
	if s.owned {
		return s.rdb.Close()
	}
	return nil
}

// keys returns the keys of scope's state: hold, slots, rate figures and the page (its hash,
// or one no page has when page is ""), all with the hash tag {scope}.
func (s *Store) keys(scope, page string) []string {
	k := s.prefix + "{" + scope + "}:"
	return []string{k + "hold", k + "slots", k + "rate", k + "page:" + page}
}

// Begin implements wrapper.Store: one EVALSHA (EVAL when Redis lost the script).
func (s *Store) Begin(ctx context.Context, scope string, b wrapper.StoreBegin) (wrapper.StoreGrant, error) {
	want := "0"
	if b.Page != "" {
		want = "1"
	}
	args := []any{b.Slot, s.maxInFlight, s.lease.Milliseconds(), want}
	reply, err := bounded(ctx, func(ctx context.Context) ([]any, error) {
		return beginScript.Run(ctx, s.rdb, s.keys(scope, b.Page), args...).Slice()
	})
	if err != nil {
		return wrapper.StoreGrant{}, fmt.Errorf("redisstore: %w", err)
	}
	return grantOf(reply)
}

// bounded returns what call returns, or ctx's error once ctx is done, even when the redis
// client was made without ContextTimeoutEnabled and would wait for its own timeouts.
func bounded[T any](ctx context.Context, call func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// grantOf reads begin.lua's reply.
func grantOf(r []any) (wrapper.StoreGrant, error) {
	if len(r) != 13 {
		return wrapper.StoreGrant{}, fmt.Errorf("redisstore: begin script answered %d values, want 13", len(r))
	}
	n := func(i int) int64 { v, _ := r[i].(int64); return v }
	str := func(i int) string { v, _ := r[i].(string); return v }
	g := wrapper.StoreGrant{
		Hold:       time.Duration(n(0)) * time.Millisecond,
		HoldStatus: int(n(1)),
		Slot:       n(2) == 1,
	}
	if limit := n(3); limit > 0 {
		g.Rate = wrapper.Rate{Limit: int(limit), Remaining: int(n(4)), Used: int(n(5)), Resource: str(7)}
		if reset := n(6); reset > 0 {
			g.Rate.Reset = time.Unix(reset, 0)
		}
		g.ResetIn = time.Duration(n(8)) * time.Millisecond
	}
	if etag := str(9); etag != "" {
		h, err := decodeHeader(str(10))
		if err != nil {
			return wrapper.StoreGrant{}, err
		}
		g.Page = &wrapper.StoredPage{ETag: etag, Header: h, Body: []byte(str(11)), Age: time.Duration(n(12)) * time.Millisecond}
	}
	return g, nil
}

// End implements wrapper.Store: it queues e and returns; a goroutine sends the queue to
// Redis in one pipeline, and ends when the queue is empty.
func (s *Store) End(_ context.Context, scope string, e wrapper.StoreEnd) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) >= maxQueued {
		return errors.New("redisstore: too many updates waiting for redis")
	}
	s.queue = append(s.queue, end{scope, e})
	if !s.flushing {
		s.flushing = true
		go s.flush()
	}
	return nil
}

// flush sends the queued Ends until none are left. Failures are dropped: a slot's lease
// expires, and the next answers bring figures and pages again.
func (s *Store) flush() {
	for {
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		if len(batch) == 0 {
			s.flushing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.send(batch)
	}
}

func (s *Store) send(batch []end) {
	ctx, cancel := context.WithTimeout(context.Background(), endTimeout)
	defer cancel()
	_, _ = bounded(ctx, func(ctx context.Context) (struct{}, error) {
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.Cmd, len(batch))
		for i, b := range batch {
			keys, args := s.endArgs(b)
			cmds[i] = endScript.EvalSha(ctx, pipe, keys, args...)
		}
		if _, err := pipe.Exec(ctx); err != nil && !noScript(cmds) {
			return struct{}{}, err
		}
		for i, cmd := range cmds {
			if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") { // Redis restarted: load it again
				keys, args := s.endArgs(batch[i])
				endScript.Run(ctx, s.rdb, keys, args...)
			}
		}
		return struct{}{}, nil
	})
}

func noScript(cmds []*redis.Cmd) bool {
	for _, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			return true
		}
	}
	return false
}

// endArgs are end.lua's keys and arguments for b.
func (s *Store) endArgs(b end) ([]string, []any) {
	e := b.e
	var reset int64
	if !e.Rate.Reset.IsZero() {
		reset = e.Rate.Reset.Unix()
	}
	var ttl int64
	var etag, header, validated string
	var body []byte
	switch {
	case e.Page == "" || e.PageTTL <= 0:
	case e.Put != nil:
		ttl, etag, header, body = max(e.PageTTL.Milliseconds(), 1), e.Put.ETag, encodeHeader(e.Put.Header), e.Put.Body
	case e.Validated:
		ttl, validated = max(e.PageTTL.Milliseconds(), 1), "1"
	}
	return s.keys(b.scope, e.Page), []any{
		e.Slot,
		e.Rate.Limit, e.Rate.Remaining, e.Rate.Used, reset, e.Rate.Resource, e.ResetIn.Milliseconds(),
		e.Hold.Milliseconds(), e.HoldStatus,
		ttl, etag, header, body, validated,
	}
}

// encodeHeader writes h as "Name: value" lines; net/http allows no line breaks in values.
func encodeHeader(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	return b.String()
}

func decodeHeader(s string) (http.Header, error) {
	h := make(http.Header)
	for line := range strings.Lines(s) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ": ")
		if !ok {
			return nil, fmt.Errorf("redisstore: a kept page's header line %q has no colon", line)
		}
		h[k] = append(h[k], v)
	}
	return h, nil
}
