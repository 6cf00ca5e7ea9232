package redisstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/fleettest"
	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/internal/testproc"
	"github.com/ghjobs/ghjobs/wrapper"
)

// The fleet tests start real OS processes, this test binary again with childEnv set to a
// childConfig, against one api fake (counted at the server by fleettest.Counter) and one
// real Redis.

const (
	childEnv   = "GHJOBS_FLEET_CHILD"
	fleetToken = "ghs_fleettesttoken"

	// fleetTestsEnv, set to 1, runs the tests that start fleets of processes: seconds each,
	// tens under -race on two busy cores, too long for go test -race ./... to run by
	// default. CI (.ci/run) sets it.
	fleetTestsEnv = "GHJOBS_TEST_FLEETS"
)

// requireFleetTests skips t, a test that starts a fleet of processes, unless fleetTestsEnv
// is 1.
func requireFleetTests(t *testing.T) {
	t.Helper()
	if os.Getenv(fleetTestsEnv) != "1" {
		t.Skipf("starts a fleet of processes: set %s=1 to run it (CI does)", fleetTestsEnv)
	}
}

func TestMain(m *testing.M) {
	testproc.IgnoreSIGPIPE()
	if redistest.DelayChild() {
		return
	}
	if cfg := os.Getenv(childEnv); cfg != "" {
		os.Exit(fleetChild(cfg))
	}
	goleak.VerifyTestMain(m)
}

// childConfig is what one child process does: list each run, again and again for For (or
// once), with Token (fleetToken if "") and WithStoreScope(Scope) if set, sharing through a
// Store from NewFromURL(Redis) ("" for no store), sealed with Key if set.
type childConfig struct {
	URL, Redis, UserAgent string
	Token, Scope          string
	Key                   []byte
	Runs                  []int64
	For                   time.Duration
	Concurrency, Cap      int
	Lease                 time.Duration
}

// childReport is what a child prints when it is done.
type childReport struct {
	Listings, Failed int
	Errors           []string
	Down, Up         int      // EventStoreDown and EventStoreUp
	StoreErrors      []string // the Err of each EventStoreDown
	SlowBegins       []string // Begins that took longer than slowBegin
	Begins           []time.Duration
	Limits           int // EventSecondaryLimit
}

func fleetChild(raw string) int {
	var cfg childConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var down, up, limits atomic.Int32
	var mu sync.Mutex
	var storeErrors []string
	var slowBegins []string
	var timed *timedStore
	if cfg.Token == "" {
		cfg.Token = fleetToken
	}
	opts := []wrapper.Option{wrapper.WithBaseURL(cfg.URL), wrapper.WithToken(cfg.Token),
		wrapper.WithConcurrency(cfg.Concurrency), wrapper.WithUserAgent(cfg.UserAgent),
		wrapper.WithEvents(func(e wrapper.Event) {
			switch e.Kind {
			case wrapper.EventStoreDown:
				down.Add(1)
				mu.Lock()
				storeErrors = append(storeErrors, fmt.Sprint(e.Err))
				mu.Unlock()
			case wrapper.EventStoreUp:
				up.Add(1)
			case wrapper.EventSecondaryLimit:
				limits.Add(1)
			}
		})}
	if cfg.Redis != "" {
		storeOpts := []Option{WithMaxInFlight(cfg.Cap), WithLease(cfg.Lease)}
		if cfg.Key != nil {
			storeOpts = append(storeOpts, WithEncryptionKey(cfg.Key))
		}
		s, err := NewFromURL(cfg.Redis, storeOpts...)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer s.Close()
		timed = &timedStore{Store: s, start: time.Now(), slow: &slowBegins}
		opts = append(opts, wrapper.WithStore(timed))
	}
	if cfg.Scope != "" {
		opts = append(opts, wrapper.WithStoreScope(cfg.Scope))
	}
	c, err := wrapper.New(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var rep childReport
	start := time.Now()
	for first := true; first || time.Since(start) < cfg.For; first = false {
		for _, id := range cfg.Runs {
			rep.Listings++
			if _, err := c.AllJobs(context.Background(), wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: id, Number: 1}); err != nil {
				rep.Failed++
				rep.Errors = append(rep.Errors, err.Error())
			}
		}
	}
	rep.Down, rep.Up, rep.Limits = int(down.Load()), int(up.Load()), int(limits.Load())
	mu.Lock()
	rep.StoreErrors, rep.SlowBegins = storeErrors, slowBegins
	if timed != nil {
		timed.mu.Lock()
		rep.Begins = timed.took
		timed.mu.Unlock()
	}
	mu.Unlock()
	json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

// child is a running child process.
type child struct {
	cmd      *exec.Cmd
	out, log bytes.Buffer // standard output (the report) and error (go-redis logs there)
}

func startChild(t *testing.T, cfg childConfig) *child {
	t.Helper()
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	if cfg.Cap == 0 {
		cfg.Cap = wrapper.DefaultMaxInFlight
	}
	if cfg.Lease == 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "fleet-child"
	}
	raw, _ := json.Marshal(cfg)
	ch := &child{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	ch.cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	ch.cmd.Stdout, ch.cmd.Stderr = &ch.out, &ch.log
	if err := ch.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if ch.cmd.ProcessState == nil {
			ch.cmd.Process.Kill()
			ch.cmd.Wait()
		}
	})
	return ch
}

// wait waits for the child to exit and returns its report.
func (ch *child) wait(t *testing.T) childReport {
	t.Helper()
	if err := ch.cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, ch.out.String(), ch.log.String())
	}
	var rep childReport
	if err := json.Unmarshal(ch.out.Bytes(), &rep); err != nil {
		t.Fatalf("child's report: %v\n%s%s", err, ch.out.String(), ch.log.String())
	}
	return rep
}

// fleetFake serves runs 1 to n of jobs jobs each behind a Counter; wrap, if not nil, wraps the
// counted handler further.
func fleetFake(t *testing.T, n, jobs int, latency time.Duration, wrap func(http.Handler) http.Handler) (*httptest.Server, *api.Fake, *fleettest.Counter) {
	t.Helper()
	opts := []api.Option{api.WithToken(fleetToken), api.WithLatency(latency),
		api.WithViolationHandler(func(err error) { t.Errorf("contract violation: %v", err) })}
	for id := range n {
		opts = append(opts, api.WithRun(api.SampleRun("octo-org", "octo-repo", int64(id+1), 1, jobs)))
	}
	f, err := api.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	c := &fleettest.Counter{Next: f}
	var h http.Handler = c
	if wrap != nil {
		h = wrap(c)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, f, c
}

func runs(ids ...int64) []int64 { return ids }

func redisURL(s *redistest.Server) string { return "redis://" + s.Addr }

func mustSucceed(t *testing.T, reps ...childReport) {
	t.Helper()
	for i, r := range reps {
		if r.Failed > 0 || r.Listings == 0 {
			t.Errorf("child %d: %d of %d listings failed: %s", i, r.Failed, r.Listings, strings.Join(r.Errors, "; "))
		}
	}
}

// A secondary limit answered to one process holds every process: no request reaches the
// server after the answer until its retry-after has passed.
func TestFleetSecondaryLimitHoldsEveryProcess(t *testing.T) {
	requireFleetTests(t)
	rds := redistest.Start(t)
	srv, fake, counter := fleetFake(t, 4, 150, 20*time.Millisecond, nil)
	var children []*child
	for i := range 4 {
		children = append(children, startChild(t, childConfig{URL: srv.URL, Redis: redisURL(rds), Runs: runs(int64(i + 1)), For: 6 * time.Second, Concurrency: 2}))
	}
	for deadline := time.Now().Add(20 * time.Second); len(counter.Arrivals()) < 20; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the children sent no requests")
		}
	}
	const retryAfter = 3 * time.Second
	fake.Script(api.SecondaryRateLimit(429, retryAfter))
	var reps []childReport
	for _, ch := range children {
		reps = append(reps, ch.wait(t))
	}
	mustSucceed(t, reps...)

	arrivals := counter.Arrivals()
	var limited time.Time
	for _, a := range arrivals {
		if a.Status == 429 {
			limited = a.Done
		}
	}
	if limited.IsZero() {
		t.Fatal("no request was answered with the secondary limit")
	}
	// Requests already past the store when the answer went out may still arrive a moment
	// after it; after that moment, nothing until retry-after has passed.
	const grace = 500 * time.Millisecond
	var during, after int
	for _, a := range arrivals {
		switch {
		case a.At.After(limited.Add(grace)) && a.At.Before(limited.Add(retryAfter-100*time.Millisecond)):
			during++
			t.Errorf("a request arrived %s after the secondary limit's answer, before its retry-after of %s", a.At.Sub(limited), retryAfter)
		case a.At.After(limited.Add(retryAfter)):
			after++
		}
	}
	if after == 0 {
		t.Error("no request after the retry-after: the fleet did not resume")
	}
	t.Logf("%d requests, %d after the hold, %d during it", len(arrivals), after, during)
}

// 4 processes × WithConcurrency(20) under a shared cap of 30: never more than 30 requests in
// flight at the server.
func TestFleetCapsRequestsInFlight(t *testing.T) {
	requireFleetTests(t)
	rds := redistest.Start(t)
	srv, _, counter := fleetFake(t, 4, 2000, 30*time.Millisecond, nil)
	var children []*child
	for i := range 4 {
		children = append(children, startChild(t, childConfig{URL: srv.URL, Redis: redisURL(rds), Runs: runs(int64(i+1), int64((i+1)%4+1)), Concurrency: 20, Cap: 30}))
	}
	var reps []childReport
	for i, ch := range children {
		rep := ch.wait(t)
		reps = append(reps, rep)
		if rep.Down > 0 {
			t.Logf("child %d went on without the store %d times (%v); its slow Begins: %v", i, rep.Down, rep.StoreErrors, rep.SlowBegins)
		}
	}
	mustSucceed(t, reps...)
	if got := counter.MaxInFlight(); got > 30 {
		t.Errorf("%d requests in flight at once, want at most the shared cap of 30", got)
	} else {
		t.Logf("at most %d requests in flight, %d requests", got, len(counter.Arrivals()))
	}
}

// Process B lists what process A listed: every request of B is conditional, answered 304;
// the same with pages sealed (both have the key).
func TestFleetSharesPages(t *testing.T) {
	requireFleetTests(t)
	for name, key := range map[string][]byte{"clear": nil, "sealed": testKey} {
		t.Run(name, func(t *testing.T) {
			rds := redistest.Start(t)
			srv, _, counter := fleetFake(t, 2, 250, 0, nil)
			mustSucceed(t, startChild(t, childConfig{URL: srv.URL, Redis: redisURL(rds), Key: key, Runs: runs(1, 2)}).wait(t))
			counter.Reset()
			mustSucceed(t, startChild(t, childConfig{URL: srv.URL, Redis: redisURL(rds), Key: key, Runs: runs(1, 2)}).wait(t))
			arrivals := counter.Arrivals()
			if len(arrivals) != 6 {
				t.Errorf("process B sent %d requests, want 6 (3 pages of 2 runs)", len(arrivals))
			}
			for _, a := range arrivals {
				if !a.Conditional || a.Status != http.StatusNotModified {
					t.Errorf("process B: %s conditional %v, answered %d; want conditional and 304", a.Path, a.Conditional, a.Status)
				}
			}
		})
	}
}

// A process killed (SIGKILL) while its requests hold slots: the slots come back when their
// lease expires, and another process gets them then, not before.
func TestFleetKilledProcessSlotsComeBack(t *testing.T) {
	requireFleetTests(t)
	rds := redistest.Start(t)
	release := make(chan struct{})
	var stalled atomic.Int32
	stall := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The doomed process's pages after the first never get an answer.
			if r.UserAgent() == "doomed" && r.URL.Query().Get("page") != "" {
				stalled.Add(1)
				<-release
			}
			next.ServeHTTP(w, r)
		})
	}
	srv, _, counter := fleetFake(t, 1, 1000, 0, stall)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the server closes
	const cap, lease = 5, 3 * time.Second
	doomed := startChild(t, childConfig{URL: srv.URL, Redis: redisURL(rds), Runs: runs(1), Concurrency: cap, Cap: cap, Lease: lease, UserAgent: "doomed"})
	for deadline := time.Now().Add(20 * time.Second); stalled.Load() < cap; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the doomed process has %d requests in flight, want %d", stalled.Load(), cap)
		}
	}
	killed := time.Now()
	doomed.cmd.Process.Kill()
	doomed.cmd.Wait()
	counter.Reset()

	mustSucceed(t, startChild(t, childConfig{URL: srv.URL, Redis: redisURL(rds), Runs: runs(1), Concurrency: cap, Cap: cap, Lease: lease}).wait(t))
	var first time.Time
	for _, a := range counter.Arrivals() {
		if first.IsZero() || a.At.Before(first) {
			first = a.At
		}
	}
	waited := first.Sub(killed)
	t.Logf("the next process's first request came %s after the kill (lease %s)", waited, lease)
	if waited < lease-time.Second {
		t.Errorf("the next process sent after %s, before the dead process's leases of %s expired: the cap was not held", waited, lease)
	}
	if waited > lease+5*time.Second {
		t.Errorf("the next process sent only after %s: the dead process's slots did not come back within the lease of %s", waited, lease)
	}
}

// Redis stopped mid-run, then started again: every listing complete, none failed; each
// process said the store went and came back.
func TestFleetRedisRestartFailsNothing(t *testing.T) {
	requireFleetTests(t)
	rds := redistest.Start(t)
	srv, _, _ := fleetFake(t, 3, 250, 10*time.Millisecond, nil)
	var children []*child
	for i := range 3 {
		children = append(children, startChild(t, childConfig{URL: srv.URL, Redis: redisURL(rds), Runs: runs(int64(i + 1)), For: 7 * time.Second}))
	}
	time.Sleep(1500 * time.Millisecond)
	rds.Stop()
	time.Sleep(2 * time.Second)
	rds.Restart()
	for i, ch := range children {
		rep := ch.wait(t)
		mustSucceed(t, rep)
		t.Logf("child %d: %d listings, store down %d, up %d", i, rep.Listings, rep.Down, rep.Up)
		if rep.Down < 1 || rep.Up < 1 {
			t.Errorf("child %d: EventStoreDown %d, EventStoreUp %d; want the store's stop and return said", i, rep.Down, rep.Up)
		}
	}
}

// slowBegin is how long a Begin may take before a child reports it: more than two round
// trips at 100 ms.
const slowBegin = 250 * time.Millisecond

// timedStore is the child's Store, reporting the Begins slower than slowBegin: when, how
// long, and the deadline the client gave.
type timedStore struct {
	*Store
	start time.Time
	mu    sync.Mutex
	slow  *[]string
	took  []time.Duration // every Begin's
}

func (t *timedStore) Begin(ctx context.Context, scope string, b wrapper.StoreBegin) (wrapper.StoreGrant, error) {
	st := time.Now()
	g, err := t.Store.Begin(ctx, scope, b)
	d := time.Since(st)
	t.mu.Lock()
	t.took = append(t.took, d)
	t.mu.Unlock()
	if d > slowBegin {
		dl, _ := ctx.Deadline()
		t.mu.Lock()
		*t.slow = append(*t.slow, fmt.Sprintf("at %s took %s (deadline %s): %v",
			st.Sub(t.start).Round(time.Millisecond), d.Round(time.Millisecond), dl.Sub(st).Round(time.Millisecond), err))
		t.mu.Unlock()
	}
	return g, err
}
