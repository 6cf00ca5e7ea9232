package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/redisstore"
	"github.com/ghjobs/ghjobs/wrapper"
)

// TestFleet is the fleet benchmark of docs/fleet-sizing.md: processes (8) each
// polling the same in-progress attempts (200) every minute for 10 minutes, simulated 30
// times faster than real time, against a server that answers as GitHub does where it counts
// (ETags and free authorized 304s; secondary limits past 100 requests in flight or 900
// requests in a minute), without a shared store and with redisstore (and
// WithSharedFreshness of one simulated minute, GitHub's max-age). It prints the requests
// GitHub would count, the secondary limits hit, and the 95th percentile of the time from a
// change to each process seeing it.
//
// By default it runs a small fleet for a few simulated minutes, so that it cannot rot;
// GHJOBS_FLEET=full runs the real one (about a minute):
//
//	GHJOBS_FLEET=full go test -run '^TestFleet$' -v .
func TestFleet(t *testing.T) {
	sc := fleetScenario{Processes: 2, Attempts: 20, Minutes: 3}
	if os.Getenv("GHJOBS_FLEET") == "full" {
		sc = fleetScenario{Processes: 8, Attempts: 200, Minutes: 10}
	}
	sc.Speedup, sc.Poll, sc.ChangeEvery, sc.Latency = 30, time.Minute, 5*time.Minute, 100*time.Millisecond
	rds := redistest.Start(t)
	without := runFleet(t, sc, "")
	with := runFleet(t, sc, rds.Addr)
	t.Logf("%d processes polling %d in-progress attempts every %s for %d simulated minutes (%d× real time):",
		sc.Processes, sc.Attempts, sc.Poll, sc.Minutes, sc.Speedup)
	t.Logf("%-22s %9s %9s %9s %10s %10s", "", "requests", "counted", "304s", "secondary", "p95 seen")
	for _, r := range []struct {
		name string
		res  fleetResult
	}{{"without a shared store", without}, {"with redisstore", with}} {
		t.Logf("%-22s %9d %9d %9d %10d %9.0fs", r.name, r.res.Requests, r.res.Counted, r.res.NotModified, r.res.Secondary, r.res.P95Seen.Seconds())
	}
	ratio := float64(with.Counted) / float64(max(without.Counted, 1))
	t.Logf("counted with the store / without: %.3f (goal ≤ 0.125); secondary limits with the store: %d (goal 0)", ratio, with.Secondary)
	if without.Counted == 0 || with.Counted == 0 {
		t.Error("a fleet made no counted request: the benchmark measured nothing")
	}
}

// fleetScenario is one fleet benchmark; durations are simulated.
type fleetScenario struct {
	Processes, Attempts, Minutes int
	Speedup                      int           // simulated time runs this many times faster than real time
	Poll                         time.Duration // each process polls every attempt this often
	ChangeEvery                  time.Duration // each attempt changes this often on average
	Latency                      time.Duration // GitHub's time to answer
}

// real converts a simulated duration to real time.
func (sc fleetScenario) real(d time.Duration) time.Duration { return d / time.Duration(sc.Speedup) }

// fleetResult is what one fleet cost, counted at the server.
type fleetResult struct {
	Requests, Counted, NotModified, Secondary int
	P95Seen                                   time.Duration // simulated
}

// runFleet runs sc's processes against a fresh server, sharing through the Redis at addr ("":
// no store), and counts.
func runFleet(t *testing.T, sc fleetScenario, addr string) fleetResult {
	srv := newFleetServer(sc)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { srv.changeAttempts(ctx) })
	dir := t.TempDir()
	cfg := fleetChildConfig{URL: hs.URL, Redis: addr, Attempts: sc.Attempts,
		Poll: sc.real(sc.Poll), For: sc.real(time.Duration(sc.Minutes) * time.Minute), Fresh: sc.real(time.Minute)}
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := range sc.Processes {
		cfg.Offset = cfg.Poll * time.Duration(i) / time.Duration(sc.Processes) // replicas start apart
		cfg.Report = filepath.Join(dir, fmt.Sprintf("child-%d.json", i))
		raw, _ := json.Marshal(cfg)
		cmd := exec.Command(os.Args[0], "-test.run=^TestFleetChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), fleetChildEnv+"="+string(raw))
		out := new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	var delays []time.Duration
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("fleet process %d: %v\n%s", i, err, outs[i].String())
		}
		raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("child-%d.json", i)))
		if err != nil {
			t.Fatalf("fleet process %d left no report: %v", i, err)
		}
		var rep fleetChildReport
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Failed > 0 {
			t.Errorf("fleet process %d: %d listings failed: %s", i, rep.Failed, rep.FirstError)
		}
		delays = append(delays, srv.seenDelays(rep.Seen, sc)...)
	}
	cancel()
	wg.Wait()
	res := srv.result()
	if len(delays) > 0 {
		slices.Sort(delays)
		res.P95Seen = delays[len(delays)*95/100] * time.Duration(sc.Speedup)
	}
	return res
}

// fleetServer answers GET .../attempts/{n}/jobs for attempts 1 to sc.Attempts, each one page
// whose first job's name carries the attempt's version, with GitHub's manners that matter
// here: a strong ETag, free 304s, secondary limits past 100 requests in flight or 900
// requests in a (simulated) minute.
type fleetServer struct {
	sc     fleetScenario
	window time.Duration // a simulated minute, in real time

	mu                    sync.Mutex
	versions              []int         // per attempt
	changed               [][]time.Time // per attempt, when each version appeared
	bodies                [][]byte      // per attempt, the page of its version
	inFlight              int
	windowStart           time.Time
	inWindow              int
	holdUntil             time.Time
	requests, notModified int
	counted, secondary    int
}

func newFleetServer(sc fleetScenario) *fleetServer {
	s := &fleetServer{sc: sc, window: sc.real(time.Minute), windowStart: time.Now()}
	for a := range sc.Attempts {
		s.versions = append(s.versions, 0)
		s.changed = append(s.changed, []time.Time{time.Now()})
		s.bodies = append(s.bodies, fleetPage(a+1, 0))
	}
	return s
}

// fleetPage is attempt a's page at version v: 20 jobs, the first named for the version.
func fleetPage(a, v int) []byte {
	run := api.SampleRun("octo-org", "octo-repo", int64(a), 1, 20)
	run.Jobs[0].Name = "poll v" + strconv.Itoa(v)
	b, err := json.Marshal(api.ToGitHubPage(len(run.Jobs), run.Jobs))
	if err != nil {
		panic(err)
	}
	return b
}

// changeAttempts changes a random attempt now and then, ChangeEvery per attempt on average,
// until ctx is done.
func (s *fleetServer) changeAttempts(ctx context.Context) {
	every := s.sc.real(s.sc.ChangeEvery) / time.Duration(s.sc.Attempts)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(rand.ExpFloat64() * float64(every))):
		}
		a := rand.N(s.sc.Attempts)
		s.mu.Lock()
		s.versions[a]++
		s.changed[a] = append(s.changed[a], time.Now())
		v := s.versions[a]
		s.mu.Unlock()
		body := fleetPage(a+1, v)
		s.mu.Lock()
		if s.versions[a] == v {
			s.bodies[a] = body
		}
		s.mu.Unlock()
	}
}

func (s *fleetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(r.URL.Path, "/") // /repos/octo-org/octo-repo/actions/runs/{a}/attempts/1/jobs
	a, err := strconv.Atoi(parts[len(parts)-4])
	if err != nil || a < 1 || a > s.sc.Attempts {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	now := time.Now()
	s.requests++
	if now.Sub(s.windowStart) >= s.window {
		s.windowStart, s.inWindow = now, 0
	}
	s.inWindow++
	s.inFlight++
	limited := now.Before(s.holdUntil) || s.inFlight > 100 || s.inWindow > 900
	if limited {
		s.secondary++
		s.counted++
		if !now.Before(s.holdUntil) {
			s.holdUntil = now.Add(s.window)
		}
	}
	etag := fmt.Sprintf(`"a%d-v%d"`, a, s.versions[a-1])
	body := s.bodies[a-1]
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	time.Sleep(s.sc.real(s.sc.Latency))
	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(int(s.window.Seconds()+1)))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
		return
	}
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag && r.Header.Get("Authorization") != "" {
		s.mu.Lock()
		s.notModified++
		s.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.mu.Lock()
	s.counted++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

func (s *fleetServer) result() fleetResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fleetResult{Requests: s.requests, Counted: s.counted, NotModified: s.notModified, Secondary: s.secondary}
}

// seenDelays returns, for each change that one process saw, how long after the change it
// first listed that version or a later one. seen[a] holds, per version of attempt a+1 the
// process saw, when it first saw it (unix nanoseconds). Changes in the first poll interval
// and the last two are left out: no process polled before or after them.
func (s *fleetServer) seenDelays(seen map[int]map[int]int64, sc fleetScenario) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for a, changes := range s.changed {
		start, end := changes[0].Add(sc.real(sc.Poll)), changes[0].Add(sc.real(time.Duration(sc.Minutes)*time.Minute-2*sc.Poll))
		for v := 1; v < len(changes); v++ {
			if changes[v].Before(start) || changes[v].After(end) {
				continue
			}
			var first time.Time
			for sv, at := range seen[a] {
				if t := time.Unix(0, at); sv >= v && (first.IsZero() || t.Before(first)) {
					first = t
				}
			}
			if !first.IsZero() {
				out = append(out, first.Sub(changes[v]))
			}
		}
	}
	return out
}

const fleetChildEnv = "GHJOBS_FLEET_CHILD"

// fleetChildConfig is one process of the fleet; durations are real.
type fleetChildConfig struct {
	URL, Redis, Report string
	Attempts           int
	Poll, For, Offset  time.Duration
	Fresh              time.Duration // WithSharedFreshness, with a store
}

type fleetChildReport struct {
	Failed     int
	FirstError string
	Seen       map[int]map[int]int64 // attempt index → version → first seen (unix ns)
}

// TestFleetChild is one process of TestFleet's fleet; it does nothing unless TestFleet
// started it.
func TestFleetChild(t *testing.T) {
	raw := os.Getenv(fleetChildEnv)
	if raw == "" {
		t.Skip("run by TestFleet only")
	}
	var cfg fleetChildConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 10
	defer tr.CloseIdleConnections()
	opts := []wrapper.Option{wrapper.WithBaseURL(cfg.URL), wrapper.WithToken("ghs_fleet"), wrapper.WithConcurrency(1),
		wrapper.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Minute})}
	if cfg.Redis != "" {
		rdb := redis.NewClient(&redis.Options{Addr: cfg.Redis, ContextTimeoutEnabled: true})
		defer rdb.Close()
		s := redisstore.New(rdb)
		defer s.Close()
		opts = append(opts, wrapper.WithStore(s), wrapper.WithSharedFreshness(cfg.Fresh))
	}
	c, err := wrapper.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	rep := fleetChildReport{Seen: make(map[int]map[int]int64)}
	var mu sync.Mutex
	start := time.Now()
	time.Sleep(cfg.Offset)
	for round := 0; time.Since(start) < cfg.For; round++ {
		next := start.Add(cfg.Offset + time.Duration(round+1)*cfg.Poll)
		work := make(chan int)
		var wg sync.WaitGroup
		for range 10 { // an exporter's workers
			wg.Go(func() {
				for a := range work {
					jobs, err := c.AllJobs(t.Context(), wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: int64(a + 1), Number: 1})
					now := time.Now().UnixNano()
					mu.Lock()
					if err != nil {
						if rep.Failed++; rep.FirstError == "" {
							rep.FirstError = err.Error()
						}
					} else if v, ok := fleetVersion(jobs); ok {
						if rep.Seen[a] == nil {
							rep.Seen[a] = make(map[int]int64)
						}
						if _, dup := rep.Seen[a][v]; !dup {
							rep.Seen[a][v] = now
						}
					}
					mu.Unlock()
				}
			})
		}
		for a := range cfg.Attempts {
			work <- a
		}
		close(work)
		wg.Wait()
		time.Sleep(time.Until(next))
	}
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.Report, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fleetVersion reads the version fleetPage wrote into the first job's name.
func fleetVersion(jobs []wrapper.Job) (int, bool) {
	for _, j := range jobs {
		if v, ok := strings.CutPrefix(j.Name, "poll v"); ok {
			n, err := strconv.Atoi(v)
			return n, err == nil
		}
	}
	return 0, false
}
