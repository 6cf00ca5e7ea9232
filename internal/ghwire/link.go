package ghwire

import "strings"

// Links formats a page's Link header as GitHub does: the relations that apply, in GitHub's
// order (next, last on the first page; prev, next, last, first in the middle; prev, first
// on the last), each <url(p)>; no header ("") when everything fits on one page.
func Links(page, last int64, url func(p int64) string) string {
	if last <= 1 {
		return "" // also for a page past the end
	}
	var rels []string
	ref := func(p int64, rel string) { rels = append(rels, "<"+url(p)+`>; rel="`+rel+`"`) }
	if page > 1 {
		ref(page-1, "prev")
	}
	if page < last {
		ref(page+1, "next")
		ref(last, "last")
	}
	if page > 1 {
		ref(1, "first")
	}
	return strings.Join(rels, ", ")
}
