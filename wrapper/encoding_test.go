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
	"testing/synctest"
	"time"

	"github.com/ghjobs/ghjobs/api"
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

// TestDecodeOrder: a page of a listing is decoded only once the page ahead-many before it is
// handed on; a dropped page stops waiting; the zero place waits for nothing.
func TestDecodeOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newDecodeOrder(2)
		ctx := context.Background()
		for n := 1; n <= 2; n++ {
			if _, err := (place{o, n}).wait(ctx); err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
		}
		done := make(chan error, 1)
		go func() { _, err := (place{o, 4}).wait(ctx); done <- err }()
		o.handedOn(1) // page 3 may decode now, page 4 not yet
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("page 4 decoded after page 1 was handed on (%v)", err)
		default:
		}
		o.handedOn(2)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := (place{o, 9}).wait(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a dropped page waits on: %v", err)
		}
		if _, err := (place{}).wait(cctx); err != nil {
			t.Errorf("a page outside any listing waits: %v", err)
		}
	})
}

// TestDecodeTurns: AllJobs' pages are decoded as they come, whatever their number, as many
// at once as there are turns; the next waits for a turn to be given back, however often the
// page that had it says so; a page dropped while it waits is not decoded.
func TestDecodeTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		turns := newDecodeTurns(2)
		ctx := context.Background()
		var dones []func()
		for _, n := range []int{9, 3} { // page 9 came first: it does not wait for 2 to 8
			done, err := (place{turns, n}).wait(ctx)
			if err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
			dones = append(dones, done)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := (place{turns, 4}).wait(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("a dropped page: %v, want the context's error", err)
		}
		third := make(chan error, 1)
		var thirdDone func()
		go func() {
			var err error
			thirdDone, err = (place{turns, 2}).wait(ctx)
			third <- err
		}()
		synctest.Wait() // the third page is blocked: both turns are taken
		select {
		case err := <-third:
			t.Fatalf("a third page decoded with both turns taken (%v)", err)
		default:
		}
		dones[0]()
		dones[0]() // again: gives back no other page's turn
		if err := <-third; err != nil {
			t.Fatal(err)
		}
		fourth := make(chan error, 1)
		go func() { _, err := (place{turns, 5}).wait(ctx); fourth <- err }()
		synctest.Wait()
		select {
		case err := <-fourth:
			t.Fatalf("a fourth page decoded with pages 3 and 2 decoding (%v): a turn was given back twice", err)
		default:
		}
		dones[1]()
		thirdDone()
		if err := <-fourth; err != nil {
			t.Fatal(err)
		}
	})
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

// TestDecodeTurnGivenBackOnError: a page whose decoding fails gives its turn back, whether it
// is tried again (a body cut short) or ends the listing (not a page): a turn kept would leave
// AllJobs a processor short for the rest of the listing, and with one turn, stuck.
func TestDecodeTurnGivenBackOnError(t *testing.T) {
	for _, fault := range []api.Fault{api.UnframedTruncatedBody(), api.MalformedBody()} {
		t.Run(fault.String(), func(t *testing.T) {
			run := api.SampleRun("octo-org", "octo-repo", 7, 1, 30)
			// page 1 is answered as it should be; the next request to arrive gets the fault
			srv := api.NewTestServer(t, api.WithRun(run), api.WithFaults(api.Fault{}, fault))
			retry := DefaultRetryPolicy()
			retry.MinBackoff, retry.MaxBackoff = time.Millisecond, time.Millisecond
			c, err := New(WithBaseURL(srv.URL), WithPerPage(10), WithConcurrency(3), WithRetryPolicy(retry))
			if err != nil {
				t.Fatal(err)
			}
			turns := newDecodeTurns(1)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a turn kept: stuck until then
			defer cancel()
			jobs := 0
			err = c.eachPage(ctx, Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Number}, turns,
				func(p *Page) bool { jobs += len(p.Jobs); return true })
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("the listing got stuck waiting for a turn: %v", err)
			case fault.String() == api.MalformedBody().String() && !errors.Is(err, ErrMalformedPage):
				t.Errorf("listing: %v, want ErrMalformedPage", err)
			case fault.String() != api.MalformedBody().String() && (err != nil || jobs != len(run.Jobs)):
				t.Errorf("listing: %d jobs, %v; want %d, the cut page asked for again", jobs, err, len(run.Jobs))
			}
			if n := len(turns.taken); n != 0 {
				t.Errorf("%d turn(s) still taken after the listing ended", n)
			}
		})
	}
}
