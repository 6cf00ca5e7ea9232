package wrapper

import (
	"context"
	"net/http"
	"net/url"
)

// tryNotes is what the client's own parts tell fetch about one try of a request: the cache,
// that it answered from its page and with which bytes; the redirect policy, where the request
// moved. They travel in the request's context, which transports and http.Client keep (they
// wrap bodies and rewrite headers), and which no server or proxy can write to, unlike a
// header. Only the goroutine that makes the request touches them.
type tryNotes struct {
	// cached is the body when it is bytes the cache holds (a page it kept, or the one it
	// serves for a 304), so that the decoder need not copy them out of the body.
	cached []byte

	// notModified is true when the cache answered a 304 with the page it kept.
	notModified bool

	// shared is the page a Store keeps for the request (see WithStore), which the cache
	// prefers to its own: other clients may have fetched a newer one. kept is the page the
	// cache kept from a 200, or served for a 304 without the Store's, for the Store to keep.
	shared, kept *cacheEntry
	// fresh is true when shared is fresh enough to serve without asking GitHub
	// (WithSharedFreshness).
	fresh bool
	// turn is the try's turn of the Store, until answered or finish ends it.
	turn *storeTurn

	// moved is the last redirect's target when every redirect of the try was permanent
	// (301, 308); nil after none, or after any other. movedBy is that redirect's status.
	moved   *url.URL
	movedBy int
	// temporary is true once a redirect that is not permanent was followed.
	temporary bool
}

type tryNotesKey struct{}

// withNotes returns req with a fresh tryNotes in its context, and the notes.
func withNotes(req *http.Request) (*http.Request, *tryNotes) {
	n := new(tryNotes)
	return req.WithContext(context.WithValue(req.Context(), tryNotesKey{}, n)), n
}

// notesOf returns the notes of req's try, or nil for a request the client did not make (a
// transport used on its own).
func notesOf(req *http.Request) *tryNotes {
	n, _ := req.Context().Value(tryNotesKey{}).(*tryNotes)
	return n
}
