package wrapper

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// rawServer answers the i-th connection with the bytes of answers[i] (the last for any
// after it) and closes it: a server that can stop anywhere in an answer.
func rawServer(t *testing.T, answers ...string) (url string, conns func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu sync.Mutex
		n  int
		wg sync.WaitGroup
	)
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			a := answers[min(n, len(answers)-1)]
			n++
			mu.Unlock()
			wg.Go(func() {
				defer conn.Close()
				// Read the request first: closing with it unread would reset the
				// connection, which is not the cut under test.
				if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
					return
				}
				conn.Write([]byte(a))
			})
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String(), func() int { mu.Lock(); defer mu.Unlock(); return n }
}

const rawPage = `{"total_count":1,"jobs":[{"id":7,"name":"build"}]}`

// rawGood is a whole answer, framed by Content-Length.
var rawGood = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(rawPage), rawPage)

// TestConnectionCutAnywhere: a connection that ends before the whole answer is read is
// retried, wherever it ends; a whole answer that is not a page is not.
func TestConnectionCutAnywhere(t *testing.T) {
	const unframed = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
	cuts := map[string]string{
		"inside the status line":  "HTTP/1.",
		"inside the status code":  "HTTP/1.1 20",
		"inside a header":         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-GitHub-Req",
		"between headers":         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
		"inside a framed body":    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + rawPage[:20],
		"inside a chunked body":   "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n" + rawPage[:20] + "\r\n",
		"inside an unframed body": unframed + rawPage[:30],
		// The cache must not keep what may be a cut body: GitHub sends an ETag with every page.
		"inside an unframed body with an ETag": strings.Replace(unframed, "\r\n\r\n", "\r\nETag: \"1\"\r\n\r\n", 1) + rawPage[:30],
		"right after unframed headers":         unframed,
	}
	for name, cut := range cuts {
		t.Run(name, func(t *testing.T) {
			url, conns := rawServer(t, cut, rawGood)
			var rec recorder
			c, err := New(WithBaseURL(url), WithRetryPolicy(fastPolicy()), WithEvents(rec.record))
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.ListJobs(context.Background(), testAttempt, nil)
			if err != nil || len(p.Jobs) != 1 || p.Jobs[0].ID != 7 {
				t.Fatalf("ListJobs = %+v, %v; want the page of the retry", p, err)
			}
			if events := rec.got(); conns() != 2 || len(events) != 1 || events[0].Kind != EventRetry {
				t.Errorf("%d connections, events %+v; want 2 and one retry", conns(), events)
			}
		})
	}

	t.Run("all of them, one after another", func(t *testing.T) {
		url, conns := rawServer(t, cuts["inside the status code"], cuts["inside a header"], cuts["inside an unframed body"], rawGood)
		c, err := New(WithBaseURL(url), WithRetryPolicy(fastPolicy()))
		if err != nil {
			t.Fatal(err)
		}
		if jobs, err := c.AllJobs(context.Background(), testAttempt); err != nil || len(jobs) != 1 || conns() != 4 {
			t.Errorf("AllJobs = %v, %v after %d connections; want 1 job after 4", jobs, err, conns())
		}
	})

	wholeButWrong := map[string]string{
		"unframed, bad JSON":                       unframed + `{"total_count":1,"jobs":[x]}`,
		"framed, JSON that ends early":             fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", 30, rawPage[:30]),
		"unframed, a whole object that is no page": unframed + `{"message":"ok"}`,
	}
	for name, answer := range wholeButWrong {
		t.Run(name, func(t *testing.T) {
			url, conns := rawServer(t, answer, rawGood)
			c, err := New(WithBaseURL(url), WithRetryPolicy(fastPolicy()))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ListJobs(context.Background(), testAttempt, nil); !errors.Is(err, ErrMalformedPage) || conns() != 1 {
				t.Errorf("ListJobs: %v after %d connections; want ErrMalformedPage after 1", err, conns())
			}
		})
	}
}
