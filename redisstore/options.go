package redisstore

import (
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// Option configures a Store.
type Option func(*Store) error

// WithMaxInFlight caps the requests in flight per scope across every process of the Store,
// 1 to 100 (default wrapper.DefaultMaxInFlight, GitHub's limit). Give every process the same
// cap.
func WithMaxInFlight(n int) Option {
	return func(s *Store) error {
		if n < 1 || n > wrapper.DefaultMaxInFlight {
			return invalid("max in flight %d: must be 1 to %d", n, wrapper.DefaultMaxInFlight)
		}
		s.maxInFlight = n
		return nil
	}
}

// WithLease sets how long a slot stays taken when the process that took it dies before it
// gives it back, a millisecond to MaxLease (default DefaultLease). A request that takes
// longer than the lease lets another take its slot.
func WithLease(d time.Duration) Option {
	return func(s *Store) error {
		if d < time.Millisecond || d > MaxLease {
			return invalid("lease %s: must be 1ms to %s", d, MaxLease)
		}
		s.lease = d
		return nil
	}
}

// WithPrefix begins every key with prefix instead of DefaultPrefix: for fleets on one Redis
// that must share nothing, whatever scopes they name.
func WithPrefix(prefix string) Option {
	return func(s *Store) error {
		if strings.ContainsAny(prefix, "{}") {
			return invalid("prefix %q: braces would change the keys' hash tag", prefix)
		}
		s.prefix = prefix
		return nil
	}
}

// WithEncryptionKey seals what the Store keeps that reveals private data, with key, 32
// random bytes (AES-256): pages (their ETags, headers and bodies) and who GitHub confirmed
// each to, and when. Each sealed value is encrypted and authenticated with AES-256-GCM, bound
// to its place (key prefix, scope and page); a value that Redis changed, moved or made up does
// not open, and is treated as absent, so the page is fetched again. Page names and the ETags
// the scripts compare become keyed hashes. What Redis still sees: scope hashes, slot leases,
// rate figures and holds, and how large each sealed page is.
//
// Every process of a fleet needs the same key to share pages; processes with other keys (or
// none) still share the cap, figures and hold of their scope, and see each other's pages as
// absent. After the key is rotated, pages sealed with the old one are fetched again; they
// leave Redis when their TTL ends. Random nonces bound what one key may seal to about 2^32
// pages (NIST SP 800-38D): rotate it well before then.
func WithEncryptionKey(key []byte) Option {
	return func(s *Store) error {
		if len(key) != 32 {
			return invalid("encryption key of %d bytes: want 32 (AES-256)", len(key))
		}
		sl, err := newSealer(key)
		if err != nil {
			return errorf("encryption key: %w", err)
		}
		s.sealer = sl
		return nil
	}
}
