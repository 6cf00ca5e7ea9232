package wrapper

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func gz(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGzipAskedForAndKept: the client asks for gzip itself, and nothing else, so that the
// bytes it keeps in its cache are the compressed ones GitHub sent; a 304 is decoded from them.
func TestGzipAskedForAndKept(t *testing.T) {
	page := `{"total_count":1,"jobs":[{"id":7,"name":"` + strings.Repeat("build ", 200) + `"}]}`
	var asked atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.Header.Values("Accept-Encoding"))
		w.Header().Set("ETag", `"1"`)
		if r.Header.Get("If-None-Match") == `"1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz(t, page))
	}))
	defer srv.Close()
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []bool{false, true} {
		p, err := c.ListJobs(context.Background(), testAttempt, nil)
		if err != nil || len(p.Jobs) != 1 || p.Jobs[0].ID != 7 || p.NotModified != want {
			t.Fatalf("ListJobs = %+v, %v; want job 7, NotModified %v", p, err, want)
		}
		if v := asked.Load().([]string); len(v) != 1 || v[0] != "gzip" {
			t.Errorf("Accept-Encoding %q, want gzip alone", v)
		}
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	for el := c.cache.bodies.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*lruEntry[string, *cachedPage]).val
		if !bytes.HasPrefix(e.body, []byte{0x1f, 0x8b}) || len(e.body) >= len(page) {
			t.Errorf("the cache keeps %d bytes starting %q, want the gzip stream, smaller than the %d of the page", len(e.body), e.body[:min(len(e.body), 4)], len(page))
		}
	}
}

// TestContentEncodings: gzip and identity are read; any other coding, or a body that is not
// what its Content-Encoding says, or one that decompresses beyond any page, is a malformed
// page, not retried, and ends cleanly.
func TestContentEncodings(t *testing.T) {
	page := `{"total_count":1,"jobs":[{"id":7}]}`
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	zw.Write([]byte(`{"total_count":1,"jobs":[`))
	for range 40 { // 40 MiB of spaces: past the 32 MiB bound, in about 40 KB
		zw.Write(spaces)
	}
	zw.Write([]byte(`]}`))
	zw.Close()
	cut := gz(t, page)
	cut = cut[:len(cut)-6] // the trailer's CRC and length cut off: framed by Content-Length all the same

	for _, tt := range []struct {
		name     string
		encoding []string
		body     []byte
		ok       bool
		says     string
	}{
		{"gzip", []string{"gzip"}, gz(t, page), true, ""},
		{"x-gzip", []string{"x-gzip"}, gz(t, page), true, ""},
		{"identity", []string{"identity"}, []byte(page), true, ""},
		{"none", nil, []byte(page), true, ""},
		{"br, not asked for", []string{"br"}, []byte(page), false, `"br" was not asked for`},
		{"deflate, not asked for", []string{"deflate"}, []byte(page), false, "not asked for"},
		{"two codings", []string{"gzip", "gzip"}, gz(t, string(gz(t, page))), false, "one coding expected"},
		{"gzip that is plain JSON", []string{"gzip"}, []byte(page), false, "not gzip"},
		{"gzip cut inside a framed body", []string{"gzip"}, cut, false, "unexpected EOF"},
		{"gzip bomb", []string{"gzip"}, bomb.Bytes(), false, "larger than 32 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Header()["Content-Encoding"] = tt.encoding
				w.Header().Set("X-GitHub-Request-Id", "ZIP:1")
				w.Write(tt.body)
			}))
			defer srv.Close()
			c, err := New(WithBaseURL(srv.URL), WithRetryPolicy(fastPolicy()))
			if err != nil {
				t.Fatal(err)
			}
			jobs, err := c.AllJobs(context.Background(), testAttempt)
			if tt.ok {
				if err != nil || len(jobs) != 1 || jobs[0].ID != 7 {
					t.Errorf("AllJobs = %v, %v; want job 7", jobs, err)
				}
				return
			}
			if !errors.Is(err, ErrMalformedPage) || !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), "ZIP:1") || jobs != nil {
				t.Errorf("AllJobs = %d jobs, %v; want ErrMalformedPage saying %q with the request ID", len(jobs), err, tt.says)
			}
			if n.Load() != 1 {
				t.Errorf("%d requests, want 1: not retried", n.Load())
			}
		})
	}
}

// TestGzipCutUnframed: a gzip body that nothing but the closed connection ends, cut short,
// is a broken connection, and retried, as a cut plain body is.
func TestGzipCutUnframed(t *testing.T) {
	body := gz(t, rawPage)
	head := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n"
	url, conns := rawServer(t, head+string(body[:len(body)/2]), head+string(body))
	c, err := New(WithBaseURL(url), WithRetryPolicy(fastPolicy()))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.ListJobs(context.Background(), testAttempt, nil)
	if err != nil || len(p.Jobs) != 1 || p.Jobs[0].ID != 7 {
		t.Fatalf("ListJobs = %v, %v; want job 7 after a retry", p, err)
	}
	if conns() != 2 {
		t.Errorf("%d connections, want 2: the cut answer retried once", conns())
	}
}

// TestGzipErrorBody: GitHub compresses its error answers too; their message is read.
func TestGzipErrorBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusNotFound)
		w.Write(gz(t, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`))
	}))
	defer srv.Close()
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListJobs(context.Background(), testAttempt, nil)
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok || apiErr.Message != "Not Found" || apiErr.DocumentationURL != "https://docs.github.com/rest" {
		t.Errorf("ListJobs: %v, want the 404's message", err)
	}
}

// FuzzGunzip: any bytes, said to be gzip, decompress to at most the limit or fail with one
// of gunzip's errors; never a panic, never more.
func FuzzGunzip(f *testing.F) {
	f.Add(gz(f, `{"total_count":0,"jobs":[]}`))
	f.Add(gz(f, strings.Repeat(" ", 5000)))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte(`{"total_count":0,"jobs":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 4096
		buf, err := gunzip(data, limit)
		if err != nil {
			if !errors.Is(err, errCoding) && !errors.Is(err, errBodyTooLarge) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("gunzip: unexpected error %v", err)
			}
			return
		}
		if buf.Len() > limit {
			t.Fatalf("%d bytes out, limit %d", buf.Len(), limit)
		}
		release(buf)
	})
}
