package wrapper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOversizedPage: a server that sends more than any page GitHub sends gets an error that
// names the request, not a process that reads until it runs out of memory.
func TestOversizedPage(t *testing.T) {
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-GitHub-Request-Id", "BIG:1")
		w.Write([]byte(`{"total_count":1,"jobs":[`))
		for range 40 { // 40 MiB, past the 32 MiB bound; stops early when the client hangs up
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		w.Write([]byte(`]}`))
	}))
	defer srv.Close()

	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListJobs(context.Background(), Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}, nil)
	if !errors.Is(err, errBodyTooLarge) || !strings.Contains(err.Error(), "BIG:1") {
		t.Errorf("error %v, want the body-size error with the request ID", err)
	}
}

// TestCacheHitsAreNotCopied: a page the cache answers with is decoded from the cache's own
// bytes, also through http.Client's Timeout, which wraps the body; copying them again was a
// third of the bytes allocated per job.
func TestCacheHitsAreNotCopied(t *testing.T) {
	const etag = `W/"1"`
	const page = `{"total_count":1,"jobs":[{"id":1}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, page)
	}))
	defer srv.Close()
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for _, answer := range []string{"200", "304"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x", nil)
		req, notes := withNotes(req)
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body, err := io.ReadAll(resp.Body); string(body) != page || err != nil {
			t.Errorf("after a %s the body reads %q, %v", answer, body, err)
		}
		resp.Body.Close()
		data, err := readBody(resp, notes.cached)
		if err != nil || string(data) != page {
			t.Fatalf("after a %s readBody = %q, %v", answer, data, err)
		}
		if first == nil {
			first = data
		} else if &data[0] != &first[0] {
			t.Errorf("after a %s the page was decoded from a copy, not from the cache's bytes", answer)
		}
	}
}
