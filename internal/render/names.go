package render

import (
	"strings"
	"unicode/utf8"
)

// Job names stay apart when they are cut. Matrix jobs differ at the end ("… / shard 17") or
// in the middle ("test (macos-latest, 1.25)"), so a name is cut in the middle, keeping its
// start and its end with "…" between; where the cut falls is chosen for all names at once,
// so that as many of them as possible stay told apart, and the rows line up.

// jobNames are the attempt's job names, as printed.
func jobNames(at *Timed) []string {
	names := make([]string, len(at.Jobs))
	for i := range at.Jobs {
		names[i] = Printable(at.Jobs[i].Job.Name)
	}
	return names
}

// cutMiddle shortens s to at most width columns: the first head columns of s, "…", and as
// much of its end as fits.
func cutMiddle(s string, width, head int) string {
	if DisplayWidth(s) <= width {
		return s
	}
	head = min(head, width-1)
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := DisplayWidth(string(r))
		if w+rw > head {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	tail, tw := len(s), 0
	for tail > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:tail])
		rw := DisplayWidth(string(r))
		if w+1+tw+rw > width {
			break
		}
		tail -= size
		tw += rw
	}
	return b.String() + "…" + s[tail:]
}

// distinctCut counts the distinct names among names cut to width with head.
func distinctCut(names []string, width, head int) int {
	seen := make(map[string]struct{}, len(names))
	for _, n := range names {
		seen[cutMiddle(n, width, head)] = struct{}{}
	}
	return len(seen)
}

// nameHead is where names are cut for width columns: the head that keeps the most names
// apart; of those, the one closest to an even split, with the end favoured.
func nameHead(names []string, width int) int {
	names = distinctNames(names)
	best, bestN := 0, -1
	for head := 0; head < width; head++ {
		n := distinctCut(names, width, head)
		tail := width - 1 - head
		if n > bestN || n == bestN && abs(head-tail) < abs(best-(width-1-best)) {
			best, bestN = head, n
		}
	}
	return best
}

// apartWidth is the fewest columns at which the names, cut as nameHead cuts them, are as
// many distinct names as they are whole (at most the longest name).
func apartWidth(names []string) int {
	names = distinctNames(names)
	longest := 0
	for _, n := range names {
		longest = max(longest, DisplayWidth(n))
	}
	apart := func(width int) bool { return distinctCut(names, width, nameHead(names, width)) == len(names) }
	lo, hi := 1, max(longest, 1) // apart(hi) holds: nothing is cut
	for lo < hi {
		mid := (lo + hi) / 2
		if apart(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}

// distinctNames is names without repeats, in their first order.
func distinctNames(names []string) []string {
	seen := make(map[string]struct{}, len(names))
	var out []string
	for _, n := range names {
		if _, ok := seen[n]; !ok {
			seen[n] = struct{}{}
			out = append(out, n)
		}
	}
	return out
}

func abs(n int) int { return max(n, -n) }
