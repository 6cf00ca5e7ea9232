package main

import (
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestTables(t *testing.T) {
	const in = `goos: linux
goarch: amd64
pkg: github.com/ghjobs/ghjobs/bench
BenchmarkWallTime/client=go-github-2         	       2	 500000000 ns/op	         5.000 x-2rtt
BenchmarkWallTime/client=go-github-2         	       2	 700000000 ns/op	         7.000 x-2rtt
BenchmarkWallTime/client=go-github-2         	       2	 600000000 ns/op	         6.000 x-2rtt
BenchmarkWallTime/client=wrapper-Jobs-2      	       9	 150000000 ns/op	         1.500 x-2rtt
BenchmarkPerJob/client=go-github-2           	       1	       200.0 allocs/job	     40000 ns/job
BenchmarkPerJob/client=wrapper-Jobs-2        	       1	       100.0 allocs/job	     30000 ns/job
BenchmarkPerJob/client=wrapper-Jobs-2        	       1	       50.00 allocs/job	     20000 ns/job
BenchmarkFloor-2                             	     500	   2000000 ns/op
BenchmarkPolling/proto=h1/client=go-github-2           	       1	       0 stale-polls/op	       100.0 req/op
BenchmarkPolling/proto=h1/client=go-github-httpcache-2 	       1	       9.000 stale-polls/op	       10.00 req/op
BenchmarkPolling/proto=h2/client=go-github-2           	       1	       0 stale-polls/op	       100.0 req/op
BenchmarkPolling/proto=h2/client=wrapper-Jobs-2        	       1	       0 stale-polls/op	       50.00 req/op
PASS
`
	tables, err := read(benchfmt.NewReader(strings.NewReader(in), "in"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := write(&out, tables, []string{"go-github"}, false); err != nil {
		t.Fatal(err)
	}
	const want = `WallTime

| client | sec/op | x-2rtt | sec/op ÷ go-github |
| --- | --- | --- | --- |
| go-github | 600.0m | 6.000 | 1.00 |
| wrapper-Jobs | 150.0m | 1.500 | 0.25 |

PerJob

| client | allocs/job | sec/job | allocs/job ÷ go-github | sec/job ÷ go-github |
| --- | --- | --- | --- | --- |
| go-github | 200.0 | 40.00µ | 1.00 | 1.00 |
| wrapper-Jobs | 75.00 | 25.00µ | 0.38 | 0.62 |

Floor

| client | sec/op |
| --- | --- |
| - | 2.000m |

Polling/proto=h1

| client | stale-polls/op | req/op | stale-polls/op ÷ go-github | req/op ÷ go-github |
| --- | --- | --- | --- | --- |
| go-github | 0.000 | 100.0 | - | 1.00 |
| go-github-httpcache | 9.000 | 10.00 | - | 0.10 |

Polling/proto=h2

| client | stale-polls/op | req/op | stale-polls/op ÷ go-github | req/op ÷ go-github |
| --- | --- | --- | --- | --- |
| go-github | 0.000 | 100.0 | - | 1.00 |
| wrapper-Jobs | 0.000 | 50.00 | - | 0.50 |
`
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestGoals checks the goal table per proto: ratios of medians, a floor goal divided the
// other way, a note divided by another unit's figure, one that adds another client's figure
// and one that is a figure already, a
// benchmark without proto keys serving both tables, and a goal without figures.
func TestGoals(t *testing.T) {
	const in = `BenchmarkWallTime/proto=h1/client=go-github-2                    1  500000000 ns/op  5.000 x-2rtt
BenchmarkWallTime/proto=h1/client=wrapper-concurrent-AllJobs-2   1  110000000 ns/op  1.100 x-2rtt
BenchmarkWallTime/proto=h1/client=wrapper-concurrent-AllJobs-2   1  130000000 ns/op  1.300 x-2rtt
BenchmarkWallTime/proto=h1/client=wrapper-concurrent-AllJobs-2   1  120000000 ns/op  1.200 x-2rtt
BenchmarkWallTime/proto=h1/client=wrapper-concurrent-Jobs-2      1  110000000 ns/op  1.100 x-2rtt
BenchmarkWallTimeFloor/proto=h1/client=transport-2               1  105000000 ns/op  1.050 x-2rtt
BenchmarkWallTimeFloor/proto=h1/client=transport-2               1  107000000 ns/op  1.070 x-2rtt
BenchmarkPollWallTime/proto=h1/client=go-github-2                1  1000000000 ns/op  20.00 x-1rtt
BenchmarkPollWallTime/proto=h1/client=go-github-httpcache-2      1  1000000 ns/op  0.020 x-1rtt
BenchmarkPollWallTime/proto=h1/client=wrapper-concurrent-AllJobs-2 1  100000000 ns/op  2.000 x-1rtt
BenchmarkPollWallTime/proto=h1/client=wrapper-concurrent-Jobs-2  1  50000000 ns/op  1.000 x-1rtt
BenchmarkPolling/proto=h1/client=go-github-httpcache-2           1  9.000 stale-polls/op  10.00 req/op
BenchmarkPeakHeap/proto=h1/client=go-github-2                    1  0 ns/op  0.5000 peak-heap-MB  0 cache-at-peak-MB  0.5000 working-set-MB
BenchmarkPeakHeap/proto=h1/client=wrapper-concurrent-Jobs-2      1  0 ns/op  1.000 peak-heap-MB  0.6000 cache-at-peak-MB  0.4000 working-set-MB
BenchmarkPeakHeap/proto=h1/client=wrapper-nocache-Jobs-2         1  0 ns/op  0.3500 peak-heap-MB  0 cache-at-peak-MB  0.3500 working-set-MB
BenchmarkRetainedHeap/client=go-github-2                         1  0 ns/op  4000 kept-B/job
BenchmarkRetainedHeap/client=wrapper-AllJobs-2                   1  0 ns/op  2000 kept-B/job  1800 floor-B/job
BenchmarkPerJob/proto=h2/client=go-github-2                      1  50000 cpu-ns/job
BenchmarkPerJob/proto=h2/client=wrapper-concurrent-AllJobs-2     1  35000 cpu-ns/job
BenchmarkPerJob/proto=h2/client=wrapper-concurrent-Jobs-2        1  25000 cpu-ns/job
`
	tables, err := read(benchfmt.NewReader(strings.NewReader(in), "in"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := writeGoals(&out, tables); err != nil {
		t.Fatal(err)
	}
	const want = `
Goals of issue 17, proto=h1

| figure | measured | goal | met |
| --- | --- | --- | --- |
| first listing, 1,000 jobs × 10 steps, 50 ms a request: wrapper ÷ two-round-trip bound | 1.20 AllJobs, 1.10 Jobs; the two rounds of requests alone, nothing decoded: 1.06 | ≤ 1.15 | missed |
| poll of an unchanged known attempt: round trips | 2.00 AllJobs, 1.00 Jobs | ≤ 1.15 | missed |
| the same poll: go-github ÷ wrapper | 10.00 AllJobs, 20.00 Jobs | ≥ 9 | met |
| ` + "`Jobs`" + ` peak heap over 20,000 jobs ÷ go-github's iterator | 2.00 Jobs; the cache's bytes at the peak ÷ go-github's peak: 1.20; the same plus the peak of the listing without a cache: 1.90 | ≤ 3 | met |
| same, less the bytes the cache holds at that moment (the working set) | 0.80 Jobs | ≤ 1.5 | met |
| CPU per job (whole process) ÷ go-github | - | ≤ 0.5 | - |
| ` + "`AllJobs`" + ` heap kept per job ÷ go-github | 0.50 AllJobs; the generated types' floor ÷ go-github: 0.45 | ≤ 0.66 | met |

Goals of issue 17, proto=h2

| figure | measured | goal | met |
| --- | --- | --- | --- |
| first listing, 1,000 jobs × 10 steps, 50 ms a request: wrapper ÷ two-round-trip bound | -; the two rounds of requests alone, nothing decoded: - | ≤ 1.15 | - |
| poll of an unchanged known attempt: round trips | - | ≤ 1.15 | - |
| the same poll: go-github ÷ wrapper | - | ≥ 9 | - |
| ` + "`Jobs`" + ` peak heap over 20,000 jobs ÷ go-github's iterator | -; the cache's bytes at the peak ÷ go-github's peak: -; the same plus the peak of the listing without a cache: - | ≤ 3 | - |
| same, less the bytes the cache holds at that moment (the working set) | - | ≤ 1.5 | - |
| CPU per job (whole process) ÷ go-github | 0.70 AllJobs, 0.50 Jobs | ≤ 0.5 | missed |
| ` + "`AllJobs`" + ` heap kept per job ÷ go-github | 0.50 AllJobs; the generated types' floor ÷ go-github: 0.45 | ≤ 0.66 | met |
`
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// Without any goal's figures, there is no goal table.
	tables, err = read(benchfmt.NewReader(strings.NewReader("BenchmarkFloor-2  500  2000000 ns/op\n"), "in"))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := writeGoals(&out, tables); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("goal table without any goal's figures:\n%s", out.String())
	}
}

// TestSpreadAndBases: -spread prints min / median, of figures and of ratios, and each table
// divides by the first of the -base clients that it has.
func TestSpreadAndBases(t *testing.T) {
	const in = `BenchmarkDecodePage/client=encoding-json-2   	     100	   2000000 ns/op	  400000 B/op
BenchmarkDecodePage/client=encoding-json-2   	     100	   3000000 ns/op	  400000 B/op
BenchmarkDecodePage/client=encoding-json-2   	     100	   4000000 ns/op	  400000 B/op
BenchmarkDecodePage/client=fast-2            	     100	    500000 ns/op	  200000 B/op
BenchmarkDecodePage/client=fast-2            	     100	    900000 ns/op	  200000 B/op
BenchmarkDecodePage/client=fast-2            	     100	    600000 ns/op	  200000 B/op
BenchmarkGunzipPage/client=compress-gzip-2   	     100	    200000 ns/op
BenchmarkGunzipPage/client=klauspost-gzip-2  	     100	    150000 ns/op
`
	tables, err := read(benchfmt.NewReader(strings.NewReader(in), "in"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := write(&out, tables, []string{"encoding-json", "compress-gzip"}, true); err != nil {
		t.Fatal(err)
	}
	const want = `DecodePage

| client | sec/op | B/op | sec/op ÷ encoding-json | B/op ÷ encoding-json |
| --- | --- | --- | --- | --- |
| encoding-json | 2.000m / 3.000m | 400.0k / 400.0k | 1.00 / 1.00 | 1.00 / 1.00 |
| fast | 500.0µ / 600.0µ | 200.0k / 200.0k | 0.25 / 0.20 | 0.50 / 0.50 |

GunzipPage

| client | sec/op | sec/op ÷ compress-gzip |
| --- | --- | --- |
| compress-gzip | 200.0µ / 200.0µ | 1.00 / 1.00 |
| klauspost-gzip | 150.0µ / 150.0µ | 0.75 / 0.75 |
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
