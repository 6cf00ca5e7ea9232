package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	pb "google.golang.org/protobuf/proto"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/otelexport"
	"github.com/ghjobs/ghjobs/wrapper"
)

// otelSizes are the attempts the OTLP benchmarks send: issue 19's 2,000 jobs of ten steps,
// and a tenth of it, to show what grows with the attempt and what does not.
var otelSizes = []int{200, 2000}

// finishedRun is sampleRun's attempt of n jobs, every job completed: the jobs that
// SampleRun leaves queued or running end as successes where they are, so that every job
// and step is sent.
func finishedRun(n int) api.Run {
	run := api.SampleRun(owner, repo, runID, attempt, n)
	for i := range run.Jobs {
		j := &run.Jobs[i]
		if j.Status != generated.JobStatusCompleted {
			end := j.StartedAt.Add(5 * time.Minute)
			j.Status, j.Conclusion, j.CompletedAt = generated.JobStatusCompleted, ptr(generated.JobConclusionSuccess), &end
		}
		j.Steps = tenSteps(j)
	}
	return run
}

func ptr[T any](v T) *T { return &v }

// collector is an OTLP/HTTP collector that decodes every export and counts its spans.
type collector struct {
	*httptest.Server
	spans atomic.Int64
}

func startCollector(tb testing.TB) *collector {
	c := &collector{}
	ok, err := pb.Marshal(&coltrace.ExportTraceServiceResponse{})
	if err != nil {
		tb.Fatal(err)
	}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if err == nil {
			err = pb.Unmarshal(body, &req)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				c.spans.Add(int64(len(ss.Spans)))
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(ok)
	}))
	tb.Cleanup(func() {
		c.Close()
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	})
	return c
}

// otelModes are the sub-benchmarks' client= keys: the listing alone, and the listing sent
// as it comes, so that benchstat shows them side by side.
var otelModes = []string{"list", "list+otlp"}

// exportOnce lists the attempt from s with the wrapper (Jobs, WithCache(0), as an exporter
// that lists an attempt once should) and, for mode list+otlp, sends it to col through
// otelexport; rt, if not nil, carries both the listing's and the export's requests. It
// returns the spans sent.
func exportOnce(ctx context.Context, tb testing.TB, mode string, s *server, col *collector, rt http.RoundTripper) int {
	hc := &http.Client{Transport: rt}
	c, err := wrapper.New(wrapper.WithBaseURL(s.URL), wrapper.WithToken(token), wrapper.WithCache(0), wrapper.WithHTTPClient(hc))
	if err != nil {
		tb.Fatal(err)
	}
	a := wrapper.Attempt{Owner: owner, Repo: repo, RunID: runID, Number: attempt}
	if mode == "list" {
		n := 0
		for _, err := range c.Jobs(ctx, a) {
			if err != nil {
				tb.Fatal(err)
			}
			n++
		}
		return 0
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(col.URL+"/v1/traces"), otlptracehttp.WithHTTPClient(hc))
	if err != nil {
		tb.Fatal(err)
	}
	defer exp.Shutdown(ctx)
	r, err := otelexport.Export(ctx, exp, a, c.Jobs(ctx, a))
	if err != nil {
		tb.Fatal(err)
	}
	if !r.Attempt || r.Unfinished > 0 {
		tb.Fatalf("result %+v: want every job and the attempt sent", r)
	}
	return r.Spans
}

// BenchmarkOTLPExport is issue 19's big attempt: 2,000 jobs × 10 steps listed by the
// wrapper from the benchmark server and sent as they come over OTLP/HTTP to an in-process
// collector that decodes every request (client=list+otlp), beside the same listing alone
// (client=list). A job is 11 spans, and one more for its wait if it waited (1,881 of the
// 2,000 did; the skipped ones did not): 23,882 with the attempt's. Time and allocations are
// the whole process's, the server's and the collector's included; spans is what the
// collector counted.
func BenchmarkOTLPExport(b *testing.B) {
	for _, n := range otelSizes {
		s := startServer(b, finishedRun(n), 0, h1)
		col := startCollector(b)
		for _, mode := range otelModes {
			b.Run(fmt.Sprintf("jobs=%d/client=%s", n, mode), func(b *testing.B) {
				b.ReportAllocs()
				col.spans.Store(0)
				sent := 0
				for b.Loop() {
					sent += exportOnce(b.Context(), b, mode, s, col, http.DefaultTransport)
				}
				if int64(sent) != col.spans.Load() {
					b.Fatalf("sent %d spans, the collector counted %d", sent, col.spans.Load())
				}
				b.ReportMetric(float64(sent)/float64(b.N), "spans")
			})
		}
	}
}

// BenchmarkOTLPExportPeakHeap is the most memory the listing holds alone and while it is
// sent, measured as BenchmarkPeakHeap does: the live heap after a forced collection,
// before every tenth request to GitHub and before every export to the collector (when a
// whole batch of spans is held), above the live heap before the listing. A peak that does
// not grow from 200 to 2,000 jobs is memory bounded by the batch, not the attempt.
func BenchmarkOTLPExportPeakHeap(b *testing.B) {
	for _, n := range otelSizes {
		s := startServer(b, finishedRun(n), 0, h1)
		col := startCollector(b)
		for _, mode := range otelModes {
			b.Run(fmt.Sprintf("jobs=%d/client=%s", n, mode), func(b *testing.B) {
				h := newHeapSampler(http.DefaultTransport)
				rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
					if req.URL.Host == col.Listener.Addr().String() {
						h.measure() // a batch is held while it is exported
						return http.DefaultTransport.RoundTrip(req)
					}
					return h.RoundTrip(req)
				})
				var above uint64
				for b.Loop() {
					base := h.start()
					exportOnce(b.Context(), b, mode, s, col, rt)
					h.measure()
					peak, _ := h.max()
					above += peak - base
				}
				b.ReportMetric(0, "ns/op") // mostly forced collections
				b.ReportMetric(float64(above)/float64(b.N)/1e6, "peak-heap-MB")
			})
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
