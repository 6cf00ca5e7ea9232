// Package fleettest counts, at the server, what a fleet of clients sends: requests in
// flight at once, and each request's arrival, conditionality and answer. The tests of
// WithStore and of package redisstore, and the fleet benchmark, wrap the api fake in it.
package fleettest

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Arrival is one request as the server saw it.
type Arrival struct {
	At          time.Time // when it arrived
	Done        time.Time // when it was answered
	Path        string
	Conditional bool // it carried If-None-Match
	Authorized  bool // it carried credentials (Authorization)
	Status      int  // the status answered
}

// Counted reports whether GitHub counts the request against the primary rate limit: every
// request but a 304 Not Modified to one with credentials.
func (a Arrival) Counted() bool { return a.Status != http.StatusNotModified || !a.Authorized }

// Counter is an http.Handler that passes requests to Next and counts them.
type Counter struct {
	Next http.Handler

	mu       sync.Mutex
	idle     *sync.Cond // signalled when running falls to 0; made on first use
	running  int        // handlers not yet returned
	inFlight int        // requests not yet answered
	maxIn    int
	arrivals []Arrival
}

// ServeHTTP passes r to Next, counting it in flight until its answer is sent: until Next
// starts writing the last bytes of a body of known length, else until Next returns. A client
// may read the whole answer before Next returns (and a client that shares a cap may hand its
// slot to another, whose request arrives meanwhile): the answer was sent, however late the
// handler's goroutine runs again.
func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := Arrival{At: time.Now(), Path: r.URL.Path, Conditional: r.Header.Get("If-None-Match") != "",
		Authorized: r.Header.Get("Authorization") != ""}
	c.mu.Lock()
	c.running++
	c.inFlight++
	c.maxIn = max(c.maxIn, c.inFlight)
	c.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	sw.sent = func() {
		c.mu.Lock()
		c.inFlight--
		c.mu.Unlock()
	}
	defer func() {
		a.Done, a.Status = time.Now(), sw.status
		sw.send()
		c.mu.Lock()
		c.running--
		c.arrivals = append(c.arrivals, a)
		if c.running == 0 && c.idle != nil {
			c.idle.Broadcast()
		}
		c.mu.Unlock()
	}()
	c.Next.ServeHTTP(sw, r)
}

// MaxInFlight returns the most requests that were in flight at once.
func (c *Counter) MaxInFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxIn
}

// Arrivals returns the requests answered so far, in the order they were answered.
func (c *Counter) Arrivals() []Arrival {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Arrival(nil), c.arrivals...)
}

// Reset waits until every handler has returned, then forgets the requests counted so far. A
// client may have read a whole answer before its handler returned: without the wait, such a
// request of the phase before would count in the next.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idle == nil {
		c.idle = sync.NewCond(&c.mu)
	}
	for c.running > 0 {
		c.idle.Wait()
	}
	c.arrivals, c.maxIn = nil, 0
}

type statusWriter struct {
	http.ResponseWriter
	status  int
	written int64  // body bytes written so far
	sent    func() // called once, when the answer is sent
}

// send calls sent, once.
func (w *statusWriter) send() {
	if w.sent != nil {
		w.sent()
		w.sent = nil
	}
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the answer sent as it starts writing the last bytes of its Content-Length.
func (w *statusWriter) Write(p []byte) (int, error) {
	if n, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64); err == nil && w.written+int64(len(p)) >= n {
		w.send()
	}
	w.written += int64(len(p))
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the writer's Flush and Hijack.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
