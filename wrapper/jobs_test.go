package wrapper

import (
	"bytes"
	"context"
	"errors"
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
