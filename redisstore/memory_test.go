package redisstore

import (
	"bufio"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/fleettest"
	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// info returns the fields of Redis's INFO section.
func info(t *testing.T, rdb *redis.Client, section string) map[string]string {
	t.Helper()
	s, err := rdb.Info(t.Context(), section).Result()
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":"); ok {
			fields[k] = v
		}
	}
	return fields
}

func infoInt(t *testing.T, fields map[string]string, name string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(fields[name], 10, 64)
	if err != nil {
		t.Fatalf("INFO %s = %q: %v", name, fields[name], err)
	}
	return n
}

// maxMemoryOvershoot is what this package lets Redis's used memory pass maxmemory by, Redis's
// own peak (used_memory_peak, taken after every command): Redis checks its memory before
// running put.lua and refuses it past the limit, so one page can still be put just below the
// limit and take it past, with the query buffer its pipeline came in (a page goes alone),
// while a page read goes out in a reply buffer: about three pages (the sample's pages of 100
// jobs are 17 to 19 kB gzip-compressed). Measured: 41 to 44 kB; 61 to 82 kB when pages
// went in pipelines with other commands (main's wrapper ends requests fast enough).
const maxMemoryOvershoot = 64 << 10

// Under maxmemory with noeviction, Redis refuses the Store's pages as any other write: its
// used memory never passes the limit by more than maxMemoryOvershoot; the Store stays up
// (Begin and End still run, so the cap and holds still work), and every listing succeeds.
func TestMaxMemory(t *testing.T) {
	t.Parallel() // waits on its own Redis and fake mostly
	const limit = 1 << 20
	// Redis 7 keeps a latency histogram of about 25 kB for every command the first time it
	// runs (latency-tracking): a dozen commands would take a third of the room before any
	// data. Off, so that what grows is data.
	rds := redistest.Start(t, "--maxmemory", "1mb", "--maxmemory-policy", "noeviction", "--latency-tracking", "no")
	rdb := client(t, rds.Addr)

	const runs, jobs = 4, 300
	opts := []api.Option{api.WithToken(fleetToken)}
	for id := range int64(runs) {
		opts = append(opts, api.WithRun(api.SampleRun("octo-org", "octo-repo", id+1, 1, jobs)))
	}
	fake, err := api.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	counter := &fleettest.Counter{Next: fake}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)

	// Redis counts its clients' buffers in its used memory, 37 kB a new connection: the
	// Store's connections are opened first and stay as many, so that what grows is the
	// Store's data. A client listing one page at a time uses two (a Begin and the pipeline
	// of Ends).
	rdb.Ping(t.Context())
	store, err := NewFromURL("redis://"+rds.Addr+"?pool_size=2&min_idle_conns=2", WithMaxInFlight(8))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var down atomic.Int32
	var clients []*wrapper.Client
	for range 1 {
		c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(fleetToken), wrapper.WithStore(store), wrapper.WithConcurrency(1),
			wrapper.WithEvents(func(e wrapper.Event) {
				if e.Kind == wrapper.EventStoreDown {
					down.Add(1)
					t.Logf("store down: %v", e.Err)
				}
			}))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	list := func() {
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				for id := range int64(runs) {
					a := wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: id + 1, Number: 1}
					if got, err := c.AllJobs(t.Context(), a); err != nil || len(got) != jobs {
						t.Errorf("run %d: %d jobs, %v", id+1, len(got), err)
					}
				}
			})
		}
		wg.Wait()
	}
	list()
	list() // again: pages read back from Redis, confirmed, renewed
	store.drain()

	mem, errs := info(t, rdb, "memory"), info(t, rdb, "errorstats")
	peak := infoInt(t, mem, "used_memory_peak")
	pages := len(rdb.Keys(t.Context(), "*:page:*").Val())
	t.Logf("maxmemory %d, used_memory_peak %d (%+d), clients' memory %s, OOM refusals %s, %d pages kept, %d requests, %d answered 304",
		limit, peak, peak-limit, mem["mem_clients_normal"], errs["errorstat_OOM"], pages, len(counter.Arrivals()), notModified(counter))
	if peak > limit+maxMemoryOvershoot {
		t.Errorf("Redis's used memory peaked at %d, %d past maxmemory: more than the %d allowed", peak, peak-limit, maxMemoryOvershoot)
	}
	if !strings.HasPrefix(errs["errorstat_OOM"], "count=") {
		t.Errorf("Redis refused no page (INFO errorstats: %v): the test did not fill it", errs)
	}
	if pages == 0 {
		t.Error("Redis kept no page: the test did not fill it")
	}
	if n := down.Load(); n > 0 {
		t.Errorf("the store was said down %d times: Begin or End failed when Redis was full", n)
	}
}

func notModified(c *fleettest.Counter) (n int) {
	for _, a := range c.Arrivals() {
		if a.Status == 304 {
			n++
		}
	}
	return n
}
