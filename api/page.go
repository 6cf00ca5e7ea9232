package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/ghwire"
)

// GitHub's page sizes for this operation.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// pageReply answers with one page of jobs in GitHub's JSON shape (the old one for oldShape),
// its ETag and GitHub's Link header, whose URLs have the escaped path links
// (prefix/repositories/{id}/rest), as the fault (Shifted, ForeignLink, SelfLink) bends them.
func pageReply(r *http.Request, jobs []generated.Job, oldShape bool, links string, fault Fault) reply {
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
	var body any = ToGitHubPage(len(jobs), window)
	if oldShape {
		body = toOldShapePage(len(jobs), window)
	}
	rep := jsonReply(http.StatusOK, body)
	rep.oldShape = oldShape
	rep.header.Set("ETag", ghwire.ETag(rep.body))
	if l := pageLinks(r, links, page, last, fault); l != "" {
		rep.header.Set("Link", l)
	}
	return rep
}

// requestOrigin returns "scheme://host" of the URL r was sent to.
func requestOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// pageLinks formats Link as GitHub does (ghwire.Links): absolute URLs with the escaped
// path links, which names the repository by id, and the request's query with the page
// replaced. ForeignLink moves every URL to its origin and always has a next page; SelfLink
// always has next, pointing back at the request's own URL.
func pageLinks(r *http.Request, links string, page, last int64, fault Fault) string {
	origin := requestOrigin(r)
	if fault.kind == foreignLinkFault {
		origin, last = fault.s, max(last, page+1)
	}
	var keep []string
	for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
		key, _, _ := strings.Cut(part, "=")
		if part != "" && key != "page" {
			keep = append(keep, part)
		}
	}
	url := func(p int64) string {
		return origin + links + "?" + strings.Join(append(keep[:len(keep):len(keep)], "page="+strconv.FormatInt(p, 10)), "&")
	}
	if fault.kind != selfLinkFault {
		return ghwire.Links(page, last, url)
	}
	// GitHub's relations with next, always there, at the request itself.
	self := "<" + origin + r.URL.RequestURI() + `>; rel="next"`
	var rels []string
	if page > 1 {
		rels = append(rels, "<"+url(page-1)+`>; rel="prev"`)
	}
	rels = append(rels, self)
	if page < last {
		rels = append(rels, "<"+url(last)+`>; rel="last"`)
	}
	if page > 1 {
		rels = append(rels, "<"+url(1)+`>; rel="first"`)
	}
	return strings.Join(rels, ", ")
}
