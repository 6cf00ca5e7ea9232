package api

import (
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

// pageReply answers with one page of jobs and GitHub's Link header.
func pageReply(r *http.Request, jobs []generated.Job) reply {
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
	body := generated.JobsPage{TotalCount: len(jobs), Jobs: []generated.Job{}}
	if page <= last {
		start := (page - 1) * perPage
		end := min(start+perPage, total)
		body.Jobs = jobs[start:end:end]
	}
	rep := jsonReply(http.StatusOK, body)
	if last > 1 {
		rep.header.Set("Link", linkHeader(r, page, last))
	}
	return rep
}

// linkHeader formats Link as GitHub does: absolute URLs that repeat the request's query
// with the page replaced, relations in the order prev, next, last, first, each only when
// it applies.
func linkHeader(r *http.Request, page, last int64) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + r.URL.EscapedPath() + "?"
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
	if page < last {
		rels = append(rels, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		rels = append(rels, link(1, "first"))
	}
	return strings.Join(rels, ", ")
}
