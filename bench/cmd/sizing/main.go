// Command sizing computes, from GitHub's published limits, what one credential sustains when
// a fleet of processes polls the jobs of an organization's in-progress workflow runs: with
// plain requests, with conditional requests (each process's own ETag cache), with a shared
// store (redisstore: one ETag cache for the fleet) and with a shared store and shared
// freshness (WithSharedFreshness: the fleet asks about each page about once a minute).
//
//	go run ./cmd/sizing -repos 200 -runs-per-repo 1.5 -poll 60s -fleet 8
//
// The limits (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api): 5,000
// requests an hour for a user's token, 15,000 for a GitHub App installation on GitHub
// Enterprise Cloud (-limit); secondary limits: at most 100 requests in flight, and 900 points
// a minute for REST endpoints, a GET costing 1 point. A 304 to an authorized conditional
// request costs no primary limit; it is counted here against the 900 points, as GitHub does
// not say it is not.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// Published limits.
const (
	pointsPerMinute = 900 // secondary limit for REST endpoints; a GET is 1 point
	maxInFlight     = 100 // secondary limit: concurrent requests per credential
	perPage         = 100 // the most jobs one page holds
)

// org is the workload: how many attempts are in progress, how big they are, how they change.
type org struct {
	Repos       int
	RunsPerRepo float64       // workflow runs an hour per repository
	RunMinutes  float64       // how long a run is in progress
	Jobs        int           // jobs per run
	Change      time.Duration // mean time between changes of an in-progress attempt's page
}

// fleet is how it is polled.
type fleet struct {
	Processes int
	Poll      time.Duration // each process polls each in-progress attempt this often
	Fresh     time.Duration // shared freshness (GitHub's max-age: a minute)
	Latency   time.Duration // GitHub's time to answer a page
}

// cost is what one mode costs an hour, and what it leaves.
type cost struct {
	Mode                string
	Requests, Counted   float64 // an hour; Counted against the primary limit
	PointsPerMinute     float64
	InFlight            float64 // on average (Little's law)
	MaxRunsPerHour      float64 // at this limit, before the primary or a secondary limit
	SeenWithin          time.Duration
	PrimaryOK, PointsOK bool
}

// pages is how many pages are polled at once: in-progress attempts times pages each.
func (o org) pages() float64 {
	runs := float64(o.Repos) * o.RunsPerRepo
	inProgress := runs * o.RunMinutes / 60
	return inProgress * math.Ceil(float64(o.Jobs)/perPage)
}

// changed is the chance that a page changed in d.
func (o org) changed(d time.Duration) float64 {
	return 1 - math.Exp(-d.Seconds()/o.Change.Seconds())
}

// costs returns each mode's cost for o polled by f, with limit requests an hour.
func costs(o org, f fleet, limit float64) []cost {
	pages := o.pages()
	n := float64(f.Processes)
	perProcess := pages * 3600 / f.Poll.Seconds() // requests an hour, each process
	// With a shared store, polls of the fleet interleave: each sees the changes since the
	// fleet's previous poll, S/n earlier (replicas do not poll in step).
	fleetGap := f.Poll / time.Duration(f.Processes)
	// With shared freshness, the fleet asks about a page once it is older than Fresh, at
	// the next poll of any process after that.
	freshGap := max(fleetGap, f.Fresh+fleetGap/2)
	modes := []cost{
		{Mode: "plain requests", Requests: n * perProcess, Counted: n * perProcess, SeenWithin: f.Poll},
		{Mode: "conditional (per process)", Requests: n * perProcess, Counted: n * perProcess * o.changed(f.Poll), SeenWithin: f.Poll},
		{Mode: "shared store", Requests: n * perProcess, Counted: n * perProcess * o.changed(fleetGap), SeenWithin: f.Poll},
		{Mode: "shared store + freshness", Requests: pages * 3600 / freshGap.Seconds(),
			Counted: pages * 3600 / freshGap.Seconds() * o.changed(freshGap), SeenWithin: f.Poll + f.Fresh},
	}
	runs := float64(o.Repos) * o.RunsPerRepo
	for i := range modes {
		m := &modes[i]
		m.PointsPerMinute = m.Requests / 60
		m.InFlight = m.Requests / 3600 * f.Latency.Seconds()
		m.PrimaryOK, m.PointsOK = m.Counted <= limit, m.PointsPerMinute <= pointsPerMinute
		// Costs grow with the runs: scale to the first limit reached.
		scale := math.Min(limit/m.Counted, pointsPerMinute/m.PointsPerMinute)
		if m.InFlight > 0 {
			scale = math.Min(scale, maxInFlight/m.InFlight)
		}
		m.MaxRunsPerHour = runs * scale
	}
	return modes
}

func main() {
	var o org
	var f fleet
	flag.IntVar(&o.Repos, "repos", 200, "repositories in the organization")
	flag.Float64Var(&o.RunsPerRepo, "runs-per-repo", 1.5, "workflow runs an hour per repository")
	flag.Float64Var(&o.RunMinutes, "run-minutes", 12, "minutes a run is in progress")
	flag.IntVar(&o.Jobs, "jobs", 30, "jobs per run (100 a page)")
	flag.DurationVar(&o.Change, "change", 2*time.Minute, "mean time between changes of an in-progress attempt's jobs")
	flag.IntVar(&f.Processes, "fleet", 8, "processes polling, each all the attempts")
	flag.DurationVar(&f.Poll, "poll", time.Minute, "how often each process polls an attempt")
	flag.DurationVar(&f.Fresh, "fresh", time.Minute, "WithSharedFreshness (at most GitHub's max-age, 1m)")
	flag.DurationVar(&f.Latency, "latency", 300*time.Millisecond, "GitHub's time to answer a page")
	limit := flag.Float64("limit", 5000, "primary limit an hour: 5000 for a token, 15000 for an Enterprise Cloud app installation")
	flag.Parse()
	if o.Repos < 1 || o.RunsPerRepo <= 0 || o.RunMinutes <= 0 || o.Jobs < 1 || o.Change <= 0 ||
		f.Processes < 1 || f.Poll <= 0 || f.Fresh < 0 || f.Fresh > time.Minute || *limit <= 0 {
		fmt.Fprintln(os.Stderr, "sizing: every figure must be positive, -fresh at most 1m")
		os.Exit(2)
	}
	report(os.Stdout, o, f, *limit)
}

func report(w io.Writer, o org, f fleet, limit float64) {
	fmt.Fprintf(w, "%d repositories × %.1f runs an hour, %.0f minutes each, %d jobs: %.0f pages in progress, changing every %s\n",
		o.Repos, o.RunsPerRepo, o.RunMinutes, o.Jobs, o.pages(), o.Change)
	fmt.Fprintf(w, "%d processes each polling every %s; limits: %.0f requests an hour, %d points a minute, %d in flight\n\n",
		f.Processes, f.Poll, limit, pointsPerMinute, maxInFlight)
	fmt.Fprintln(w, "| mode | requests/h | counted/h | points/min | fits | runs/h one credential sustains | a change seen within |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---:|---:|")
	for _, m := range costs(o, f, limit) {
		fits := "yes"
		switch {
		case !m.PrimaryOK && !m.PointsOK:
			fits = "no: primary and secondary"
		case !m.PrimaryOK:
			fits = "no: primary"
		case !m.PointsOK:
			fits = "no: secondary (points)"
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %s | %.0f | %s |\n",
			m.Mode, m.Requests, m.Counted, m.PointsPerMinute, fits, m.MaxRunsPerHour, m.SeenWithin)
	}
}
