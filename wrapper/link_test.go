package wrapper

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseLinks(t *testing.T) {
	base, _ := url.Parse("https://api.github.com/repos/o/r/actions/runs/1/attempts/1/jobs?per_page=100")
	type pages struct{ next, prev, first, last int }
	tests := []struct {
		name   string
		values []string
		want   pages
	}{
		{"none", nil, pages{}},
		{"first page", []string{`<https://api.github.com/repositories/1/actions/runs/1/attempts/1/jobs?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/actions/runs/1/attempts/1/jobs?per_page=100&page=10>; rel="last"`}, pages{next: 2, last: 10}},
		{"middle page", []string{`<https://x/j?page=2>; rel="prev", <https://x/j?page=4>; rel="next", <https://x/j?page=10>; rel="last", <https://x/j?page=1>; rel="first"`}, pages{next: 4, prev: 2, first: 1, last: 10}},
		{"last page", []string{`<https://x/j?page=9>; rel="prev", <https://x/j?page=1>; rel="first"`}, pages{prev: 9, first: 1}},
		{"split over header lines", []string{`<https://x/j?page=2>; rel="next"`, `<https://x/j?page=5>; rel="last"`}, pages{next: 2, last: 5}},
		{"unquoted and upper-case rel", []string{`<https://x/j?page=3>; REL=Next`}, pages{next: 3}},
		{"several rels in one value", []string{`<https://x/j?page=3>; rel="next last"`}, pages{next: 3, last: 3}},
		{"quoted semicolon and rel in a title", []string{`<https://x/j?page=9>; title="x; rel=next"; rel="last"`}, pages{last: 9}},
		{"other params and rels", []string{`<https://x/j?page=3>; title="a, b; c"; rel="next", <https://x/other>; rel="alternate"`}, pages{next: 3}},
		{"relative URL", []string{`</repos/o/r/actions/runs/1/attempts/1/jobs?page=2>; rel="next"`}, pages{next: 2}},
		{"no page parameter", []string{`<https://x/j?cursor=abc>; rel="next"`}, pages{}},
		{"trailing comma and spaces", []string{` <https://x/j?page=2>; rel="next" , `}, pages{next: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := parseLinks(tt.values, base)
			if err != nil {
				t.Fatal(err)
			}
			got := pages{pageNumber(l.next), pageNumber(l.prev), pageNumber(l.first), pageNumber(l.last)}
			if got != tt.want {
				t.Errorf("pages = %+v, want %+v", got, tt.want)
			}
		})
	}

	t.Run("relative URL resolves against the request", func(t *testing.T) {
		l, err := parseLinks([]string{`</api/v3/x?page=2>; rel="next"`}, base)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := l.next.String(), "https://api.github.com/api/v3/x?page=2"; got != want {
			t.Errorf("next = %s, want %s", got, want)
		}
	})
	t.Run("cursor-only next is still followed", func(t *testing.T) {
		l, _ := parseLinks([]string{`<https://x/j?cursor=abc>; rel="next"`}, base)
		if l.next == nil {
			t.Error("next link lost")
		}
	})
}

func TestParseLinksRejectsGarbage(t *testing.T) {
	base, _ := url.Parse("https://api.github.com/")
	for _, v := range []string{
		`https://x/j?page=2; rel="next"`,
		`<https://x/j?page=2; rel="next"`,
		`<https://x/j?page=2>; rel="next", garbage`,
		"<http://[::1%zz]/>; rel=\"next\"",
	} {
		if _, err := parseLinks([]string{v}, base); !errors.Is(err, ErrPagination) {
			t.Errorf("parseLinks(%q) error = %v, want ErrPagination", v, err)
		}
	}
}
