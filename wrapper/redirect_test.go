package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// movingServer serves an attempt of two jobs, one a page, at newPath (Link URLs in GitHub's
// form), and answers requests for any path in moves with a redirect of the given status to
// the mapped path, the query kept, as GitHub answers for a renamed repository.
type movingServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string // path?query of every request
}

func newMovingServer(t *testing.T, status int, newPath string, moves map[string]string) *movingServer {
	s := &movingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.RequestURI())
		s.mu.Unlock()
		if to, ok := moves[r.URL.Path]; ok {
			w.Header().Set("Location", s.URL+to+"?"+r.URL.RawQuery)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":"Moved Permanently","url":%q,"documentation_url":"https://docs.github.com/rest"}`, s.URL+to)
			return
		}
		if r.URL.Path != newPath {
			http.NotFound(w, r)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		link := func(n int) string { return fmt.Sprintf("%s%s?per_page=1&page=%d", s.URL, newPath, n) }
		if page == 1 {
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, link(2), link(2)))
		} else {
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="prev", <%s>; rel="first"`, link(1), link(1)))
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, page))
		if r.Header.Get("If-None-Match") == w.Header().Get("ETag") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"total_count":2,"jobs":[{"id":%d}]}`, page)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns how many requests had a path that starts with prefix.
func (s *movingServer) requests(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.paths {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

const (
	oldPath = "/repos/o/r/actions/runs/1/attempts/1/jobs"
	newPath = "/repositories/42/actions/runs/1/attempts/1/jobs"
)

// TestPermanentRedirectRemembered: after a 301 or 308, the client's later requests for the
// same attempt go to the new location at once, each with its own page and per_page; the
// redirect is paid once, and reported once.
func TestPermanentRedirectRemembered(t *testing.T) {
	for _, status := range []int{301, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := newMovingServer(t, status, newPath, map[string]string{oldPath: newPath})
			var rec recorder
			c, err := New(WithBaseURL(srv.URL), WithPerPage(1), WithConcurrency(1), WithEvents(rec.record))
			if err != nil {
				t.Fatal(err)
			}
			const polls = 5
			for range polls {
				if jobs, err := c.AllJobs(context.Background(), testAttempt); err != nil || len(jobs) != 2 {
					t.Fatalf("AllJobs = %v, %v", jobs, err)
				}
			}
			p, err := c.ListJobs(context.Background(), testAttempt, &ListOptions{PerPage: 1, Page: 2})
			if err != nil || len(p.Jobs) != 1 || p.Jobs[0].ID != 2 {
				t.Fatalf("ListJobs page 2 = %+v, %v", p, err)
			}
			if n := srv.requests(oldPath); n != 1 {
				t.Errorf("%d requests to the old path, want 1: %v", n, srv.paths)
			}
			if last := srv.paths[len(srv.paths)-1]; last != newPath+"?per_page=1&page=2" {
				t.Errorf("page 2 was asked for as %s, want the new path with its own query", last)
			}
			events := rec.got()
			want := Event{Kind: EventRedirect, URL: srv.URL + oldPath + "?per_page=1", Location: srv.URL + newPath + "?per_page=1",
				StatusCode: status, MaxRetries: DefaultRetryPolicy().MaxRetries}
			if len(events) != 1 || events[0] != want {
				t.Errorf("events %+v, want one: %+v", events, want)
			}
		})
	}
}

// TestTemporaryRedirectForgotten: 302 and 307 say nothing about the next request, and a
// redirect to another origin is refused, not remembered.
func TestTemporaryRedirectForgotten(t *testing.T) {
	for _, status := range []int{302, 307} {
		srv := newMovingServer(t, status, newPath, map[string]string{oldPath: newPath})
		var rec recorder
		c, err := New(WithBaseURL(srv.URL), WithEvents(rec.record))
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.requests(oldPath); n != 3 || len(rec.got()) != 0 {
			t.Errorf("%d: %d requests to the old path, events %v; want 3 and none", status, n, rec.got())
		}
	}

	elsewhere := newMovingServer(t, 301, newPath, nil)
	srv := newMovingServer(t, 301, newPath, nil)
	srv.Config.Handler = http.RedirectHandler(elsewhere.URL+newPath, http.StatusMovedPermanently)
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.ListJobs(context.Background(), testAttempt, nil); !errors.Is(err, ErrForeignOrigin) {
			t.Fatalf("redirect to another origin: %v, want ErrForeignOrigin", err)
		}
	}
	if c.moved.paths.len() != 0 || elsewhere.requests("/") != 0 {
		t.Errorf("a redirect to another origin was remembered (%d) or followed (%d)", c.moved.paths.len(), elsewhere.requests("/"))
	}
}

// TestRedirectChainRemembered: a page moved twice is asked for at its last place.
func TestRedirectChainRemembered(t *testing.T) {
	const midPath = "/repos/o/r2/actions/runs/1/attempts/1/jobs"
	srv := newMovingServer(t, 301, newPath, map[string]string{oldPath: midPath, midPath: newPath})
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.ListJobs(context.Background(), testAttempt, nil); err != nil {
			t.Fatal(err)
		}
	}
	if srv.requests(oldPath) != 1 || srv.requests(midPath) != 1 || srv.requests(newPath) != 3 {
		t.Errorf("requests %v, want one each to the old and middle paths", srv.paths)
	}
}

// TestMovedPathsBounded: the client remembers at most maxMoved redirects, dropping the least
// recently used.
func TestMovedPathsBounded(t *testing.T) {
	m := newMovedPaths()
	to := func(i int) *url.URL { return &url.URL{Path: fmt.Sprintf("/repositories/%d/x", i)} }
	for i := range maxMoved + 1 {
		if !m.remember(fmt.Sprintf("/repos/o/r%d/x", i), to(i)) {
			t.Fatalf("remember %d: not news", i)
		}
		if i == maxMoved-1 {
			m.rewrite(&url.URL{Path: "/repos/o/r0/x"}) // used: no longer the least recently
		}
	}
	if m.paths.len() != maxMoved {
		t.Errorf("%d remembered, want %d", m.paths.len(), maxMoved)
	}
	for path, want := range map[string]string{"/repos/o/r0/x": "/repositories/0/x", "/repos/o/r1/x": "/repos/o/r1/x", "/repos/o/r64/x": "/repositories/64/x"} {
		u := &url.URL{Path: path, RawQuery: "page=2"}
		if m.rewrite(u); u.Path != want || u.RawQuery != "page=2" {
			t.Errorf("rewrite(%s) = %s, want %s?page=2", path, u, want)
		}
	}
	if m.remember("/repos/o/r0/x", to(0)) {
		t.Error("the same redirect again was news")
	}
}
