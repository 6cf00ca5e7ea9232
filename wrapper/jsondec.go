package wrapper

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/ghjobs/ghjobs/generated"
)

//go:generate go run ../internal/jsondecgen -o jsondec.gen.go -own Job.check_run_url,Job.html_url,Job.name,Job.node_id,Job.runner_name,Job.url

// jsonDecoder reads a page of jobs, or one job, in the shape GitHub writes them, into the
// generated types, in one pass; its field-by-field part is generated from the types
// (jsondec.gen.go, by internal/jsondecgen). Its values are compact: the strings the jobs
// repeat are shared, the strings each job has to itself are packed into a few strings for
// the page, and the values behind pointers come from a few arrays, each bounded so that a job
// kept alone keeps little of the others' (slab, maxOwn). Each job's pointers and slices are
// its own: changing one job through them changes no other.
//
// It accepts only what it is sure encoding/json reads the same way: well-formed JSON, every
// key written exactly as the field's tag (no escapes, no other case) and at most once, and
// values of the fields' types. On anything else it gives up (a method returns false) and
// decodeJobsPage asks encoding/json, which decides: an error, or the same values by its own
// rules. FuzzDecodeJobsAgrees holds the two to the same values on every input.
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
// another's, until place gives them arrays: the slices of consecutive values share one, of at
// most maxChunk bytes (unless one value's elements are more), so that an array holds little
// more than its elements (the allocator's rounding of a few large arrays, where each value's
// own array of steps would be rounded up by a tenth), and a job kept alone keeps little of
// the others'.
type arena[T any] struct {
	scratch []T
	spans   []span // by the index of the value the slice is a field of

	chunk     []T // the array of the values up to chunkTo (by index), from chunkFrom on
	chunkFrom int // in scratch
	chunkTo   int
}

// maxChunk is the size of the largest arrays an arena hands out: the allocator's largest
// size class (32 kB), less the header it gives an array of pointers.
const maxChunk = 32<<10 - 8

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

// slice is the slice the value at index at has, if any. place asks for them in the order of
// the values.
func (a *arena[T]) slice(at int) ([]T, bool) {
	if at >= len(a.spans) || !a.spans[at].set {
		return nil, false
	}
	sp := a.spans[at]
	if at >= a.chunkTo { // the first value of the next array: it takes the values that fit
		var zero T
		limit := max(sp.end-sp.start, maxChunk/max(1, int(unsafe.Sizeof(zero))))
		end, to := sp.end, at+1
		for ; to < len(a.spans); to++ {
			if next := a.spans[to]; next.set {
				if next.end-sp.start > limit {
					break
				}
				end = next.end
			}
		}
		a.chunk = append(make([]T, 0, end-sp.start), a.scratch[sp.start:end]...)
		a.chunkFrom, a.chunkTo = sp.start, to
	}
	from, to := sp.start-a.chunkFrom, sp.end-a.chunkFrom
	return a.chunk[from:to:to], true
}

// reset empties the arena, keeping no element, and arrays for the next page only if they are
// no larger than a page of 100 jobs of 40 steps needs.
func (a *arena[T]) reset() {
	const keep = 1 << 12
	if cap(a.scratch) > keep {
		a.scratch = nil
	}
	if cap(a.spans) > keep {
		a.spans = nil
	}
	clear(a.scratch)
	a.scratch, a.spans = a.scratch[:0], a.spans[:0]
	a.chunk, a.chunkFrom, a.chunkTo = nil, 0, 0
}

// slab hands out pointers to values of a type, each its own, from arrays that the page's
// values of that type share: a few a page where there would be one a value. An array is at
// most maxSlab bytes: the allocator gives no header to an object that small, which would
// round a larger array of times up by a sixth; and a job kept alone keeps little of the
// others'.
type slab[T any] struct {
	free []T
	n    int // values handed out on this page
}

func (s *slab[T]) put(d *jsonDecoder, v T) *T {
	if len(s.free) == 0 {
		s.free = make([]T, min(d.room(s.n, 16), maxSlab/max(1, int(unsafe.Sizeof(v)))))
	}
	p := &s.free[0]
	*p, s.free = v, s.free[1:]
	s.n++
	return p
}

// maxSlab bounds a slab's arrays, and maxOwn the arrays of the page's own strings (bytes).
const maxSlab, maxOwn = 512, 2048

// room is how many more of something, of which n came in the page so far, to make room for:
// half of what the rest of the page should bring at that pace, but no fewer than least.
// Halving leaves little of the last array unused, at the cost of a few more arrays.
func (d *jsonDecoder) room(n, least int) int {
	if d.pos == 0 || n == 0 {
		return least
	}
	rest := len(d.data) - d.pos
	return max(least, int(int64(n)*int64(rest)/int64(d.pos))/2)
}

// as converts what a string reader returns to the named string type T (an enum's).
func as[T ~string](s string, ok bool) (T, bool) { return T(s), ok }

// readShared reads an element of a slice of strings, which are shared.
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
	return d.peek() == 'n' && d.literal("null")
}

// literal reads lit if it comes next. (What follows it is the next token's to check.)
func (d *jsonDecoder) literal(lit string) bool {
	if bytes.HasPrefix(d.data[d.pos:], []byte(lit)) {
		d.pos += len(lit)
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
		if c := d.data[i]; c == '"' {
			d.pos = i + 1
			return d.data[start:i], d.consume(':')
		} else if !plain(c) {
			return nil, false
		}
	}
	return nil, false
}

// plain says whether c stands for itself in a string, other than its closing quote: not a
// backslash, a control character (which JSON forbids there) or part of a multi-byte rune.
func plain(c byte) bool {
	return c != '\\' && c >= 0x20 && c < utf8.RuneSelf
}

// unknown skips the value of a key no field has (null has been read), unless the key names a
// field in another case, which encoding/json would match.
func (d *jsonDecoder) unknown(key []byte, null bool, fields []string) bool {
	for _, f := range fields {
		if bytes.EqualFold(key, []byte(f)) {
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
		if c := d.data[i]; c == '"' {
			d.pos = i + 1
			return d.data[start:i], true
		} else if !plain(c) {
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

// int64 reads an integer into an int64, as encoding/json does: a number with no fraction,
// no exponent and no overflow (given up on, for encoding/json's error).
func (d *jsonDecoder) int64() (int64, bool) {
	d.ws()
	start := d.pos
	if !d.number() {
		return 0, false
	}
	lit, neg := d.data[start:d.pos], false
	if lit[0] == '-' {
		lit, neg = lit[1:], true
	}
	if len(lit) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range lit {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case !neg && u > 1<<63-1, neg && u > 1<<63:
		return 0, false
	case neg:
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
// as time.Time's UnmarshalJSON does, or says it cannot.
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
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
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
		return generated.JobsPage{}, 0, err
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
	j = Job{} // encoding/json decodes into a zero job, not into what the decoder read before it gave up
	err = json.Unmarshal(data, &j)
	return j, err
}
