package wrapper

import (
	"context"
	"sync"
)

// decodeOrder decides when each page of one listing may be decoded, so that memory holds a
// few decoded pages, not as many as are in flight: pages that arrive earlier wait with their
// body as it came (compressed, from GitHub). Jobs lets one page ahead of the one it yields be
// decoded (ahead). AllJobs, which keeps every page anyway, decodes pages as they come, as many
// at once as there are processors (slots): a page that comes early is decoded while those
// before it are still on their way, rather than after them.
type decodeOrder struct {
	ahead int           // pages after the last one handed on that may be decoded
	slots chan struct{} // one for each page being decoded; nil to decode by ahead

	mu     sync.Mutex
	handed int           // the last page handed on
	moved  chan struct{} // closed when handed moves on
}

func newDecodeOrder(ahead int) *decodeOrder {
	return &decodeOrder{ahead: max(ahead, 1), moved: make(chan struct{})}
}

// newDecodeSlots is the order of a listing that decodes its pages as they come, n at once.
func newDecodeSlots(n int) *decodeOrder {
	o := newDecodeOrder(1)
	o.slots = make(chan struct{}, max(n, 1))
	return o
}

// handedOn records that page n was handed on, and lets the pages waiting for that be decoded.
func (o *decodeOrder) handedOn(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handed = n
	close(o.moved)
	o.moved = make(chan struct{})
}

// place is a page's place in a decodeOrder; the zero place is decoded at once.
type place struct {
	o *decodeOrder
	n int
}

// wait returns when the page may be decoded, or with ctx's error; release is to be called
// once it is decoded.
func (p place) wait(ctx context.Context) (release func(), err error) {
	switch {
	case p.o == nil:
		return func() {}, nil
	case p.o.slots != nil:
		select {
		case p.o.slots <- struct{}{}:
			return func() { <-p.o.slots }, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for {
		p.o.mu.Lock()
		ok, moved := p.n <= p.o.handed+p.o.ahead, p.o.moved
		p.o.mu.Unlock()
		if ok {
			return func() {}, nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
