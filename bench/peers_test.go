package bench

import (
	"context"
	"strings"
	"testing"
)

func TestEveryPeerListsEveryJob(t *testing.T) {
	s := startServer(t, sampleRun(250), 0)
	g := newGuard(s.ids)
	for _, p := range peers() {
		t.Run(p.name, func(t *testing.T) {
			s.resetStats()
			l, err := p.open(s.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.list(t.Context(), l); err != nil {
				t.Fatal(err)
			}
			if st := s.stats(); st.requests != 3 || st.maxInFlight > int64(p.inFlight) {
				t.Errorf("%d requests, at most %d in flight; want 3 requests, at most %d in flight", st.requests, st.maxInFlight, p.inFlight)
			}
		})
	}
}

func TestGuardFailsWrongListings(t *testing.T) {
	g := newGuard([]int64{10, 20, 30})
	for _, tc := range []struct {
		ids  []int64
		want string // in the error; "" for none
	}{
		{[]int64{10, 20, 30}, ""},
		{[]int64{10, 20}, "has 2 jobs, want 3"},
		{[]int64{10, 30, 20}, "job 2 of the listing has ID 30, want 20"},
		{[]int64{10, 20, 30, 40}, "job 4 of the listing has ID 40, want no more than 3 jobs"},
		{nil, "has 0 jobs, want 3"},
	} {
		err := g.list(t.Context(), func(_ context.Context, see func(int64)) error {
			for _, id := range tc.ids {
				see(id)
			}
			return nil
		})
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("listing %v: got %v, want %q", tc.ids, err, tc.want)
		}
	}
}
