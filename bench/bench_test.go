package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The scenarios of issue 4. ./run.sh runs them with -count, then prints benchstat's
// comparison and the ratios table of cmd/benchratios.
const (
	runJobs = 1000                  // scenarios 1 to 3: 1,000 jobs of 10 steps, 10 pages
	latency = 50 * time.Millisecond // scenario 1: a round trip to api.github.com
	polls   = 10                    // scenario 3
	bigRun  = 20000                 // scenario 4
)

// benchProtos runs fn as the sub-benchmark proto=P of every proto, with a server of
// sampleRun(jobs) that speaks P and waits latency before each answer.
func benchProtos(b *testing.B, jobs int, latency time.Duration, fn func(b *testing.B, s *server)) {
	run := sampleRun(jobs)
	for _, p := range protos {
		b.Run("proto="+string(p), func(b *testing.B) { fn(b, startServer(b, run, latency, p)) })
	}
}

// benchPeers runs fn as the sub-benchmark client=NAME of every peer in ps, with a guard
// for the server's jobs, and fails it when the server saw more requests in flight at once
// than the peer may have, or a request in another protocol than the server's row names.
func benchPeers(b *testing.B, s *server, ps []peer, fn func(b *testing.B, p peer, g *guard)) {
	for _, p := range ps {
		b.Run("client="+p.name, func(b *testing.B) {
			s.resetStats()
			fn(b, p, newGuard(s.ids, s.statuses()))
			st := s.stats()
			if st.maxInFlight > int64(p.inFlight) {
				b.Fatalf("the server saw %d requests in flight at once; %s may have %d", st.maxInFlight, p.name, p.inFlight)
			}
			if want := map[proto]int64{h1: 0, h2: st.requests}[s.proto]; st.http2 != want {
				b.Fatalf("%d of %d requests came over HTTP/2, want %d for proto=%s", st.http2, st.requests, want, s.proto)
			}
		})
	}
}

// open makes p's client of s, sending its requests through rt: nil for the library's
// default transport, as over HTTP/1.1.
func open(b *testing.B, p peer, s *server, rt http.RoundTripper) lister {
	b.Helper()
	l, err := p.open(s.URL, rt)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkWallTime is scenario 1: the wall time for a new client to have every job of a
// 1,000-job attempt when each request takes 50 ms, as a round trip to api.github.com does.
// x-2rtt is that time in round trips of two: the least any client can take is two round
// trips, the first page (which tells how many there are) and then all the others at once.
//
// Scenarios 1, 2 and 4 make a new client for every listing: a client with a cache (the
// wrapper's) would otherwise get 304s from the second listing on and skip the transfer
// that the others pay for. Scenario 3 is where the cache is measured.
func BenchmarkWallTime(b *testing.B) {
	benchProtos(b, runJobs, latency, func(b *testing.B, s *server) {
		benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
			for b.Loop() {
				if err := g.list(b.Context(), open(b, p, s, s.transport())); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(2*latency), "x-2rtt")
		})
	})
}

// BenchmarkPerJob is scenario 2: the same attempt without latency, so that what is left is
// the clients' own work: time, bytes allocated and allocations per job. The server runs in
// the same process, and its share, with the transport's, is in every client's figures
// alike: BenchmarkTransportFloor measures it.
func BenchmarkPerJob(b *testing.B) {
	benchProtos(b, runJobs, 0, func(b *testing.B, s *server) {
		benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
			perJob(b, func() error { return g.list(b.Context(), open(b, p, s, s.transport())) })
		})
	})
}

// BenchmarkTransportFloor is what BenchmarkPerJob's figures include that no client can
// save: the server and net/http's transport. It reads every page of the attempt and
// throws the bytes away, through net/http's default client (which asks for gzip and
// decompresses), or over HTTP/2 one that trusts the server's certificate.
func BenchmarkTransportFloor(b *testing.B) {
	benchProtos(b, runJobs, 0, transportFloor)
}

func transportFloor(b *testing.B, s *server) {
	urls, want := s.pageURLs()
	hc := s.client()
	perJob(b, func() error {
		var got int64
		for _, u := range urls {
			n, err := readPage(b.Context(), hc, u)
			if err != nil {
				return err
			}
			got += n
		}
		if got != want {
			return fmt.Errorf("read %d bytes, want %d", got, want)
		}
		return nil
	})
}

// BenchmarkWallTimeFloor is what BenchmarkWallTime's figures include that no client can
// save: a first listing's two rounds of requests, page 1 and then the nine others at once,
// each page read and thrown away (decompressed, as TransportFloor's), with nothing decoded.
// Its x-2rtt above 1 is what the server, the transport and the machine add to the two
// round trips; a client's figure above it is its own. Its one client, "transport", keeps an
// idle connection for each request of round two over HTTP/1.1, as the wrapper's transport
// does (over HTTP/2 all go over one, as every client's do).
func BenchmarkWallTimeFloor(b *testing.B) {
	benchProtos(b, runJobs, latency, func(b *testing.B, s *server) {
		b.Run("client=transport", func(b *testing.B) {
			urls, want := s.pageURLs()
			hc := s.pooledClient(len(urls) - 1)
			defer hc.CloseIdleConnections()
			for b.Loop() {
				if got, err := twoRounds(b.Context(), hc, urls); err != nil {
					b.Fatal(err)
				} else if got != want {
					b.Fatalf("read %d bytes, want %d", got, want)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(2*latency), "x-2rtt")
		})
	})
}

// twoRounds reads urls[0], then the others at once, and returns the bytes read.
func twoRounds(ctx context.Context, hc *http.Client, urls []string) (int64, error) {
	first, err := readPage(ctx, hc, urls[0])
	if err != nil {
		return 0, err
	}
	rest := make([]int64, len(urls)-1)
	errs := make([]error, len(urls)-1)
	var wg sync.WaitGroup
	for i, u := range urls[1:] {
		wg.Go(func() { rest[i], errs[i] = readPage(ctx, hc, u) })
	}
	wg.Wait()
	var sum int64
	for _, n := range rest {
		sum += n
	}
	return first + sum, errors.Join(errs...)
}

// readPage asks for u with the bench's token, as a client would, and reads the answer's body
// to its end: it returns the body's length.
func readPage(ctx context.Context, hc *http.Client, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return io.Copy(io.Discard, resp.Body)
}

// perJob times list, which lists the runJobs jobs once, and reports per job: wall time,
// the process's CPU time (client, server and collector; unlike wall time, it hardly grows
// when other programs take the cores), bytes allocated and allocations.
func perJob(b *testing.B, list func() error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu, cpuOK := processCPU()
	for b.Loop() {
		if err := list(); err != nil {
			b.Fatal(err)
		}
	}
	cpuEnd, _ := processCPU()
	runtime.ReadMemStats(&after)
	jobs := float64(b.N) * runJobs
	b.ReportMetric(0, "ns/op") // ns/job says it better
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/jobs, "ns/job")
	if cpuOK {
		b.ReportMetric(float64((cpuEnd-cpu).Nanoseconds())/jobs, "cpu-ns/job")
	}
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/jobs, "B/job")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/jobs, "allocs/job")
}

// BenchmarkPolling is scenario 3: a new client lists an attempt 10 times, as a dashboard
// polling it does, while the attempt runs: between two polls, one job moves on to its next
// status (the server renders its page again, off the clock). primary-req/op is the requests
// that count against GitHub's primary rate limit (all but 304 Not Modified answers to
// conditional requests); req/op is every request; stale-polls/op is the polls whose listing
// did not show every change made before it, which a cache that trusts max-age answers
// (see guard).
func BenchmarkPolling(b *testing.B) {
	benchProtos(b, runJobs, 0, func(b *testing.B, s *server) {
		benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
			stale := 0
			for b.Loop() {
				stale += poll(b, s, g, open(b, p, s, s.transport())) // a new client each time: any cache it has starts cold
			}
			st := s.stats()
			b.ReportMetric(float64(st.counted)/float64(b.N), "primary-req/op")
			b.ReportMetric(float64(st.requests)/float64(b.N), "req/op")
			b.ReportMetric(float64(stale)/float64(b.N), "stale-polls/op")
		})
	})
}

// poll lists the attempt polls times with l, a new client, changing one job on the server
// before every poll but the first, and returns how many listings were stale.
func poll(tb testing.TB, s *server, g *guard, l lister) (stale int) {
	g.newClient()
	b, timed := tb.(*testing.B)
	for i := range polls {
		if i > 0 {
			if timed {
				b.StopTimer()
			}
			g.changed(s.change())
			if timed {
				b.StartTimer()
			}
		}
		if err := g.list(tb.Context(), l); err != nil {
			tb.Fatalf("poll %d: %v", i+1, err)
		}
		if g.stale {
			stale++
		}
	}
	return stale
}

// BenchmarkPeakHeap is scenario 4: the most memory a client holds while it lists a
// 20,000-job attempt. The live heap is measured after a forced collection, so that the
// figure is what the client keeps alive and not when the collector happened to run: before
// every tenth request, at the first job of every tenth page (when a streaming client holds
// a whole decoded page) and at the last job (when AllJobs holds the whole run).
// peak-heap-MB is the largest of these above the live heap before the listing, which holds
// the server's pages; cache-at-peak-MB is what the client's cache held at that moment (the
// wrapper's CacheSize; 0 for the others), and working-set-MB the rest.
func BenchmarkPeakHeap(b *testing.B) {
	benchProtos(b, bigRun, 0, func(b *testing.B, s *server) {
		benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
			next := s.transport()
			if next == nil {
				next = http.DefaultTransport
			}
			h := newHeapSampler(next)
			var above, cached uint64
			for b.Loop() {
				l, seen := open(b, p, s, h), 0
				measured := func(ctx context.Context, see func(int64, string)) error {
					return l(ctx, func(id int64, status string) {
						see(id, status)
						if seen++; h.due.Swap(false) || seen%(sampleEvery*perPage) == 1 || seen == bigRun {
							h.measure()
						}
					})
				}
				base := h.start()
				if err := g.list(b.Context(), measured); err != nil {
					b.Fatal(err)
				}
				peak, cache := h.max()
				above += peak - base
				cached += cache
			}
			b.ReportMetric(0, "ns/op") // mostly forced collections
			b.ReportMetric(float64(above)/float64(b.N)/1e6, "peak-heap-MB")
			b.ReportMetric(float64(cached)/float64(b.N)/1e6, "cache-at-peak-MB")
			b.ReportMetric(float64(above-cached)/float64(b.N)/1e6, "working-set-MB")
		})
	})
}

// sampleEvery is how many pages BenchmarkPeakHeap lets pass between two measurements:
// each forces a collection, which takes long once the heap holds a run's jobs.
const sampleEvery = 10

// heapSampler measures the live heap at the job that follows every sampleEvery-th request
// it sends on. The listing is paused at a job while the collection runs: a collection forced
// in a request's goroutine let the others go on decoding and yielding pages, and Go counts
// what is allocated while it marks as live (allocation is black during marking), so such
// samples counted pages already handed on and dropped.
type heapSampler struct {
	next http.RoundTripper

	due atomic.Bool // a request asked for a measurement at the next job

	mu        sync.Mutex
	sample    []metrics.Sample
	requests  int
	peak      uint64       // the largest live heap since start
	cache     func() int64 // the bytes the client's cache holds; nil for a client without
	peakCache uint64       // what cache said when the live heap was at its peak
}

func (h *heapSampler) watchCache(size func() int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cache = size
}

func newHeapSampler(next http.RoundTripper) *heapSampler {
	return &heapSampler{next: next, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
}

func (h *heapSampler) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.requests++
	if h.requests%sampleEvery == 1 {
		h.due.Store(true)
	}
	h.mu.Unlock()
	return h.next.RoundTrip(req)
}

// start measures the live heap, makes it the peak, and returns it.
func (h *heapSampler) start() uint64 {
	live := h.measure()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.peak, h.peakCache = live, 0
	return live
}

// max is the largest live heap since start, and the bytes the cache held then.
func (h *heapSampler) max() (peak, cache uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak, h.peakCache
}

// measure collects garbage, reads the live heap and raises peak to it.
func (h *heapSampler) measure() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	runtime.GC()
	metrics.Read(h.sample)
	live := h.sample[0].Value.Uint64()
	if live > h.peak {
		h.peak = live
		if h.cache != nil {
			h.peakCache = uint64(h.cache())
		}
		if peakProfile != "" {
			writeHeapProfile(peakProfile)
		}
	}
	return live
}

// peakProfile, from $BENCH_PEAK_PROFILE, is a file that BenchmarkPeakHeap rewrites with a
// heap profile at each new peak, so that the last one written explains the peak of the last
// client run (run one client, with -test.memprofilerate=1 for every allocation).
var peakProfile = os.Getenv("BENCH_PEAK_PROFILE")

func writeHeapProfile(name string) {
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		panic(err)
	}
}
