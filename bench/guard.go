package bench

import (
	"context"
	"fmt"
	"slices"
)

// guard checks that a listing returned exactly the attempt's jobs, in order, each with its
// status, so that a client that is fast because it is wrong fails the benchmark instead of
// winning it.
//
// A job's status may also be one the job had earlier in the client's life (before changed
// recorded a newer one): that is what a cache answers while it holds a page it believes
// fresh, as httpcache does for max-age=60 without asking the server. Such a listing is not
// wrong, only stale, and the polling benchmark reports how many were; failing it would drop
// the caching row, which is the one users run. A status the job never had in the client's
// life fails the listing, as a wrong or missing job does.
type guard struct {
	want   []int64
	status []string                      // each job's status as the server serves it now
	before map[int][]string              // the statuses a job had earlier in this client's life
	see    func(id int64, status string) // made once: a method value made per listing would allocate
	n      int                           // jobs seen in this listing
	stale  bool                          // whether this listing had a job with an earlier status
	err    error                         // its first wrong job
}

// newGuard checks listings of the jobs want, whose statuses are now status.
func newGuard(want []int64, status []string) *guard {
	g := &guard{want: want, status: status, before: map[int][]string{}}
	g.see = func(id int64, status string) {
		switch {
		case g.err != nil:
		case g.n >= len(g.want) || g.want[g.n] != id:
			g.err = fmt.Errorf("job %d of the listing has ID %d, want %s", g.n+1, id, g.wanted(g.n))
		case status == g.status[g.n]:
		case slices.Contains(g.before[g.n], status):
			g.stale = true
		default:
			g.err = fmt.Errorf("job %d of the listing (ID %d) is %q, a status it never had: want %q", g.n+1, id, status, g.status[g.n])
		}
		g.n++
	}
	return g
}

// changed records that job i (from 0) is now status: its earlier status becomes one a
// cache may still answer.
func (g *guard) changed(i int, status string) {
	g.before[i] = append(g.before[i], g.status[i])
	g.status[i] = status
}

// newClient forgets the earlier statuses: a new client has no cache to answer them from.
func (g *guard) newClient() { clear(g.before) }

func (g *guard) wanted(i int) string {
	if i >= len(g.want) {
		return fmt.Sprintf("no more than %d jobs", len(g.want))
	}
	return fmt.Sprint(g.want[i])
}

// list runs l once and returns its error, or one saying how its jobs were wrong. g.stale
// then says whether the listing was stale.
func (g *guard) list(ctx context.Context, l lister) error {
	g.n, g.err, g.stale = 0, nil, false
	if err := l(ctx, g.see); err != nil {
		return err
	}
	if g.err != nil {
		return g.err
	}
	if g.n != len(g.want) {
		return fmt.Errorf("the listing has %d jobs, want %d", g.n, len(g.want))
	}
	return nil
}
