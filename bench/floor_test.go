package bench

import (
	"testing"
	"time"
	"unsafe"
)

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
		{ID: 1, URL: "https://x/1", Branch: &main, Labels: []string{"linux", "x64"}, Steps: []step{{Name: "build", At: &now}, {Name: "test"}}},
		{ID: 2, URL: "https://x/2", Branch: new("main"), Labels: []string{"linux"}, Steps: []step{}},
		{ID: 3},
	}
	strs := len("https://x/1") + len("https://x/2") + len("main") + len("linux") + len("x64") + len("build") + len("test")
	want := 3*unsafe.Sizeof(job{}) +
		2*unsafe.Sizeof("") + // the branches, one string each
		3*unsafe.Sizeof("") + // the labels' arrays: 2 and 1
		2*unsafe.Sizeof(step{}) + unsafe.Sizeof(now) + // job 1's steps and its one time; job 2's empty array is none
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
