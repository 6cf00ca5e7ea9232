package wrapper

import "testing"

func TestLRU(t *testing.T) {
	l := newLRU[string, int](2, nil)
	l.put("a", 1)
	l.put("b", 2)
	if v, ok := l.get("a"); !ok || v != 1 {
		t.Fatalf("a = %d, %v", v, ok)
	}
	l.put("c", 3) // b is the least recently used
	if _, ok := l.get("b"); ok || l.len() != 2 {
		t.Errorf("b kept, or %d kept: want b forgotten, 2 kept", l.len())
	}
	l.put("a", 10) // an update, not a new key: c stays
	l.each(func(v *int) { *v++ })
	if a, _ := l.get("a"); a != 11 {
		t.Errorf("a = %d, want 11", a)
	}
	if c, ok := l.get("c"); !ok || c != 4 {
		t.Errorf("c = %d, %v; want 4", c, ok)
	}
	l.remove("a")
	if _, ok := l.get("a"); ok || l.len() != 1 {
		t.Errorf("a kept after remove (%d kept)", l.len())
	}
}

// TestLRUBudget: values cost what cost says; the least recently used go until the rest fit,
// and a value over the whole budget is not kept.
func TestLRUBudget(t *testing.T) {
	l := newLRU[string](10, func(s string) int64 { return int64(len(s)) })
	l.put("a", "xxxx")
	l.put("b", "yyyy")
	l.get("a")
	l.put("c", "zzz") // 11 bytes: b, the least recently used, goes
	if _, ok := l.get("b"); ok || l.used != 7 {
		t.Errorf("b kept, or %d bytes used: want b forgotten, 7 used", l.used)
	}
	if l.put("d", "0123456789x") || l.used != 7 {
		t.Errorf("a value over the budget was kept (%d used)", l.used)
	}
	l.put("a", "0123456789x") // a new value too big: the old one goes too
	if _, ok := l.get("a"); ok || l.used != 3 {
		t.Errorf("a kept after a value over the budget replaced it (%d used)", l.used)
	}
	l.removeIf("c", func(s string) bool { return s == "other" })
	if _, ok := l.get("c"); !ok {
		t.Error("removeIf removed a value its predicate refused")
	}
	l.removeIf("c", func(s string) bool { return s == "zzz" })
	if _, ok := l.get("c"); ok || l.used != 0 {
		t.Errorf("removeIf kept c (%d used)", l.used)
	}
}
