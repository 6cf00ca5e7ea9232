package wrapper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

type pageServer map[int][]byte // pages by number

func (s pageServer) RoundTrip(req *http.Request) (*http.Response, error) {
	n, _ := strconv.Atoi(req.URL.Query().Get("page"))
	n = max(n, 1)
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if n < len(s) {
		h.Set("Link", fmt.Sprintf(`<%s?per_page=100&page=%d>; rel="next", <%s?per_page=100&page=%d>; rel="last"`,
			req.URL.Path, n+1, req.URL.Path, len(s)))
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Request: req,
		ContentLength: int64(len(s[n])), Body: io.NopCloser(bytes.NewReader(s[n]))}, nil
}

// BenchmarkDecode measures the wrapper's own cost per job, without a network: 1,000 jobs of
// 100 per page served from memory.
func BenchmarkDecode(b *testing.B) {
	run := api.SampleRun("o", "r", 1, 1, 1000)
	pages := pageServer{}
	for i := 0; i*100 < len(run.Jobs); i++ {
		body, err := json.Marshal(map[string]any{"total_count": len(run.Jobs), "jobs": run.Jobs[i*100 : (i+1)*100]})
		if err != nil {
			b.Fatal(err)
		}
		pages[i+1] = body
	}
	for _, conc := range []int{1, wrapper.DefaultConcurrency} {
		b.Run(fmt.Sprint("concurrency=", conc), func(b *testing.B) {
			c, err := wrapper.New(wrapper.WithBaseURL("https://api.github.com"), wrapper.WithCache(0),
				wrapper.WithConcurrency(conc), wrapper.WithHTTPClient(&http.Client{Transport: pages}))
			if err != nil {
				b.Fatal(err)
			}
			a := wrapper.Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}
			b.ReportAllocs()
			for b.Loop() {
				jobs, err := c.AllJobs(context.Background(), a)
				if err != nil || len(jobs) != 1000 {
					b.Fatal(len(jobs), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/job")
		})
	}
}
