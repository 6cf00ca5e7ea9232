package ghwire

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ETag returns the validator of a page body as GitHub writes it, a strong entity tag of 64
// hex digits: "<sha-256 hex>".
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// ETagMatches reports whether an If-None-Match value ("*" or a list of entity tags) matches
// etag, by the weak comparison RFC 9110 (13.1.2) prescribes for If-None-Match: W/ is
// ignored on both sides. A malformed list matches nothing from the first bad element on.
func ETagMatches(ifNoneMatch, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	if want == "" {
		return false
	}
	s := ifNoneMatch
	for {
		s = strings.TrimLeft(s, " \t,")
		switch {
		case s == "":
			return false
		case s[0] == '*':
			return true
		}
		s = strings.TrimPrefix(s, "W/")
		if s == "" || s[0] != '"' {
			return false
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return false
		}
		if s[:end+2] == want {
			return true
		}
		s = s[end+2:]
	}
}
