package redisstore

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// The values a corrupted or hostile Redis may hold in place of the scripts' own. None makes
// Begin or End fail, now or later; a page that cannot be read is absent and removed; numbers
// are passed on as Redis has them when they are a duration (a hold of a year), and ignored
// when not.

const hostileScope = "0123456789abcdef0123456789abcdef"

// keyNames are the Redis keys of a Store's state in hostileScope, and of its page "page".
type keyNames struct{ hold, slots, rate, page, released string }

func keysOf(s *Store) keyNames {
	k := s.keys(hostileScope, s.pageName("page"))
	return keyNames{k[0], k[1], k[2], k[3], k[4]}
}

func msFromNow(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).UnixMilli(), 10) }

// works checks that the Store still does all it should in hostileScope: hold, figures, slot,
// and a page kept and read back.
func works(t *testing.T, s *Store) {
	t.Helper()
	p := &wrapper.StoredPage{ETag: `"fine"`, Header: http.Header{"Link": {"<a>"}}, Body: []byte("fine")}
	r := wrapper.Rate{Limit: 5000, Remaining: 42, Used: 4958, Reset: time.Unix(time.Now().Add(time.Hour).Unix(), 0), Resource: "core"}
	finish(t, s, hostileScope, wrapper.StoreEnd{Page: "page", PageTTL: time.Minute, Put: p, ConfirmedTo: "alice", Rate: r, ResetIn: time.Hour})
	g := begin(t, s, hostileScope, "works", "page")
	finish(t, s, hostileScope, wrapper.StoreEnd{Slot: "works"})
	if !g.Slot || g.Rate != r || g.Page == nil || g.Page.ETag != p.ETag || string(g.Page.Body) != "fine" || g.Page.ConfirmedTo != "alice" {
		t.Fatalf("after the hostile values, the store does not work: %+v (page %+v)", g, g.Page)
	}
	finish(t, s, hostileScope, wrapper.StoreEnd{Hold: time.Minute, HoldStatus: 403})
	if g := begin(t, s, hostileScope, "held", ""); g.Hold < 50*time.Second || g.HoldStatus != 403 || g.Slot {
		t.Fatalf("after the hostile values, a hold is not kept: %+v", g)
	}
}

func TestHostileValues(t *testing.T) {
	rds := redistest.Start(t)
	rdb := client(t, rds.Addr)
	ctx := t.Context()
	putPage := func(t *testing.T, s *Store) {
		finish(t, s, hostileScope, wrapper.StoreEnd{Page: "page", PageTTL: time.Minute, ConfirmedTo: "alice",
			Put: &wrapper.StoredPage{ETag: `"good"`, Header: http.Header{"Link": {"<x>"}}, Body: []byte("good")}})
	}
	type check func(t *testing.T, g wrapper.StoreGrant)
	noPage := func(t *testing.T, g wrapper.StoreGrant) {
		if !g.Slot || g.Page != nil {
			t.Fatalf("grant %+v with page %+v: want a slot and no page", g, g.Page)
		}
	}
	free := func(t *testing.T, g wrapper.StoreGrant) {
		if !g.Slot || g.Hold != 0 {
			t.Fatalf("grant %+v: want a slot and no hold", g)
		}
	}
	noRate := func(t *testing.T, g wrapper.StoreGrant) {
		if !g.Slot || g.Rate != (wrapper.Rate{}) {
			t.Fatalf("grant %+v: want a slot and no figures", g)
		}
	}
	huge := strings.Repeat("x", 1<<20)
	cases := []struct {
		name   string
		sealed bool
		setup  func(t *testing.T, s *Store, k keyNames)
		check  check
		gone   bool // the page key is removed
	}{
		{name: "page of another type", setup: func(t *testing.T, s *Store, k keyNames) { rdb.Set(ctx, k.page, "x", 0) }, check: noPage, gone: true},
		{name: "page header not a header", setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "header", "Link <x>\n")
		}, check: noPage, gone: true},
		{name: "page header with a line break", setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "header", "Link: <x>\r\n")
		}, check: noPage, gone: true},
		{name: "page without ETag", setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HDel(ctx, k.page, "etag")
		}, check: noPage, gone: true},
		{name: "page confirmed at no time", setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "at", "soon")
		}, check: noPage, gone: true},
		{name: "page confirmed a year ahead", setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "at", msFromNow(365*24*time.Hour))
		}, check: noPage, gone: true},
		{name: "page of only other fields", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.page, "other", "x")
		}, check: noPage, gone: true},
		{name: "page larger than any kept", setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "body", strings.Repeat("b", maxStoredPage))
		}, check: noPage, gone: true},
		{name: "page with a huge field of its own", setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "to", strings.Repeat("t", maxStoredPage))
		}, check: noPage, gone: true},

		{name: "hold of a year", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.hold, "until", msFromNow(365*24*time.Hour), "status", "429")
		}, check: func(t *testing.T, g wrapper.StoreGrant) {
			if g.Slot || g.Hold < 364*24*time.Hour || g.HoldStatus != 429 {
				t.Fatalf("grant %+v: want a hold of a year, passed on (the client caps it)", g)
			}
		}},
		{name: "hold past", setup: func(t *testing.T, s *Store, k keyNames) { rdb.HSet(ctx, k.hold, "until", "-5") }, check: free},
		{name: "hold no number", setup: func(t *testing.T, s *Store, k keyNames) { rdb.HSet(ctx, k.hold, "until", "abc") }, check: free},
		{name: "hold infinite", setup: func(t *testing.T, s *Store, k keyNames) { rdb.HSet(ctx, k.hold, "until", "inf") }, check: free},
		{name: "hold not a number", setup: func(t *testing.T, s *Store, k keyNames) { rdb.HSet(ctx, k.hold, "until", "nan") }, check: free},
		{name: "hold beyond any duration", setup: func(t *testing.T, s *Store, k keyNames) { rdb.HSet(ctx, k.hold, "until", "9e18") }, check: free},
		{name: "hold overflowing", setup: func(t *testing.T, s *Store, k keyNames) { rdb.HSet(ctx, k.hold, "until", "1e400") }, check: free},
		{name: "hold not whole", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.hold, "until", msFromNow(time.Hour)+".5")
		}, check: free},
		{name: "hold huge string", setup: func(t *testing.T, s *Store, k keyNames) { rdb.HSet(ctx, k.hold, "until", huge) }, check: free},
		{name: "hold with a huge status", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.hold, "until", msFromNow(time.Minute), "status", huge)
		}, check: func(t *testing.T, g wrapper.StoreGrant) {
			if g.Slot || g.Hold < 50*time.Second || g.HoldStatus != 0 {
				t.Fatalf("grant %+v: want a hold of a minute, no status", g)
			}
		}},
		{name: "hold of another type", setup: func(t *testing.T, s *Store, k keyNames) { rdb.LPush(ctx, k.hold, "x") }, check: free},

		{name: "slots of another type", setup: func(t *testing.T, s *Store, k keyNames) { rdb.Set(ctx, k.slots, "x", 0) }, check: free},
		{name: "slots leased for a century", setup: func(t *testing.T, s *Store, k keyNames) {
			for i := range wrapper.DefaultMaxInFlight {
				rdb.ZAdd(ctx, k.slots, redis.Z{Score: float64(time.Now().Add(100 * 365 * 24 * time.Hour).UnixMilli()), Member: i})
			}
			rdb.ZAdd(ctx, k.slots, redis.Z{Score: float64(time.Now().Add(time.Hour).UnixMilli()), Member: "inf"})
		}, check: free},
		{name: "released of another type", setup: func(t *testing.T, s *Store, k keyNames) { rdb.Set(ctx, k.released, "x", 0) }, check: free},
		{name: "released marks for a century", setup: func(t *testing.T, s *Store, k keyNames) {
			for i := range 1000 {
				rdb.ZAdd(ctx, k.released, redis.Z{Score: float64(time.Now().Add(100 * 365 * 24 * time.Hour).UnixMilli()), Member: i})
			}
		}, check: free},

		{name: "figures no numbers", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.rate, "limit", "-3", "remaining", "abc", "used", "1", "reset", "inf", "resetat", "nan")
		}, check: noRate},
		{name: "figures overflowing", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.rate, "limit", "99999999999999999999999", "remaining", "1e400", "used", "1", "reset", "1", "resetat", msFromNow(0))
		}, check: noRate},
		{name: "figures reset beyond any time", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.rate, "limit", "5000", "remaining", "0", "used", "5000", "reset", "1000000000000000", "resetat", "9e18")
		}, check: noRate},
		{name: "figures with a huge resource", setup: func(t *testing.T, s *Store, k keyNames) {
			rdb.HSet(ctx, k.rate, "limit", "5000", "remaining", "1", "used", "4999", "reset", "1", "resource", huge, "resetat", msFromNow(time.Hour))
		}, check: func(t *testing.T, g wrapper.StoreGrant) {
			if g.Rate.Limit != 5000 || g.Rate.Resource != "" || g.ResetIn < 59*time.Minute {
				t.Fatalf("grant %+v: want the figures, without the resource", g)
			}
		}},
		{name: "figures of another type", setup: func(t *testing.T, s *Store, k keyNames) { rdb.SAdd(ctx, k.rate, "x") }, check: noRate},

		{name: "sealed page changed", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			b := []byte(rdb.HGet(ctx, k.page, "body").Val())
			b[len(b)-1] ^= 1
			rdb.HSet(ctx, k.page, "body", b)
		}, check: noPage, gone: true},
		{name: "sealed page in clear", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "etag", `"good"`, "header", "Link: <x>\n", "body", "good")
		}, check: noPage, gone: true},
		{name: "sealed page moved from another page", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			finish(t, s, hostileScope, wrapper.StoreEnd{Page: "other", PageTTL: time.Minute,
				Put: &wrapper.StoredPage{ETag: `"other"`, Header: http.Header{}, Body: []byte("other")}})
			copyHash(t, rdb, s.keys(hostileScope, s.pageName("other"))[3], k.page)
		}, check: noPage, gone: true},
		{name: "sealed page moved from another scope", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			finish(t, s, "another", wrapper.StoreEnd{Page: "page", PageTTL: time.Minute,
				Put: &wrapper.StoredPage{ETag: `"other"`, Header: http.Header{}, Body: []byte("other")}})
			copyHash(t, rdb, s.keys("another", s.pageName("page"))[3], k.page)
		}, check: noPage, gone: true},
		{name: "sealed page with another's ETag field", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "etag", s.sealer.etagTag(`"other"`))
		}, check: noPage, gone: true},
		{name: "sealed confirmation changed", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			b := []byte(rdb.HGet(ctx, k.page, "conf").Val())
			b[20] ^= 1
			rdb.HSet(ctx, k.page, "conf", b)
		}, check: unconfirmed},
		{name: "sealed confirmation of another page", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			finish(t, s, hostileScope, wrapper.StoreEnd{Page: "other", PageTTL: time.Minute, ConfirmedTo: "mallory",
				Put: &wrapper.StoredPage{ETag: `"good"`, Header: http.Header{}, Body: []byte("other")}})
			putPage(t, s)
			rdb.HSet(ctx, k.page, "conf", rdb.HGet(ctx, s.keys(hostileScope, s.pageName("other"))[3], "conf").Val())
		}, check: unconfirmed},
		{name: "sealed confirmation about another ETag", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			finish(t, s, hostileScope, wrapper.StoreEnd{Page: "page", PageTTL: time.Minute, ConfirmedTo: "mallory",
				Put: &wrapper.StoredPage{ETag: `"old"`, Header: http.Header{}, Body: []byte("old")}})
			old := rdb.HGet(ctx, k.page, "conf").Val()
			putPage(t, s)
			rdb.HSet(ctx, k.page, "conf", old)
		}, check: unconfirmed},
		{name: "sealed confirmation claimed in clear", sealed: true, setup: func(t *testing.T, s *Store, k keyNames) {
			putPage(t, s)
			rdb.HSet(ctx, k.page, "to", "mallory", "conf", "")
		}, check: unconfirmed},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []Option{WithPrefix("hostile" + strconv.Itoa(i) + ":")}
			if c.sealed {
				opts = append(opts, WithEncryptionKey(testKey))
			}
			s := newTest(t, rdb, opts...)
			k := keysOf(s)
			c.setup(t, s, k)
			g, err := s.Begin(ctx, hostileScope, wrapper.StoreBegin{Slot: "s", Page: "page"})
			if err != nil {
				t.Fatalf("Begin: %v", err)
			}
			c.check(t, g)
			finish(t, s, hostileScope, wrapper.StoreEnd{Slot: "s"})
			if n := rdb.Exists(ctx, k.page).Val(); c.gone && n != 0 {
				t.Fatalf("the unreadable page is still kept: %v", rdb.HGetAll(ctx, k.page).Val())
			}
			rdb.Del(ctx, k.hold) // a hold of a year, or one End made
			works(t, s)
		})
	}
}

// unconfirmed checks a sealed page whose confirmation cannot be believed: the page, and no
// ConfirmedTo.
func unconfirmed(t *testing.T, g wrapper.StoreGrant) {
	t.Helper()
	if !g.Slot || g.Page == nil || string(g.Page.Body) != "good" || g.Page.ConfirmedTo != "" {
		t.Fatalf("grant %+v with page %+v: want the page, confirmed to no one", g, g.Page)
	}
}

func copyHash(t *testing.T, rdb *redis.Client, from, to string) {
	t.Helper()
	ctx := t.Context()
	v := rdb.HGetAll(ctx, from).Val()
	if len(v) == 0 {
		t.Fatalf("nothing kept under %s", from)
	}
	rdb.Del(ctx, to)
	for f, x := range v {
		rdb.HSet(ctx, to, f, x)
	}
}

// A page kept that is removed because it cannot be read is removed only if it is still the
// one read: a page another client put meanwhile stays.
func TestForgetOnlyWhatWasRead(t *testing.T) {
	rds := redistest.Start(t)
	rdb := client(t, rds.Addr)
	s := newTest(t, rdb)
	k := keysOf(s)
	good := &wrapper.StoredPage{ETag: `"good"`, Header: http.Header{}, Body: []byte("good")}
	finish(t, s, hostileScope, wrapper.StoreEnd{Page: "page", PageTTL: time.Minute, Put: good})
	rdb.HSet(t.Context(), k.page, "header", "not a header")
	f := &pageFields{etag: `"good"`, w: rdb.HGet(t.Context(), k.page, "w").Val()}
	// Another client puts the same page again between this one's read and its removal.
	finish(t, s, hostileScope, wrapper.StoreEnd{Page: "page", PageTTL: time.Minute, Put: good})
	if err := s.enqueue(s.forgetCall(hostileScope, "page", f)); err != nil {
		t.Fatal(err)
	}
	settled(s)
	if g := kept(t, s, hostileScope, "page"); g == nil || g.ETag != good.ETag {
		t.Fatalf("a page put after the unreadable one was read was removed: %+v", g)
	}
}

// Two processes with different keys on one Redis: each sees the other's pages as absent,
// neither removes the other's, and they share the cap of their scope.
func TestDifferentKeysShareNoPages(t *testing.T) {
	rds := redistest.Start(t)
	rdb := client(t, rds.Addr)
	a := newTest(t, rdb, WithEncryptionKey(testKey), WithMaxInFlight(2))
	b := newTest(t, rdb, WithEncryptionKey(otherKey), WithMaxInFlight(2))
	clear := newTest(t, rdb, WithMaxInFlight(2))
	pa := &wrapper.StoredPage{ETag: `"a"`, Header: http.Header{}, Body: []byte("a")}
	finish(t, a, hostileScope, wrapper.StoreEnd{Page: "page", PageTTL: time.Minute, Put: pa, ConfirmedTo: "alice"})
	for name, s := range map[string]*Store{"another key": b, "no key": clear} {
		if g := kept(t, s, hostileScope, "page"); g != nil {
			t.Fatalf("a store with %s sees a page sealed with the first: %+v", name, g)
		}
	}
	pb := &wrapper.StoredPage{ETag: `"b"`, Header: http.Header{}, Body: []byte("b")}
	finish(t, b, hostileScope, wrapper.StoreEnd{Page: "page", PageTTL: time.Minute, Put: pb})
	if g := kept(t, a, hostileScope, "page"); g == nil || g.ETag != pa.ETag || g.ConfirmedTo != "alice" {
		t.Fatalf("a store with another key put its page, and the first's is now %+v", g)
	}
	if g := kept(t, b, hostileScope, "page"); g == nil || g.ETag != pb.ETag {
		t.Fatalf("the second store's own page: %+v", g)
	}
	if !begin(t, a, hostileScope, "1", "").Slot || !begin(t, b, hostileScope, "2", "").Slot || begin(t, clear, hostileScope, "3", "").Slot {
		t.Fatal("stores with different keys do not share their scope's cap of 2")
	}
}

// With a key, Redis holds none of a page's data: no ETag, header, body, page key or
// credential fingerprint, in any key or value.
func TestSealedRedisSeesNoPageData(t *testing.T) {
	rds := redistest.Start(t)
	rdb := client(t, rds.Addr)
	s := newTest(t, rdb, WithEncryptionKey(testKey))
	const page = "secret-page-key"
	p := &wrapper.StoredPage{ETag: `"secret-etag"`, Header: http.Header{"Link": {"<https://api.github.com/repositories/secret-repo>"}},
		Body: []byte(`{"jobs":[{"name":"secret-job"}]}`)}
	r := wrapper.Rate{Limit: 5000, Remaining: 1, Used: 4999, Reset: time.Now().Add(time.Hour), Resource: "core"}
	finish(t, s, hostileScope, wrapper.StoreEnd{Page: page, PageTTL: time.Minute, Put: p, ConfirmedTo: "secret-credential", Rate: r, ResetIn: time.Hour})
	finish(t, s, hostileScope, wrapper.StoreEnd{Page: page, PageTTL: time.Minute, Validated: true, ETag: p.ETag, ConfirmedTo: "secret-credential"})
	if g := kept(t, s, hostileScope, page); g == nil || g.ConfirmedTo != "secret-credential" {
		t.Fatalf("the sealed page does not come back: %+v", g)
	}
	var seen []string
	for _, k := range rdb.Keys(t.Context(), "*").Val() {
		seen = append(seen, k)
		switch rdb.Type(t.Context(), k).Val() {
		case "hash":
			for f, v := range rdb.HGetAll(t.Context(), k).Val() {
				seen = append(seen, f, v)
			}
		case "zset":
			seen = append(seen, rdb.ZRange(t.Context(), k, 0, -1).Val()...)
		}
	}
	all := strings.Join(seen, "\n")
	for _, secret := range []string{"secret", "repositories", "Link"} {
		if strings.Contains(all, secret) {
			t.Errorf("Redis holds %q in the clear:\n%.2000s", secret, all)
		}
	}
	if !strings.Contains(all, "core") || !strings.Contains(all, "4999") {
		t.Errorf("the rate figures are not where docs/redis.md says:\n%.2000s", all)
	}
}

// Begin's own bounds: a hold is never read as more than a duration, and a reply that the
// script cannot have sent is an error, not a panic.
func TestGrantOfRefusesForeignReplies(t *testing.T) {
	ok := []any{int64(0), "", int64(1), "", "", "", "", "", "", int64(0), "", "", "", "", "", "", ""}
	if _, _, err := grantOf(ok); err != nil {
		t.Fatalf("a reply the script sends: %v", err)
	}
	for _, r := range []any{
		nil, "x", []any{}, append(copyReply(ok), "extra"),
		with(ok, rHold, int64(-1)), with(ok, rHold, int64(maxMillis+1)), with(ok, rHold, "x"),
		with(ok, rResetIn, int64(-maxMillis-1)), with(with(ok, rPage, int64(1)), rAge, 3.5),
	} {
		if _, _, err := grantOf(r); err == nil {
			t.Errorf("grantOf(%v): no error", r)
		}
	}
	if g, _, err := grantOf(with(ok, rHoldStatus, "4290")); err != nil || g.HoldStatus != 0 {
		t.Errorf("a hold status that is none: %+v, %v", g, err)
	}
}

func copyReply(r []any) []any { return append([]any(nil), r...) }

func with(r []any, i int, v any) []any {
	r = copyReply(r)
	r[i] = v
	return r
}
