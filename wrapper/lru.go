package wrapper

import "container/list"

// lru maps at most max keys to values and forgets the least recently used first: the
// bounded memory of what a client learns per attempt (known pages, moved paths). It is
// not safe for concurrent use; its owner holds a lock.
type lru[K comparable, V any] struct {
	max   int
	order list.List // of *lruEntry[K, V], most recently used first
	byKey map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, byKey: make(map[K]*list.Element)}
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

// put sets the value of key, marks it used, and forgets the least recently used keys
// beyond max.
func (l *lru[K, V]) put(key K, val V) {
	if el, ok := l.byKey[key]; ok {
		el.Value.(*lruEntry[K, V]).val = val
		l.order.MoveToFront(el)
		return
	}
	l.byKey[key] = l.order.PushFront(&lruEntry[K, V]{key, val})
	for l.order.Len() > l.max {
		delete(l.byKey, l.order.Remove(l.order.Back()).(*lruEntry[K, V]).key)
	}
}

// remove forgets key.
func (l *lru[K, V]) remove(key K) {
	if el, ok := l.byKey[key]; ok {
		l.order.Remove(el)
		delete(l.byKey, key)
	}
}

// each calls fn with every value, which fn may change, without marking any used.
func (l *lru[K, V]) each(fn func(val *V)) {
	for el := l.order.Front(); el != nil; el = el.Next() {
		fn(&el.Value.(*lruEntry[K, V]).val)
	}
}

// len is how many keys are kept.
func (l *lru[K, V]) len() int { return l.order.Len() }
