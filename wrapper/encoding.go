package wrapper

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
)

// acceptEncoding is the one content coding the client asks for. GitHub compresses its JSON
// with gzip when asked, about twentyfold for pages of jobs. The client asks itself, rather
// than leaving it to net/http, which would decompress the body on the way in: it keeps the
// compressed bytes instead, in the ETag cache and in pages that arrived before their turn,
// and decompresses a page only to decode it.
const acceptEncoding = "gzip"

// errCoding is the error for a body in a coding the client did not ask for, or that does not
// decompress as its Content-Encoding says.
var errCoding = errors.New("content coding")

// isGzip reports whether h says the body is gzip-compressed; identity (or no
// Content-Encoding) is not, and every other coding is an error: the client asked for gzip
// only.
func isGzip(h http.Header) (bool, error) {
	values := h.Values("Content-Encoding")
	if len(values) > 1 {
		return false, fmt.Errorf("%w: Content-Encoding %q: one coding expected", errCoding, strings.Join(values, ", "))
	}
	switch v := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding"))); v {
	case "", "identity":
		return false, nil
	case "gzip", "x-gzip":
		return true, nil
	default:
		return false, fmt.Errorf("%w: Content-Encoding %q was not asked for", errCoding, v)
	}
}

// gzipReaders keeps gzip readers for reuse: each holds buffers of about 40 KB.
var gzipReaders sync.Pool // of *gzip.Reader

// plainBuffers keeps a few buffers that pages are decompressed into: nothing decoded refers
// to its input (the JSON decoder copies strings out), so each is free again once its page is
// decoded. It is a bounded free list rather than a sync.Pool, which kept a dozen page-sized
// buffers alive through a collection: a listing decodes at most GOMAXPROCS pages at once (see
// decodeTurns).
var plainBuffers = make(chan *bytes.Buffer, min(runtime.GOMAXPROCS(0), 8))

// plainBuffer returns a free buffer, empty.
func plainBuffer() *bytes.Buffer {
	select {
	case b := <-plainBuffers:
		b.Reset()
		return b
	default:
		return new(bytes.Buffer)
	}
}

// gunzip decompresses data, at most limit bytes of output, into a buffer from plainBuffers
// that the caller puts back when done with it. A stream that ends before its end is
// io.ErrUnexpectedEOF (a body cut short); other broken data is errCoding; more than limit
// bytes is errBodyTooLarge, found after reading at most limit+1 bytes, so that a small body
// that decompresses to gigabytes costs no more than a page.
func gunzip(data []byte, limit int64) (*bytes.Buffer, error) {
	src := bytes.NewReader(data)
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(src)
	} else {
		err = zr.Reset(src)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) && len(data) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%w: not gzip: %v", errCoding, err)
	}
	defer gzipReaders.Put(zr)
	zr.Multistream(false) // one member, as a server writes it; what follows is not JSON
	buf := plainBuffer()
	if n := int64(gzipSize(data)); n <= limit {
		buf.Grow(int(n) + bytes.MinRead) // one buffer of the right size, with room to see EOF
	}
	_, err = buf.ReadFrom(io.LimitReader(zr, limit+1))
	switch {
	case err == nil && int64(buf.Len()) > limit:
		err = errBodyTooLarge
	case errors.Is(err, io.ErrUnexpectedEOF):
	case err != nil:
		err = fmt.Errorf("%w: gzip: %v", errCoding, err)
	}
	if err != nil {
		release(buf)
		return nil, err
	}
	return buf, nil
}

// release puts buf back in plainBuffers if there is room, unless it grew beyond any page
// GitHub sends: a hostile body's buffer should not stay in memory.
func release(buf *bytes.Buffer) {
	if buf.Cap() > 4<<20 {
		return
	}
	select {
	case plainBuffers <- buf:
	default:
	}
}

// gzipSize is the size the gzip stream data says it decompresses to (its trailer's ISIZE, a
// hint that a lying server can only make wrong, not dangerous: the read stays bounded).
func gzipSize(data []byte) uint32 {
	if len(data) < 18 { // a header and a trailer
		return 0
	}
	return binary.LittleEndian.Uint32(data[len(data)-4:])
}

// errorBody reads the body of an error answer, at most maxErrorBody bytes of it after
// decompression. A body that does not decompress reads as empty: the status still tells.
func errorBody(resp *http.Response) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return nil, err
	}
	gz, err := isGzip(resp.Header)
	if err != nil {
		return nil, nil
	}
	if !gz {
		return raw, nil
	}
	buf, err := gunzip(raw, maxErrorBody)
	if err != nil {
		return nil, nil
	}
	defer release(buf)
	return bytes.Clone(buf.Bytes()), nil
}
