package ghwire

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
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
