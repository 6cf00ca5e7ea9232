package wrapper

import (
	"errors"
	"net/url"
	"testing"
)

func TestPageURLs(t *testing.T) {
	base := "https://api.github.com/repositories/1/actions/runs/2/attempts/1/jobs"
	page := func(next, last string) *Page {
		p := &Page{}
		if next != "" {
			p.next, _ = url.Parse(base + next)
		}
		if last != "" {
			p.last, _ = url.Parse(base + last)
		}
		return p
	}
	tests := []struct {
		name  string
		first *Page
		want  []string
	}{
		{"GitHub's links", page("?per_page=100&page=2", "?per_page=100&page=4"),
			[]string{"?per_page=100&page=2", "?per_page=100&page=3", "?per_page=100&page=4"}},
		{"query order kept", page("?page=2&per_page=100&filter=latest", "?page=3&per_page=100&filter=latest"),
			[]string{"?page=2&per_page=100&filter=latest", "?page=3&per_page=100&filter=latest"}},
		{"two pages", page("?page=2", "?page=2"), []string{"?page=2"}},
		{"no last", page("?page=2", ""), nil},
		{"no next", page("", "?page=3"), nil},
		{"next is not page 2", page("?page=3", "?page=5"), nil},
		{"last differs beyond its page", page("?per_page=100&page=2", "?per_page=50&page=4"), nil},
		{"two page parameters", page("?page=2&page=2", "?page=4&page=4"), nil},
		{"last before next", page("?page=2", "?page=1"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pageURLs(tt.first)
			if len(got) != len(tt.want) {
				t.Fatalf("pageURLs = %v, want %v", got, tt.want)
			}
			for i, u := range got {
				if u.String() != base+tt.want[i] {
					t.Errorf("page %d: %s, want %s", i+2, u, base+tt.want[i])
				}
			}
		})
	}
}

func TestListingFollow(t *testing.T) {
	l := &listing{urls: map[string]bool{}, ids: map[int64]struct{}{}, fn: func(*Page) bool { return true }}
	l.take(&Page{TotalCount: 250, Jobs: make([]Job, 100)})
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	if err := l.follow(u("https://x/?page=2"), 2); err != nil {
		t.Errorf("pages 2 and 3 of 250 jobs by 100: %v", err)
	}
	if err := l.follow(u("https://x/?page=2"), 1); !errors.Is(err, ErrPagination) {
		t.Errorf("a page asked for twice: %v, want ErrPagination", err)
	}
	if err := l.follow(u("https://x/?page=9"), 4); !errors.Is(err, ErrPagination) {
		t.Errorf("5 pages of 100 for 250 jobs: %v, want ErrPagination", err)
	}
}
