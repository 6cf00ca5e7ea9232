package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/fleettest"
	"github.com/ghjobs/ghjobs/internal/testkit"
	"github.com/ghjobs/ghjobs/wrapper"
)

// tamperStore is a MemoryStore whose answers a test changes, and which records what it is
// told: a Store that is not to be believed.
type tamperStore struct {
	mem    *wrapper.MemoryStore
	grant  func(*wrapper.StoreGrant) // changes each Begin's answer; nil for none
	freeze bool                      // Begin waits for its context, as a frozen Redis

	mu        sync.Mutex
	scopes    map[string]int
	ends      []wrapper.StoreEnd
	deadlines []time.Duration // of the contexts Begin was given, from the call
}

func newTamperStore(cap int) *tamperStore {
	return &tamperStore{mem: wrapper.NewMemoryStore(cap), scopes: map[string]int{}}
}

func (s *tamperStore) Begin(ctx context.Context, scope string, b wrapper.StoreBegin) (wrapper.StoreGrant, error) {
	s.mu.Lock()
	s.scopes[scope]++
	if dl, ok := ctx.Deadline(); ok {
		s.deadlines = append(s.deadlines, time.Until(dl))
	}
	s.mu.Unlock()
	if s.freeze {
		<-ctx.Done()
		return wrapper.StoreGrant{}, ctx.Err()
	}
	g, err := s.mem.Begin(ctx, scope, b)
	if s.grant != nil && err == nil {
		if g.Page != nil {
			p := *g.Page // the MemoryStore's own is not to be changed
			g.Page = &p
		}
		s.grant(&g)
	}
	return g, err
}

func (s *tamperStore) End(ctx context.Context, scope string, e wrapper.StoreEnd) error {
	s.mu.Lock()
	s.ends = append(s.ends, e)
	s.mu.Unlock()
	if s.freeze {
		return nil
	}
	return s.mem.End(ctx, scope, e)
}

func (s *tamperStore) recorded() (scopes map[string]int, ends []wrapper.StoreEnd) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scopes = map[string]int{}
	for k, v := range s.scopes {
		scopes[k] = v
	}
	return scopes, append([]wrapper.StoreEnd(nil), s.ends...)
}

// identityFake serves run to tokens that each see its repository, as the tokens of the
// replicas of one App installation do; noSee is a token that sees no repository.
func identityFake(t *testing.T, run api.Run, opts ...api.Option) (*httptest.Server, *fleettest.Counter) {
	t.Helper()
	repo := run.Owner + "/" + run.Repo
	f, err := api.New(append([]api.Option{api.WithRun(run),
		api.WithTokenForRepos("ghs_replica1", repo), api.WithTokenForRepos("ghs_replica2", repo),
		api.WithTokenForRepos("ghs_replica3", repo), api.WithTokenForRepos("ghs_nosee"),
		api.WithViolationHandler(func(err error) { t.Errorf("contract violation: %v", err) })}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	c := &fleettest.Counter{Next: f}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv, c
}

func clientWith(t *testing.T, url, token string, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	base := []wrapper.Option{wrapper.WithBaseURL(url)}
	if token != "" {
		base = append(base, wrapper.WithToken(token))
	}
	c, err := wrapper.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Replicas of one App installation, each with its own token, that name one scope share one
// cap on requests in flight: the Store sees one scope.
func TestStoreScopeIsTheIdentity(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 21, 1, 1000)
	srv, counter := identityFake(t, run, api.WithLatency(10*time.Millisecond))
	store := newTamperStore(3)
	var wg sync.WaitGroup
	for _, tok := range []string{"ghs_replica1", "ghs_replica2", "ghs_replica3"} {
		c := clientWith(t, srv.URL, tok, wrapper.WithStore(store), wrapper.WithStoreScope("app/1/installation/2"))
		wg.Go(func() {
			if jobs, err := c.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil || len(jobs) != 1000 {
				t.Errorf("%d jobs, %v", len(jobs), err)
			}
		})
	}
	wg.Wait()
	if scopes, _ := store.recorded(); len(scopes) != 1 {
		t.Errorf("the replicas used %d scopes of the store, want 1: %v", len(scopes), scopes)
	}
	if got := counter.MaxInFlight(); got > 3 {
		t.Errorf("%d requests in flight at once, want at most the store's cap of 3", got)
	}

	// Without WithStoreScope, each credential is a scope of its own.
	other := newTamperStore(3)
	for _, tok := range []string{"ghs_replica1", "ghs_replica2"} {
		c := clientWith(t, srv.URL, tok, wrapper.WithStore(other))
		if _, err := c.ListJobs(t.Context(), testkit.AttemptOf(run), nil); err != nil {
			t.Fatal(err)
		}
	}
	if scopes, _ := other.recorded(); len(scopes) != 2 {
		t.Errorf("two tokens without WithStoreScope used %d scopes, want 2", len(scopes))
	}
}

// A client that cannot see its credentials cannot tell whose limits to share: New refuses
// WithStore without WithStoreScope, and WithSharedFreshness at all, before any request.
func TestSharingNeedsAnIdentity(t *testing.T) {
	store := wrapper.NewMemoryStore(0)
	transport := &http.Client{Transport: http.DefaultTransport} // as ghinstallation's would be
	tests := []struct {
		name string
		opts []wrapper.Option
		ok   bool
	}{
		{"a transport's credentials, no scope", []wrapper.Option{wrapper.WithHTTPClient(transport), wrapper.WithStore(store)}, false},
		{"a transport's credentials, a scope", []wrapper.Option{wrapper.WithHTTPClient(transport), wrapper.WithStore(store), wrapper.WithStoreScope("app/1/installation/2")}, true},
		{"a transport's credentials, shared freshness", []wrapper.Option{wrapper.WithHTTPClient(transport), wrapper.WithStore(store),
			wrapper.WithStoreScope("app/1/installation/2"), wrapper.WithSharedFreshness(time.Second)}, false},
		{"a transport and a token", []wrapper.Option{wrapper.WithHTTPClient(transport), wrapper.WithToken("t"), wrapper.WithStore(store), wrapper.WithSharedFreshness(time.Second)}, true},
		{"no credentials at all", []wrapper.Option{wrapper.WithStore(store)}, true},
		{"a scope without a store", []wrapper.Option{wrapper.WithStoreScope("repo/o/r")}, false},
		{"freshness without a store", []wrapper.Option{wrapper.WithToken("t"), wrapper.WithSharedFreshness(time.Second)}, false},
		{"an empty scope", []wrapper.Option{wrapper.WithStore(store), wrapper.WithStoreScope(" ")}, false},
		{"a scope with a line break", []wrapper.Option{wrapper.WithStore(store), wrapper.WithStoreScope("repo/o\nr")}, false},
		{"a scope too long", []wrapper.Option{wrapper.WithStore(store), wrapper.WithStoreScope(strings.Repeat("x", 257))}, false},
	}
	for _, tt := range tests {
		_, err := wrapper.New(tt.opts...)
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, wrapper.ErrInvalidInput) {
			t.Errorf("%s: %v, want ok %v (else ErrInvalidInput)", tt.name, err, tt.ok)
		}
	}
}

// No page crosses credentials without GitHub's say: in one scope, with WithSharedFreshness, a
// token that may not see the repository gets GitHub's 404, one that may gets the pages only
// through its own conditional requests, and only then without asking.
func TestNoPageCrossesCredentials(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 22, 1, 250)
	srv, counter := identityFake(t, run)
	store := wrapper.NewMemoryStore(0)
	opts := []wrapper.Option{wrapper.WithStore(store), wrapper.WithStoreScope("user/octocat"), wrapper.WithSharedFreshness(time.Minute)}
	first := clientWith(t, srv.URL, "ghs_replica1", opts...)
	if _, err := first.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
		t.Fatal(err)
	}

	for _, tok := range []string{"ghs_nosee", ""} {
		counter.Reset()
		blind := clientWith(t, srv.URL, tok, opts...)
		jobs, err := blind.AllJobs(t.Context(), testkit.AttemptOf(run))
		if !errors.Is(err, wrapper.ErrNotFound) || jobs != nil {
			t.Errorf("token %q, which may not see the repository: %d jobs, %v; want GitHub's 404", tok, len(jobs), err)
		}
		if n := len(counter.Arrivals()); n != 1 {
			t.Errorf("token %q: %d requests, want the 1 GitHub answered 404", tok, n)
		}
	}

	counter.Reset()
	second := clientWith(t, srv.URL, "ghs_replica2", opts...)
	if jobs, err := second.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil || len(jobs) != 250 {
		t.Fatalf("another token that sees the repository: %d jobs, %v", len(jobs), err)
	}
	arrivals := counter.Arrivals()
	if len(arrivals) != 3 {
		t.Errorf("another token got %d pages confirmed by GitHub, want 3: pages confirmed to one token are not served unasked to another", len(arrivals))
	}
	for _, a := range arrivals {
		if !a.Conditional || a.Status != http.StatusNotModified {
			t.Errorf("%s: conditional %v, %d; want a 304 to its own conditional request", a.Path, a.Conditional, a.Status)
		}
	}
	counter.Reset()
	if _, err := second.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
		t.Fatal(err)
	}
	if n := len(counter.Arrivals()); n != 0 {
		t.Errorf("once GitHub confirmed the pages to it, the token asked %d more times within the freshness, want 0", n)
	}
}

// A Link that leaves the attempt's listing, even on the API's own origin, is not followed:
// the token would go with it.
func TestLinkLeavingTheListing(t *testing.T) {
	var asked []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Link", fmt.Sprintf(`<http://%s/user/repos?per_page=100&page=2>; rel="next", <http://%s/user/repos?per_page=100&page=2>; rel="last"`, r.Host, r.Host))
		fmt.Fprint(w, `{"total_count":2,"jobs":[{"id":1}]}`)
	}))
	t.Cleanup(srv.Close)
	c := clientWith(t, srv.URL, "ghs_token")
	a := wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}
	jobs, err := c.AllJobs(t.Context(), a)
	if !errors.Is(err, wrapper.ErrPagination) || jobs != nil || !strings.Contains(err.Error(), "leads out of the listing") {
		t.Errorf("AllJobs = %d jobs, %v; want ErrPagination for a Link out of the listing", len(jobs), err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range asked {
		if strings.HasPrefix(p, "/user") {
			t.Errorf("the Link out of the listing was followed: %s", p)
		}
	}
}

// A page the Store keeps that cannot be used (its Link leads out of the listing, or its body
// is not a page) costs a request, never the listing: it is dropped, here and in the Store,
// and fetched afresh; the Link is never followed.
func TestStorePageThatDoesNotFit(t *testing.T) {
	tamper := map[string]func(*wrapper.StoredPage){
		"a Link out of the listing": func(p *wrapper.StoredPage) {
			p.Header = p.Header.Clone()
			p.Header.Set("Link", `<`+strings.SplitN(p.Header.Get("Link"), "/repositories/", 2)[0][1:]+`/user/repos?page=2>; rel="next"`)
		},
		"a body that is not a page": func(p *wrapper.StoredPage) { p.Body = []byte("\x1f\x8b not gzip") },
	}
	for name, change := range tamper {
		t.Run(name, func(t *testing.T) {
			run := api.SampleRun("octo-org", "octo-repo", 23, 1, 250)
			srv, _, counter := countedFake(t, run)
			store := newTamperStore(0)
			if _, err := storeClient(t, srv.URL, wrapper.WithStore(store)).AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil {
				t.Fatal(err)
			}
			store.grant = func(g *wrapper.StoreGrant) {
				if g.Page != nil && strings.Contains(g.Page.Header.Get("Link"), "page=2") && !strings.Contains(g.Page.Header.Get("Link"), "prev") {
					change(g.Page) // page 1's, and only page 1's
				}
			}
			counter.Reset()
			var dropped []wrapper.Event
			var mu sync.Mutex
			c := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithEvents(func(e wrapper.Event) {
				mu.Lock()
				defer mu.Unlock()
				if e.Kind == wrapper.EventPageDropped {
					dropped = append(dropped, e)
				}
			}))
			jobs, err := c.AllJobs(t.Context(), testkit.AttemptOf(run))
			if err != nil || len(jobs) != 250 {
				t.Fatalf("%d jobs, %v; want the listing whole", len(jobs), err)
			}
			var conditional, fresh int
			for _, a := range counter.Arrivals() {
				if strings.HasPrefix(a.Path, "/user") {
					t.Errorf("followed %s", a.Path)
				}
				if a.Conditional {
					conditional++
				} else {
					fresh++
				}
			}
			if conditional != 3 || fresh != 1 {
				t.Errorf("%d conditional requests and %d fresh ones, want 3 and 1: page 1 asked again without the page kept", conditional, fresh)
			}
			mu.Lock()
			if len(dropped) != 1 {
				t.Errorf("%d EventPageDropped, want 1", len(dropped))
			}
			mu.Unlock()
			_, ends := store.recorded()
			drops := 0
			for _, e := range ends {
				if e.Drop && e.ETag != "" {
					drops++
				}
			}
			if drops != 1 {
				t.Errorf("%d drops told to the store, want 1", drops)
			}
		})
	}
}

// The Store keeps only pages that passed the client's checks: a page of another run's jobs
// from GitHub is an error, and never reaches the Store.
func TestStoreKeepsOnlyCheckedPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"1"`)
		fmt.Fprint(w, `{"total_count":1,"jobs":[{"id":1,"run_id":999}]}`)
	}))
	t.Cleanup(srv.Close)
	store := newTamperStore(0)
	c := clientWith(t, srv.URL, "ghs_token", wrapper.WithStore(store))
	_, err := c.ListJobs(t.Context(), wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, nil)
	if !errors.Is(err, wrapper.ErrMalformedPage) {
		t.Errorf("a page of another run's jobs: %v, want ErrMalformedPage", err)
	}
	_, ends := store.recorded()
	for _, e := range ends {
		if e.Put != nil {
			t.Errorf("the store was given a page that failed the client's checks: %+v", e)
		}
	}
}

// A hold or a rate reset from the Store beyond what the client would wait for itself is not
// waited for: beyond MaxWait or the context's deadline, the request fails at once with a
// *RateLimitError and the hold is not kept; a reset beyond GitHub's hour is not believed.
func TestStoreHoldsAreCapped(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 24, 1, 10)
	srv, _, counter := countedFake(t, run)
	store := newTamperStore(0)
	store.grant = func(g *wrapper.StoreGrant) { g.Hold, g.HoldStatus, g.Slot = 365*24*time.Hour, 403, false }
	c := storeClient(t, srv.URL, wrapper.WithStore(store))
	_, err := c.AllJobs(context.Background(), testkit.AttemptOf(run)) // no deadline: only MaxWait bounds it
	if rl, ok := errors.AsType[*wrapper.RateLimitError](err); !ok || !rl.Secondary || rl.RetryAfter != 365*24*time.Hour {
		t.Fatalf("a hold of a year: %v, want a secondary *RateLimitError at once", err)
	}

	store.grant = func(g *wrapper.StoreGrant) { g.Hold, g.HoldStatus, g.Slot = time.Minute, 403, false }
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err = c.AllJobs(ctx, testkit.AttemptOf(run))
	if _, ok := errors.AsType[*wrapper.RateLimitError](err); !ok || ctx.Err() != nil {
		t.Fatalf("a hold beyond the context's deadline: %v (context: %v), want a *RateLimitError before the deadline", err, ctx.Err())
	}

	store.grant = func(g *wrapper.StoreGrant) {
		g.Rate = wrapper.Rate{Limit: 5000, Remaining: 0, Reset: time.Now().Add(365 * 24 * time.Hour)}
		g.ResetIn = 365 * 24 * time.Hour
	}
	if jobs, err := c.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil || len(jobs) != 10 {
		t.Fatalf("a rate reset a year away, and the holds before: %d jobs, %v; want neither believed nor kept", len(jobs), err)
	}
	if len(counter.Arrivals()) == 0 {
		t.Error("no request reached GitHub")
	}
}

// Every Store call is bounded by a share of the caller's remaining deadline: a frozen Store
// costs a listing a quarter of its time at most, and then nothing, as it goes on alone.
func TestStoreCallsShareTheDeadline(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 25, 1, 250)
	srv, _, _ := countedFake(t, run)
	for _, deadline := range []time.Duration{1600 * time.Millisecond, time.Minute} {
		store := newTamperStore(0)
		store.freeze = true
		c := storeClient(t, srv.URL, wrapper.WithStore(store))
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		jobs, err := c.AllJobs(ctx, testkit.AttemptOf(run))
		cancel()
		if deadline == time.Minute && (err != nil || len(jobs) != 250) {
			// The short deadline is there for the share alone: on a loaded machine its
			// listing may not end in time, whatever the store.
			t.Fatalf("with the store frozen: %d jobs, %v", len(jobs), err)
		}
		store.mu.Lock()
		if len(store.deadlines) == 0 {
			t.Fatal("the store was not asked")
		}
		for _, d := range store.deadlines {
			// A quarter of 1.6 s is below the half second a call may take at most.
			if d > min(deadline/4, 500*time.Millisecond) {
				t.Errorf("deadline %s: the frozen store was given %v, want at most a quarter of it, and at most half a second", deadline, d)
			}
		}
		store.mu.Unlock()
	}
}

// A Store that grants no slot for longer than the client would wait for a rate limit is
// given up on: the listing goes on alone, and says so.
func TestStoreThatGrantsNoSlot(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 26, 1, 10)
	srv, _, _ := countedFake(t, run)
	store := newTamperStore(0)
	store.grant = func(g *wrapper.StoreGrant) { g.Slot, g.Page = false, nil }
	p := wrapper.DefaultRetryPolicy()
	p.MaxWait = 0
	var down sync.Once
	downs := 0
	c := storeClient(t, srv.URL, wrapper.WithStore(store), wrapper.WithRetryPolicy(p), wrapper.WithEvents(func(e wrapper.Event) {
		if e.Kind == wrapper.EventStoreDown {
			down.Do(func() { downs++ })
		}
	}))
	if jobs, err := c.AllJobs(t.Context(), testkit.AttemptOf(run)); err != nil || len(jobs) != 10 {
		t.Fatalf("%d jobs, %v", len(jobs), err)
	}
	if downs != 1 {
		t.Error("no EventStoreDown for a store that grants no slot")
	}
}
