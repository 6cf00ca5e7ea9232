package wrapper

import (
	"reflect"
	"testing"
	"time"
)

// fill sets every field reachable from v to a value of its own, pointers and slices
// included, so that a copy that forgets a field, or shares one, shows.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(int64(*n), 0).UTC()))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	default:
		panic("fill: no value for " + v.Type().String())
	}
}

// shared lists the pointers and slice arrays that a and b have in common.
func shared(a, b reflect.Value, path string) []string {
	var out []string
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return nil
		}
		if a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		out = append(out, shared(a.Elem(), b.Elem(), path)...)
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			out = append(out, path+"[]")
		}
		for i := range min(a.Len(), b.Len()) {
			out = append(out, shared(a.Index(i), b.Index(i), path+"[i]")...)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			out = append(out, shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
		}
	}
	return out
}

// TestCloneJobsSharesNothing: a copy equals its original and shares no pointer or array
// with it, for every field of the generated Job: a field GitHub's description adds fails
// here until cloneJobs copies it.
func TestCloneJobsSharesNothing(t *testing.T) {
	var n int
	jobs := make([]Job, 3)
	for i := range jobs {
		fill(reflect.ValueOf(&jobs[i]).Elem(), &n)
	}
	jobs[1].Steps, jobs[1].Labels, jobs[1].Conclusion = nil, []string{}, nil // nil stays nil, empty stays empty
	c := cloneJobs(jobs)
	if !reflect.DeepEqual(c, jobs) {
		t.Fatalf("the copy differs:\n%+v\n%+v", c, jobs)
	}
	if got := shared(reflect.ValueOf(c), reflect.ValueOf(jobs), "jobs"); len(got) > 0 {
		t.Errorf("the copy shares %v with the original", got)
	}
	if c[1].Labels == nil || c[1].Steps != nil {
		t.Error("nil and empty slices are not kept as they were")
	}
	// Appending to one job's slices writes nothing into another's.
	c[0].Labels = append(c[0].Labels, "new")
	c[0].Steps = append(c[0].Steps, JobStep{Name: "new"})
	if c[2].Labels[0] == "new" || c[2].Steps[0].Name == "new" || c[1].Labels == nil {
		t.Error("appending to one job's labels or steps changed another job")
	}
}
