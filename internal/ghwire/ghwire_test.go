package ghwire

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestETagMatches(t *testing.T) {
	const etag = `W/"abc"`
	for _, tt := range []struct {
		inm  string
		want bool
	}{
		{``, false},
		{`W/"abc"`, true},
		{`"abc"`, true}, // weak comparison
		{` "x" ,  W/"abc" `, true},
		{`"x",W/"abc"`, true},
		{`"a,b", "abc"`, true}, // a comma inside a tag
		{`*`, true},
		{`W/"abd"`, false},
		{`"ABC"`, false},
		{`abc`, false},
		{`"abc`, false},
		{`W/`, false},
		{`W/W/"abc"`, false},
		{`"x" junk "abc"`, false}, // malformed from "junk" on
	} {
		if got := ETagMatches(tt.inm, etag); got != tt.want {
			t.Errorf("ETagMatches(%q, %q) = %v, want %v", tt.inm, etag, got, tt.want)
		}
	}
	if ETagMatches("*", "") {
		t.Error("* matched a page without an ETag")
	}
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0.5": true, "*": true,
		"x-gzip": true, "gzip;q=0": false, "gzip; q=0.000": false, "identity": false, "br": false,
		"*;q=0": false, "gzip;q=0, *": false, "*, gzip;q=0": false, "identity, *;q=0.1": true,
	} {
		var values []string
		if v != "" {
			values = []string{v}
		}
		if got := AcceptsGzip(values); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestGzip(t *testing.T) {
	body := []byte(strings.Repeat(`{"id":1}`, 100))
	zr, err := gzip.NewReader(bytes.NewReader(Gzip(body, gzip.BestSpeed)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, body) {
		t.Errorf("round trip: %d bytes (%v), want %d", len(got), err, len(body))
	}
}

func TestETag(t *testing.T) {
	a, b := ETag([]byte("a")), ETag([]byte("b"))
	if a == b || len(a) != 66 || a[0] != '"' || a[65] != '"' || strings.HasPrefix(a, "W/") {
		t.Errorf("ETag: %s, %s: want two different strong tags of 64 hex digits", a, b)
	}
	if !ETagMatches(a, a) || ETagMatches(a, b) {
		t.Error("an ETag should match itself only")
	}
}

func TestLinks(t *testing.T) {
	url := func(p int64) string { return "u" + string(rune('0'+p)) }
	for _, tt := range []struct {
		page, last int64
		want       string
	}{
		{1, 1, ``},
		{2, 1, ``}, // past the end of a single page
		{1, 3, `<u2>; rel="next", <u3>; rel="last"`},
		{2, 3, `<u1>; rel="prev", <u3>; rel="next", <u3>; rel="last", <u1>; rel="first"`},
		{3, 3, `<u2>; rel="prev", <u1>; rel="first"`},
	} {
		if got := Links(tt.page, tt.last, url); got != tt.want {
			t.Errorf("Links(%d, %d) = %s, want %s", tt.page, tt.last, got, tt.want)
		}
	}
}

func TestCacheControl(t *testing.T) {
	if got := CacheControl(true); got != "private, max-age=60, s-maxage=60" {
		t.Errorf("with credentials: %s", got)
	}
	if got := CacheControl(false); got != "public, max-age=60, s-maxage=60" {
		t.Errorf("without: %s", got)
	}
}

func TestSpell(t *testing.T) {
	h := http.Header{}
	for _, name := range []string{"ETag", "X-GitHub-Request-Id", "X-RateLimit-Limit", "X-OAuth-Scopes", "X-XSS-Protection", "Link", "Content-Type"} {
		h.Set(name, "v") // canonicalised: Etag, X-Github-Request-Id, ...
	}
	Spell(h)
	want := []string{"Content-Type", "ETag", "Link", "X-GitHub-Request-Id", "X-OAuth-Scopes", "X-RateLimit-Limit", "X-XSS-Protection"}
	if got := slices.Sorted(maps.Keys(h)); !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	// Go's client reads them all the same: it canonicalises what it reads off the wire.
	var b bytes.Buffer
	if err := h.Write(&b); err != nil {
		t.Fatal(err)
	}
	read, err := textproto.NewReader(bufio.NewReader(strings.NewReader(b.String() + "\r\n"))).ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		if got := http.Header(read).Get(name); got != "v" {
			t.Errorf("%s read back as %q", name, got)
		}
	}
	for in, out := range map[string]string{"etag": "ETag", "x-ratelimit-used": "X-RateLimit-Used", "vary": "Vary", "X-GITHUB-MEDIA-TYPE": "X-GitHub-Media-Type"} {
		if got := Spelling(in); got != out {
			t.Errorf("Spelling(%q) = %q, want %q", in, got, out)
		}
	}
}

func TestRequestID(t *testing.T) {
	shape := regexp.MustCompile(`^068[0-7]:[0-9A-F]{4}:([0-9A-F]+):([0-9A-F]+):([0-9A-F]{8})$`)
	at := time.Date(2022, 7, 19, 4, 37, 7, 0, time.UTC) // 62D634F3, as recorded
	seen := map[string]bool{}
	lengths := map[int]int{}
	for n := uint64(0); n <= 100_000; n++ {
		id := RequestID(n, at)
		m := shape.FindStringSubmatch(id)
		if m == nil || m[3] != "62D634F3" || seen[id[:len(id)-9]] {
			t.Fatalf("RequestID(%d) = %q: not GitHub's shape, another second, or not unique", n, id)
		}
		seen[id[:len(id)-9]] = true
		for _, g := range m[1:3] {
			if g[0] == '0' || len(g) < 5 || len(g) > 7 {
				t.Fatalf("RequestID(%d) = %q: group %s", n, id, g)
			}
			lengths[len(g)]++
		}
	}
	// GitHub's vary in length; most have seven digits, some six or five.
	if lengths[7] < lengths[6] || lengths[6] == 0 || lengths[5] == 0 {
		t.Errorf("group lengths %v: want mostly 7 digits, some 6 and 5", lengths)
	}
	if a, b := RequestID(7, at), RequestID(7, at.Add(time.Second)); a[:len(a)-8] != b[:len(b)-8] || a == b {
		t.Errorf("the time changes only the last group: %s, %s", a, b)
	}
}
