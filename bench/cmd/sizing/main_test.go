package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b)) }

// The modes' costs against figures worked out by hand: 10 repositories × 6 runs an hour of
// 10 minutes and 150 jobs is 10 attempts of 2 pages in progress, 20 pages.
func TestCosts(t *testing.T) {
	o := org{Repos: 10, RunsPerRepo: 6, RunMinutes: 10, Jobs: 150, Change: time.Minute}
	f := fleet{Processes: 4, Poll: time.Minute, Fresh: time.Minute, Latency: time.Second}
	m := costs(o, f, 5000)
	if got := o.pages(); !near(got, 20) {
		t.Fatalf("pages in progress: %v, want 20", got)
	}
	perProcess := 20.0 * 60 // a request per page a minute
	if !near(m[0].Requests, 4*perProcess) || !near(m[0].Counted, 4*perProcess) {
		t.Errorf("plain: %+v", m[0])
	}
	if want := 4 * perProcess * (1 - math.Exp(-1)); !near(m[1].Counted, want) {
		t.Errorf("conditional: counted %v, want %v", m[1].Counted, want)
	}
	if want := 4 * perProcess * (1 - math.Exp(-0.25)); !near(m[2].Counted, want) || !near(m[2].Requests, m[1].Requests) {
		t.Errorf("shared store: %+v, want counted %v and the same requests", m[2], want)
	}
	gap := 67.5 // freshness of 60s, then the next poll of the fleet, 15s apart: 7.5s on average
	if want := 20 * 3600 / gap; !near(m[3].Requests, want) {
		t.Errorf("shared freshness: %v requests, want %v", m[3].Requests, want)
	}
	// Plain requests: 4800 counted an hour for 60 runs fit 5000; 62.5 runs would not.
	if !m[0].PrimaryOK || !near(m[0].MaxRunsPerHour, 60*5000/4800.0) {
		t.Errorf("plain: fits %v, sustains %v runs an hour, want %v", m[0].PrimaryOK, m[0].MaxRunsPerHour, 60*5000/4800.0)
	}
}

func TestReport(t *testing.T) {
	var b bytes.Buffer
	report(&b, org{Repos: 200, RunsPerRepo: 1.5, RunMinutes: 12, Jobs: 30, Change: 2 * time.Minute},
		fleet{Processes: 8, Poll: time.Minute, Fresh: time.Minute, Latency: 300 * time.Millisecond}, 5000)
	out := b.String()
	for _, want := range []string{"| plain requests | 28800 | 28800 | 480 | no: primary |", "| shared store |"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
