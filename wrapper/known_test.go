package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// attemptServer serves testAttempt's jobs, ids 1 to jobs, per_page at a time, with GitHub's
// Link headers in the /repositories/{id} form, strong ETags and 304s. For the listing under
// test (once armed) page 1 is answered only when gate other requests have arrived, so
// that a client that does not ask for pages at once with page 1 is seen doing so.
type attemptServer struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	jobs     int                                                         // the attempt's jobs now
	gate     int                                                         // requests page 1 waits for
	arrived  int                                                         // requests since armed, page 1 aside
	opened   chan struct{}                                               // closed when arrived reaches gate
	answered chan struct{}                                               // closed once page 1 is answered
	late     bool                                                        // page 1 came before the other pages
	pages    []int                                                       // page numbers asked for since armed, in order
	status   map[int]int                                                 // status per page number; 200 by default
	fault    func(page int, w http.ResponseWriter, r *http.Request) bool // answers instead, when true
}

const (
	knownPath = "/repositories/42/actions/runs/1/attempts/1/jobs"
	knownSize = 10 // per page
)

func newAttemptServer(t *testing.T, jobs int) *attemptServer {
	s := &attemptServer{t: t, jobs: jobs, status: map[int]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// arm starts watching the next listing: page 1 waits for gate other requests.
func (s *attemptServer) arm(gate int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.arrived, s.late, s.pages = gate, 0, false, nil
	s.opened, s.answered = make(chan struct{}), make(chan struct{})
	if gate == 0 {
		close(s.opened)
	}
}

func (s *attemptServer) serve(w http.ResponseWriter, r *http.Request) {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	s.mu.Lock()
	s.pages = append(s.pages, page)
	opened, answered := s.opened, s.answered
	if page != 1 && opened != nil {
		if s.arrived++; s.arrived == s.gate {
			close(opened)
		}
	}
	fault := s.fault
	s.mu.Unlock()

	if page == 1 && opened != nil {
		select {
		case <-opened:
		case <-time.After(10 * time.Second): // not a timing assertion: a client that never asks
			s.mu.Lock()
			s.late = true
			s.mu.Unlock()
		}
		defer close(answered)
	}
	if fault != nil && fault(page, w, r) {
		return
	}
	s.mu.Lock()
	jobs := s.jobs
	s.mu.Unlock()
	last := max((jobs+knownSize-1)/knownSize, 1)
	link := func(n int) string { return fmt.Sprintf("%s%s?per_page=%d&page=%d", s.URL, knownPath, knownSize, n) }
	switch {
	case page == 1 && last > 1:
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`, link(2), link(last)))
	case page > 1 && page < last:
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="prev", <%s>; rel="next", <%s>; rel="last", <%s>; rel="first"`, link(page-1), link(page+1), link(last), link(1)))
	case page > 1:
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="prev", <%s>; rel="first"`, link(page-1), link(1)))
	}
	body := fmt.Sprintf(`{"total_count":%d,"jobs":[`, jobs)
	for id := (page-1)*knownSize + 1; id <= min(page*knownSize, jobs); id++ {
		if id > (page-1)*knownSize+1 {
			body += ","
		}
		body += fmt.Sprintf(`{"id":%d,"name":"job %d"}`, id, id)
	}
	body += "]}"
	etag := fmt.Sprintf(`"%x"`, len(body)*7919+jobs) // changes with the page's jobs and total
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	fmt.Fprint(w, body)
}

func (s *attemptServer) setFault(f func(page int, w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

func (s *attemptServer) setJobs(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = n
}

// askedFor returns the page numbers asked for since arm, sorted, and whether page 1 waited
// in vain for the others.
func (s *attemptServer) askedFor() ([]int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(slices.Values(s.pages)), s.late
}

func (s *attemptServer) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := New(append([]Option{WithBaseURL(s.URL), WithPerPage(knownSize), WithRetryPolicy(fastPolicy())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantIDs checks that jobs are 1 to n, in order.
func wantIDs(t *testing.T, jobs []Job, err error, n int) {
	t.Helper()
	if err != nil {
		t.Fatalf("AllJobs: %v", err)
	}
	if len(jobs) != n {
		t.Fatalf("%d jobs, want %d", len(jobs), n)
	}
	for i, j := range jobs {
		if j.ID != int64(i+1) {
			t.Fatalf("job %d has id %d, want %d", i, j.ID, i+1)
		}
	}
}

// TestKnownAttemptOneRoundTrip: an attempt listed before is asked for whole at once: page 1
// and the pages the last listing found, conditional, so that a poll of an unchanged attempt
// is one round trip of 304s.
func TestKnownAttemptOneRoundTrip(t *testing.T) {
	s := newAttemptServer(t, 25)
	c := s.client(t)
	jobs, err := c.AllJobs(context.Background(), testAttempt)
	wantIDs(t, jobs, err, 25)

	s.arm(2)
	var notModified int
	err = c.eachPage(context.Background(), testAttempt, newDecodeOrder(1), func(p *Page) bool {
		if p.NotModified {
			notModified++
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages, late := s.askedFor(); late || !slices.Equal(pages, []int{1, 2, 3}) {
		t.Errorf("pages asked for %v, page 1 answered before the others were asked: %v; want [1 2 3] at once", pages, late)
	}
	if notModified != 3 {
		t.Errorf("%d pages not modified, want 3", notModified)
	}
}

// TestKnownAttemptChanged: page 1's total_count and Link decide, whatever the last listing
// found: new pages are asked for after it, pages it does not announce are dropped unseen,
// and a changed page is read again.
func TestKnownAttemptChanged(t *testing.T) {
	for _, tt := range []struct {
		name       string
		before     int // jobs at the first listing
		now        int // jobs at the second
		wantPages  []int
		concurrent int
	}{
		{"grew by a page", 25, 35, []int{1, 2, 3, 4}, 10},
		{"shrank by a page", 25, 15, []int{1, 2, 3}, 10}, // page 3 asked for, then dropped
		{"shrank to one page", 25, 5, []int{1, 2, 3}, 10},
		{"total_count changed, same pages", 25, 28, []int{1, 2, 3}, 10},
		{"more pages than the concurrency", 45, 45, []int{1, 2, 3, 4, 5}, 3},
		{"more pages than the concurrency, grew", 45, 61, []int{1, 2, 3, 4, 5, 6, 7}, 3},
		{"more pages than the concurrency, shrank", 45, 21, []int{1, 2, 3}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newAttemptServer(t, tt.before)
			c := s.client(t, WithConcurrency(tt.concurrent))
			jobs, err := c.AllJobs(context.Background(), testAttempt)
			wantIDs(t, jobs, err, tt.before)

			s.setJobs(tt.now)
			s.arm(min((tt.before+knownSize-1)/knownSize, tt.concurrent) - 1)
			jobs, err = c.AllJobs(context.Background(), testAttempt)
			wantIDs(t, jobs, err, tt.now)
			if pages, late := s.askedFor(); late || !slices.Equal(pages, tt.wantPages) {
				t.Errorf("pages asked for %v (page 1 first: %v), want %v with page 1 among the first", pages, late, tt.wantPages)
			}

			// The listing just made is the one remembered: the next asks for its pages.
			s.arm(min((tt.now+knownSize-1)/knownSize, tt.concurrent) - 1)
			jobs, err = c.AllJobs(context.Background(), testAttempt)
			wantIDs(t, jobs, err, tt.now)
			if _, late := s.askedFor(); late && tt.now > knownSize {
				t.Errorf("the third listing did not ask for the pages the second found at once")
			}
		})
	}
}

// TestKnownAttemptDroppedPagesUnseen: a page that page 1 no longer announces is discarded,
// whatever it holds, and however it failed.
func TestKnownAttemptDroppedPagesUnseen(t *testing.T) {
	for _, answer := range []int{http.StatusOK, http.StatusNotFound, http.StatusInternalServerError} {
		t.Run(strconv.Itoa(answer), func(t *testing.T) {
			s := newAttemptServer(t, 25)
			c := s.client(t)
			jobs, err := c.AllJobs(context.Background(), testAttempt)
			wantIDs(t, jobs, err, 25)
			s.setJobs(20)
			s.arm(2)
			s.setFault(func(page int, w http.ResponseWriter, r *http.Request) bool {
				if page != 3 {
					return false
				}
				if answer != http.StatusOK {
					http.Error(w, `{"message":"no"}`, answer)
					return true
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"total_count":25,"jobs":[{"id":9001},{"id":9002}]}`)
				return true
			})
			jobs, err = c.AllJobs(context.Background(), testAttempt)
			wantIDs(t, jobs, err, 20)
			if _, late := s.askedFor(); late {
				t.Error("page 3 was not asked for at once with page 1, so not dropped either")
			}
		})
	}
}

// TestKnownAttemptSpeculativePageFails: a page asked for at once with page 1 that fails
// after page 1 succeeded is retried as any page is, and when it keeps failing the listing
// fails: never a short list.
func TestKnownAttemptSpeculativePageFails(t *testing.T) {
	for _, tt := range []struct {
		name     string
		failures int32 // of page 3, after page 1 was answered
		wantErr  bool
	}{
		{"once", 1, false},
		{"every time", 100, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newAttemptServer(t, 25)
			c := s.client(t)
			jobs, err := c.AllJobs(context.Background(), testAttempt)
			wantIDs(t, jobs, err, 25)

			s.arm(2)
			var failed atomic.Int32
			s.setFault(func(page int, w http.ResponseWriter, r *http.Request) bool {
				if page != 3 || failed.Add(1) > tt.failures {
					return false
				}
				s.mu.Lock()
				answered := s.answered
				s.mu.Unlock()
				<-answered
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprint(w, `{"message":"Server Error"}`)
				return true
			})
			jobs, err = c.AllJobs(context.Background(), testAttempt)
			if tt.wantErr {
				if apiErr, ok := errors.AsType[*APIError](err); !ok || apiErr.StatusCode != 502 || jobs != nil {
					t.Errorf("AllJobs = %d jobs, %v; want no jobs and the 502", len(jobs), err)
				}
				return
			}
			wantIDs(t, jobs, err, 25)
			if pages, late := s.askedFor(); late || !slices.Equal(pages, []int{1, 2, 3, 3}) {
				t.Errorf("pages asked for %v (page 1 first: %v), want [1 2 3 3]", pages, late)
			}
		})
	}
}

// TestKnownAttemptGoneCancelsPages: when page 1 answers 404, the pages asked for with it are
// cancelled, and no goroutine of the listing is left behind.
func TestKnownAttemptGoneCancelsPages(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := newAttemptServer(t, 25)
	defer s.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := s.client(t, WithHTTPClient(&http.Client{Transport: tr}))
	jobs, err := c.AllJobs(context.Background(), testAttempt)
	wantIDs(t, jobs, err, 25)

	s.arm(2)
	cancelled := make(chan int, 2)
	s.setFault(func(page int, w http.ResponseWriter, r *http.Request) bool {
		if page == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found"}`)
			return true
		}
		<-r.Context().Done() // held until the client gives up on it
		cancelled <- page
		return true
	})
	jobs, err = c.AllJobs(context.Background(), testAttempt)
	if !errors.Is(err, ErrNotFound) || jobs != nil {
		t.Fatalf("AllJobs = %d jobs, %v; want ErrNotFound", len(jobs), err)
	}
	for range 2 {
		select {
		case <-cancelled:
		case <-time.After(10 * time.Second): // not a timing assertion: a request never cancelled
			t.Fatal("a page asked for with page 1 was not cancelled")
		}
	}
}

// TestKnownPagesBounded: a client remembers a bounded number of listings, the least recently used
// going first, and a listing of one page is forgotten.
func TestKnownPagesBounded(t *testing.T) {
	k := newKnownPages()
	k.pages.max = 2
	next := func(i int) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "https://x/"+strconv.Itoa(i)+"?page=2", nil)
		return r
	}
	k.put("a", next(1).URL, 3)
	k.put("b", next(2).URL, 3)
	k.get("a")
	k.put("c", next(3).URL, 3)
	if _, _, ok := k.get("b"); ok {
		t.Error("b, the least recently used, is still remembered")
	}
	if u, last, ok := k.get("a"); !ok || last != 3 || u.String() != "https://x/1?page=2" {
		t.Errorf("a = %v, %d, %v", u, last, ok)
	}
	k.put("a", nil, 0)
	if _, _, ok := k.get("a"); ok || k.pages.len() != 1 {
		t.Errorf("a listing of one page is still remembered (%d kept)", k.pages.len())
	}
}
