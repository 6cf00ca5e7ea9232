package wrapper

import (
	"container/list"
	"net/url"
	"sync"
)

// maxKnown bounds how many listings a client remembers the pages of: one per attempt and
// page size that it polls. The least recently used go first.
const maxKnown = 256

// knownPages remembers, for the first page's URL of a listing (attempt and page size), the
// page 2 URL and the last page number of the last complete listing. A new listing of the
// same attempt asks for those pages together with page 1, instead of waiting for page 1 to
// say how many there are: a poller then pays one round trip, not two. Page 1's answer still
// decides; see speculate.
type knownPages struct {
	mu     sync.Mutex
	lru    list.List // of *knownListing, most recently used first
	byURL  map[string]*list.Element
	bounds int // maxKnown; a field so that tests can lower it
}

// knownListing is what a complete listing left to remember.
type knownListing struct {
	first string   // page 1's URL: the key
	next  *url.URL // page 2's URL, from page 1's rel="next"; never changed once kept
	last  int      // the last page's number, from page 1's rel="last"
}

func newKnownPages() *knownPages {
	return &knownPages{byURL: make(map[string]*list.Element), bounds: maxKnown}
}

// get returns what the last complete listing from first told, or ok false.
func (k *knownPages) get(first string) (next *url.URL, last int, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	el, ok := k.byURL[first]
	if !ok {
		return nil, 0, false
	}
	k.lru.MoveToFront(el)
	kl := el.Value.(*knownListing)
	return kl.next, kl.last, true
}

// put remembers a complete listing from first whose page 1 linked next and announced last;
// last 0 (one page, or links that do not allow pages at once) forgets it.
func (k *knownPages) put(first string, next *url.URL, last int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if el, ok := k.byURL[first]; ok {
		k.lru.Remove(el)
		delete(k.byURL, first)
	}
	if last < 2 || next == nil {
		return
	}
	u := *next
	k.byURL[first] = k.lru.PushFront(&knownListing{first: first, next: &u, last: last})
	for k.lru.Len() > k.bounds {
		delete(k.byURL, k.lru.Remove(k.lru.Back()).(*knownListing).first)
	}
}
