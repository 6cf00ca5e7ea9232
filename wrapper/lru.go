package wrapper

import "container/list"

// lru maps keys to values within a budget and forgets the least recently used first: the
// bounded memory of everything a client keeps (pages, decoded pages, known listings, moved
// paths) and of a MemoryStore's pages. Each value costs what cost says (1 each when cost is
// nil). It is not safe for concurrent use; its owner holds a lock.
type lru[K comparable, V any] struct {
	max   int64
	cost  func(V) int64
	used  int64
	order list.List // of *lruEntry[K, V], most recently used first
	byKey map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key  K
	val  V
	cost int64
}

func newLRU[K comparable, V any](max int64, cost func(V) int64) *lru[K, V] {
	return &lru[K, V]{max: max, cost: cost, byKey: make(map[K]*list.Element)}
}

// get returns the value of key and marks it used.
func (l *lru[K, V]) get(key K) (V, bool) {
	el, ok := l.byKey[key]
	if !ok {
		var zero V
		return zero, false
	}
	l.order.MoveToFront(el)
	return el.Value.(*lruEntry[K, V]).val, true
}

// put sets the value of key, marks it used, and forgets the least recently used values
// beyond the budget. A value that alone costs more than the budget is not kept (and the
// old value of key is forgotten): put reports whether val was kept.
func (l *lru[K, V]) put(key K, val V) bool {
	l.remove(key)
	c := int64(1)
	if l.cost != nil {
		c = l.cost(val)
	}
	if c > l.max {
		return false
	}
	l.byKey[key] = l.order.PushFront(&lruEntry[K, V]{key, val, c})
	l.used += c
	l.trim(l.max)
	return true
}

// remove forgets key.
func (l *lru[K, V]) remove(key K) {
	if el, ok := l.byKey[key]; ok {
		l.drop(el)
	}
}

// removeIf forgets key if its value satisfies pred.
func (l *lru[K, V]) removeIf(key K, pred func(V) bool) {
	if el, ok := l.byKey[key]; ok && pred(el.Value.(*lruEntry[K, V]).val) {
		l.drop(el)
	}
}

// trim forgets the least recently used values until the rest cost at most max.
func (l *lru[K, V]) trim(max int64) {
	for l.used > max && l.order.Len() > 0 {
		l.drop(l.order.Back())
	}
}

func (l *lru[K, V]) drop(el *list.Element) {
	e := l.order.Remove(el).(*lruEntry[K, V])
	delete(l.byKey, e.key)
	l.used -= e.cost
}

// each calls fn with every value, which fn may change (at the same cost), without marking
// any used.
func (l *lru[K, V]) each(fn func(val *V)) {
	for el := l.order.Front(); el != nil; el = el.Next() {
		fn(&el.Value.(*lruEntry[K, V]).val)
	}
}

// len is how many keys are kept.
func (l *lru[K, V]) len() int { return l.order.Len() }
