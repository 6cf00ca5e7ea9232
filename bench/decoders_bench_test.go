package bench

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/generated"
	kpgzip "github.com/klauspost/compress/gzip"
)

// studyPage is the page the decoder study decodes: the first of a 1,000-job attempt with
// ten steps a job (sampleRun), 100 jobs as GitHub writes them, as the benchmark server
// serves it (pageJSON; about 250 kB).
func studyPage(tb testing.TB) []byte {
	tb.Helper()
	data, err := pageJSON(sampleRun(1000).Jobs, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// newBody is what wrapper's decodePage decodes into: a pageBody whose jobs slice has room
// for a full page.
func newBody() pageBody {
	return pageBody{JobsPage: generated.JobsPage{Jobs: make([]generated.Job, 0, perPage)}}
}

// BenchmarkDecodePage decodes one 100-job page with each candidate decoder (decoders.go):
// the decoder study of issue 17, docs/decoders.md. kept-B is the heap that the decoded
// page keeps alive once the decoder is done (a decoder whose strings point into its own
// copy of the input keeps the whole input).
func BenchmarkDecodePage(b *testing.B) {
	data := studyPage(b)
	for _, d := range decoders {
		b.Run("client="+d.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				body := newBody()
				if err := d.unmarshal(data, &body); err != nil {
					b.Fatal(err)
				}
				if len(body.Jobs) != perPage {
					b.Fatalf("%d jobs decoded, want %d", len(body.Jobs), perPage)
				}
			}
			cpu.report(b)
			b.ReportMetric(float64(kept(b, d, data)), "kept-B")
		})
	}
}

// cpuSince is the process's CPU time at the start of a benchmark's loop.
type cpuSince struct {
	at time.Duration
	ok bool
}

func startCPU() cpuSince {
	at, ok := processCPU()
	return cpuSince{at, ok}
}

// report reports the CPU time of each op, user and system, the collector's included: on a
// machine that other programs share, it grows less with their load than wall time does.
func (c cpuSince) report(b *testing.B) {
	if now, ok := processCPU(); ok && c.ok {
		b.ReportMetric(float64((now-c.at).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// kept is the live heap that one page decoded by d keeps, measured after forced
// collections, so that it does not depend on when the collector ran.
func kept(tb testing.TB, d decoder, data []byte) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	body := newBody()
	if err := d.unmarshal(data, &body); err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(body)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// gzipReader is what compress/gzip's and klauspost's readers have in common.
type gzipReader interface {
	io.Reader
	Reset(io.Reader) error
	Multistream(bool)
}

// BenchmarkGunzipPage decompresses the study's page, as the server compresses it, the way
// wrapper's gunzip does: a reader reset for each page, one stream, into a buffer of the
// page's size. It compares compress/gzip with github.com/klauspost/compress/gzip.
func BenchmarkGunzipPage(b *testing.B) {
	data := studyPage(b)
	gz := compress(data)
	readers := []struct {
		name string
		new  func(io.Reader) (gzipReader, error)
	}{
		{"compress-gzip", func(r io.Reader) (gzipReader, error) { return stdgzip.NewReader(r) }},
		{"klauspost-gzip", func(r io.Reader) (gzipReader, error) { return kpgzip.NewReader(r) }},
	}
	for _, r := range readers {
		b.Run("client="+r.name, func(b *testing.B) {
			zr, err := r.new(bytes.NewReader(gz))
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			buf.Grow(len(data) + bytes.MinRead)
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if err := zr.Reset(bytes.NewReader(gz)); err != nil {
					b.Fatal(err)
				}
				zr.Multistream(false)
				buf.Reset()
				if _, err := buf.ReadFrom(zr); err != nil {
					b.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), data) {
					b.Fatal("the page decompressed is not the page compressed")
				}
			}
			cpu.report(b)
		})
	}
}
