package wrapper

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func ids(jobs []Job) []int64 {
	out := make([]int64, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func jobsOf(ids ...int64) []Job {
	out := make([]Job, len(ids))
	for i, id := range ids {
		out[i].ID = id
	}
	return out
}

// TestSeenIDs: a job is yielded once, whether it comes again on a later page, earlier on the
// same page, or pages come with ids in any order; the set stays sorted.
func TestSeenIDs(t *testing.T) {
	var s seenIDs
	steps := []struct{ page, want []int64 }{
		{[]int64{5, 3, 4}, []int64{5, 3, 4}},
		{[]int64{4, 6, 7}, []int64{6, 7}},       // the list shifted: 4 again
		{[]int64{1, 9, 1, 2}, []int64{1, 9, 2}}, // older ids, and one twice on a page
		{[]int64{9, 7, 1}, []int64{}},
	}
	for i, st := range steps {
		if got := ids(s.dropSeen(jobsOf(st.page...))); !slices.Equal(got, st.want) {
			t.Errorf("page %d %v: yielded %v, want %v", i+1, st.page, got, st.want)
		}
	}
	if !slices.IsSorted(s.ids) || s.len() != 8 {
		t.Errorf("seen %v: want 8 ids, sorted", s.ids)
	}
}

// TestSeenIDsAgreesWithAMap: over random pages, dropSeen yields exactly what a map of the
// ids seen would.
func TestSeenIDsAgreesWithAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s seenIDs
	m := map[int64]bool{}
	for range 200 {
		page := make([]int64, r.IntN(100))
		for i := range page {
			page[i] = r.Int64N(3000)
		}
		var want []int64
		for _, id := range page {
			if !m[id] {
				m[id] = true
				want = append(want, id)
			}
		}
		if got := ids(s.dropSeen(jobsOf(page...))); !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("yielded %v, want %v", got, want)
		}
	}
	if s.len() != len(m) || !slices.IsSorted(s.ids) {
		t.Errorf("%d seen, want %d, sorted", s.len(), len(m))
	}
}

// TestSeenReserve: room for a listing's ids at once, within a bound whatever total_count says.
func TestSeenReserve(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{-5, 0}, {0, 0}, {20000, 20000}, {math.MaxInt, maxReserve}} {
		var s seenIDs
		s.reserve(tt.n)
		if cap(s.ids) < tt.want || cap(s.ids) > max(tt.want, 8)*2 {
			t.Errorf("reserve(%d): cap %d, want about %d", tt.n, cap(s.ids), tt.want)
		}
	}
}
