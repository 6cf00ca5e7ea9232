package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// Every peer lists every job in both protocols, and gets every page gzipped: each asks for
// it through net/http's transport, which decompresses. Over HTTP/2, every request
// negotiates it and a listing opens one connection.
func TestEveryPeerListsEveryJob(t *testing.T) {
	for _, proto := range protos {
		s := startServer(t, sampleRun(250), 0, proto)
		g := newGuard(s.ids, s.statuses())
		for _, p := range peers() {
			t.Run("proto="+string(proto)+"/client="+p.name, func(t *testing.T) {
				s.closeIdle() // so that the listing's connections are its own
				s.resetStats()
				l, err := p.open(s.URL, s.transport())
				if err != nil {
					t.Fatal(err)
				}
				if err := g.list(t.Context(), l); err != nil {
					t.Fatal(err)
				}
				st := s.stats()
				if st.requests != 3 || st.gzipped != 3 || st.maxInFlight > int64(p.inFlight) {
					t.Errorf("%d requests, %d answered gzipped, at most %d in flight; want 3 requests, all gzipped, at most %d in flight",
						st.requests, st.gzipped, st.maxInFlight, p.inFlight)
				}
				switch {
				case proto == h1 && st.http2 != 0:
					t.Errorf("%d of %d requests came over HTTP/2", st.http2, st.requests)
				case proto == h2 && (st.http2 != st.requests || st.conns != 1):
					t.Errorf("%d of %d requests came over HTTP/2, on %d connections; want all on one", st.http2, st.requests, st.conns)
				}
			})
		}
	}
}

// Over HTTP/2 the pages in flight at once share one connection; over HTTP/1.1 each needs its
// own. The latency keeps the wrapper's nine requests after page 1 in flight together.
func TestPagesInFlightShareOneConnectionOverHTTP2(t *testing.T) {
	c := wrapperConfig{name: "wrapper-concurrent", inFlight: wrapper.DefaultConcurrency}
	for _, proto := range protos {
		s := startServer(t, sampleRun(runJobs), 100*time.Millisecond, proto)
		l, err := c.openAllJobs(s.URL, s.transport())
		if err != nil {
			t.Fatal(err)
		}
		if err := newGuard(s.ids, s.statuses()).list(t.Context(), l); err != nil {
			t.Fatal(err)
		}
		st := s.stats()
		t.Logf("proto=%s: %+v", proto, st)
		if st.maxInFlight < 2 {
			t.Fatalf("proto=%s: at most %d request in flight: the test shows nothing", proto, st.maxInFlight)
		}
		if proto == h2 && st.conns != 1 || proto == h1 && st.conns < st.maxInFlight {
			t.Errorf("proto=%s: %d connections for %d requests in flight at once", proto, st.conns, st.maxInFlight)
		}
	}
}

// Polling while the attempt changes: every client but the caching one sees every change;
// httpcache answers from max-age=60 and so is stale after the first poll.
func TestPollingStaleness(t *testing.T) {
	for _, proto := range protos {
		s := startServer(t, sampleRun(250), 0, proto)
		for _, p := range peers() {
			t.Run("proto="+string(proto)+"/client="+p.name, func(t *testing.T) {
				s.resetStats()
				l, err := p.open(s.URL, s.transport())
				if err != nil {
					t.Fatal(err)
				}
				stale := poll(t, s, newGuard(s.ids, s.statuses()), l)
				st := s.stats()
				if p.name != "go-github-httpcache" {
					if stale != 0 || st.requests != 3*polls {
						t.Errorf("%d stale polls of %d, %d requests; want 0 stale, %d requests", stale, polls, st.requests, 3*polls)
					}
					return
				}
				// Each page is fresh for 60 s after its Date: unless the machine stalls that long,
				// httpcache asks once per page and answers every later poll stale.
				if stale != polls-1 || st.requests != 3 {
					t.Errorf("%d stale polls of %d, %d requests; want %d stale, 3 requests", stale, polls, st.requests, polls-1)
				}
			})
		}
	}
}

func TestGuardFailsWrongListings(t *testing.T) {
	g := newGuard([]int64{10, 20, 30}, []string{"queued", "queued", "completed"})
	type job struct {
		id     int64
		status string
	}
	list := func(jobs []job) error {
		return g.list(t.Context(), func(_ context.Context, see func(int64, string)) error {
			for _, j := range jobs {
				see(j.id, j.status)
			}
			return nil
		})
	}
	q, c := "queued", "completed"
	for _, tc := range []struct {
		jobs []job
		want string // in the error; "" for none
	}{
		{[]job{{10, q}, {20, q}, {30, c}}, ""},
		{[]job{{10, q}, {20, q}}, "has 2 jobs, want 3"},
		{[]job{{10, q}, {30, c}, {20, q}}, "job 2 of the listing has ID 30, want 20"},
		{[]job{{10, q}, {20, q}, {30, c}, {40, q}}, "job 4 of the listing has ID 40, want no more than 3 jobs"},
		{nil, "has 0 jobs, want 3"},
		{[]job{{10, q}, {20, "in_progress"}, {30, c}}, `job 2 of the listing (ID 20) is "in_progress", a status it never had: want "queued"`},
	} {
		if err := list(tc.jobs); (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("listing %v: got %v, want %q", tc.jobs, err, tc.want)
		}
		if g.stale {
			t.Errorf("listing %v: stale before any change", tc.jobs)
		}
	}

	// After a change, the earlier status is stale, not wrong; a new client has no earlier.
	g.changed(1, "in_progress")
	for _, tc := range []struct {
		status string
		stale  bool
		err    bool
	}{{"in_progress", false, false}, {q, true, false}, {c, false, true}} {
		err := list([]job{{10, q}, {20, tc.status}, {30, c}})
		if g.stale != tc.stale || (err != nil) != tc.err {
			t.Errorf("job 20 %s after its change to in_progress: stale %v, %v; want stale %v, an error %v", tc.status, g.stale, err, tc.stale, tc.err)
		}
	}
	g.newClient()
	if err := list([]job{{10, q}, {20, q}, {30, c}}); err == nil {
		t.Error("a new client's listing with job 20 queued, as it was before the client: no error")
	}
}
