package wrapper

import (
	"context"
	"sync"
)

// decodeOrder lets the pages of one listing be decoded only when they are among the next few
// to be handed on, so that memory holds a few decoded pages, not as many as are in flight:
// pages that arrive earlier wait with their body as it came (compressed, from GitHub). Jobs
// lets one page ahead of the one it yields be decoded, AllJobs as many as processors can
// decode at once.
type decodeOrder struct {
	ahead int // pages after the last one handed on that may be decoded

	mu     sync.Mutex
	handed int           // the last page handed on
	moved  chan struct{} // closed when handed moves on
}

func newDecodeOrder(ahead int) *decodeOrder {
	return &decodeOrder{ahead: max(ahead, 1), moved: make(chan struct{})}
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

// wait returns when the page may be decoded, or with ctx's error.
func (p place) wait(ctx context.Context) error {
	if p.o == nil {
		return nil
	}
	for {
		p.o.mu.Lock()
		ok, moved := p.n <= p.o.handed+p.o.ahead, p.o.moved
		p.o.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
