package wrapper

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ghjobs/ghjobs/generated"
)

//go:generate go run ../internal/jsondecgen -o jsondec.gen.go -own Job.check_run_url,Job.html_url,Job.name,Job.node_id,Job.runner_name,Job.url

// jsonDecoder reads a page of jobs, or one job, in the shape GitHub writes them, into the
// generated types, in one pass; its field-by-field part is generated from the types
// (jsondec.gen.go, by internal/jsondecgen). It builds what compact used to make of a page
// after encoding/json: the strings the jobs repeat are shared, each job's own strings are
// packed into a few strings for the page, and its steps and labels into one array each.
//
// It accepts only what it is sure encoding/json reads the same way: well-formed JSON, every
// key written exactly as the field's tag (no escapes, no other case) and at most once, and
// values of the fields' types. On anything else it gives up (a method returns false) and
// decodeJobs asks encoding/json, which decides: an error, or the same values by its own rules.
// FuzzDecodeJobsAgrees holds the two to the same values on every input.
type jsonDecoder struct {
	data []byte
	pos  int

	esc []byte            // the last escaped string, unescaped
	in  map[string]string // the page's shared strings
	// recent are some of in, found by a cheaper hash than the map's: most of the strings a
	// page repeats are found there.
	recent [256]string
	own    strings.Builder // the page's own strings, packed
	ownN   int             // bytes of own strings so far

	jsonSlabs
	jsonArenas
}

// span is where the elements of one slice are in the array that the page's slices of its
// field share; a nil slice (absent or null) has none.
type span struct {
	start, end int
	set        bool
}

// arena collects the elements of a slice field of every value of the page, one value's after
// another's, until place gives them an array of their number.
type arena[T any] struct {
	scratch []T
	spans   []span // by the index of the value the slice is a field of
}

// readList reads a slice field's array into a, for the value at index at of its own slice.
func readList[T any](d *jsonDecoder, a *arena[T], at int, null bool, elem func(*jsonDecoder, *T, int) (uint64, bool)) bool {
	for len(a.spans) <= at {
		a.spans = append(a.spans, span{})
	}
	if null {
		a.spans[at] = span{}
		return true
	}
	if !d.consume('[') {
		return false
	}
	start := len(a.scratch)
	if !d.consume(']') {
		for more := true; more; {
			var zero T
			a.scratch = append(a.scratch, zero)
			if _, ok := elem(d, &a.scratch[len(a.scratch)-1], len(a.scratch)-1); !ok {
				return false
			}
			var ok bool
			if more, ok = d.next(']'); !ok {
				return false
			}
		}
	}
	a.spans[at] = span{start, len(a.scratch), true}
	return true
}

// slice is the slice the value at index at has, if any: its elements, in an array of their
// own, so that a value kept alone keeps no other value's.
func (a *arena[T]) slice(at int) ([]T, bool) {
	if at >= len(a.spans) || !a.spans[at].set {
		return nil, false
	}
	sp := a.spans[at]
	return append(make([]T, 0, sp.end-sp.start), a.scratch[sp.start:sp.end]...), true
}

// reset empties the arena, keeping no element and at most a bounded array for the next page.
func (a *arena[T]) reset() {
	clear(a.scratch)
	if cap(a.scratch) > 1<<14 {
		a.scratch = nil
	}
	a.scratch, a.spans = a.scratch[:0], a.spans[:0]
}

// slab hands out pointers to values of a type, each its own, from arrays that the page's
// values of that type share: a few dozen allocations a page, where there would be one a
// value. An array holds at most maxSlab values, so that a job kept alone keeps little more
// than its own.
type slab[T any] struct {
	free []T
	n    int // values handed out on this page
}

func (s *slab[T]) put(d *jsonDecoder, v T) *T {
	if len(s.free) == 0 {
		s.free = make([]T, min(d.room(s.n, 16), maxSlab))
	}
	p := &s.free[0]
	*p, s.free = v, s.free[1:]
	s.n++
	return p
}

// maxSlab bounds a slab's arrays, and maxOwn (bytes) the arrays of the page's own strings.
const maxSlab, maxOwn = 64, 2048

// room is how many more of something, of which n came in the page so far, to make room for:
// half of what the rest of the page should bring at that pace, at least least. Halving
// leaves little of the last array unused, at the cost of a few more arrays.
func (d *jsonDecoder) room(n, least int) int {
	if d.pos == 0 || n == 0 {
		return least
	}
	rest := len(d.data) - d.pos
	return max(least, int(int64(n)*int64(rest)/int64(d.pos))/2)
}

func as[T ~string](s string, ok bool) (T, bool) { return T(s), ok }

func readShared[T ~string](d *jsonDecoder, v *T, _ int) (uint64, bool) {
	s, ok := d.shared()
	*v = T(s)
	return 0, ok
}

// maxSkipDepth is how deep an unknown value may nest before the decoder leaves it to
// encoding/json (whose limit is 10,000).
const maxSkipDepth = 100

// end says whether only whitespace is left.
func (d *jsonDecoder) end() bool {
	d.ws()
	return d.pos == len(d.data)
}

func (d *jsonDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, 0 at the end.
func (d *jsonDecoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// consume reads c, after whitespace, if it comes next.
func (d *jsonDecoder) consume(c byte) bool {
	if d.peek() == c {
		d.pos++
		return true
	}
	return false
}

// null reads a null literal if one comes next.
func (d *jsonDecoder) null() bool {
	if d.peek() == 'n' && bytes.HasPrefix(d.data[d.pos:], []byte("null")) {
		d.pos += 4
		return true
	}
	return false
}

// next reads what follows a member or an element: a comma (more: true) or close.
func (d *jsonDecoder) next(close byte) (more, ok bool) {
	switch d.peek() {
	case ',':
		d.pos++
		return true, true
	case close:
		d.pos++
		return false, true
	}
	return false, false
}

// key reads an object's key and its colon. A key with an escape or a byte beyond ASCII is
// given up on: encoding/json matches such a key by its unescaped, case-folded form.
func (d *jsonDecoder) key() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], d.consume(':')
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// unknown skips the value of a key no field has (null has been read), unless the key names a
// field in another case, which encoding/json would match.
func (d *jsonDecoder) unknown(key []byte, null bool, fields []string) bool {
	for _, f := range fields {
		if len(f) == len(key) && bytes.EqualFold(key, []byte(f)) {
			return false
		}
	}
	return null || d.skip(0)
}

// str reads a string; the bytes are the data's own, or esc's when it had escapes, and are
// good until the next string.
func (d *jsonDecoder) str() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.pos + 1
	i := start
	for i+8 <= len(d.data) && !special(binary.LittleEndian.Uint64(d.data[i:])) {
		i += 8
	}
	for ; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return d.strSlow(start, i)
		}
	}
	return nil, false
}

// special says whether any of the 8 bytes of w ends a string's plain run: a quote, a
// backslash, a control character or a byte beyond ASCII. (A byte's test can only err
// towards true for the bytes after one that is special: the answer for the word is exact.)
func special(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) &^ v }
	return (zero(w^('"'*ones))|zero(w^('\\'*ones))|(w-0x20*ones)&^w|w)&highs != 0
}

// strSlow reads the rest of a string from i, where the first escape or non-ASCII byte is. It
// gives up on invalid UTF-8 and lone surrogates, which encoding/json replaces.
func (d *jsonDecoder) strSlow(start, i int) ([]byte, bool) {
	d.esc = append(d.esc[:0], d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return d.esc, true
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, false
			}
			d.esc = append(d.esc, d.data[i:i+n]...)
			i += n
		case c != '\\':
			d.esc = append(d.esc, c)
			i++
		default:
			if i+1 >= len(d.data) {
				return nil, false
			}
			i += 2
			switch d.data[i-1] {
			case '"', '\\', '/':
				d.esc = append(d.esc, d.data[i-1])
			case 'b':
				d.esc = append(d.esc, '\b')
			case 'f':
				d.esc = append(d.esc, '\f')
			case 'n':
				d.esc = append(d.esc, '\n')
			case 'r':
				d.esc = append(d.esc, '\r')
			case 't':
				d.esc = append(d.esc, '\t')
			case 'u':
				r, ok := hex4(d.data[i:])
				if !ok {
					return nil, false
				}
				i += 4
				if r >= 0xD800 && r < 0xDC00 { // a surrogate pair's first half: the second must follow
					if i+6 > len(d.data) || d.data[i] != '\\' || d.data[i+1] != 'u' {
						return nil, false
					}
					lo, ok := hex4(d.data[i+2:])
					if !ok || lo < 0xDC00 || lo >= 0xE000 {
						return nil, false
					}
					i += 6
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				} else if r >= 0xDC00 && r < 0xE000 {
					return nil, false
				}
				d.esc = utf8.AppendRune(d.esc, r)
			default:
				return nil, false
			}
		}
	}
	return nil, false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// shared reads a string that the jobs of a page repeat (a status, a SHA, a step's name):
// equal ones share one copy.
func (d *jsonDecoder) shared() (string, bool) {
	b, ok := d.str()
	if !ok || len(b) == 0 {
		return "", ok
	}
	h := (uint(len(b))*131 + uint(b[0])*31 + uint(b[len(b)/2])*7 + uint(b[len(b)-1])) % uint(len(d.recent))
	if s := d.recent[h]; s == string(b) {
		return s, true
	}
	s, found := d.in[string(b)]
	if !found {
		s = string(b)
		d.in[s] = s
	}
	d.recent[h] = s
	return s, true
}

// owned reads a string that is the job's own (its URLs, its name): it goes into the page's
// packed strings. What was written into own is never changed, so the strings cut from it
// stay as they are while it grows; a new array is started, rather than the old one copied,
// when it is full, sized for what the rest of the page should need.
func (d *jsonDecoder) owned() (string, bool) {
	b, ok := d.str()
	if !ok || len(b) == 0 {
		return "", ok
	}
	if d.own.Cap()-d.own.Len() < len(b) {
		d.own = strings.Builder{}
		d.own.Grow(max(len(b), min(d.room(d.ownN, 256), maxOwn)))
	}
	start := d.own.Len()
	d.own.Write(b)
	d.ownN += len(b)
	return d.own.String()[start:], true
}

// int64 reads an integer into an int64, as encoding/json does: no fraction, no exponent,
// no overflow (given up on, for encoding/json's error).
func (d *jsonDecoder) int64() (int64, bool) {
	d.ws()
	i, neg := d.pos, false
	if i < len(d.data) && d.data[i] == '-' {
		neg = true
		i++
	}
	start := i
	var u uint64
	for i < len(d.data) && '0' <= d.data[i] && d.data[i] <= '9' {
		if i-start == 19 {
			return 0, false
		}
		u = u*10 + uint64(d.data[i]-'0')
		i++
	}
	switch {
	case i == start, d.data[start] == '0' && i-start > 1:
		return 0, false
	case i < len(d.data) && (d.data[i] == '.' || d.data[i] == 'e' || d.data[i] == 'E'):
		return 0, false
	case !neg && u > 1<<63-1, neg && u > 1<<63:
		return 0, false
	}
	d.pos = i
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// int reads an integer into an int, which is 32 bits on 386.
func (d *jsonDecoder) int() (int, bool) {
	v, ok := d.int64()
	if !ok || int64(int(v)) != v {
		return 0, false
	}
	return int(v), true
}

// time reads a timestamp as time.Time's UnmarshalJSON does, which is what encoding/json calls;
// the forms GitHub sends (UTC, to the second or a fraction of it) without it.
func (d *jsonDecoder) time() (time.Time, bool) {
	if d.peek() != '"' {
		return time.Time{}, false
	}
	if end := bytes.IndexByte(d.data[d.pos+1:], '"'); end >= 0 {
		if t, ok := utcTime(d.data[d.pos+1 : d.pos+1+end]); ok {
			d.pos += end + 2
			return t, true
		}
	}
	start := d.pos
	s, ok := d.str()
	if !ok || len(s) != d.pos-start-2 { // escaped: left to encoding/json, whose releases differ
		return time.Time{}, false
	}
	var t time.Time
	if t.UnmarshalJSON(d.data[start:d.pos]) != nil {
		return time.Time{}, false
	}
	return t, true
}

// utcTime parses "2006-01-02T15:04:05Z", with a fraction of 1 to 9 digits or none, exactly
// as time.Parse(time.RFC3339, ...) does, or says it cannot.
func utcTime(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(b []byte) int {
		v := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	nsec := 0
	switch frac := b[19 : len(b)-1]; {
	case len(frac) == 0:
	case len(frac) < 2 || len(frac) > 10 || frac[0] != '.':
		return time.Time{}, false
	default:
		if nsec = num(frac[1:]); nsec < 0 {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	y, mo, da, h, mi, s := num(b[0:4]), num(b[5:7]), num(b[8:10]), num(b[11:13]), num(b[14:16]), num(b[17:19])
	if y < 0 || mo < 1 || mo > 12 || da < 1 || da > daysIn(time.Month(mo), y) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), da, h, mi, s, nsec, time.UTC), true
}

func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int(m-1)%7%2
}

// skip reads a value of any type, checking that it is well-formed JSON.
func (d *jsonDecoder) skip(depth int) bool {
	switch c := d.peek(); c {
	case '"':
		_, ok := d.str()
		return ok
	case '{', '[':
		if depth == maxSkipDepth {
			return false
		}
		d.pos++
		close := byte(']')
		if c == '{' {
			close = '}'
		}
		if d.consume(close) {
			return true
		}
		for more := true; more; {
			if c == '{' {
				if _, ok := d.str(); !ok || !d.consume(':') {
					return false
				}
			}
			if !d.skip(depth + 1) {
				return false
			}
			var ok bool
			if more, ok = d.next(close); !ok {
				return false
			}
		}
		return true
	case 't', 'f', 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(d.data[d.pos:], []byte(lit)) {
				d.pos += len(lit)
				return true
			}
		}
		return false
	default:
		return d.number()
	}
}

// number reads a number of JSON's grammar.
func (d *jsonDecoder) number() bool {
	b, i := d.data, d.pos
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	d.pos = i
	return true
}

// jsonDecoders keeps decoders' scratch arrays from one page to the next; nothing a page's
// values point to is kept.
var jsonDecoders = sync.Pool{New: func() any { return &jsonDecoder{in: make(map[string]string, 64)} }}

// readJSON reads data, a whole JSON text, into v with read (a generated reader) and place,
// or says that it cannot.
func readJSON[T any](data []byte, v *T, read func(*jsonDecoder, *T, int) (uint64, bool), place func(*jsonDecoder, []T, int)) (set uint64, ok bool) {
	d := jsonDecoders.Get().(*jsonDecoder)
	defer d.release()
	d.data = data
	if set, ok = read(d, v, 0); !ok || !d.end() {
		return 0, false
	}
	vs := []T{*v}
	place(d, vs, 0)
	*v = vs[0]
	return set, true
}

// release puts d back in the pool, with nothing of the page.
func (d *jsonDecoder) release() {
	d.jsonArenas.reset()
	if len(d.in) > 1<<12 {
		d.in = make(map[string]string, 64)
	}
	clear(d.in)
	clear(d.recent[:])
	if cap(d.esc) > 1<<16 {
		d.esc = nil
	}
	d.data, d.pos, d.esc = nil, 0, d.esc[:0]
	d.own, d.ownN, d.jsonSlabs = strings.Builder{}, 0, jsonSlabs{}
	jsonDecoders.Put(d)
}

// decodeJobsPage decodes a page of jobs. set says which of its fields had a value other than
// null (fieldJobsPage...). What the decoder is not sure of, which GitHub does not send,
// encoding/json decodes: its values are the same, but not compact.
func decodeJobsPage(data []byte) (p generated.JobsPage, set uint64, err error) {
	if set, ok := readJSON(data, &p, readJobsPage, placeJobsPage); ok {
		return p, set, nil
	}
	var body pageBody
	if err := json.Unmarshal(data, &body); err != nil {
		return p, 0, err
	}
	if body.TotalCount != nil {
		set |= fieldJobsPageTotalCount
		body.JobsPage.TotalCount = *body.TotalCount
	}
	if body.Jobs != nil {
		set |= fieldJobsPageJobs
	}
	return body.JobsPage, set, nil
}

// decodeJob decodes one job, as decodeJobsPage does a page.
func decodeJob(data []byte) (j Job, err error) {
	if _, ok := readJSON(data, &j, readJob, placeJob); ok {
		return j, nil
	}
	err = json.Unmarshal(data, &j)
	return j, err
}
