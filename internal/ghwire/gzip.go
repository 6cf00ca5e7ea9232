package ghwire

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
)

// AcceptsGzip reports whether the Accept-Encoding values allow gzip: they name gzip (or
// x-gzip), or else *, with a q-value above 0 (RFC 9110, 12.5.3). Without the header GitHub
// sends the identity encoding.
func AcceptsGzip(values []string) bool {
	gzipQ, anyQ := -1.0, -1.0 // -1: not named
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				if k, v, _ := strings.Cut(param, "="); strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				anyQ = max(anyQ, q)
			}
		}
	}
	return gzipQ > 0 || gzipQ < 0 && anyQ > 0
}

// Gzip returns body compressed with gzip at level (gzip.BestSpeed, gzip.DefaultCompression,
// ...); it panics on a level compress/gzip refuses, a mistake of the caller's.
func Gzip(body []byte, level int) []byte {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, level)
	if err != nil {
		panic("ghwire: " + err.Error())
	}
	_, _ = zw.Write(body) // a bytes.Buffer does not fail
	_ = zw.Close()
	return b.Bytes()
}
