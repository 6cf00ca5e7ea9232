package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/ghjobs/ghjobs/generated"
)

// GitHub's page sizes for this operation.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// pageReply answers with one page of jobs in GitHub's JSON shape, its ETag and GitHub's
// Link header, whose URLs have the escaped path links (prefix/repositories/{id}/rest), as
// the fault (Shifted, ForeignLink, SelfLink) bends them.
func pageReply(r *http.Request, jobs []generated.Job, links string, fault Fault) reply {
	q := r.URL.Query()
	perPage := int64(defaultPerPage)
	if v, err := strconv.ParseInt(q.Get("per_page"), 10, 64); err == nil && v >= 1 {
		perPage = min(v, maxPerPage)
	}
	page := int64(1)
	if v, err := strconv.ParseInt(q.Get("page"), 10, 64); err == nil && v >= 1 {
		page = v
	}

	total := int64(len(jobs))
	last := max(1, (total+perPage-1)/perPage)
	var window []generated.Job
	if page <= last {
		start := (page - 1) * perPage
		if fault.kind == shiftedFault {
			// n jobs inserted before this page move its window back by n.
			start = max(start-int64(fault.n), 0)
		}
		end := min(start+perPage, total)
		window = jobs[start:end:end]
	}
	rep := jsonReply(http.StatusOK, ToGitHubPage(len(jobs), window))
	rep.header.Set("ETag", etagOf(rep.body))
	if l := pageLinks(r, links, page, last, fault); l != "" {
		rep.header.Set("Link", l)
	}
	return rep
}

// etagOf returns the validator of a page body in GitHub's shape, a strong entity tag of
// 64 hex digits: "<sha-256 hex>" (as in Octokit's fixture scenarios/api.github.com/paginate-issues).
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// etagMatches reports whether an If-None-Match value ("*" or a list of entity tags) matches
// etag, by the weak comparison RFC 9110 (13.1.2) prescribes for If-None-Match: W/ is
// ignored on both sides. A malformed list matches nothing from the first bad element on.
func etagMatches(ifNoneMatch, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	if want == "" {
		return false
	}
	s := ifNoneMatch
	for {
		s = strings.TrimLeft(s, " \t,")
		switch {
		case s == "":
			return false
		case s[0] == '*':
			return true
		}
		s = strings.TrimPrefix(s, "W/")
		if s == "" || s[0] != '"' {
			return false
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return false
		}
		if s[:end+2] == want {
			return true
		}
		s = s[end+2:]
	}
}

// requestOrigin returns "scheme://host" of the URL r was sent to.
func requestOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// pageLinks formats Link as GitHub does (Octokit's fixture scenarios/api.github.com/paginate-issues):
// absolute URLs with the escaped path links, which names the repository by id, and the
// request's query with the page replaced; relations in the order prev, next, last, first,
// each only when it applies (next, last on the first page; prev, first on the last); no
// header when everything fits on one page. ForeignLink moves every URL to its origin and
// always has a next page; SelfLink always has next, pointing back at the request's own URL.
func pageLinks(r *http.Request, links string, page, last int64, fault Fault) string {
	origin := requestOrigin(r)
	self := "<" + origin + r.URL.RequestURI() + `>; rel="next"`
	if fault.kind == foreignLinkFault {
		origin, last = fault.s, max(last, page+1)
	}
	if last <= 1 {
		if fault.kind == selfLinkFault {
			return self
		}
		return ""
	}
	base := origin + links + "?"
	var keep []string
	for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
		key, _, _ := strings.Cut(part, "=")
		if part != "" && key != "page" {
			keep = append(keep, part)
		}
	}
	link := func(p int64, rel string) string {
		q := append(keep[:len(keep):len(keep)], "page="+strconv.FormatInt(p, 10))
		return "<" + base + strings.Join(q, "&") + `>; rel="` + rel + `"`
	}
	var rels []string
	if page > 1 {
		rels = append(rels, link(page-1, "prev"))
	}
	switch {
	case fault.kind == selfLinkFault:
		rels = append(rels, self)
		if page < last {
			rels = append(rels, link(last, "last"))
		}
	case page < last:
		rels = append(rels, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		rels = append(rels, link(1, "first"))
	}
	return strings.Join(rels, ", ")
}
