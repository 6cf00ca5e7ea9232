package redisstore

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/fleettest"
	"github.com/ghjobs/ghjobs/internal/redistest"
)

// A fleet is one identity, whatever its tokens: three replicas of one GitHub App
// installation, each with a token of its own (as each mints one), name the installation with
// WithStoreScope and share its cap and its secondary-limit hold; a second installation, with
// a scope of its own on the same Redis and the same API, shares neither.

// replicas are the tokens of installation 2's replicas; other is installation 3's.
var (
	replicas = []string{"ghs_installation2replica1", "ghs_installation2replica2", "ghs_installation2replica3"}
	other    = "ghs_installation3"
)

const (
	scopeA = "app/1/installation/2"
	scopeB = "app/1/installation/3"
)

// identities is the api fake serving runs to the tokens of replicas and other (each granted
// octo-org/octo-repo only, as an installation's token is), counting each token's requests
// apart. Each request first calls before, if set, which may hold it.
type identities struct {
	srv      *httptest.Server
	fake     *api.Fake
	counters map[string]*fleettest.Counter // per token
	scopeA   *fleettest.Counter            // the replicas' requests together
}

func newIdentities(t *testing.T, runs, jobs int, latency time.Duration, before func(token string, r *http.Request)) *identities {
	t.Helper()
	tokens := append([]string{other}, replicas...)
	opts := []api.Option{api.WithLatency(latency), api.WithViolationHandler(func(err error) { t.Errorf("contract violation: %v", err) })}
	for _, tok := range tokens {
		opts = append(opts, api.WithTokenForRepos(tok, "octo-org/octo-repo"))
	}
	for id := range runs {
		opts = append(opts, api.WithRun(api.SampleRun("octo-org", "octo-repo", int64(id+1), 1, jobs)))
	}
	f, err := api.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	id := &identities{fake: f, counters: map[string]*fleettest.Counter{other: {Next: f}}, scopeA: &fleettest.Counter{Next: f}}
	for _, tok := range replicas {
		id.counters[tok] = &fleettest.Counter{Next: id.scopeA}
	}
	id.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		c, ok := id.counters[tok]
		if !ok {
			f.ServeHTTP(w, r) // the fake answers 401
			return
		}
		if before != nil {
			before(tok, r)
		}
		c.ServeHTTP(w, r)
	}))
	t.Cleanup(id.srv.Close)
	return id
}

// gate is a barrier that requests wait at until it opens.
type gate struct {
	ch      chan struct{}
	once    sync.Once
	waiting atomic.Int32
}

func newGate(t *testing.T) *gate {
	g := &gate{ch: make(chan struct{})}
	t.Cleanup(g.open) // before the server closes: cleanups run last added first
	return g
}

func (g *gate) wait() {
	g.waiting.Add(1)
	<-g.ch
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// Three replicas of one installation, each with its own token and 5 requests in flight, keep
// to their scope's cap of 5 together; the other installation lists in full meanwhile, though
// the replicas hold every slot of theirs.
func TestFleetScopeSharesCapAcrossTokens(t *testing.T) {
	requireFleetTests(t)
	const capacity = 5
	rds := redistest.Start(t)
	// The replicas' pages after the first are held at the server: they keep their slots.
	held := newGate(t)
	id := newIdentities(t, 4, 1000, 20*time.Millisecond, func(tok string, r *http.Request) {
		if tok != other && r.URL.Query().Get("page") != "" {
			held.wait()
		}
	})
	var children []*child
	for i, tok := range replicas {
		children = append(children, startChild(t, childConfig{URL: id.srv.URL, Redis: redisURL(rds), Token: tok, Scope: scopeA,
			Runs: runs(int64(i + 1)), Concurrency: capacity, Cap: capacity}))
	}
	for deadline := time.Now().Add(30 * time.Second); held.waiting.Load() < capacity; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the replicas have %d requests held at the server, want the cap of %d", held.waiting.Load(), capacity)
		}
	}

	b := startChild(t, childConfig{URL: id.srv.URL, Redis: redisURL(rds), Token: other, Scope: scopeB,
		Runs: runs(4), Concurrency: capacity, Cap: capacity})
	done := make(chan childReport, 1)
	go func() { done <- b.wait(t) }()
	select {
	case rep := <-done:
		mustSucceed(t, rep)
	case <-time.After(60 * time.Second):
		t.Fatal("the other installation's listing did not end while the replicas held their cap: it shares their scope")
	}
	heldAtOnce := held.waiting.Load()
	if heldAtOnce != capacity {
		t.Errorf("%d requests of the replicas are held at the server: want their cap of %d", heldAtOnce, capacity)
	}

	held.open()
	for i, ch := range children {
		mustSucceed(t, ch.wait(t))
		if len(id.counters[replicas[i]].Arrivals()) == 0 {
			t.Errorf("replica %d sent nothing", i)
		}
	}
	if got := id.scopeA.MaxInFlight(); got > capacity {
		t.Errorf("the replicas had %d requests in flight at once, want at most their scope's cap of %d", got, capacity)
	}
	t.Logf("replicas: %d requests, at most %d in flight, %d held at once (cap %d); other installation: %d requests, at most %d in flight",
		len(id.scopeA.Arrivals()), id.scopeA.MaxInFlight(), heldAtOnce, capacity, len(id.counters[other].Arrivals()), id.counters[other].MaxInFlight())
}

// A secondary limit answered to one replica holds the three, whatever their tokens, until its
// retry-after has passed; the other installation's requests go on meanwhile.
func TestFleetScopeSharesHoldAcrossTokens(t *testing.T) {
	requireFleetTests(t)
	rds := redistest.Start(t)
	// The other installation's requests wait until a replica got the limit: so that it
	// goes to a replica.
	otherWaits := newGate(t)
	id := newIdentities(t, 4, 150, 20*time.Millisecond, func(tok string, r *http.Request) {
		if tok == other {
			otherWaits.wait()
		}
	})

	const retryAfter = 3 * time.Second
	var children []*child
	for i, tok := range replicas {
		children = append(children, startChild(t, childConfig{URL: id.srv.URL, Redis: redisURL(rds), Token: tok, Scope: scopeA,
			Runs: runs(int64(i + 1)), For: 3*retryAfter - time.Second, Concurrency: 2}))
	}
	b := startChild(t, childConfig{URL: id.srv.URL, Redis: redisURL(rds), Token: other, Scope: scopeB,
		Runs: runs(4), For: 3*retryAfter - time.Second, Concurrency: 2})
	sending := func() bool {
		for _, tok := range replicas {
			if len(id.counters[tok].Arrivals()) < 3 {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(30 * time.Second); !sending(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the replicas do not all send")
		}
	}
	id.fake.Script(api.SecondaryRateLimit(429, retryAfter)) // only replicas send: one of them gets it
	for deadline := time.Now().Add(30 * time.Second); id.fake.Pending() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no request took the secondary limit")
		}
	}
	otherWaits.open()

	for _, ch := range children {
		mustSucceed(t, ch.wait(t))
	}
	mustSucceed(t, b.wait(t))
	var limited time.Time
	for _, tok := range replicas {
		for _, a := range id.counters[tok].Arrivals() {
			if a.Status == http.StatusTooManyRequests {
				limited = a.Done
			}
		}
	}
	if limited.IsZero() {
		t.Fatal("no replica was answered with the secondary limit")
	}
	// Requests past the store before the answer went out may still arrive a moment after it.
	const grace = 500 * time.Millisecond
	count := func(tok string, from, to time.Time) (n int) {
		for _, a := range id.counters[tok].Arrivals() {
			if a.At.After(from) && a.At.Before(to) {
				n++
			}
		}
		return n
	}
	during := func(tok string) int {
		return count(tok, limited.Add(grace), limited.Add(retryAfter-100*time.Millisecond))
	}
	for i, tok := range replicas {
		if n := during(tok); n > 0 {
			t.Errorf("replica %d sent %d requests during the hold another replica's limit asked for", i, n)
		}
		if n := count(tok, limited.Add(retryAfter), time.Now()); n == 0 {
			t.Errorf("replica %d sent nothing after the hold: it did not resume", i)
		}
	}
	if n := during(other); n == 0 {
		t.Error("the other installation sent nothing during the replicas' hold: it shares their scope")
	} else {
		t.Logf("during the replicas' hold of %s the other installation sent %d requests", retryAfter, n)
	}
}
