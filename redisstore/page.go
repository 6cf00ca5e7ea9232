package redisstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// MaxPageSize bounds what the Store keeps of one page, ETag, headers and body together:
// a page larger than that is not kept (End drops it; clients fetch it as without a Store),
// so that one page cannot take a large part of Redis's memory. GitHub's pages of 100 jobs
// are tens of kilobytes gzip-compressed, as the client keeps them, and about 1 MiB plain for
// jobs of 50 steps each.
const MaxPageSize = 4 << 20

// clockStep is how far in the future Redis's record of a page's confirmation may be, and be
// taken for now: Redis's clock stepped back, or a replica with a clock behind took over. A
// record further ahead was not written by these scripts.
const clockStep = time.Minute

// pageFields are the fields of a page's hash in Redis, as Put writes them and Begin reads
// them. Without WithEncryptionKey a page is kept in clear: etag, header, body and to. With
// it, etag is a keyed hash of the ETag, body the sealed page, conf the sealed confirmation,
// and header and to are empty.
type pageFields struct {
	etag   string
	header string
	body   []byte
	to     string // the credential GitHub last confirmed the page to
	conf   []byte // the last confirmation, sealed
	w      string // write id: random, new with every Put, so that 'forget' removes only what Begin read

	age    time.Duration // since the last confirmation, on Redis's clock (Begin)
	hasAge bool          // the page's record of that time is a time
}

// args returns the fields as put.lua takes them, after the ttl: name, value pairs, the
// empty ones left out.
func (f pageFields) args() []any {
	a := make([]any, 0, 12)
	add := func(name string, v any, n int) {
		if n > 0 {
			a = append(a, name, v)
		}
	}
	add("etag", f.etag, len(f.etag))
	add("header", f.header, len(f.header))
	add("body", f.body, len(f.body))
	add("to", f.to, len(f.to))
	add("conf", f.conf, len(f.conf))
	add("w", f.w, len(f.w))
	return a
}

// size is what the fields take in Redis, near enough to bound them by MaxPageSize.
func (f pageFields) size() int {
	return len(f.etag) + len(f.header) + len(f.body) + len(f.to) + len(f.conf) + len(f.w)
}

// maxStoredPage bounds a page's fields in Redis: MaxPageSize, what sealing adds, and the
// fields beside the page (a confirmation, ids and times).
const maxStoredPage = MaxPageSize + 1024

// putFields returns what Redis keeps of p, put at now (the writer's clock) as confirmed to
// confirmedTo; false when p is larger than MaxPageSize.
func (s *Store) putFields(at place, p *wrapper.StoredPage, confirmedTo string, now time.Time) (pageFields, bool) {
	header := encodeHeader(p.Header)
	if len(p.ETag)+len(header)+len(p.Body) > MaxPageSize {
		return pageFields{}, false
	}
	w := randomID()
	if s.sealer == nil {
		return pageFields{etag: p.ETag, header: header, body: p.Body, to: confirmedTo, w: w}, true
	}
	plain := appendString(appendString(make([]byte, 0, 16+len(p.ETag)+len(header)+len(p.Body)), p.ETag), header)
	plain = append(plain, p.Body...)
	return pageFields{
		etag: s.sealer.etagTag(p.ETag),
		body: s.sealer.seal(at, sealPage, plain),
		conf: s.confirmation(at, p.ETag, confirmedTo, now),
		w:    w,
	}, true
}

// confirmation seals that GitHub confirmed etag to confirmedTo at now, so that Redis cannot
// make a page look confirmed to a credential, or more recently than it was.
func (s *Store) confirmation(at place, etag, confirmedTo string, now time.Time) []byte {
	plain := appendString(appendString(nil, etag), confirmedTo)
	plain = binary.AppendVarint(plain, now.UnixMilli())
	return s.sealer.seal(at, sealConfirm, plain)
}

// openPage returns the page that f keeps, as read at now, or an error when it cannot be
// read: a field missing or of the wrong form, a sealed value that does not open.
func (s *Store) openPage(at place, f pageFields, now time.Time) (*wrapper.StoredPage, error) {
	if !f.hasAge || f.age < -clockStep {
		return nil, errors.New("its time of confirmation is no time")
	}
	age := max(f.age, 0)
	if s.sealer == nil {
		if f.etag == "" {
			return nil, errors.New("it has no ETag")
		}
		h, err := decodeHeader(f.header)
		if err != nil {
			return nil, err
		}
		return &wrapper.StoredPage{ETag: f.etag, Header: h, Body: f.body, Age: age, ConfirmedTo: f.to}, nil
	}

	plain, err := s.sealer.open(at, sealPage, f.body)
	if err != nil {
		return nil, err
	}
	etag, rest, ok1 := cutString(plain)
	header, body, ok2 := cutString(rest)
	if !ok1 || !ok2 || etag == "" {
		return nil, errors.New("its sealed page is not one")
	}
	if f.etag != s.sealer.etagTag(etag) {
		return nil, errors.New("its ETag field is not its page's")
	}
	h, err := decodeHeader(header)
	if err != nil {
		return nil, err
	}
	p := &wrapper.StoredPage{ETag: etag, Header: h, Body: body, Age: age}
	// A confirmation that does not open, or is about another ETag, confirms nothing.
	if plain, err := s.sealer.open(at, sealConfirm, f.conf); err == nil {
		cEtag, rest, ok1 := cutString(plain)
		to, rest, ok2 := cutString(rest)
		ms, n := binary.Varint(rest)
		if ok1 && ok2 && n == len(rest) && n > 0 && cEtag == etag {
			p.ConfirmedTo = to
			p.Age = max(p.Age, now.Sub(time.UnixMilli(ms)))
		}
	}
	return p, nil
}

// appendString appends s with its length before it.
func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// cutString reads what appendString wrote: the string and what follows it.
func cutString(b []byte) (s string, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}

// encodeHeader writes h as "Name: value" lines; net/http allows no line breaks in values.
func encodeHeader(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	return b.String()
}

// decodeHeader reads what encodeHeader wrote, refusing lines it could not have written.
func decodeHeader(s string) (http.Header, error) {
	h := make(http.Header)
	for line := range strings.Lines(s) {
		line, ok := strings.CutSuffix(line, "\n")
		k, v, colon := strings.Cut(line, ": ")
		if !ok || !colon || !validHeaderName(k) || strings.ContainsAny(v, "\r\x00") {
			return nil, fmt.Errorf("its header line %.40q is not one", line)
		}
		h[k] = append(h[k], v)
	}
	return h, nil
}

// validHeaderName reports whether k is a header name (an RFC 9110 token).
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}
