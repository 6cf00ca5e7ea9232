package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
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

// benchPeers runs fn as the sub-benchmark client=NAME of every peer in ps, with a guard
// for the server's jobs, and fails it when the server saw more requests in flight at once
// than the peer may have.
func benchPeers(b *testing.B, s *server, ps []peer, fn func(b *testing.B, p peer, g *guard)) {
	for _, p := range ps {
		b.Run("client="+p.name, func(b *testing.B) {
			s.resetStats()
			fn(b, p, newGuard(s.ids))
			if m := s.stats().maxInFlight; m > int64(p.inFlight) {
				b.Fatalf("the server saw %d requests in flight at once; %s may have %d", m, p.name, p.inFlight)
			}
		})
	}
}

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
	s := startServer(b, sampleRun(runJobs), latency)
	benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
		for b.Loop() {
			if err := g.list(b.Context(), open(b, p, s, nil)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(2*latency), "x-2rtt")
	})
}

// BenchmarkPerJob is scenario 2: the same attempt without latency, so that what is left is
// the clients' own work: time, bytes allocated and allocations per job. The server runs in
// the same process, and its share, with the transport's, is in every client's figures
// alike: BenchmarkTransportFloor measures it.
func BenchmarkPerJob(b *testing.B) {
	s := startServer(b, sampleRun(runJobs), 0)
	benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
		perJob(b, func() error { return g.list(b.Context(), open(b, p, s, nil)) })
	})
}

// BenchmarkTransportFloor is what BenchmarkPerJob's figures include that no client can
// save: the server and net/http's transport. It reads every page of the attempt and
// throws the bytes away.
func BenchmarkTransportFloor(b *testing.B) {
	s := startServer(b, sampleRun(runJobs), 0)
	var want int64
	urls := make([]string, len(s.pages))
	for i, p := range s.pages {
		want += int64(len(p.body))
		urls[i] = s.URL + s.path + "?per_page=100&page=" + strconv.Itoa(i+1)
	}
	perJob(b, func() error {
		var got int64
		for _, u := range urls {
			req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
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

// BenchmarkPolling is scenario 3: a new client lists an attempt that does not change 10
// times, as a dashboard polling it does. primary-req/op is the requests that count against
// GitHub's primary rate limit (all but 304 Not Modified answers to conditional requests);
// req/op is every request.
func BenchmarkPolling(b *testing.B) {
	s := startServer(b, sampleRun(runJobs), 0)
	benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
		for b.Loop() {
			l := open(b, p, s, nil) // a new client each time: any cache it has starts cold
			for range polls {
				if err := g.list(b.Context(), l); err != nil {
					b.Fatal(err)
				}
			}
		}
		st := s.stats()
		b.ReportMetric(0, "ns/op") // the time is not the point here
		b.ReportMetric(float64(st.counted)/float64(b.N), "primary-req/op")
		b.ReportMetric(float64(st.requests)/float64(b.N), "req/op")
	})
}

// BenchmarkPeakHeap is scenario 4: the most memory a client holds while it lists a
// 20,000-job attempt. The live heap is measured after a forced collection, so that the
// figure is what the client keeps alive and not when the collector happened to run: before
// every tenth request, at the first job of every tenth page (when a streaming client holds
// a whole decoded page) and at the last job (when AllJobs holds the whole run).
// peak-heap-MB is the largest of these above the live heap before the listing, which holds
// the server's pages.
func BenchmarkPeakHeap(b *testing.B) {
	s := startServer(b, sampleRun(bigRun), 0)
	benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
		h := newHeapSampler(http.DefaultTransport)
		var above uint64
		for b.Loop() {
			l, seen := open(b, p, s, h), 0
			measured := func(ctx context.Context, see func(int64)) error {
				return l(ctx, func(id int64) {
					see(id)
					if seen++; seen%(sampleEvery*perPage) == 1 || seen == bigRun {
						h.measure()
					}
				})
			}
			base := h.start()
			if err := g.list(b.Context(), measured); err != nil {
				b.Fatal(err)
			}
			above += h.max() - base
		}
		b.ReportMetric(0, "ns/op") // mostly forced collections
		b.ReportMetric(float64(above)/float64(b.N)/1e6, "peak-heap-MB")
	})
}

// sampleEvery is how many pages BenchmarkPeakHeap lets pass between two measurements:
// each forces a collection, which takes long once the heap holds a run's jobs.
const sampleEvery = 10

// heapSampler measures the live heap before every sampleEvery-th request it sends on.
type heapSampler struct {
	next http.RoundTripper

	mu       sync.Mutex
	sample   []metrics.Sample
	requests int
	peak     uint64 // the largest live heap since start
}

func newHeapSampler(next http.RoundTripper) *heapSampler {
	return &heapSampler{next: next, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
}

func (h *heapSampler) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.requests++
	due := h.requests%sampleEvery == 1
	h.mu.Unlock()
	if due {
		h.measure()
	}
	return h.next.RoundTrip(req)
}

// start measures the live heap, makes it the peak, and returns it.
func (h *heapSampler) start() uint64 {
	live := h.measure()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.peak = live
	return live
}

// max is the largest live heap since start.
func (h *heapSampler) max() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak
}

// measure collects garbage, reads the live heap and raises peak to it.
func (h *heapSampler) measure() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	runtime.GC()
	metrics.Read(h.sample)
	live := h.sample[0].Value.Uint64()
	h.peak = max(h.peak, live)
	return live
}
