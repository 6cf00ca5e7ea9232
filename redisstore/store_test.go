package redisstore

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// client returns a redis client for addr with short timeouts, closed when the test ends.
func client(t *testing.T, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// newTest returns New(rdb, opts...), closed when the test ends.
func newTest(t *testing.T, rdb redis.UniversalClient, opts ...Option) *Store {
	t.Helper()
	s := New(rdb, opts...)
	t.Cleanup(func() { s.Close() })
	return s
}

// settled waits until the Ends given to s have reached Redis (a Store of this package).
func settled(s wrapper.Store) {
	if r, ok := s.(*Store); ok {
		r.drain()
	}
}

func begin(t *testing.T, s wrapper.Store, scope, slot, page string) wrapper.StoreGrant {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	g, err := s.Begin(ctx, scope, wrapper.StoreBegin{Slot: slot, Page: page})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func finish(t *testing.T, s wrapper.Store, scope string, e wrapper.StoreEnd) {
	t.Helper()
	if err := s.End(t.Context(), scope, e); err != nil {
		t.Fatal(err)
	}
	settled(s)
}

// storeBasics checks what every use of the Store relies on, against a Store in real Redis
// (single node or cluster): the cap, the hold, the rate figures' merge rule, kept pages.
func storeBasics(t *testing.T, rdb redis.UniversalClient) {
	s := newTest(t, rdb, WithMaxInFlight(2))
	const scope = "0123456789abcdef0123456789abcdef"

	t.Run("cap", func(t *testing.T) {
		if !begin(t, s, scope, "a", "").Slot || !begin(t, s, scope, "b", "").Slot {
			t.Fatal("the first two slots of a cap of 2 were refused")
		}
		if begin(t, s, scope, "c", "").Slot {
			t.Fatal("a third slot was granted under a cap of 2")
		}
		if begin(t, s, "another-scope", "c", "").Slot != true {
			t.Fatal("another scope's slot was refused: scopes must not share a cap")
		}
		finish(t, s, scope, wrapper.StoreEnd{Slot: "a"})
		if !begin(t, s, scope, "c", "").Slot {
			t.Fatal("a slot given back was not granted again")
		}
		finish(t, s, scope, wrapper.StoreEnd{Slot: "b"})
		finish(t, s, scope, wrapper.StoreEnd{Slot: "c"})
	})

	t.Run("rate", func(t *testing.T) {
		reset := time.Unix(time.Now().Add(time.Hour).Unix(), 0)
		r := wrapper.Rate{Limit: 5000, Remaining: 10, Used: 4990, Reset: reset, Resource: "core"}
		finish(t, s, scope, wrapper.StoreEnd{Rate: r, ResetIn: time.Hour})
		later := r
		later.Remaining = 20 // an answer that left earlier, arriving late: older figures
		finish(t, s, scope, wrapper.StoreEnd{Rate: later, ResetIn: time.Hour})
		g := begin(t, s, scope, "r", "")
		finish(t, s, scope, wrapper.StoreEnd{Slot: "r"})
		if g.Rate != r || g.ResetIn <= 59*time.Minute || g.ResetIn > time.Hour {
			t.Fatalf("shared figures %+v reset in %s, want %+v in about an hour", g.Rate, g.ResetIn, r)
		}
		next := wrapper.Rate{Limit: 5000, Remaining: 4999, Used: 1, Reset: reset.Add(time.Hour), Resource: "core"}
		finish(t, s, scope, wrapper.StoreEnd{Rate: next, ResetIn: 2 * time.Hour})
		if g := begin(t, s, scope, "r", ""); g.Rate != next {
			t.Fatalf("after a new window: %+v, want %+v", g.Rate, next)
		}
		finish(t, s, scope, wrapper.StoreEnd{Slot: "r"})
	})

	t.Run("page", func(t *testing.T) {
		p := &wrapper.StoredPage{ETag: `"abc"`, Header: http.Header{"Link": {`<x>; rel="next"`, `<y>; rel="last"`}, "Content-Encoding": {"gzip"}},
			Body: []byte("\x1f\x8b\x00binary\r\nbytes")}
		finish(t, s, scope, wrapper.StoreEnd{Page: "p1", Put: p, PageTTL: time.Minute})
		g := begin(t, s, scope, "p", "p1")
		finish(t, s, scope, wrapper.StoreEnd{Slot: "p"})
		if g.Page == nil || g.Page.ETag != p.ETag || string(g.Page.Body) != string(p.Body) ||
			!slices.Equal(g.Page.Header["Link"], p.Header["Link"]) || g.Page.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("kept page %+v, want %+v", g.Page, p)
		}
		if g.Page.Age < 0 || g.Page.Age > 10*time.Second {
			t.Errorf("a page just kept is %s old", g.Page.Age)
		}
		finish(t, s, scope, wrapper.StoreEnd{Page: "p2", PageTTL: time.Minute, Validated: true})
		if g := begin(t, s, scope, "p", "p2"); g.Page != nil {
			t.Fatalf("a page never kept: %+v", g.Page)
		}
		finish(t, s, scope, wrapper.StoreEnd{Slot: "p"})
	})

	t.Run("hold", func(t *testing.T) {
		finish(t, s, scope, wrapper.StoreEnd{Hold: time.Minute, HoldStatus: 429})
		finish(t, s, scope, wrapper.StoreEnd{Hold: time.Second, HoldStatus: 403}) // shorter: the longer stays
		g := begin(t, s, scope, "h", "")
		if g.Slot || g.HoldStatus != 429 || g.Hold <= 50*time.Second || g.Hold > time.Minute {
			t.Fatalf("grant %+v; want a hold of about a minute (429) and no slot", g)
		}
	})
}

func TestStoreBasics(t *testing.T) {
	srv := redistest.Start(t)
	storeBasics(t, client(t, srv.Addr))
}

// The same on a three-master cluster: the keys of a scope share a hash tag, so the scripts
// find them on one node.
func TestStoreBasicsCluster(t *testing.T) {
	addrs := redistest.Cluster(t)
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	storeBasics(t, rdb)
}

// A slot whose End never comes is free again once its lease has expired.
func TestLeaseExpires(t *testing.T) {
	srv := redistest.Start(t)
	s := newTest(t, client(t, srv.Addr), WithMaxInFlight(1), WithLease(300*time.Millisecond))
	if !begin(t, s, "scope", "dead", "").Slot {
		t.Fatal("first slot refused")
	}
	if begin(t, s, "scope", "next", "").Slot {
		t.Fatal("a second slot under a cap of 1 before the lease expired")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !begin(t, s, "scope", "next", "").Slot {
		if time.Now().After(deadline) {
			t.Fatal("the slot never came back after its lease")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Redis restarted loses the scripts: Begin and End load them again.
func TestScriptsAfterRestart(t *testing.T) {
	srv := redistest.Start(t)
	s := newTest(t, client(t, srv.Addr), WithMaxInFlight(1))
	begin(t, s, "scope", "a", "")
	srv.Stop()
	srv.Restart()
	var g wrapper.StoreGrant
	var err error
	for range 50 { // the client reconnects
		if g, err = s.Begin(t.Context(), "scope", wrapper.StoreBegin{Slot: "b"}); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || !g.Slot {
		t.Fatalf("after a restart: %+v, %v", g, err)
	}
	finish(t, s, "scope", wrapper.StoreEnd{Slot: "b", Hold: time.Minute, HoldStatus: 403})
	if g := begin(t, s, "scope", "c", ""); g.Hold == 0 {
		t.Fatal("End after a restart did not reach Redis (NOSCRIPT not handled)")
	}
}

// Begin answers within its context's deadline even when Redis does not answer and the redis
// client was made without ContextTimeoutEnabled; the slot its script took meanwhile is given
// back once the late answer comes.
func TestBeginBoundedByContext(t *testing.T) {
	srv := redistest.Start(t, "--enable-debug-command", "yes")
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, ReadTimeout: 2 * time.Second})
	t.Cleanup(func() { rdb.Close() })
	s := newTest(t, rdb)
	<-s.warmed // so that every script runs by its hash, counted below
	begin(t, s, "scope", "a", "")
	finish(t, s, "scope", wrapper.StoreEnd{Slot: "a"})
	stop := inBackground(t, srv.Addr, "DEBUG", "SLEEP", "1") // Redis stalls
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := s.Begin(ctx, "scope", wrapper.StoreBegin{Slot: "b"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Begin against a stalled Redis: %v, want the context's deadline", err)
	}
	<-stop
	// The late Begin ran, then its slot was given back: four scripts (Begin and End of a,
	// Begin and End of b), and no slot taken.
	probe := client(t, srv.Addr)
	key := s.keys("scope", "")[1]
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		calls := info(t, probe, "commandstats")["cmdstat_evalsha"]
		if strings.HasPrefix(calls, "calls=4,") && probe.ZCard(t.Context(), key).Val() == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the late Begin: EVALSHA %s, slots %v; want its slot given back",
				calls, probe.ZRange(t.Context(), key, 0, -1).Val())
		}
	}
}

// A Begin whose caller gave up can reach Redis after the End that gives its slot back (two
// connections, which Redis does not order): it takes no slot then, and the cap is whole.
func TestReleaseBeforeBegin(t *testing.T) {
	srv := redistest.Start(t)
	s := newTest(t, client(t, srv.Addr), WithMaxInFlight(1))
	probe := client(t, srv.Addr)
	slots, released := s.keys("scope", "")[1], s.keys("scope", "")[4]

	finish(t, s, "scope", wrapper.StoreEnd{Slot: "late"}) // the release comes first
	if g := begin(t, s, "scope", "late", ""); g.Slot {
		t.Fatalf("the late Begin of a slot given back took it: %+v", g)
	}
	if n := probe.ZCard(t.Context(), slots).Val(); n != 0 {
		t.Fatalf("%d slots taken after the late Begin, want 0: %v", n, probe.ZRange(t.Context(), slots, 0, -1).Val())
	}
	if n := probe.ZCard(t.Context(), released).Val(); n != 0 {
		t.Fatalf("the mark outlived the Begin it was for: %v", probe.ZRange(t.Context(), released, 0, -1).Val())
	}
	if !begin(t, s, "scope", "next", "").Slot {
		t.Fatal("the cap of 1 refused the next slot")
	}
	// A mark lasts a lease, like the slot it stands for.
	finish(t, s, "scope", wrapper.StoreEnd{Slot: "never"})
	if ttl := probe.PTTL(t.Context(), released).Val(); ttl <= 0 || ttl > DefaultLease {
		t.Fatalf("the marks expire in %v, want within the lease (%v)", ttl, DefaultLease)
	}
}

// inBackground runs a command on another connection, in the background; the channel closes when it
// has answered.
func inBackground(t *testing.T, addr string, args ...any) <-chan struct{} {
	rdb := client(t, addr)
	done := make(chan struct{})
	started := make(chan struct{})
	go func() {
		defer close(done)
		close(started)
		rdb.Do(context.Background(), args...)
	}()
	<-started
	time.Sleep(50 * time.Millisecond) // let the command reach Redis first
	return done
}

func TestOptions(t *testing.T) {
	for _, o := range []Option{WithMaxInFlight(0), WithMaxInFlight(101), WithLease(0), WithPrefix("a{b}")} {
		rdb := redis.NewClient(&redis.Options{})
		if _, err := newStore(rdb, []Option{o}); !errors.Is(err, wrapper.ErrInvalidInput) {
			t.Errorf("option: %v, want ErrInvalidInput", err)
		}
		rdb.Close()
	}
	if _, err := NewFromURL("http://localhost"); !errors.Is(err, wrapper.ErrInvalidInput) {
		t.Errorf("NewFromURL(http://...): %v, want ErrInvalidInput", err)
	}
}

func TestNewFromURL(t *testing.T) {
	srv := redistest.Start(t)
	s, err := NewFromURL("redis://"+srv.Addr+"/0", WithMaxInFlight(1))
	if err != nil {
		t.Fatal(err)
	}
	if !begin(t, s, "scope", "a", "").Slot || begin(t, s, "scope", "b", "").Slot {
		t.Fatal("a store from a URL does not keep its cap of 1")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
