package ghwire

// What GitHub sends about caching and content with a page (a 200 with a body GitHub may
// cache, or its 304).
const (
	// MediaType is GitHub's X-GitHub-Media-Type for application/vnd.github+json.
	MediaType = "github.v3; format=json"
	// VaryPage is the Vary GitHub adds to a page; VaryEdge the one its edge adds to every
	// answer.
	VaryPage = "Accept, Authorization, Cookie, X-GitHub-OTP"
	VaryEdge = "Accept-Encoding, Accept, X-Requested-With"
)

// CacheControl is the Cache-Control GitHub sends with a page: private to a request that
// carried credentials, public to one that did not.
func CacheControl(credentials bool) string {
	if credentials {
		return "private, max-age=60, s-maxage=60"
	}
	return "public, max-age=60, s-maxage=60"
}
