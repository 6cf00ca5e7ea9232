package wrapper

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// links are the pagination relations of a Link header (RFC 8288), resolved to absolute URLs.
type links struct {
	next, prev, first, last *url.URL
}

// parseLinks reads every Link header value. Relations other than next, prev, first and last
// are ignored; a header that cannot be read is an error, because guessing could end a listing
// early without anyone noticing.
func parseLinks(values []string, base *url.URL) (links, error) {
	var l links
	for _, v := range values {
		for s := strings.TrimSpace(v); s != ""; s = strings.TrimSpace(s) {
			if s[0] != '<' {
				return links{}, fmt.Errorf("%w: Link header %q: want <URL>", ErrPagination, v)
			}
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return links{}, fmt.Errorf("%w: Link header %q: unterminated <URL>", ErrPagination, v)
			}
			target, err := base.Parse(s[1:end])
			if err != nil {
				return links{}, fmt.Errorf("%w: Link header: %v", ErrPagination, err)
			}
			var params string
			params, s, _ = cutUnquoted(s[end+1:], ',')
			for _, rel := range linkRels(params) {
				switch rel {
				case "next":
					l.next = target
				case "prev", "previous":
					l.prev = target
				case "first":
					l.first = target
				case "last":
					l.last = target
				}
			}
		}
	}
	return l, nil
}

// cutUnquoted cuts s at the first sep outside a quoted string (RFC 8288 allows commas and
// semicolons inside quoted parameter values).
func cutUnquoted(s string, sep byte) (before, after string, found bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			i++
		case sep:
			if !quoted {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// linkRels returns the relation types of `; rel="next last"`-style parameters, lower-cased.
func linkRels(params string) []string {
	for p, more := params, true; more; {
		var param string
		param, p, more = cutUnquoted(p, ';')
		name, value, ok := strings.Cut(strings.TrimSpace(param), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		return strings.Fields(strings.ToLower(value))
	}
	return nil
}

// pageNumber is the page query parameter of u, or 0 when u is nil or has none.
func pageNumber(u *url.URL) int {
	if u == nil {
		return 0
	}
	n, err := strconv.Atoi(u.Query().Get("page"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
