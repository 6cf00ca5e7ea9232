package redisstore

import (
	"slices"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/internal/redistest"
)

// The cap holds at 100 ms to Redis: 8 processes, each listing with 5 requests in flight,
// through a proxy that adds 50 ms each way between them and Redis, under a shared cap of 5.
// Each Begin is one round trip on a connection already open, with the scripts loaded: no
// Begin outlasts the client's deadline for the Store, so none goes on without the cap.
func TestFleetCapAt100msToRedis(t *testing.T) {
	requireFleetTests(t)
	const processes, capacity, oneWay = 8, 5, 50 * time.Millisecond
	rds := redistest.Start(t)
	far := "redis://" + redistest.Delay(t, rds.Addr, oneWay)
	srv, _, counter := fleetFake(t, processes, 300, 150*time.Millisecond, nil)
	start := time.Now()
	var children []*child
	for i := range processes {
		children = append(children, startChild(t, childConfig{URL: srv.URL, Redis: far, Runs: runs(int64(i + 1)),
			Concurrency: capacity, Cap: capacity}))
	}
	var down, slow int
	var took []time.Duration
	for i, ch := range children {
		rep := ch.wait(t)
		mustSucceed(t, rep)
		down, slow = down+rep.Down, slow+len(rep.SlowBegins)
		took = append(took, rep.Begins...)
		if rep.Down > 0 {
			t.Logf("child %d went on without the store %d times (%v); its slow Begins: %v", i, rep.Down, rep.StoreErrors, rep.SlowBegins)
		}
	}
	got := counter.MaxInFlight()
	slices.Sort(took)
	t.Logf("%d processes, %d requests in %s, at most %d in flight; %d Begins, median %s, 90th percentile %s, %d over %s; store down %d times",
		processes, len(counter.Arrivals()), time.Since(start).Round(time.Millisecond), got,
		len(took), took[len(took)/2].Round(time.Millisecond), took[len(took)*9/10].Round(time.Millisecond), slow, slowBegin, down)
	if got > capacity {
		t.Errorf("%d requests in flight at once at 100 ms to Redis, want at most the shared cap of %d", got, capacity)
	}
}
