package bench

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The differential half of the decoder study (docs/decoders.md): every candidate decodes
// the same inputs as encoding/json, and must come to the same values and to an error exactly
// when encoding/json has one, or be listed in divergences with what it does instead.

// An input is a named body to decode.
type input struct {
	name string
	data []byte
}

// The kinds of divergence from encoding/json.
const (
	agrees  = ""
	accepts = "accepts" // encoding/json fails; the candidate decodes without error
	rejects = "rejects" // encoding/json decodes; the candidate fails
	value   = "value"   // both decode, to different values
	aliases = "aliases" // the value changes when the input's bytes are reused after decoding
	panics  = "panics"
)

// diverge decodes data with d and compares the result with ref, what encoding/json made of
// data (reference), and says how d's result differs, with a detail for the log. d decodes a
// copy of data that is cleared once d returns, as wrapper reuses the buffer a page was
// decompressed into: a decoder whose values point into its input must not pass.
func diverge(d decoder, data []byte, ref result) (kind, detail string) {
	in := bytes.Clone(data)
	got, gotErr := decode(d, in)
	clear(in)
	var p panicked
	switch {
	case errorAs(gotErr, &p):
		return panics, p.Error()
	case ref.err != nil && gotErr == nil:
		return accepts, "encoding/json: " + ref.err.Error()
	case ref.err == nil && gotErr != nil:
		return rejects, gotErr.Error()
	case ref.err != nil:
		return agrees, ""
	}
	if cmp.Equal(ref.body, got, sameTime) {
		return agrees, ""
	}
	diff := cmp.Diff(ref.body, got, sameTime)
	if again, _ := decode(d, data); cmp.Equal(ref.body, again, sameTime) {
		return aliases, diff
	}
	return value, diff
}

// A result is what a decoder made of an input.
type result struct {
	body pageBody
	err  error
}

// reference is what encoding/json makes of data.
func reference(data []byte) result {
	body, err := decode(stdJSON, data)
	return result{body, err}
}

// panicked is a decoder's panic, as an error.
type panicked struct{ v any }

func (p panicked) Error() string { return fmt.Sprintf("panic: %v", p.v) }

func errorAs(err error, p *panicked) bool {
	q, ok := err.(panicked)
	*p = q
	return ok
}

// decode decodes data with d into a fresh pageBody, a panic being an error.
func decode(d decoder, data []byte) (body pageBody, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicked{v}
		}
	}()
	body = newBody()
	err = d.unmarshal(data, &body)
	return body, err
}

// sameTime compares times as a caller can tell them apart: the instant, the zone's name and
// offset, and the location's name ("UTC", "Local" or that of a fixed zone). reflect.DeepEqual
// would tell apart two parses of the same "+02:00", whose fixed zones are two pointers.
var sameTime = cmp.Comparer(func(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo && a.Location().String() == b.Location().String()
})

// divergences are every difference from encoding/json that the candidates show on
// studyInputs, by candidate and input. TestDecodersAgree fails on any other, and on any
// listed here that has gone away, so that this table (and docs/decoders.md, which
// explains it) stays true. The candidates marked agrees in decoders.go have none.
var divergences = func() map[string]map[string]string {
	// Groups of inputs on which several candidates part from encoding/json alike.
	var (
		// Keys are matched as they are: "ID" is not "id", nor "ſtatus" (U+017F) "status".
		exactKeys = set(value, "case-ID", "case-id-and-ID", "case-Total_Count", "case-JOBS",
			"case-Status", "fold-long-s", "fold-kelvin")
		// The Unicode folding of U+017F to s, which encoding/json applies to keys, is not.
		longS = set(value, "fold-long-s")
		// Invalid UTF-8 in a string is kept as it is, not made U+FFFD.
		rawUTF8 = set(value, "utf8-invalid-value", "utf8-overlong", "utf8-surrogate-bytes", "utf8-truncated")
		// No bound on nesting, or not encoding/json's (10,000 levels).
		noDepthBound  = set(accepts, "deep-unknown-10001")
		lowDepthBound = set(rejects, "deep-unknown-10000")
		// v2's defaults: duplicate keys, invalid UTF-8 and broken surrogates are errors
		// (key-escaped is a second "name"), and times are RFC 3339 to the letter.
		v2Strict = set(rejects, "dup-total-count", "dup-jobs", "dup-job-id", "dup-step-number",
			"key-escaped", "utf8-invalid-value", "utf8-invalid-key", "utf8-overlong",
			"utf8-surrogate-bytes", "utf8-truncated", "esc-lone-high", "esc-lone-low",
			"esc-high-ascii", "esc-high-high-low", "esc-high-then-x", "time-offset-24",
			"time-comma-fraction")
		// null at the top sets a page to its zero value (jobs nil), where v1 leaves it.
		nullTop = set(value, "null-top")
	)
	// A time whose string has \u escapes: v1 hands the raw string to
	// time.Time.UnmarshalJSON, which fails; the v2 engine unquotes it first. encoding/json
	// runs on the v2 engine from go1.27 on, so who diverges there depends on the release.
	v1Times, v2Times := set(rejects, "time-escaped"), map[string]string(nil)
	if !stdV2Engine() {
		v1Times, v2Times = nil, set(accepts, "time-escaped")
	}
	// Where int has 32 bits (386), a number beyond it in an int field is wrapped around, not
	// an error: total_count 4294967296 reads as 0, 999999999999 as -727379969.
	var wrapsInt32 map[string]string
	if strconv.IntSize == 32 {
		wrapsInt32 = set(accepts, "total-over-int32", "step-number-over-int32")
		wrapsInt32["corpus-huge-total"] = accepts
	}
	d := map[string]map[string]string{
		"go-json-experiment":        merge(exactKeys, v2Strict, nullTop, v2Times),
		"go-json-experiment-v1opts": v2Times,
		"encoding-json-v2":          merge(exactKeys, v2Strict, nullTop, v2Times),
		"encoding-json-v2-v1opts":   v2Times,
		"jsoniter-std": merge(longS, rawUTF8, noDepthBound, v1Times,
			set(value, "esc-high-high-low"), set(accepts, "trailing-nul")),
		"segmentio": merge(longS, noDepthBound, v1Times, wrapsInt32, set(rejects, "time-comma-fraction")),
		"goccy":     v1Times,
		"easyjson": merge(exactKeys, rawUTF8, noDepthBound, v1Times, wrapsInt32,
			set(accepts, "raw-control", "id-leading-zero")),
		"sonic-std":     merge(longS, lowDepthBound, v1Times),
		"sonic-default": merge(longS, rawUTF8, lowDepthBound, v1Times, set(accepts, "raw-control")),
	}
	return d
}()

// set maps each hostile input named to kind.
func set(kind string, names ...string) map[string]string {
	m := map[string]string{}
	for _, n := range names {
		m["hostile-"+n] = kind
	}
	return m
}

func merge(ms ...map[string]string) map[string]string {
	all := map[string]string{}
	for _, m := range ms {
		maps.Copy(all, m)
	}
	return all
}

// TestDecodersAgree runs every candidate over studyInputs, and compares.
func TestDecodersAgree(t *testing.T) {
	inputs := studyInputs(t)
	refs := make([]result, len(inputs))
	for i, in := range inputs {
		refs[i] = reference(in.data)
	}
	for _, d := range decoders {
		t.Run(d.name, func(t *testing.T) {
			var found []string
			for i, in := range inputs {
				kind, detail := diverge(d, in.data, refs[i])
				if kind != agrees {
					found = append(found, in.name+": "+kind)
				}
				if want := divergences[d.name][in.name]; kind != want {
					t.Errorf("%s: %q, want %q: %s", in.name, kind, want, firstLines(detail, 12))
				}
			}
			for name := range divergences[d.name] {
				if !slices.ContainsFunc(inputs, func(in input) bool { return in.name == name }) {
					t.Errorf("divergences names input %q, which studyInputs does not have", name)
				}
			}
			if d.agrees && len(found) > 0 {
				t.Errorf("marked agrees, but diverges on %d inputs", len(found))
			}
			t.Logf("%d of %d inputs diverge: %s", len(found), len(inputs), strings.Join(found, ", "))
		})
	}
}

// FuzzDecoders holds the candidates marked agrees to encoding/json on any input; with
// GHJOBS_FUZZ_DECODER=name it fuzzes that candidate instead, to find its divergences:
//
//	go test -run='^$' -fuzz='^FuzzDecoders$' -fuzztime=1m .
//	GHJOBS_FUZZ_DECODER=segmentio go test -run='^$' -fuzz='^FuzzDecoders$' .
func FuzzDecoders(f *testing.F) {
	for _, in := range studyInputs(f) {
		if len(in.data) <= 64<<10 { // the huge ones slow every mutation down
			f.Add(in.data)
		}
	}
	var fuzzed []decoder
	for _, d := range decoders {
		if name := os.Getenv("GHJOBS_FUZZ_DECODER"); name == d.name || name == "" && d.agrees && d.name != stdJSON.name {
			fuzzed = append(fuzzed, d)
		}
	}
	if len(fuzzed) == 0 {
		f.Fatalf("no candidate named %q in this build", os.Getenv("GHJOBS_FUZZ_DECODER"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ref := reference(data)
		for _, d := range fuzzed {
			if kind, detail := diverge(d, data, ref); kind != agrees {
				t.Errorf("%s %s %q: %s", d.name, kind, data, firstLines(detail, 12))
			}
		}
	})
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// TestDecodersConcurrent: wrapper decodes pages on several goroutines at once (a decoder
// that shares state between calls, as caches of compiled decoders do, must stay right and,
// under -race, race-free), alternating good pages with broken ones, which must leave no
// state behind that spoils the next call.
func TestDecodersConcurrent(t *testing.T) {
	good, err := pageJSON(sampleRun(10).Jobs, 1)
	if err != nil {
		t.Fatal(err)
	}
	broken := [][]byte{[]byte(pageOf(job(nil))[:300]), []byte(jobWith("name", `"\u12"`)), []byte(jobWith("id", "07"))}
	want, err := decode(stdJSON, good)
	if err != nil || len(want.Jobs) != 10 {
		t.Fatal(err)
	}
	for _, d := range decoders {
		t.Run(d.name, func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for g := range 4 {
				wg.Go(func() {
					for i := range 3 {
						_, _ = decode(d, broken[(g+i)%len(broken)])
						got, err := decode(d, good)
						if err == nil && !cmp.Equal(want, got, sameTime) {
							err = fmt.Errorf("goroutine %d, round %d: a different page: %s", g, i, firstLines(cmp.Diff(want, got, sameTime), 12))
						}
						if err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
