package api

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
)

// GitHub compresses its JSON answers with gzip when the request accepts it
// (Accept-Encoding: gzip, which Go's http.Transport sends by itself), and says so in
// Vary: Accept-Encoding. The fake does the same for every answer it sends whole; the
// faults that break an answer on purpose send it uncompressed, so that what breaks is
// the bytes a test names.

// acceptsGzip reports whether r's Accept-Encoding admits gzip (or *) with a q above 0.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "gzip" && name != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			if q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000" {
				return true
			}
		}
	}
	return false
}

// gzipped returns body compressed with gzip, at the speed a server favours.
func gzipped(body []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed) // a valid level: no error
	_, _ = zw.Write(body)                            // a bytes.Buffer does not fail
	_ = zw.Close()
	return b.Bytes()
}
