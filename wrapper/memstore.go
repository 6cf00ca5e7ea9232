package wrapper

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is a Store in the memory of one process, for several Clients in it that use
// the same credentials: give each the same store with WithStore, and they keep to one rate
// budget, one secondary-limit hold, one cap on requests in flight and one set of kept
// pages. Its zero value is not usable: call NewMemoryStore.
//
// Its slots need no lease: they belong to the process, which cannot die without them. Kept
// pages go, least recently used first, when their bytes pass DefaultCacheSize; their
// PageTTL is not needed for that.
type MemoryStore struct {
	maxInFlight int
	pages       *etagCache // its LRU only: pages of every scope, keyed "scope page"

	mu     sync.Mutex
	scopes map[string]*memScope
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
		pages:       newETagCache(nil, DefaultCacheSize),
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
	m.mu.Unlock()
	if g.Slot && b.Page != "" {
		if e := m.pages.get(scope + " " + b.Page); e != nil {
			g.Page = &StoredPage{ETag: e.etag, Header: e.header, Body: e.body, Age: now.Sub(e.at), ConfirmedTo: e.confirmedTo}
		}
	}
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
	m.mu.Unlock()
	key := scope + " " + e.Page
	switch {
	case e.Page == "":
	case e.Put != nil:
		m.pages.put(&cacheEntry{key: key, etag: e.Put.ETag, header: e.Put.Header, body: e.Put.Body, at: now, confirmedTo: e.ConfirmedTo})
	case e.Validated:
		if old := m.pages.get(key); old != nil && old.etag == e.ETag {
			renewed := *old // entries are read without the lock: replace, never change
			renewed.at, renewed.confirmedTo = now, e.ConfirmedTo
			m.pages.put(&renewed)
		}
	case e.Drop:
		m.pages.removeIf(key, e.ETag)
	}
	return nil
}

// inFlight returns how many slots of scope's cap are taken: requests sent and not yet
// answered.
func (m *MemoryStore) inFlight(scope string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.scope(scope).slots)
}
