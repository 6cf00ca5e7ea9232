package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/fleettest"
	"github.com/ghjobs/ghjobs/internal/testkit"
	"github.com/ghjobs/ghjobs/wrapper"
)

const storeToken = "ghs_storetesttoken"

// countedFake serves run from the api fake behind a fleettest.Counter, with a token.
func countedFake(t *testing.T, run api.Run, opts ...api.Option) (*httptest.Server, *api.Fake, *fleettest.Counter) {
	t.Helper()
	f, err := api.New(append([]api.Option{api.WithRun(run), api.WithToken(storeToken),
		api.WithViolationHandler(func(err error) { t.Errorf("contract violation: %v", err) })}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	c := &fleettest.Counter{Next: f}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv, f, c
}

func storeClient(t *testing.T, url string, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(url), wrapper.WithToken(storeToken)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// One client lists what another client of the same MemoryStore listed: every request of the
// second is conditional on the first's ETags, and answered 304.
func TestMemoryStoreSharesPages(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 7, 1, 250)
	srv, _, counter := countedFake(t, run)
	store := wrapper.NewMemoryStore(0)
	a := storeClient(t, srv.URL, wrapper.WithStore(store))
	b := storeClient(t, srv.URL, wrapper.WithStore(store))
	if _, err := a.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	jobs, err := b.AllJobs(t.Context(), testkit.AttemptOf(run))
	if err != nil || len(jobs) != 250 {
		t.Fatalf("second client: %d jobs, %v", len(jobs), err)
	}
	arrivals := counter.Arrivals()
	if len(arrivals) != 3 {
		t.Fatalf("second client sent %d requests, want 3", len(arrivals))
	}
	for _, r := range arrivals {
		if !r.Conditional || r.Status != 304 {
			t.Errorf("second client: %s conditional %v, answered %d; want a conditional request answered 304", r.Path, r.Conditional, r.Status)
		}
	}
}

// Two clients of one MemoryStore with a cap of 3 never have more than 3 requests in flight
// together, although each may have 10.
func TestMemoryStoreCapsRequestsInFlight(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 8, 1, 1000)
	srv, _, counter := countedFake(t, run, api.WithLatency(20*time.Millisecond))
	store := wrapper.NewMemoryStore(3)
	var wg sync.WaitGroup
	for range 2 {
		c := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithConcurrency(10))
		wg.Go(func() {
			if jobs, err := c.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil || len(jobs) != 1000 {
				t.Errorf("%d jobs, %v", len(jobs), err)
			}
		})
	}
	wg.Wait()
	if got := counter.MaxInFlight(); got > 3 {
		t.Errorf("%d requests in flight at once, want at most the store's cap of 3", got)
	}
	if got := len(counter.Arrivals()); got != 20 {
		t.Errorf("%d requests, want 20 (10 pages each)", got)
	}
}

// A secondary limit that one client meets holds the other clients of the store: the second
// client waits before its first request, and says why.
func TestMemoryStoreSharesSecondaryLimitHold(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 9, 1, 10)
	srv, fake, _ := countedFake(t, run)
	fake.Script(api.SecondaryRateLimit(429, time.Second))
	store := wrapper.NewMemoryStore(0)
	limited := make(chan struct{})
	var once sync.Once
	a := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithEvents(func(e wrapper.Event) {
		if e.Kind == wrapper.EventSecondaryLimit {
			once.Do(func() { close(limited) })
		}
	}))
	var rec []wrapper.Event
	var mu sync.Mutex
	b := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithEvents(func(e wrapper.Event) {
		mu.Lock()
		defer mu.Unlock()
		rec = append(rec, e)
	}))
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := a.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
			t.Error(err)
		}
	})
	<-limited
	if _, err := b.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
		t.Error(err)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(rec) == 0 || rec[0].Kind != wrapper.EventSecondaryLimit || rec[0].Retry != 0 || rec[0].StatusCode != 429 || rec[0].Wait <= 0 {
		t.Fatalf("second client's events %+v; want first a wait for the other client's secondary limit (429) before its first try", rec)
	}
}

// flakyStore is a Store that fails while down is set, and otherwise is a MemoryStore; slow
// makes it fail by being late instead.
type flakyStore struct {
	mem        *wrapper.MemoryStore
	down, slow atomic.Bool
	calls      atomic.Int32
}

var errStoreDown = errors.New("store down")

func (s *flakyStore) Begin(ctx context.Context, scope string, b wrapper.StoreBegin) (wrapper.StoreGrant, error) {
	s.calls.Add(1)
	if s.slow.Load() {
		<-ctx.Done()
		return wrapper.StoreGrant{}, ctx.Err()
	}
	if s.down.Load() {
		return wrapper.StoreGrant{}, errStoreDown
	}
	return s.mem.Begin(ctx, scope, b)
}

func (s *flakyStore) End(ctx context.Context, scope string, e wrapper.StoreEnd) error {
	if s.down.Load() || s.slow.Load() {
		return errStoreDown
	}
	return s.mem.End(ctx, scope, e)
}

// A Store that fails, or is late, fails no listing: the client goes on alone, says so once
// however many requests it makes, and shares again, saying so once, when the Store is back.
func TestStoreDownIsNoFailure(t *testing.T) {
	for _, slow := range []bool{false, true} {
		name := map[bool]string{false: "failing", true: "late"}[slow]
		t.Run(name, func(t *testing.T) {
			run := api.SampleRun("octo-org", "octo-repo", 10, 1, 1000)
			srv, _, counter := countedFake(t, run)
			store := &flakyStore{mem: wrapper.NewMemoryStore(0)}
			store.down.Store(!slow)
			store.slow.Store(slow)
			var mu sync.Mutex
			kinds := map[wrapper.EventKind]int{}
			c := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithConcurrency(5), wrapper.WithEvents(func(e wrapper.Event) {
				mu.Lock()
				defer mu.Unlock()
				kinds[e.Kind]++
			}))
			count := func(k wrapper.EventKind) int {
				mu.Lock()
				defer mu.Unlock()
				return kinds[k]
			}
			for range 3 {
				if jobs, err := c.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil || len(jobs) != 1000 {
					t.Fatalf("with the store %s: %d jobs, %v", name, len(jobs), err)
				}
			}
			if got := count(wrapper.EventStoreDown); got != 1 {
				t.Errorf("%d EventStoreDown for 30 requests, want 1", got)
			}
			if got := store.calls.Load(); got > 10 {
				t.Errorf("the client asked the failing store %d times in 30 requests; want it to stop asking for a while", got)
			}

			store.down.Store(false)
			store.slow.Store(false)
			deadline := time.Now().Add(30 * time.Second)
			for count(wrapper.EventStoreUp) == 0 && time.Now().Before(deadline) {
				if _, err := c.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if got := count(wrapper.EventStoreUp); got != 1 {
				t.Fatalf("%d EventStoreUp after the store came back, want 1", got)
			}
			// Sharing again: the pages this client keeps now reach the store, and another
			// client of it makes only conditional requests.
			if _, err := c.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
				t.Fatal(err)
			}
			counter.Reset()
			other := storeClient(t, srv.URL, wrapper.WithStore(store))
			if _, err := other.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
				t.Fatal(err)
			}
			for _, r := range counter.Arrivals() {
				if !r.Conditional || r.Status != 304 {
					t.Errorf("after the store came back, another client's request %s: conditional %v, %d", r.Path, r.Conditional, r.Status)
				}
			}
		})
	}
}

func TestWithStoreNil(t *testing.T) {
	if _, err := wrapper.New(wrapper.WithStore(nil)); !errors.Is(err, wrapper.ErrInvalidInput) {
		t.Fatalf("WithStore(nil): %v, want ErrInvalidInput", err)
	}
}

// With WithSharedFreshness, a page another client of the store had confirmed moments ago is
// served without a request; without it, every page is asked about.
func TestSharedFreshness(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 11, 1, 250)
	srv, _, counter := countedFake(t, run)
	store := wrapper.NewMemoryStore(0)
	a := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithSharedFreshness(time.Minute))
	if _, err := a.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	b := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithSharedFreshness(time.Minute))
	jobs, err := b.AllJobs(t.Context(), testkit.AttemptOf(run))
	if err != nil || len(jobs) != 250 {
		t.Fatalf("%d jobs, %v", len(jobs), err)
	}
	if n := len(counter.Arrivals()); n != 0 {
		t.Errorf("%d requests for pages another client had fetched moments ago, want 0", n)
	}
	p, err := b.ListJobs(t.Context(), testkit.AttemptOf(run), &wrapper.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !p.NotModified || len(p.Jobs) != 100 {
		t.Fatalf("a fresh page served: NotModified %v, %d jobs", p.NotModified, len(p.Jobs))
	}
	if _, err := wrapper.New(wrapper.WithSharedFreshness(61 * time.Second)); !errors.Is(err, wrapper.ErrInvalidInput) {
		t.Errorf("freshness beyond GitHub's max-age: %v, want ErrInvalidInput", err)
	}
}

// A primary limit that one client of the store used up stops the others before they send.
func TestMemoryStoreSharesSpentBudget(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 12, 1, 250)
	srv, _, counter := countedFake(t, run, api.WithRateLimit(3))
	store := wrapper.NewMemoryStore(0)
	a := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithCache(0))
	if _, err := a.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
		t.Fatal(err)
	}
	if r := a.Rate(); r.Remaining != 0 {
		t.Fatalf("after 3 requests of 3: %+v", r)
	}
	counter.Reset()
	b := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithCache(0))
	_, err := b.AllJobs(t.Context(), testkit.AttemptOf(run))
	if _, ok := errors.AsType[*wrapper.RateLimitError](err); !ok {
		t.Fatalf("second client: %v, want a *RateLimitError", err)
	}
	if n := len(counter.Arrivals()); n != 0 {
		t.Errorf("second client sent %d requests into a budget the first had spent", n)
	}
}

// endSignal is a MemoryStore that signals each End that gives a slot back.
type endSignal struct {
	*wrapper.MemoryStore
	ended chan struct{}
}

func (s endSignal) End(ctx context.Context, scope string, e wrapper.StoreEnd) error {
	err := s.MemoryStore.End(ctx, scope, e)
	if e.Slot != "" {
		s.ended <- struct{}{}
	}
	return err
}

// A request holds its slot until its whole answer is read, as GitHub counts it in flight
// until then: the server checks, with the headers sent and the body not, that the slot is
// not back yet.
func TestStoreSlotHeldUntilBodyRead(t *testing.T) {
	store := endSignal{wrapper.NewMemoryStore(1), make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		http.NewResponseController(w).Flush()
		time.Sleep(20 * time.Millisecond) // room for a client that gives the slot back at the headers
		select {
		case <-store.ended:
			t.Error("the slot was given back before the body was sent")
		default:
		}
		fmt.Fprint(w, `{"total_count":0,"jobs":[]}`)
	}))
	t.Cleanup(srv.Close)
	c := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithCache(0))
	if _, err := c.AllJobs(t.Context(), wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-store.ended:
	default:
		t.Error("the slot was not given back after the answer")
	}
}

// A page that waits for its turn to be decoded has given its slot back: with one slot for
// the whole Store and pages in flight that arrive out of turn, a listing that held slots
// while waiting would never end.
func TestStoreSlotBackBeforeDecoding(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 9, 1, 250)
	srv, _, _ := countedFake(t, run, api.WithLatency(time.Millisecond))
	c := storeClient(t, srv.URL, wrapper.WithStore(wrapper.NewMemoryStore(1)), wrapper.WithConcurrency(4), wrapper.WithPerPage(10))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	jobs, err := c.AllJobs(ctx, testkit.AttemptOf(run))
	if err != nil || len(jobs) != len(run.Jobs) {
		t.Fatalf("%d jobs, %v; want %d (a slot held while a page waits its turn deadlocks the listing)", len(jobs), err, len(run.Jobs))
	}
}

// barrierStore is a MemoryStore whose Ends that keep a confirmed page, once armed, wait until
// need of them are in flight at once, and note whether they were. An End gives up waiting
// only after a time far longer than any listing here takes, not at its context's deadline
// (the client's half second), so that a loaded machine cannot make it give up too soon.
type barrierStore struct {
	*wrapper.MemoryStore
	need    int
	armed   atomic.Bool
	mu      sync.Mutex
	in      int // Ends waiting now
	most    int // the most that waited at once
	opened  bool
	reached chan struct{} // closed when need of them waited at once
}

func (s *barrierStore) End(ctx context.Context, scope string, e wrapper.StoreEnd) error {
	if s.armed.Load() && e.ConfirmedTo != "" {
		s.mu.Lock()
		s.in++
		s.most = max(s.most, s.in)
		if s.in == s.need && !s.opened {
			s.opened = true
			close(s.reached)
		}
		s.mu.Unlock()
		t := time.NewTimer(10 * time.Second)
		select {
		case <-s.reached:
		case <-t.C:
		}
		t.Stop()
		s.mu.Lock()
		s.in--
		s.mu.Unlock()
	}
	return s.MemoryStore.End(ctx, scope, e)
}

// The Store's round trips for a poll's pages take no decoding turn: AllJobs decodes (or
// copies) GOMAXPROCS pages at once, and a page that kept its turn while it told the Store
// would make the pages after it wait for the Store's latency. With two more pages than
// turns, every page of the poll must be able to tell the Store at once.
func TestStoreRoundTripsTakeNoDecodingTurn(t *testing.T) {
	pages := runtime.GOMAXPROCS(0) + 2 // page 1, which takes no turn, and one more than there are turns
	if pages > 100 {
		t.Skipf("GOMAXPROCS %d: more turns than the pages a client may have in flight", pages-2)
	}
	run := api.SampleRun("octo-org", "octo-repo", 9, 1, 10*pages)
	srv, _, _ := countedFake(t, run)
	store := &barrierStore{MemoryStore: wrapper.NewMemoryStore(pages), need: pages, reached: make(chan struct{})}
	// A poll of a known attempt asks for all its pages at once, as many as the concurrency.
	c := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithPerPage(10), wrapper.WithConcurrency(pages))
	for poll := range 2 {
		store.armed.Store(poll == 1)
		jobs, err := c.AllJobs(t.Context(), testkit.AttemptOf(run))
		if err != nil || len(jobs) != len(run.Jobs) {
			t.Fatalf("listing %d: %d jobs, %v; want %d", poll+1, len(jobs), err, len(run.Jobs))
		}
	}
	select {
	case <-store.reached:
	default:
		t.Errorf("no more than %d of the poll's %d pages were telling the Store at once; want all of them", store.most, pages)
	}
}
