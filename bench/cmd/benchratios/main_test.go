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
	if err := write(&out, tables, "go-github"); err != nil {
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
