package bench

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ghjobs/ghjobs/api"
)

// page is one page, ready to send in either encoding.
type page struct {
	body   []byte // identity
	gzip   []byte // body, gzip-compressed once, when rendered
	etag   string
	header http.Header // all but Content-Length, Content-Encoding and the per-request headers
}

type ghPage struct {
	TotalCount int             `json:"total_count"`
	Jobs       []api.GitHubJob `json:"jobs"`
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
	start, end := (p-1)*perPage, min(p*perPage, len(s.jobs))
	body := ghPage{TotalCount: len(s.jobs), Jobs: make([]api.GitHubJob, 0, end-start)}
	for i := start; i < end; i++ {
		body.Jobs = append(body.Jobs, api.ToGitHub(&s.jobs[i]))
	}
	b, err := marshal(body)
	if err != nil {
		return err
	}
	gz, err := compress(b)
	if err != nil {
		return err
	}
	// A strong ETag, as GitHub sends: one per page content, whatever the encoding.
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	h := http.Header{
		"Content-Type":                  {"application/json; charset=utf-8"},
		"Etag":                          {etag},
		"X-Github-Media-Type":           {"github.v3; format=json"},
		"X-Github-Api-Version-Selected": {"2022-11-28"},
	}
	if last := s.last(); last > 1 {
		h["Link"] = []string{s.link(p, last)}
	}
	s.pages[p-1].Store(&page{body: b, gzip: gz, etag: etag, header: h})
	return nil
}

// link is page p's Link header as GitHub sends it: URLs that name the repository by id,
// and the relations that apply in GitHub's order: next, last on the first page; prev,
// next, last, first in the middle; prev, first on the last.
func (s *server) link(p, last int) string {
	ref := func(p int, rel string) string {
		return "<" + s.URL + s.idPath + "?per_page=" + strconv.Itoa(perPage) + "&page=" + strconv.Itoa(p) + `>; rel="` + rel + `"`
	}
	var rels []string
	if p > 1 {
		rels = append(rels, ref(p-1, "prev"))
	}
	if p < last {
		rels = append(rels, ref(p+1, "next"), ref(last, "last"))
	}
	if p > 1 {
		rels = append(rels, ref(1, "first"))
	}
	return strings.Join(rels, ", ")
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

// compress gzips b at the default level.
func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("bench: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bench: gzip: %w", err)
	}
	return buf.Bytes(), nil
}
