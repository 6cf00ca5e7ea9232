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

// measured is a name with the display width of each of its runes, cut without measuring
// it again: apartWidth tries many cuts of every name.
type measured struct {
	s      string
	starts []int // byte offset of each rune, and len(s) last
	widths []int // display width of each rune
	total  int
}

func measure(names []string) []measured {
	out := make([]measured, len(names))
	for i, n := range names {
		m := measured{s: n}
		for off, r := range n {
			w := DisplayWidth(string(r))
			m.starts, m.widths, m.total = append(m.starts, off), append(m.widths, w), m.total+w
		}
		m.starts = append(m.starts, len(n))
		out[i] = m
	}
	return out
}

// cut is cutMiddle's cut of m, as the two parts kept (start and end), or m whole.
func (m *measured) cut(width, head int) (start, end string, whole bool) {
	if m.total <= width {
		return m.s, "", true
	}
	head = min(head, width-1)
	h, w := 0, 0
	for h < len(m.widths) && w+m.widths[h] <= head {
		w += m.widths[h]
		h++
	}
	t, tw := len(m.widths), 0
	for t > h && w+1+tw+m.widths[t-1] <= width {
		t--
		tw += m.widths[t]
	}
	return m.s[:m.starts[h]], m.s[m.starts[t]:], false
}

// distinctCut counts the distinct names among names cut to width with head.
func distinctCut(names []measured, width, head int) int {
	type key struct {
		start, end string
		whole      bool
	}
	seen := make(map[key]struct{}, len(names))
	for i := range names {
		s, e, w := names[i].cut(width, head)
		seen[key{s, e, w}] = struct{}{}
	}
	return len(seen)
}

// nameHead is where names are cut for width columns: the head that keeps the most names
// apart; of those, the one closest to an even split, with the end favoured.
func nameHead(names []string, width int) int {
	return bestHead(measure(distinctNames(names)), width)
}

func bestHead(names []measured, width int) int {
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
	ms := measure(distinctNames(names))
	longest := 0
	for i := range ms {
		longest = max(longest, ms[i].total)
	}
	apart := func(width int) bool { return distinctCut(ms, width, bestHead(ms, width)) == len(ms) }
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
