package api

// ring keeps the most recent size values added to it, and counts them all: the fake's logs
// stay bounded when it serves for days (ghjobs serve).
type ring[T any] struct {
	size  int
	items []T   // at most size; once full, the oldest is at index total%size
	total int64 // every value ever added
}

// add appends v, dropping the oldest value when the ring is full.
func (r *ring[T]) add(v T) {
	if len(r.items) < r.size {
		r.items = append(r.items, v)
	} else {
		r.items[r.total%int64(r.size)] = v
	}
	r.total++
}

// all returns the values kept, oldest first, each passed through copyOf.
func (r *ring[T]) all(copyOf func(T) T) []T {
	out := make([]T, 0, len(r.items))
	start := 0
	if len(r.items) == r.size {
		start = int(r.total % int64(r.size))
	}
	for i := range r.items {
		out = append(out, copyOf(r.items[(start+i)%len(r.items)]))
	}
	return out
}
