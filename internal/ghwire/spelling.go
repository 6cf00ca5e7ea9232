package ghwire

import "net/http"

// spellings are the header names GitHub writes otherwise than net/http canonicalises them
// (Etag, X-Github-Request-Id, X-Ratelimit-Limit, ...), as Octokit's fixtures recorded them
// (scenarios/api.github.com/*/raw-fixture.json, rawHeaders), and X-GitHub-Api-Version-Selected
// as GitHub's REST docs spell it.
var spellings = []string{
	"ETag",
	"X-GitHub-Media-Type",
	"X-GitHub-Request-Id",
	"X-GitHub-Api-Version-Selected",
	"X-RateLimit-Limit",
	"X-RateLimit-Remaining",
	"X-RateLimit-Reset",
	"X-RateLimit-Used",
	"X-RateLimit-Resource",
	"X-OAuth-Scopes",
	"X-Accepted-OAuth-Scopes",
	"X-XSS-Protection",
}

// spelled maps each canonical name to GitHub's spelling of it.
var spelled = func() map[string]string {
	m := make(map[string]string, len(spellings))
	for _, s := range spellings {
		m[http.CanonicalHeaderKey(s)] = s
	}
	return m
}()

// Spell renames, in place, the keys of h that GitHub spells otherwise than net/http's
// canonical form: "Etag" becomes "ETag", "X-Github-Request-Id" "X-GitHub-Request-Id". Call
// it on a response's header map just before WriteHeader, after the last Get or Set: those
// canonicalise the name they are given, so they no longer find a key spelled GitHub's way.
// A Go client is unaffected (net/http canonicalises the names it reads off the wire); what
// changes is what raw readers, such as curl or a proxy's log, see.
func Spell(h http.Header) {
	for canonical, gh := range spelled {
		if v, ok := h[canonical]; ok {
			delete(h, canonical)
			h[gh] = v
		}
	}
}

// Spelling returns GitHub's spelling of the header name (in any case), or its canonical
// form for a name GitHub writes as net/http does.
func Spelling(name string) string {
	c := http.CanonicalHeaderKey(name)
	if s, ok := spelled[c]; ok {
		return s
	}
	return c
}
