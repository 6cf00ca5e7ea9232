package bench

import (
	"testing"
	"time"
	"unsafe"
)

// TestTypesFloor: every pointer and slice counts what it points to, even where two point to
// the same (they could not share it), and every distinct string counts once.
func TestTypesFloor(t *testing.T) {
	type step struct {
		Name string
		At   *time.Time
	}
	type job struct {
		ID     int64
		URL    string
		Branch *string
		Labels []string
		Steps  []step
	}
	main, now := "main", time.Now()
	jobs := []job{
		{ID: 1, URL: "https://x/1", Branch: &main, Labels: []string{"linux", "x64"}, Steps: []step{{Name: "build", At: &now}, {Name: "test", At: &now}}},
		{ID: 2, URL: "https://x/2", Branch: &main, Labels: []string{"linux"}, Steps: []step{}},
		{ID: 3},
	}
	strs := len("https://x/1") + len("https://x/2") + len("main") + len("linux") + len("x64") + len("build") + len("test")
	want := 3*unsafe.Sizeof(job{}) +
		2*unsafe.Sizeof("") + // the branches, one string each, though both point to one
		3*unsafe.Sizeof("") + // the labels' arrays: 2 and 1
		2*unsafe.Sizeof(step{}) + 2*unsafe.Sizeof(now) + // job 1's steps and their times, one each though the same; job 2's empty array is none
		uintptr(strs) // each distinct string once: "main" and "linux" twice, counted once
	if got := typesFloor(jobs); got != int64(want) {
		t.Errorf("typesFloor = %d, want %d", got, want)
	}

	defer func() {
		if recover() == nil {
			t.Error("typesFloor of a map counted something; want it to refuse")
		}
	}()
	typesFloor([]map[string]int{{"a": 1}})
}
