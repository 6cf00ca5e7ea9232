package bench

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/ghwire"
)

// page is one page, ready to send in either encoding.
type page struct {
	body   []byte // identity
	gzip   []byte // body, gzip-compressed once, when rendered
	etag   string
	header http.Header // all but Content-Length, Content-Encoding and the per-request headers
}

// render builds every page from s.jobs.
func (s *server) render() error {
	last := s.last()
	s.ids = make([]int64, len(s.jobs))
	for i := range s.jobs {
		s.ids[i] = s.jobs[i].ID
	}
	s.pages = make([]atomic.Pointer[page], last)
	for p := range s.pages {
		if err := s.renderPage(p + 1); err != nil {
			return err
		}
	}
	return nil
}

// last is the number of the last page: 1 when there are no jobs.
func (s *server) last() int { return max(1, (len(s.jobs)+perPage-1)/perPage) }

// renderPage renders page p (from 1) from s.jobs, compresses it and makes it the one served.
func (s *server) renderPage(p int) error {
	b, err := pageJSON(s.jobs, p)
	if err != nil {
		return err
	}
	gz := compress(b)
	// A strong ETag, as GitHub sends: one per page content, whatever the encoding.
	etag := ghwire.ETag(b)
	h := http.Header{
		"Content-Type":                  {"application/json; charset=utf-8"},
		"Etag":                          {etag},
		"X-Github-Media-Type":           {ghwire.MediaType},
		"X-Github-Api-Version-Selected": {"2022-11-28"},
	}
	if last := s.last(); last > 1 {
		h["Link"] = []string{s.link(p, last)}
	}
	s.pages[p-1].Store(&page{body: b, gzip: gz, etag: etag, header: h})
	return nil
}

// pageJSON is page p (from 1) of jobs, perPage a page, as GitHub writes it.
func pageJSON(jobs []generated.Job, p int) ([]byte, error) {
	start, end := (p-1)*perPage, min(p*perPage, len(jobs))
	return marshal(api.ToGitHubPage(len(jobs), jobs[start:end]))
}

// compress is a page's body as the server sends it gzip-compressed.
func compress(body []byte) []byte { return ghwire.Gzip(body, gzip.DefaultCompression) }

// link is page p's Link header as GitHub sends it (ghwire.Links), with URLs that name the
// repository by id.
func (s *server) link(p, last int) string {
	return ghwire.Links(int64(p), int64(last), func(p int64) string {
		return s.URL + s.idPath + "?per_page=" + strconv.Itoa(perPage) + "&page=" + strconv.FormatInt(p, 10)
	})
}

// marshal encodes v as GitHub does: no HTML escaping, no trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("bench: render %T: %w", v, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
