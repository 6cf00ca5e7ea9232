package redisstore

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/wrapper"
)

const (
	// DefaultLease is how long a slot stays taken when its End never comes: the process
	// died. It is longer than GitHub takes to answer a page, and short enough that a
	// fleet does not run at a lower cap for long after a crash.
	DefaultLease = 30 * time.Second
	// MaxLease bounds WithLease. Begin frees a slot leased for longer: no Store took it.
	MaxLease = time.Hour
	// DefaultPrefix begins every key.
	DefaultPrefix = "ghjobs:"

	// maxScope bounds a scope's length: the client's are 32 hex digits.
	maxScope = 128
)

// Store is a wrapper.Store in Redis; see New.
type Store struct {
	rdb         redis.UniversalClient
	owned       bool // NewFromURL made rdb: Close closes it
	prefix      string
	maxInFlight int
	lease       time.Duration
	sealer      *sealer // WithEncryptionKey; nil for none

	now    func() time.Time // the writer's clock of sealed confirmations; tests set it
	warmed chan struct{}    // closed when the warm-up is over
	loaded atomic.Bool      // the warm-up loaded the scripts

	mu       sync.Mutex
	queue    []call        // updates for Redis, sent by flush
	queued   int           // bytes of the pages in queue
	flushing bool          // a goroutine is sending the queue
	idle     chan struct{} // closed when it has sent it all
	closed   bool
	bg       sync.WaitGroup // the warm-up and the flush
}

// New returns a Store in rdb: a *redis.Client, *redis.ClusterClient or *redis.Ring, on Redis
// 7 or later, or Valkey. It panics on a nil rdb or an invalid option, mistakes in a program's
// setup (as regexp.MustCompile does), so that it fits in wrapper.WithStore(redisstore.New(rdb)).
//
// It loads the scripts in the background at once, so that no request waits for that. For
// requests that do not wait for a connection to Redis either, give rdb idle connections
// (redis.Options.MinIdleConns, about the client's concurrency) and no CLIENT SETINFO round
// trip per connection (DisableIdentity), as NewFromURL does. Close the Store when done.
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s, err := newStore(rdb, opts)
	if err != nil {
		panic(err)
	}
	s.warm()
	return s
}

func newStore(rdb redis.UniversalClient, opts []Option) (*Store, error) {
	if rdb == nil {
		return nil, invalid("nil redis client")
	}
	s := &Store{rdb: rdb, prefix: DefaultPrefix, maxInFlight: wrapper.DefaultMaxInFlight, lease: DefaultLease,
		now: time.Now, warmed: make(chan struct{})}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Close stops the Store: it waits (a few seconds at most) for the updates queued by End to
// reach Redis, and closes the connections of a Store made by NewFromURL; a redis client given
// to New is the caller's. Begin and End fail after Close.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.bg.Wait()
	if s.owned {
		return s.rdb.Close()
	}
	return nil
}

// keys returns the keys of scope's state: hold, slots, rate figures, the page named name (or
// a key no page has when name is "") and the slots given back before they were taken, all
// with the hash tag {scope}.
func (s *Store) keys(scope, name string) []string {
	k := s.prefix + "{" + scope + "}:"
	return []string{k + "hold", k + "slots", k + "rate", k + "page:" + name, k + "released"}
}

// pageName is the name of the page key page in Redis: page itself, or with a key, a keyed
// hash of it.
func (s *Store) pageName(page string) string {
	if s.sealer == nil || page == "" {
		return page
	}
	return s.sealer.pageName(page)
}

// checkScope refuses a scope that would not name one hash tag.
func checkScope(scope string) error {
	if scope == "" || len(scope) > maxScope || strings.ContainsAny(scope, "{}") {
		return invalid("scope %.40q: want 1 to %d characters, no braces", scope, maxScope)
	}
	return nil
}

// randomID returns 16 random hex digits: slot leases and write ids.
func randomID() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}
