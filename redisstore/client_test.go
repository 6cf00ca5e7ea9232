package redisstore

import (
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// A Redis that stalls (DEBUG SLEEP) under a client whose redis client has the default
// timeouts and ignores contexts: every listing still completes, the client says once that
// the store is down, and once that it is back.
func TestStalledRedisFailsNoListing(t *testing.T) {
	rds := redistest.Start(t, "--enable-debug-command", "yes")
	run := api.SampleRun("octo-org", "octo-repo", 1, 1, 1000)
	srv := api.NewTestServer(t, api.WithRun(run), api.WithToken(fleetToken))
	rdb := redis.NewClient(&redis.Options{Addr: rds.Addr}) // go-redis defaults: 3 s reads, no context deadlines
	t.Cleanup(func() { rdb.Close() })
	store := New(rdb)
	t.Cleanup(func() { store.Close() })
	var mu sync.Mutex
	kinds := map[wrapper.EventKind]int{}
	count := func(k wrapper.EventKind) int {
		mu.Lock()
		defer mu.Unlock()
		return kinds[k]
	}
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(fleetToken), wrapper.WithStore(store),
		wrapper.WithEvents(func(e wrapper.Event) {
			mu.Lock()
			defer mu.Unlock()
			kinds[e.Kind]++
		}))
	if err != nil {
		t.Fatal(err)
	}
	a := wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: 1}
	list := func() {
		t.Helper()
		if jobs, err := c.AllJobs(t.Context(), a); err != nil || len(jobs) != 1000 {
			t.Fatalf("%d jobs, %v", len(jobs), err)
		}
	}
	list()
	stalled := inBackground(t, rds.Addr, "DEBUG", "SLEEP", "3")
	for count(wrapper.EventStoreDown) == 0 {
		select {
		case <-stalled:
			t.Fatal("Redis stalled for 3 s and the client waited for it: no EventStoreDown")
		default:
		}
		list()
	}
	<-stalled
	deadline := time.Now().Add(20 * time.Second)
	for count(wrapper.EventStoreUp) == 0 && time.Now().Before(deadline) {
		list()
		time.Sleep(50 * time.Millisecond)
	}
	if down, up := count(wrapper.EventStoreDown), count(wrapper.EventStoreUp); down != 1 || up != 1 {
		t.Fatalf("EventStoreDown %d, EventStoreUp %d; want each once", down, up)
	}
}
