package wrapper

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"testing"
)

func TestLastPage(t *testing.T) {
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
		want  int
	}{
		{"GitHub's links", page("?per_page=100&page=2", "?per_page=100&page=4"), 4},
		{"other parameters in any order", page("?page=2&per_page=100&filter=latest", "?page=3&per_page=100&filter=latest"), 3},
		{"two pages", page("?page=2", "?page=2"), 2},
		{"a last page beyond reason is still only a number", page("?page=2", fmt.Sprintf("?page=%d", math.MaxInt)), math.MaxInt},
		{"no last", page("?page=2", ""), 0},
		{"no next", page("", "?page=3"), 0},
		{"next is not page 2", page("?page=3", "?page=5"), 0},
		{"last differs beyond its page", page("?per_page=100&page=2", "?per_page=50&page=4"), 0},
		{"two page parameters", page("?page=2&page=2", "?page=4&page=4"), 0},
		{"last before next", page("?page=2", "?page=1"), 0},
		{"last not a number", page("?page=2", "?page=x"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lastPage(tt.first); got != tt.want {
				t.Errorf("lastPage = %d, want %d", got, tt.want)
			}
		})
	}
	u, ok := withPage(page("?per_page=100&page=2&x=1", "").next, 7)
	if !ok || u.String() != base+"?per_page=100&page=7&x=1" {
		t.Errorf("withPage = %v, %v: want only the page changed", u, ok)
	}
}

func TestListing(t *testing.T) {
	var yielded int
	l := &listing{urls: map[string]bool{}, fn: func(p *Page) bool { yielded += len(p.Jobs); return true }}
	jobs := func(ids ...int64) []Job {
		out := make([]Job, len(ids))
		for i, id := range ids {
			out[i].ID = id
		}
		return out
	}
	l.accept(&Page{TotalCount: 5, Jobs: jobs(1, 2)}) // pages of 2: 3 pages, one more allowed
	if err := l.announce(4); err != nil {
		t.Errorf("pages 2 to 4 of 5 jobs by 2: %v", err)
	}
	if err := l.announce(5); !errors.Is(err, ErrPagination) {
		t.Errorf("pages 2 to 5 of 5 jobs by 2: %v, want ErrPagination", err)
	}
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	if err := l.follow(u("https://x/?page=2")); err != nil {
		t.Error(err)
	}
	if err := l.follow(u("https://x/?page=2")); !errors.Is(err, ErrPagination) {
		t.Errorf("a page asked for twice: %v, want ErrPagination", err)
	}

	// A page answered late with a larger total_count keeps it: the list grew.
	l.accept(&Page{TotalCount: 6, Jobs: jobs(2, 3)}) // job 2 again: the list shifted by one
	l.accept(&Page{TotalCount: 5, Jobs: jobs(4, 5)})
	if l.total != 6 || l.seen.len() != 5 || yielded != 5 {
		t.Errorf("total %d, jobs %d, yielded %d; want 6, 5, 5", l.total, l.seen.len(), yielded)
	}
	if l.accept(&Page{TotalCount: 6, Jobs: jobs(4, 5)}) || !errors.Is(l.err, ErrPagination) {
		t.Errorf("a page of jobs already listed: err %v, want the walk stopped with ErrPagination", l.err)
	}
}
