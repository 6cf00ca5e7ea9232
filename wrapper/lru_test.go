package wrapper

import "testing"

func TestLRU(t *testing.T) {
	l := newLRU[string, int](2)
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
