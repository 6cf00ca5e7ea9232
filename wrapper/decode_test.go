package wrapper

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// TestNotAPage: a 200 whose JSON is not a page of jobs fails every way of listing, naming
// status, URL and request id, and is not retried; it never comes back as an empty list.
func TestNotAPage(t *testing.T) {
	bodies := map[string]string{
		"empty object":          `{}`,
		"a message":             `{"message":"ok"}`,
		"no jobs":               `{"total_count":0}`,
		"jobs null":             `{"total_count":0,"jobs":null}`,
		"no total_count":        `{"jobs":[]}`,
		"total_count null":      `{"total_count":null,"jobs":[{"id":1}]}`,
		"the repository object": `{"id":1296269,"node_id":"MDEwOlJlcG9zaXRvcnkxMjk2MjY5","name":"x","full_name":"o/x","private":false,"owner":{"login":"o","id":1}}`,
		"a job without an id":   `{"total_count":2,"jobs":[{"id":1,"name":"a"},{"name":"b"}]}`,
		"a job with id 0":       `{"total_count":1,"jobs":[{"id":0,"name":"a"}]}`,
		"an array":              `[]`,
		"null":                  `null`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			srv, n := scripted(t, answer(200, body, "X-GitHub-Request-Id", "CAFE:1"))
			c, err := New(WithBaseURL(srv.URL), WithRetryPolicy(fastPolicy()))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			_, errList := c.ListJobs(ctx, testAttempt, nil)
			jobs, errAll := c.AllJobs(ctx, testAttempt)
			var errIter error
			for _, err := range c.Jobs(ctx, testAttempt) {
				errIter = err
			}
			for method, err := range map[string]error{"ListJobs": errList, "AllJobs": errAll, "Jobs": errIter} {
				if !errors.Is(err, ErrMalformedPage) {
					t.Errorf("%s: %v, want ErrMalformedPage", method, err)
					continue
				}
				for _, want := range []string{"200 OK", srv.URL + testPath, "CAFE:1"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%s: %q does not name %s", method, err, want)
					}
				}
			}
			if jobs != nil || n.Load() != 3 {
				t.Errorf("AllJobs returned %v; %d requests for three listings, want 3: not retried", jobs, n.Load())
			}
		})
	}
}

// TestEmptyPage: an attempt without jobs is a page of total_count 0 and no jobs.
func TestEmptyPage(t *testing.T) {
	srv, _ := scripted(t, emptyPage)
	c, err := New(WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := c.AllJobs(context.Background(), testAttempt)
	if err != nil || jobs == nil || len(jobs) != 0 {
		t.Errorf("AllJobs = %v, %v; want an empty list", jobs, err)
	}
}

// TestMalformedPagesShareOneError: the answers that were already refused are ErrMalformedPage
// too, so that one errors.Is tells them from a broken connection.
func TestMalformedPagesShareOneError(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"not JSON":           answer(200, `{"total_count":1,"jobs":[{"id":1}]`+"x"),
		"wrong Content-Type": answer(200, `<html>portal</html>`, "Content-Type", "text/html"),
		"a type mismatch":    answer(200, `{"total_count":"1","jobs":[]}`),
	} {
		srv, _ := scripted(t, h)
		c, err := New(WithBaseURL(srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListJobs(context.Background(), testAttempt, nil); !errors.Is(err, ErrMalformedPage) || retryable(context.Background(), err) {
			t.Errorf("%s: %v, want a final ErrMalformedPage", name, err)
		}
	}
}

// TestReadUpTo: a body is read whole and no more than one byte over the limit; a body
// whose size was announced comes in an array of that size, which the cache keeps as it is,
// and a shorter one shows its whole array, which keep cuts.
func TestReadUpTo(t *testing.T) {
	broken := errors.New("connection reset")
	const limit = 100
	for _, tc := range []struct {
		name     string
		r        io.Reader
		size     int64
		want     string
		err      error
		capacity int // of the array given back; 0: not checked
	}{
		{"as announced", strings.NewReader("0123456789"), 10, "0123456789", nil, 10},
		{"as announced, a byte a read", iotest.OneByteReader(strings.NewReader("0123456789")), 10, "0123456789", nil, 10},
		{"as announced, the end with the last bytes", iotest.DataErrReader(strings.NewReader("0123456789")), 10, "0123456789", nil, 10},
		{"shorter than announced", strings.NewReader("01234"), 10, "01234", nil, 11}, // the whole array shows, for keep to judge
		{"longer than announced", strings.NewReader("0123456789abc"), 10, "0123456789abc", nil, 0},
		{"longer than announced, over the limit", strings.NewReader(strings.Repeat("x", 2*limit)), 10, strings.Repeat("x", limit+1), nil, 0},
		{"announced at the limit, longer", strings.NewReader(strings.Repeat("x", limit+5)), limit, strings.Repeat("x", limit+1), nil, 0},
		{"unknown size", strings.NewReader("0123456789"), -1, "0123456789", nil, 0},
		{"unknown size, over the limit", strings.NewReader(strings.Repeat("x", 2*limit)), -1, strings.Repeat("x", limit+1), nil, 0},
		{"announced over the limit", strings.NewReader(strings.Repeat("x", 2*limit)), 2 * limit, strings.Repeat("x", limit+1), nil, 0},
		{"broken midway", io.MultiReader(strings.NewReader("01234"), iotest.ErrReader(broken)), 10, "01234", broken, 0},
		{"broken after the announced size", io.MultiReader(strings.NewReader("0123456789"), iotest.ErrReader(broken)), 10, "0123456789", broken, 0},
		{"a byte longer than announced, broken with it", &lastByteBroken{strings.NewReader("0123456789a"), broken}, 10, "0123456789a", broken, 0},
		{"longer than announced, broken with its last byte", &lastByteBroken{strings.NewReader("0123456789ab"), broken}, 10, "0123456789ab", broken, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readUpTo(tc.r, tc.size, limit)
			if string(got) != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
			if tc.capacity != 0 && cap(got) != tc.capacity {
				t.Errorf("a body of %d bytes came in an array of %d, want %d", len(got), cap(got), tc.capacity)
			}
		})
	}
}

// lastByteBroken reads r, and gives its last byte with err rather than with nil.
type lastByteBroken struct {
	r   *strings.Reader
	err error
}

func (l *lastByteBroken) Read(p []byte) (int, error) {
	switch l.r.Len() {
	case 0:
		return 0, io.EOF
	case 1:
		n, _ := l.r.Read(p)
		return n, l.err
	}
	return l.r.Read(p[:min(len(p), l.r.Len()-1)])
}
