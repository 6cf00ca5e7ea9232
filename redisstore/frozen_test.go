//go:build unix

package redisstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// frozenDeadline is each listing's deadline in TestFrozenRedisFailsNoListing: the issue's
// "34 of 34 listings with a 300 ms deadline failed".
const frozenDeadline = 300 * time.Millisecond

// frozenJobs is the number of jobs of each attempt listed, and frozenPerPage the client's
// page size: a listing is two requests of small pages, so that its own work is small
// beside its deadline, and the store's cost shows.
const frozenJobs, frozenPerPage = 30, 20

// storeProbe is how long a client that went on without its store waits before it tries
// the store again (the wrapper's storeRetry): the frozen phase lasts until each client has
// tried again at least once.
const storeProbe = time.Second

// With Redis frozen (SIGSTOP: connections open, nothing answered), clients sharing through
// NewFromURL's stores list with a 300 ms deadline pages they keep, GitHub (the api fake)
// answering at once:
// every listing succeeds, each client says once that the store is down, and tries it again
// (a probe a second) without failing a listing. Once Redis is thawed (SIGCONT) each says
// once that the store is up, and its Begins are answered again.
func TestFrozenRedisFailsNoListing(t *testing.T) {
	rds := redistest.Start(t)
	const clients, runs = 3, 3
	opts := []api.Option{api.WithToken(fleetToken)}
	for id := range int64(runs) {
		opts = append(opts, api.WithRun(api.SampleRun("octo-org", "octo-repo", id+1, 1, frozenJobs)))
	}
	srv := api.NewTestServer(t, opts...)
	var fcs []*frozenClient
	var stores []*Store
	for range clients {
		s, err := NewFromURL(redisURL(rds))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
		fcs = append(fcs, newFrozenClient(t, srv.URL, s))
	}
	// Registered after the stores' Close, so run before it: Redis is never left frozen.
	t.Cleanup(func() { rds.Signal(syscall.SIGCONT) })

	// The store up, every page kept: the listings below are conditional requests, so that
	// their time is the store's cost and little else. No deadline while the test warms up.
	for i, fc := range fcs {
		for id := range int64(runs) {
			if _, err := fc.c.AllJobs(t.Context(), wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: id + 1, Number: 1}); err != nil {
				t.Fatalf("client %d, Redis up: %v", i, err)
			}
		}
	}
	if err := rds.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozenAt := time.Now()
	var wg sync.WaitGroup
	for _, fc := range fcs {
		wg.Go(func() {
			for i := 0; ; i++ {
				fc.list(t, int64(i%runs+1))
				if i >= 10 && fc.probed() || time.Since(frozenAt) > 20*time.Second {
					return
				}
			}
		})
	}
	wg.Wait()
	frozenFor := time.Since(frozenAt)
	for i, fc := range fcs {
		fc.mu.Lock()
		down, up, failed, n := fc.events[wrapper.EventStoreDown], fc.events[wrapper.EventStoreUp], fc.failed, len(fc.took)
		fc.mu.Unlock()
		if failed > 0 || down != 1 || up != 0 || !fc.probed() {
			t.Errorf("client %d, Redis frozen: %d of %d listings failed (%v); EventStoreDown %d, EventStoreUp %d, tried the store again: %v; want none failed, down once, tried again",
				i, failed, n, fc.errs, down, up, fc.probed())
		}
	}
	t.Logf("Redis frozen %s: %s", frozenFor.Round(time.Millisecond), summary(fcs))
	if t.Failed() { // a client that never went on without the store cannot come back to it
		t.FailNow()
	}

	if err := rds.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	for i, fc := range fcs {
		for deadline := time.Now().Add(20 * time.Second); fc.count(wrapper.EventStoreUp) == 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("client %d: no EventStoreUp within 20 s of Redis thawed", i)
			}
			fc.list(t, 1)
		}
		answered := fc.answered()
		fc.list(t, 2)
		if fc.answered() == answered || fc.count(wrapper.EventStoreDown) != 1 || fc.failedNow() > 0 {
			t.Errorf("client %d, Redis thawed: Begins answered %d then %d, EventStoreDown %d, %d listings failed; want the store used again, no more down, none failed",
				i, answered, fc.answered(), fc.count(wrapper.EventStoreDown), fc.failedNow())
		}
	}
	// A Begin that Redis ran after its caller gave up took a slot; the End that gives it
	// back may have run before it. Such a slot stays taken until its lease ends.
	for _, s := range stores {
		settled(s)
	}
	rdb := client(t, rds.Addr)
	keys, err := rdb.Keys(t.Context(), DefaultPrefix+"*:slots").Result()
	if err != nil {
		t.Fatal(err)
	}
	taken := 0
	for _, k := range keys {
		taken += int(rdb.ZCard(t.Context(), k).Val())
	}
	t.Logf("Redis thawed: every client shares again; %d slots taken while frozen are left to their leases (%s)", taken, DefaultLease)
}

// frozenClient is a wrapper client sharing through a Store whose Begins it times.
type frozenClient struct {
	c *wrapper.Client

	mu       sync.Mutex
	events   map[wrapper.EventKind]int
	took     []time.Duration // every listing's
	failed   int
	errs     []string
	begins   []time.Duration // every Begin's
	failures []time.Time     // when each failed Begin started
	ok       int             // Begins answered
}

func newFrozenClient(t *testing.T, url string, s wrapper.Store) *frozenClient {
	fc := &frozenClient{events: map[wrapper.EventKind]int{}}
	c, err := wrapper.New(wrapper.WithBaseURL(url), wrapper.WithToken(fleetToken), wrapper.WithPerPage(frozenPerPage),
		wrapper.WithStore(&beginTimer{Store: s, fc: fc}),
		wrapper.WithEvents(func(e wrapper.Event) {
			fc.mu.Lock()
			defer fc.mu.Unlock()
			fc.events[e.Kind]++
		}))
	if err != nil {
		t.Fatal(err)
	}
	fc.c = c
	return fc
}

// list lists run id's jobs with frozenDeadline, and records how long it took and whether it
// failed.
func (fc *frozenClient) list(t *testing.T, id int64) {
	ctx, cancel := context.WithTimeout(t.Context(), frozenDeadline)
	defer cancel()
	st := time.Now()
	got, err := fc.c.AllJobs(ctx, wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: id, Number: 1})
	d := time.Since(st)
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.took = append(fc.took, d)
	if err == nil && len(got) != frozenJobs {
		err = fmt.Errorf("%d jobs, want %d", len(got), frozenJobs)
	}
	if err != nil {
		fc.failed++
		if len(fc.errs) < 3 {
			fc.errs = append(fc.errs, fmt.Sprintf("after %s: %v", d.Round(time.Millisecond), err))
		}
	}
}

// probed reports whether the client tried its store again, storeProbe after it first
// failed.
func (fc *frozenClient) probed() bool {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return len(fc.failures) > 0 && fc.failures[len(fc.failures)-1].Sub(fc.failures[0]) >= storeProbe
}

func (fc *frozenClient) count(k wrapper.EventKind) int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.events[k]
}

func (fc *frozenClient) answered() int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.ok
}

func (fc *frozenClient) failedNow() int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.failed
}

// summary says how long the clients' listings and Begins took, and how many Begins failed.
func summary(fcs []*frozenClient) string {
	var took, begins []time.Duration
	failed, ok := 0, 0
	for _, fc := range fcs {
		fc.mu.Lock()
		took = append(took, fc.took...)
		begins = append(begins, fc.begins...)
		failed, ok = failed+len(fc.failures), ok+fc.ok
		fc.mu.Unlock()
	}
	slices.Sort(took)
	slices.Sort(begins)
	return fmt.Sprintf("%d listings with a %s deadline, median %s, longest %s; %d Begins since the start (%d answered, %d failed), longest %s",
		len(took), frozenDeadline, took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond),
		len(begins), ok, failed, begins[len(begins)-1].Round(time.Millisecond))
}

// beginTimer records each Begin of the Store for its frozenClient.
type beginTimer struct {
	wrapper.Store
	fc *frozenClient
}

func (b *beginTimer) Begin(ctx context.Context, scope string, sb wrapper.StoreBegin) (wrapper.StoreGrant, error) {
	st := time.Now()
	g, err := b.Store.Begin(ctx, scope, sb)
	b.fc.mu.Lock()
	defer b.fc.mu.Unlock()
	b.fc.begins = append(b.fc.begins, time.Since(st))
	if err != nil {
		b.fc.failures = append(b.fc.failures, st)
	} else {
		b.fc.ok++
	}
	return g, err
}
