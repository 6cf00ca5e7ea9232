package bench

import (
	"fmt"
	"reflect"
	"time"
)

// typesFloor is the least memory that values can be kept in with the types they have, when
// no two pointers or slices share what they point to, within one value or across values
// (sharing would let a change through one change another: a step's completed_at is often
// the next step's started_at, and they must stay two times): each value's own size, the size
// of what each of its pointers and slices points to (as if packed into arrays, without the
// allocator's rounding), and the bytes of each distinct string once (strings cannot be
// changed, so all may be shared; that one string could be part of another is not counted).
// BenchmarkRetainedHeap compares what AllJobs keeps with it.
func typesFloor[T any](values []T) int64 {
	f := floorWalk{strings: map[string]bool{}}
	n := int64(len(values)) * int64(reflect.TypeFor[T]().Size())
	for i := range values {
		n += f.beyond(reflect.ValueOf(&values[i]).Elem())
	}
	return n
}

type floorWalk struct {
	strings map[string]bool // counted already
}

var timeType = reflect.TypeFor[time.Time]()

// beyond is what v points to, outside its own size.
func (f floorWalk) beyond(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return 0
	case reflect.String:
		if s := v.String(); !f.strings[s] {
			f.strings[s] = true
			return int64(len(s))
		}
		return 0
	case reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		return int64(v.Type().Elem().Size()) + f.beyond(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return 0
		}
		n := int64(v.Len()) * int64(v.Type().Elem().Size())
		for i := range v.Len() {
			n += f.beyond(v.Index(i))
		}
		return n
	case reflect.Struct:
		if v.Type() == timeType {
			return 0 // its *Location is shared by every time of the zone
		}
		var n int64
		for i := range v.NumField() {
			n += f.beyond(v.Field(i))
		}
		return n
	}
	// A kind the generated types do not have yet (a map, an interface): say so rather than
	// guess its floor.
	panic(fmt.Sprintf("typesFloor: a %s (%s) has no floor yet", v.Kind(), v.Type()))
}
