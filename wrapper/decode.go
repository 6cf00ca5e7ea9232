package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/ghjobs/ghjobs/generated"
)

// ErrMalformedPage matches the error for a 200 answer that is not a page of jobs: a
// Content-Type other than JSON, a body that is not JSON or is larger than any page, JSON
// without "total_count" or "jobs" (an empty object, a message, the repository object a lost
// redirect leads to), or a job without an id. Such an answer is never taken for an empty
// list, and it is not retried: the server would send it again.
var ErrMalformedPage = errors.New("malformed page")

// pageBody is the generated JobsPage with total_count as a pointer, so that encoding/json's
// one parse tells a page of no jobs from JSON without the field.
type pageBody struct {
	generated.JobsPage
	TotalCount *int `json:"total_count"` // shadows JobsPage.TotalCount: the shallower field wins
}

// decodePage decodes a page's body as it came, gzip-compressed or not as h (the answer's
// headers, or those kept with it) says, into the generated JobsPage, and checks that it is a
// page. cut is true when nothing but the closed connection marked the body's end: only its
// content can then tell a body cut short, which is retryable (io.ErrUnexpectedEOF), from one
// that is not a page (ErrMalformedPage).
//
// It does what the generated ParseActionsListJobsForWorkflowRunAttemptResponse does, minus
// its waste, plus the checks it lacks: the page comes compact (see jsonDecoder), and a body
// that is not a page is an ErrMalformedPage, never an empty one.
func decodePage(h http.Header, data []byte, cut bool) (*generated.JobsPage, error) {
	data, cut, done, err := plainJSON(h, data, cut)
	if err != nil {
		return nil, err
	}
	defer done()
	page, set, err := decodeJobsPage(data)
	if err != nil {
		if cut && endsEarly(data) {
			return nil, fmt.Errorf("the body ended after %d bytes, inside its JSON, and nothing but the closed connection marks its end: %w",
				len(data), io.ErrUnexpectedEOF)
		}
		return nil, malformed(err)
	}
	if err := checkPage(&page, set, data); err != nil {
		return nil, malformed(err)
	}
	return &page, nil
}

// plainJSON is an answer's JSON body data as h says it came, gunzipped when it came
// compressed; done releases the buffer it is in. cut is as for decodePage, and stays true
// only for a body that was not compressed.
func plainJSON(h http.Header, data []byte, cut bool) (plain []byte, stillCut bool, done func(), err error) {
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, false, nil, malformed(fmt.Errorf("unexpected Content-Type %q", h.Get("Content-Type")))
	}
	gz, err := isGzip(h)
	if err != nil {
		return nil, false, nil, malformed(err)
	}
	if !gz {
		return data, cut, func() {}, nil
	}
	buf, err := gunzip(data, maxPageBody)
	switch {
	case cut && errors.Is(err, io.ErrUnexpectedEOF):
		return nil, false, nil, fmt.Errorf("the compressed body ended after %d bytes, and nothing but the closed connection marks its end: %w",
			len(data), io.ErrUnexpectedEOF)
	case err != nil: // compressed wrong, or beyond any page: the server would send it again
		return nil, false, nil, malformed(err)
	}
	return buf.Bytes(), false, func() { release(buf) }, nil
}

// checkPage says what makes a decoded body something other than a page of jobs: p with the
// fields set says had a value other than null; data is the body.
func checkPage(p *generated.JobsPage, set uint64, data []byte) error {
	switch {
	case set&fieldJobsPageTotalCount == 0:
		return fmt.Errorf("no \"total_count\" in %s", snippet(data))
	case p.TotalCount < 0:
		return fmt.Errorf("total_count %d", p.TotalCount)
	case set&fieldJobsPageJobs == 0:
		return fmt.Errorf("no \"jobs\" in %s", snippet(data))
	}
	for i, j := range p.Jobs {
		if j.ID <= 0 {
			return fmt.Errorf("job %d of the page has no id (%d)", i+1, j.ID)
		}
	}
	return nil
}

// malformed is the error for a body that is not a page, for the reason err.
func malformed(err error) error {
	return fmt.Errorf("decoding the page: %w: %w", ErrMalformedPage, err)
}

// describe names an answer for an error: request, status and GitHub's request id.
func describe(resp *http.Response) string {
	s := fmt.Sprintf("%s %s: %s", resp.Request.Method, resp.Request.URL.Redacted(), resp.Status)
	if id := resp.Header.Get("X-GitHub-Request-Id"); id != "" {
		s += " (request ID " + id + ")"
	}
	return s
}

// unframed reports whether nothing but the end of the connection marks the end of resp's
// body: HTTP/1 without Content-Length or chunking. Such a body that the connection cuts
// short reads as complete; only its content can tell.
func unframed(resp *http.Response) bool {
	return resp.ProtoMajor == 1 && resp.ContentLength < 0 && len(resp.TransferEncoding) == 0 && !resp.Uncompressed
}

// endsEarly reports whether data is JSON that stops before its value is complete (the
// decoder says so with io.ErrUnexpectedEOF, or io.EOF for no value at all), rather than
// JSON that goes wrong somewhere.
func endsEarly(data []byte) bool {
	err := json.NewDecoder(bytes.NewReader(data)).Decode(new(struct{}))
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// errBodyTooLarge ends the read of a body larger than any page GitHub sends.
var errBodyTooLarge = errors.New("body larger than 32 MiB")

// maxPageBody bounds a page's body. 100 jobs with many steps are well under 2 MiB.
const maxPageBody = 32 << 20

// readBody reads a page's body, at most maxPageBody bytes, in one allocation when the
// length is known.
func readBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength > maxPageBody {
		return nil, errBodyTooLarge
	}
	data, err := readUpTo(resp.Body, resp.ContentLength, maxPageBody)
	if err != nil {
		return nil, err
	}
	if len(data) > maxPageBody {
		return nil, errBodyTooLarge
	}
	return data, nil
}

// readUpTo reads r to its end, but no more than limit+1 bytes, so that the caller can tell a
// body over limit. A body of the size the Content-Length announces (0 or less: unknown) is
// read into one array, and comes back with no room to spare: the cache keeps it as it is,
// where a buffer that grows as it reads would keep the room it grew (bytes.MinRead at least).
func readUpTo(r io.Reader, size, limit int64) ([]byte, error) {
	if size <= 0 || size > limit {
		return readGrowing(r, limit+1)
	}
	// A byte more than announced, to see the end without another read into another buffer.
	data := make([]byte, size+1)
	for n := 0; n < len(data); {
		m, err := r.Read(data[n:])
		n += m
		switch {
		case err == io.EOF && int64(n) == size:
			return data[:n:n], nil // the byte more left out: what the cache counts is the body
		case err == io.EOF:
			// A short body (net/http's says io.ErrUnexpectedEOF; another's, decoding finds),
			// with its whole array showing, for keep to cut if it is kept.
			return data[:n], nil
		case err != nil:
			return data[:n], err
		}
	}
	// Longer than announced, which net/http's bodies never are: read on, to the limit.
	rest, err := readGrowing(r, limit-size)
	return slices.Concat(data, rest), err
}

// readGrowing reads r to its end, but no more than n bytes.
func readGrowing(r io.Reader, n int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(io.LimitReader(r, n))
	return buf.Bytes(), err
}
