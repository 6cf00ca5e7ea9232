package wrapper

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestUnauthenticatedNotModifiedCounts: GitHub counts a 304 against the rate limit unless
// the request was authorized. The client takes the figures each answer sends, 304s
// included: polling without a token shows the limit going down, with one it stays.
func TestUnauthenticatedNotModifiedCounts(t *testing.T) {
	for _, token := range []string{"", "ghp_t0ken"} {
		var mu sync.Mutex
		limit, used := 60, 0
		reset := time.Now().Add(time.Hour).Unix()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			authorized := r.Header.Get("Authorization") != ""
			if authorized {
				limit = 5000
			}
			notModified := r.Header.Get("If-None-Match") == `"1"`
			if !notModified || !authorized {
				used++
			}
			w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
			w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(limit-used))
			w.Header().Set("X-RateLimit-Used", strconv.Itoa(used))
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
			w.Header().Set("ETag", `"1"`)
			if notModified {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"total_count":1,"jobs":[{"id":1}]}`)
		}))
		opts := []Option{WithBaseURL(srv.URL)}
		if token != "" {
			opts = append(opts, WithToken(token))
		}
		c, err := New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		for poll := 1; poll <= 3; poll++ {
			p, err := c.ListJobs(context.Background(), testAttempt, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantUsed := poll
			if token != "" {
				wantUsed = 1 // only the first 200
			}
			if r := c.Rate(); r.Used != wantUsed || r.Remaining != r.Limit-wantUsed || p.Rate != r || p.NotModified != (poll > 1) {
				t.Errorf("token %v, poll %d: Rate() %+v, page %+v; want %d used", token != "", poll, r, p, wantUsed)
			}
		}
		srv.Close()
	}
}
