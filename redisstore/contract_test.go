package redisstore

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// testKey is an encryption key for tests; otherKey another.
var (
	testKey  = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
)

// stores returns the Stores whose behaviour the contract fixes: the in-process reference
// (wrapper.MemoryStore), and this package's in one real Redis, without and with a key.
func stores(t *testing.T) map[string]wrapper.Store {
	rds := redistest.Start(t)
	return map[string]wrapper.Store{
		"memory": wrapper.NewMemoryStore(0),
		"redis":  newTest(t, client(t, rds.Addr)),
		"sealed": newTest(t, client(t, rds.Addr), WithEncryptionKey(testKey), WithPrefix("sealed:")),
	}
}

// kept returns the page s keeps under page in scope (nil for none), taking a slot and giving
// it back.
func kept(t *testing.T, s wrapper.Store, scope, page string) *wrapper.StoredPage {
	t.Helper()
	g := begin(t, s, scope, "k", page)
	if !g.Slot {
		t.Fatalf("no slot: %+v", g)
	}
	finish(t, s, scope, wrapper.StoreEnd{Slot: "k"})
	return g.Page
}

func samePage(t *testing.T, what string, got, want *wrapper.StoredPage, confirmedTo string) {
	t.Helper()
	switch {
	case got == nil:
		t.Fatalf("%s: no page kept, want %s", what, want.ETag)
	case got.ETag != want.ETag || string(got.Body) != string(want.Body) ||
		len(got.Header) != len(want.Header) || !slices.Equal(got.Header["Link"], want.Header["Link"]):
		t.Fatalf("%s: kept %+v, want %+v", what, got, want)
	case got.ConfirmedTo != confirmedTo:
		t.Fatalf("%s: confirmed to %q, want %q", what, got.ConfirmedTo, confirmedTo)
	case got.Age < 0 || got.Age > 30*time.Second:
		t.Fatalf("%s: a page confirmed just now is %s old", what, got.Age)
	}
}

// The contract of ConfirmedTo, Validated and Drop, the same for MemoryStore and for this
// package's Store, sealed or not: Validated and Drop act only on the page with their ETag.
func TestPageContract(t *testing.T) {
	const scope, page = "0123456789abcdef0123456789abcdef", "page-1"
	p1 := &wrapper.StoredPage{ETag: `"e1"`, Header: http.Header{"Link": {`<x>; rel="next"`}, "Content-Encoding": {"gzip"}},
		Body: []byte("\x1f\x8bone")}
	p2 := &wrapper.StoredPage{ETag: `W/"e2"`, Header: http.Header{}, Body: []byte("two")}
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			put := func(p *wrapper.StoredPage, to string) {
				finish(t, s, scope, wrapper.StoreEnd{Page: page, PageTTL: time.Minute, Put: p, ConfirmedTo: to})
			}
			validated := func(etag, to string) {
				finish(t, s, scope, wrapper.StoreEnd{Page: page, PageTTL: time.Minute, Validated: true, ETag: etag, ConfirmedTo: to})
			}
			drop := func(etag string) { finish(t, s, scope, wrapper.StoreEnd{Page: page, Drop: true, ETag: etag}) }

			if p := kept(t, s, scope, page); p != nil {
				t.Fatalf("a page never kept: %+v", p)
			}
			put(p1, "alice")
			samePage(t, "after Put", kept(t, s, scope, page), p1, "alice")
			validated(p2.ETag, "bob")
			samePage(t, "after Validated of another ETag", kept(t, s, scope, page), p1, "alice")
			validated(p1.ETag, "bob")
			samePage(t, "after Validated", kept(t, s, scope, page), p1, "bob")
			validated(p1.ETag, "")
			samePage(t, "after Validated for a credential unseen", kept(t, s, scope, page), p1, "")
			drop(p2.ETag)
			samePage(t, "after Drop of another ETag", kept(t, s, scope, page), p1, "")
			drop(p1.ETag)
			if p := kept(t, s, scope, page); p != nil {
				t.Fatalf("after Drop: %+v", p)
			}
			validated(p1.ETag, "bob")
			if p := kept(t, s, scope, page); p != nil {
				t.Fatalf("Validated of a page not kept kept one: %+v", p)
			}
			put(p1, "alice")
			put(p2, "carol")
			samePage(t, "after a second Put", kept(t, s, scope, page), p2, "carol")
			if p := kept(t, s, "another-scope", page); p != nil {
				t.Fatalf("another scope sees the page: %+v", p)
			}
		})
	}
}

// Validated renews a page's TTL and Age; with a key, Age is the larger of Redis's and the
// one sealed with the confirmation, on the writer's clock.
func TestValidatedRenews(t *testing.T) {
	rds := redistest.Start(t)
	rdb := client(t, rds.Addr)
	const scope, page = "scope", "page"
	p := &wrapper.StoredPage{ETag: `"e"`, Header: http.Header{}, Body: []byte("body")}
	for _, key := range [][]byte{nil, testKey} {
		var opts []Option
		if key != nil {
			opts = append(opts, WithEncryptionKey(key), WithPrefix("sealed:"))
		}
		s := newTest(t, rdb, opts...)
		redisKey := s.keys(scope, s.pageName(page))[3]
		hourAgo := time.Now().Add(-time.Hour)

		// Put an hour ago, as Redis's clock and (sealed) the writer's tell.
		s.now = func() time.Time { return hourAgo }
		finish(t, s, scope, wrapper.StoreEnd{Page: page, PageTTL: time.Minute, Put: p, ConfirmedTo: "alice"})
		rdb.HSet(t.Context(), redisKey, "at", hourAgo.UnixMilli())
		s.now = time.Now
		if g := kept(t, s, scope, page); g == nil || g.Age < 59*time.Minute {
			t.Fatalf("key %v: a page confirmed an hour ago: %+v", key != nil, g)
		}
		finish(t, s, scope, wrapper.StoreEnd{Page: page, PageTTL: 2 * time.Hour, Validated: true, ETag: p.ETag, ConfirmedTo: "bob"})
		if g := kept(t, s, scope, page); g == nil || g.Age > 30*time.Minute || g.ConfirmedTo != "bob" {
			t.Fatalf("key %v: after Validated: %+v, want a page confirmed to bob just now", key != nil, g)
		}
		if ttl := rdb.PTTL(t.Context(), redisKey).Val(); ttl < 119*time.Minute {
			t.Fatalf("key %v: after Validated with a TTL of 2h the page's TTL is %s", key != nil, ttl)
		}
		if key == nil {
			continue
		}
		// Redis says it was confirmed now; the sealed confirmation says an hour ago.
		s.now = func() time.Time { return hourAgo }
		finish(t, s, scope, wrapper.StoreEnd{Page: page, PageTTL: time.Hour, Validated: true, ETag: p.ETag, ConfirmedTo: "bob"})
		s.now = time.Now
		if g := kept(t, s, scope, page); g == nil || g.Age < 59*time.Minute {
			t.Fatalf("a sealed confirmation of an hour ago: %+v, want it an hour old whatever Redis says", g)
		}
	}
}

// A page larger than MaxPageSize is not kept, and what was kept stays.
func TestPageSizeBound(t *testing.T) {
	rds := redistest.Start(t)
	for _, key := range [][]byte{nil, testKey} {
		var opts []Option
		if key != nil {
			opts = append(opts, WithEncryptionKey(key), WithPrefix("sealed:"))
		}
		s := newTest(t, client(t, rds.Addr), opts...)
		small := &wrapper.StoredPage{ETag: `"small"`, Header: http.Header{}, Body: []byte("small")}
		finish(t, s, "scope", wrapper.StoreEnd{Page: "p", PageTTL: time.Minute, Put: small})
		large := &wrapper.StoredPage{ETag: `"large"`, Header: http.Header{"X": {"y"}}, Body: make([]byte, MaxPageSize)}
		finish(t, s, "scope", wrapper.StoreEnd{Page: "p", PageTTL: time.Minute, Put: large})
		if g := kept(t, s, "scope", "p"); g == nil || g.ETag != small.ETag {
			t.Fatalf("key %v: after a Put of %d bytes: %+v, want the small page still", key != nil, len(large.Body), g)
		}
		large.Body = large.Body[:MaxPageSize-100]
		finish(t, s, "scope", wrapper.StoreEnd{Page: "p", PageTTL: time.Minute, Put: large})
		if g := kept(t, s, "scope", "p"); g == nil || g.ETag != large.ETag || len(g.Body) != len(large.Body) {
			t.Fatalf("key %v: a page just below the bound was not kept", key != nil)
		}
	}
}
