package wrapper

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is a Store in the memory of one process, for several Clients in it: give each
// the same store with WithStore, and those of one scope (see WithStoreScope) keep to one rate
// budget, one secondary-limit hold, one cap on requests in flight and one set of kept pages.
// Its zero value is not usable: call NewMemoryStore.
//
// Its slots need no lease: they belong to the process, which cannot die without them. Kept
// pages go, least recently used first, when their bytes pass DefaultCacheSize; their
// PageTTL is not needed for that.
type MemoryStore struct {
	maxInFlight int

	mu     sync.Mutex
	scopes map[string]*memScope
	pages  *lru[string, memPage] // of every scope, keyed "scope page"
}

// memPage is a page a MemoryStore keeps: the page, when GitHub last confirmed it, and to
// which credential.
type memPage struct {
	StoredPage
	at time.Time
}

func (p memPage) cost() int64 {
	return (&cachedPage{etag: p.ETag, header: p.Header, body: p.Body}).cost()
}

// memScope is the state of one scope: the same rate state a Client keeps for itself, and the
// slots taken.
type memScope struct {
	rate  rateState
	slots map[string]struct{}
}

// NewMemoryStore returns an empty MemoryStore whose cap on requests in flight per scope is
// maxInFlight, or DefaultMaxInFlight for 0 or less.
func NewMemoryStore(maxInFlight int) *MemoryStore {
	if maxInFlight <= 0 {
		maxInFlight = DefaultMaxInFlight
	}
	return &MemoryStore{
		maxInFlight: maxInFlight,
		pages:       newLRU[string](DefaultCacheSize, memPage.cost),
		scopes:      make(map[string]*memScope),
	}
}

func (m *MemoryStore) scope(name string) *memScope {
	s, ok := m.scopes[name]
	if !ok {
		s = &memScope{slots: make(map[string]struct{})}
		m.scopes[name] = s
	}
	return s
}

// Begin implements Store.
func (m *MemoryStore) Begin(_ context.Context, scope string, b StoreBegin) (StoreGrant, error) {
	now := time.Now()
	var g StoreGrant
	m.mu.Lock()
	s := m.scope(scope)
	hold, by := s.rate.held(now)
	g.Hold, g.HoldStatus = hold, by.StatusCode
	var resetAt time.Time
	if g.Rate, resetAt = s.rate.snapshot(); g.Rate.Limit > 0 {
		g.ResetIn = resetAt.Sub(now)
	}
	if g.Hold == 0 && len(s.slots) < m.maxInFlight {
		s.slots[b.Slot], g.Slot = struct{}{}, true
	}
	if p, ok := m.pages.get(scope + " " + b.Page); ok && g.Slot && b.Page != "" {
		g.Page = &p.StoredPage
		g.Page.Age = now.Sub(p.at)
	}
	m.mu.Unlock()
	return g, nil
}

// End implements Store.
func (m *MemoryStore) End(_ context.Context, scope string, e StoreEnd) error {
	now := time.Now()
	m.mu.Lock()
	s := m.scope(scope)
	delete(s.slots, e.Slot)
	if e.Rate.Limit > 0 {
		s.rate.merge(e.Rate, now.Add(e.ResetIn))
	}
	if e.Hold > 0 {
		s.rate.hold(now.Add(e.Hold), Event{StatusCode: e.HoldStatus})
	}
	key := scope + " " + e.Page
	switch {
	case e.Page == "":
	case e.Put != nil:
		p := *e.Put
		p.ConfirmedTo = e.ConfirmedTo
		m.pages.put(key, memPage{StoredPage: p, at: now})
	case e.Validated:
		if p, ok := m.pages.get(key); ok && p.ETag == e.ETag {
			p.at, p.ConfirmedTo = now, e.ConfirmedTo
			m.pages.put(key, p)
		}
	case e.Drop:
		m.pages.removeIf(key, func(p memPage) bool { return p.ETag == e.ETag })
	}
	m.mu.Unlock()
	return nil
}
