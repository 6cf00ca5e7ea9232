package redisstore

import (
	"strings"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/internal/redistest"
	"github.com/ghjobs/ghjobs/wrapper"
)

// A Store from NewFromURL costs one round trip a call: the warm-up loads the scripts, so
// Begin and End run them by hash (no NOSCRIPT, no EVAL), and its connections send nothing
// but HELLO when they open (no CLIENT SETINFO, no CLIENT MAINT_NOTIFICATIONS: Redis 7.0
// would refuse both, which INFO errorstats would count). When Redis loses the scripts, one
// EVAL runs the script and loads it again.
func TestOneRoundTripACall(t *testing.T) {
	rds := redistest.Start(t)
	rdb := client(t, rds.Addr)
	s, err := NewFromURL("redis://" + rds.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	<-s.warmed
	rdb.ConfigResetStat(t.Context()) // the test's own client's CLIENT SETINFO
	const n = 5
	for i := range n {
		g := begin(t, s, hostileScope, "slot", "page")
		finish(t, s, hostileScope, wrapper.StoreEnd{Slot: "slot", Page: "page", PageTTL: time.Minute,
			Put: &wrapper.StoredPage{ETag: `"e"`, Header: nil, Body: []byte("b")}})
		if i > 0 && g.Page == nil {
			t.Fatal("no page kept")
		}
	}
	cmds, errs := info(t, rdb, "commandstats"), info(t, rdb, "errorstats")
	if got := cmds["cmdstat_evalsha"]; !strings.HasPrefix(got, "calls=15,") || cmds["cmdstat_eval"] != "" || len(errs) != 0 {
		t.Fatalf("%d Begins, Ends and Puts: EVALSHA %q, EVAL %q, errors %v; want 15 EVALSHA, nothing else",
			n, got, cmds["cmdstat_eval"], errs)
	}

	rdb.ScriptFlush(t.Context())
	rdb.ConfigResetStat(t.Context())
	begin(t, s, hostileScope, "slot", "page")
	begin(t, s, hostileScope, "slot2", "page")
	cmds, errs = info(t, rdb, "commandstats"), info(t, rdb, "errorstats")
	if !strings.HasPrefix(cmds["cmdstat_eval"], "calls=1,") || !strings.HasPrefix(cmds["cmdstat_evalsha"], "calls=2,") ||
		!strings.HasPrefix(errs["errorstat_NOSCRIPT"], "count=1") {
		t.Fatalf("after SCRIPT FLUSH, two Begins: EVALSHA %q, EVAL %q, errors %v; want one NOSCRIPT, one EVAL, then EVALSHA",
			cmds["cmdstat_evalsha"], cmds["cmdstat_eval"], errs)
	}
}
