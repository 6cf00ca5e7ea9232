package wrapper_test

import (
	"bytes"
	"compress/gzip"
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

// pageServer serves pages by number, gzip-compressed (as the client asks) when gzipped.
type pageServer struct {
	pages   map[int][]byte
	gzipped bool
}

func (s pageServer) RoundTrip(req *http.Request) (*http.Response, error) {
	n, _ := strconv.Atoi(req.URL.Query().Get("page"))
	n = max(n, 1)
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	if s.gzipped {
		h.Set("Content-Encoding", "gzip")
	}
	if n < len(s.pages) {
		h.Set("Link", fmt.Sprintf(`<%s?per_page=100&page=%d>; rel="next", <%s?per_page=100&page=%d>; rel="last"`,
			req.URL.Path, n+1, req.URL.Path, len(s.pages)))
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Request: req,
		ContentLength: int64(len(s.pages[n])), Body: io.NopCloser(bytes.NewReader(s.pages[n]))}, nil
}

// BenchmarkDecode measures the wrapper's own cost per job, without a network: 1,000 jobs of
// 100 per page served from memory, as JSON and gzip-compressed (at gzip's fastest level,
// as GitHub's front ends and the fake compress), so that what decompression costs shows.
func BenchmarkDecode(b *testing.B) {
	run := api.SampleRun("o", "r", 1, 1, 1000)
	plain, zipped := map[int][]byte{}, map[int][]byte{}
	for i := 0; i*100 < len(run.Jobs); i++ {
		body, err := json.Marshal(map[string]any{"total_count": len(run.Jobs), "jobs": run.Jobs[i*100 : (i+1)*100]})
		if err != nil {
			b.Fatal(err)
		}
		plain[i+1] = body
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		zw.Write(body)
		zw.Close()
		zipped[i+1] = z.Bytes()
	}
	for _, enc := range []string{"identity", "gzip"} {
		for _, conc := range []int{1, wrapper.DefaultConcurrency} {
			b.Run(fmt.Sprintf("encoding=%s/concurrency=%d", enc, conc), func(b *testing.B) {
				pages := pageServer{plain, false}
				if enc == "gzip" {
					pages = pageServer{zipped, true}
				}
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
}
