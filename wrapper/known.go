package wrapper

import (
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
	mu    sync.Mutex
	pages *lru[string, knownListing] // by page 1's URL
}

// knownListing is what a complete listing left to remember.
type knownListing struct {
	next *url.URL // page 2's URL, from page 1's rel="next"; never changed once kept
	last int      // the last page's number, from page 1's rel="last"
}

func newKnownPages() *knownPages {
	return &knownPages{pages: newLRU[string, knownListing](maxKnown, nil)}
}

// get returns what the last complete listing from first told, or ok false.
func (k *knownPages) get(first string) (next *url.URL, last int, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	kl, ok := k.pages.get(first)
	return kl.next, kl.last, ok
}

// put remembers a complete listing from first whose page 1 linked next and announced last;
// last 0 (one page, or links that do not allow pages at once) forgets it.
func (k *knownPages) put(first string, next *url.URL, last int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if last < 2 || next == nil {
		k.pages.remove(first)
		return
	}
	u := *next
	k.pages.put(first, knownListing{next: &u, last: last})
}
