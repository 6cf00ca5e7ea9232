package wrapper

import (
	"context"
	"sync"
)

// decodeTurns decides when each fetched page of one listing may be decoded: pages wait for
// their turn with their body as it came (compressed, from GitHub), a twentieth of their
// decoded size. Jobs decodes in page order, one page ahead of the one it yields, so that
// memory holds two pages of jobs however many are in flight (newDecodeOrder). AllJobs keeps
// every page anyway, so it decodes pages as they come, as many at once as there are
// processors (newDecodeTurns): a page that comes early is decoded while those before it are
// still on their way, rather than after them.
type decodeTurns interface {
	// wait returns when page n may be decoded, or with ctx's error, and then takes no turn;
	// done gives the turn back once the page is decoded, and may be called more than once.
	wait(ctx context.Context, n int) (done func(), err error)
	// handedOn records that page n was handed on to the listing's consumer.
	handedOn(n int)
}

// place is a page's place in a listing, for its turn; the zero place is decoded at once.
type place struct {
	turns decodeTurns
	n     int
}

func (p place) wait(ctx context.Context) (done func(), err error) {
	if p.turns == nil {
		return func() {}, nil
	}
	return p.turns.wait(ctx, p.n)
}

// decodeOrder lets page n be decoded once page n-ahead was handed on.
type decodeOrder struct {
	ahead int

	mu     sync.Mutex
	handed int           // the last page handed on
	moved  chan struct{} // closed when handed moves on
}

func newDecodeOrder(ahead int) *decodeOrder {
	return &decodeOrder{ahead: max(ahead, 1), moved: make(chan struct{})}
}

func (o *decodeOrder) handedOn(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handed = n
	close(o.moved)
	o.moved = make(chan struct{})
}

func (o *decodeOrder) wait(ctx context.Context, n int) (func(), error) {
	for {
		o.mu.Lock()
		ok, moved := n <= o.handed+o.ahead, o.moved
		o.mu.Unlock()
		if ok {
			return func() {}, nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return func() {}, ctx.Err()
		}
	}
}

// decodeAsTheyCome lets any page be decoded as soon as one of its turns is free.
type decodeAsTheyCome struct {
	taken chan struct{} // one for each page being decoded
}

func newDecodeTurns(n int) decodeAsTheyCome {
	return decodeAsTheyCome{taken: make(chan struct{}, max(n, 1))}
}

func (decodeAsTheyCome) handedOn(int) {}

func (t decodeAsTheyCome) wait(ctx context.Context, _ int) (func(), error) {
	if err := ctx.Err(); err != nil { // a page dropped while it waited is not decoded
		return func() {}, err
	}
	select {
	case t.taken <- struct{}{}:
		return sync.OnceFunc(func() { <-t.taken }), nil
	case <-ctx.Done():
		return func() {}, ctx.Err()
	}
}
