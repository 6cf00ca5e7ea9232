package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"testing"
)

// TestGzip: answers are gzip-compressed when the request accepts it, as GitHub's are, and
// decompress to the bytes an uncompressed answer has; faults that break an answer on
// purpose send it as it is.
func TestGzip(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
	// A transport that neither asks for gzip by itself nor decompresses.
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(raw.CloseIdleConnections)
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)

	for _, path := range []string{url, s.URL + jobsPath(testOwner, testRepo, testRunID, 2)} {
		plain, want := get(t, raw, path, "Accept-Encoding", "")
		if plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s without Accept-Encoding: Content-Encoding %q", path, plain.Header.Get("Content-Encoding"))
		}
		resp, body := get(t, raw, path, "Accept-Encoding", "gzip, deflate, br")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Fatalf("%s: Content-Encoding %q, Content-Length %q for %d bytes", path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"), len(body))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: decompressed %d bytes (%v), want the %d of the plain answer", path, len(got), err, len(want))
		}
		if resp.Header.Get("ETag") != plain.Header.Get("ETag") {
			t.Errorf("%s: ETag %q compressed, %q plain", path, resp.Header.Get("ETag"), plain.Header.Get("ETag"))
		}
	}
	if resp, _ := get(t, raw, url, "Accept-Encoding", "gzip;q=0, identity"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	s.Fake.Script(MalformedBody())
	if resp, body := get(t, raw, url, "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "" || string(body) != malformedJSON {
		t.Errorf("MalformedBody: Content-Encoding %q, body %.40s", resp.Header.Get("Content-Encoding"), body)
	}
}
