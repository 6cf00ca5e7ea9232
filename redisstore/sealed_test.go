package redisstore

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/fleettest"
	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// Pages sealed in Redis that Redis changed are not believed: a client that finds them lists
// every page afresh (unconditional 200s), complete, without counting the Store down; the
// pages it fetched replace them, and the next client gets 304s again.
func TestChangedSealedPagesAreFetchedAgain(t *testing.T) {
	rds := redistest.Start(t)
	rdb := client(t, rds.Addr)
	run := api.SampleRun("octo-org", "octo-repo", 1, 1, 250)
	fake, err := api.New(api.WithRun(run), api.WithToken(fleetToken))
	if err != nil {
		t.Fatal(err)
	}
	counter := &fleettest.Counter{Next: fake}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)
	store := newTest(t, rdb, WithEncryptionKey(testKey))
	var down atomic.Int32
	list := func() []fleettest.Arrival {
		t.Helper()
		counter.Reset()
		c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(fleetToken), wrapper.WithStore(store),
			wrapper.WithEvents(func(e wrapper.Event) {
				if e.Kind == wrapper.EventStoreDown {
					down.Add(1)
				}
			}))
		if err != nil {
			t.Fatal(err)
		}
		a := wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: 1}
		if jobs, err := c.AllJobs(t.Context(), a); err != nil || len(jobs) != len(run.Jobs) {
			t.Fatalf("%d jobs, %v", len(jobs), err)
		}
		store.drain()
		return counter.Arrivals()
	}
	statuses := func(arrivals []fleettest.Arrival) (conditional, notModified int) {
		for _, a := range arrivals {
			if a.Conditional {
				conditional++
			}
			if a.Status == http.StatusNotModified {
				notModified++
			}
		}
		return
	}

	list()
	pages := rdb.Keys(t.Context(), "*:page:*").Val()
	if len(pages) != 3 {
		t.Fatalf("%d pages kept, want 3", len(pages))
	}
	for _, k := range pages {
		b := []byte(rdb.HGet(t.Context(), k, "body").Val())
		b[len(b)/2] ^= 0x20
		rdb.HSet(t.Context(), k, "body", b)
	}
	if c, n := statuses(list()); c != 0 || n != 0 {
		t.Errorf("with the pages changed in Redis: %d conditional requests, %d answered 304; want every page fetched afresh", c, n)
	}
	if c, n := statuses(list()); c != 3 || n != 3 {
		t.Errorf("after the pages were fetched again: %d conditional requests, %d answered 304; want 3 and 3", c, n)
	}
	if n := down.Load(); n != 0 {
		t.Errorf("the store was said down %d times: changed pages failed Begin", n)
	}
}
