package wrapper

import "slices"

// seenIDs is the set of the ids of the jobs a listing yielded, sorted: 8 bytes a job, a
// third of a map's. Job ids grow as jobs are created, so a page's ids usually all come after
// those already seen and are appended.
type seenIDs struct{ ids []int64 }

// dropSeen removes from jobs those whose ids were seen, on an earlier page or earlier on
// this one, and adds the others. Jobs created while a listing is read shift the later pages,
// so a job can come again on the next page; the count against total_count then shows whether
// one was missed instead.
func (s *seenIDs) dropSeen(jobs []Job) []Job {
	start := len(s.ids)
	jobs = slices.DeleteFunc(jobs, func(j Job) bool {
		if _, found := slices.BinarySearch(s.ids[:start], j.ID); found || slices.Contains(s.ids[start:], j.ID) {
			return true
		}
		s.ids = append(s.ids, j.ID)
		return false
	})
	added := s.ids[start:]
	slices.Sort(added)
	if start == 0 || len(added) == 0 || added[0] > s.ids[start-1] {
		return jobs
	}
	merged := make([]int64, 0, cap(s.ids))
	old := s.ids[:start]
	for len(old) > 0 && len(added) > 0 {
		if old[0] < added[0] {
			merged, old = append(merged, old[0]), old[1:]
		} else {
			merged, added = append(merged, added[0]), added[1:]
		}
	}
	s.ids = append(append(merged, old...), added...)
	return jobs
}

// maxReserve bounds what reserve believes of a server's total_count: 1 MiB of ids. A larger
// listing grows the set as it goes.
const maxReserve = 1 << 17

// reserve makes room for n ids at once, so that the set does not grow by doubling (the old
// array and the new, half empty, alive together at the peak of a long listing).
func (s *seenIDs) reserve(n int) {
	if more := min(n, maxReserve) - len(s.ids); more > 0 {
		s.ids = slices.Grow(s.ids, more)
	}
}

// len is how many ids were seen.
func (s *seenIDs) len() int { return len(s.ids) }
