package bench

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ghjobs/ghjobs/api"
)

// studyInputs are what the candidates decode: the wrapper's fuzz corpus, a page GitHub
// sent (cmd/ghjobs/testdata), pages the api fake serves, the page the benchmark decodes, and
// hostile shapes. They are made once: the tests share them, read-only.
func studyInputs(tb testing.TB) []input {
	tb.Helper()
	ins, err := makeStudyInputs()
	if err != nil {
		tb.Fatal(err)
	}
	return ins
}

var makeStudyInputs = sync.OnceValues(func() ([]input, error) {
	ins, err := corpus(filepath.Join("..", "wrapper", "testdata", "fuzz", "FuzzDecodePage"))
	if err != nil {
		return nil, err
	}
	github, err := os.ReadFile(filepath.Join("..", "cmd", "ghjobs", "testdata", "github-page.json"))
	if err != nil {
		return nil, err
	}
	ins = append(ins, input{"github-recorded", github})
	for _, n := range []int{1, 30, 250} {
		run := api.SampleRun(owner, repo, runID+int64(n), attempt, n)
		for p := 0; p*perPage < n; p++ {
			jobs := run.Jobs[p*perPage : min((p+1)*perPage, n)]
			b, err := marshal(api.ToGitHubPage(n, jobs))
			if err != nil {
				return nil, err
			}
			ins = append(ins, input{fmt.Sprintf("fake-%d-jobs-page-%d", n, p+1), b})
		}
	}
	empty, err := marshal(api.ToGitHubPage(0, nil))
	if err != nil {
		return nil, err
	}
	bench, err := pageJSON(sampleRun(1000).Jobs, 1) // studyPage's
	if err != nil {
		return nil, err
	}
	ins = append(ins, input{"fake-no-jobs", empty}, input{"bench-page", bench})
	return append(ins, hostile()...), nil
})

// corpus reads a go test fuzz v1 corpus of FuzzDecodePage, whose first value is the body.
func corpus(dir string) ([]input, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ins []input
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		lines := strings.Split(string(b), "\n")
		if len(lines) < 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "string(") {
			return nil, fmt.Errorf("%s: not a go test fuzz v1 file that starts with a string", e.Name())
		}
		body, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "string("), ")"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		ins = append(ins, input{"corpus-" + e.Name(), []byte(body)})
	}
	if len(ins) == 0 {
		return nil, fmt.Errorf("no corpus in %s", dir)
	}
	return ins, nil
}

// field is one member of a job, its value raw JSON.
type field struct{ key, value string }

// baseJob is a completed job as GitHub writes it, every field there.
var baseJob = []field{
	{"id", "58120443917"}, {"run_id", "29679449"}, {"workflow_name", `"CI"`},
	{"head_branch", `"main"`}, {"run_url", `"https://api.github.com/repos/o/r/actions/runs/29679449"`},
	{"run_attempt", "1"}, {"node_id", `"CR_kwDOAbCdEc8AAAANiGf1DQ"`},
	{"head_sha", `"9e1c0c0de3a1d35e0f2b3a1c6f50d2b7a4e9c811"`},
	{"url", `"https://api.github.com/repos/o/r/actions/jobs/58120443917"`},
	{"html_url", `"https://github.com/o/r/actions/runs/29679449/job/58120443917"`},
	{"status", `"completed"`}, {"conclusion", `"success"`},
	{"created_at", `"2026-10-05T07:31:02Z"`}, {"started_at", `"2026-10-05T07:31:09Z"`},
	{"completed_at", `"2026-10-05T07:36:44Z"`}, {"name", `"build"`},
	{"steps", `[{"name":"Set up job","status":"completed","conclusion":"success","number":1,"started_at":"2026-10-05T07:31:09Z","completed_at":"2026-10-05T07:31:12Z"}]`},
	{"check_run_url", `"https://api.github.com/repos/o/r/check-runs/58120443917"`},
	{"labels", `["ubuntu-24.04"]`}, {"runner_id", "1000018028"},
	{"runner_name", `"GitHub Actions 1000018028"`}, {"runner_group_id", "0"},
	{"runner_group_name", `"GitHub Actions"`},
}

// job is baseJob with the values of set's keys replaced (a key not there is added at the
// end, a value "-" removes the key), and then the members of add appended as they are, so
// that a key may come twice or be escaped or broken.
func job(set map[string]string, add ...field) string {
	var b strings.Builder
	b.WriteString("{")
	n := 0
	member := func(key, value string) {
		if n > 0 {
			b.WriteString(",")
		}
		n++
		b.WriteString(key + ":" + value)
	}
	for _, f := range baseJob {
		if v, ok := set[f.key]; ok {
			if v == "-" {
				continue
			}
			f.value = v
		}
		member(strconv.Quote(f.key), f.value)
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if !slices.ContainsFunc(baseJob, func(f field) bool { return f.key == k }) {
			member(`"`+k+`"`, set[k])
		}
	}
	for _, f := range add {
		member(`"`+f.key+`"`, f.value)
	}
	b.WriteString("}")
	return b.String()
}

// pageOf is a page of the given jobs, total_count their number.
func pageOf(jobs ...string) string {
	return fmt.Sprintf(`{"total_count":%d,"jobs":[%s]}`, len(jobs), strings.Join(jobs, ","))
}

// jobWith is a page of one job whose key is set to the raw JSON value.
func jobWith(key, value string) string { return pageOf(job(map[string]string{key: value})) }

// stepWith is a page of one job whose one step has key set to the raw JSON value (which may
// end with more members).
func stepWith(key, value string) string {
	step := map[string]string{"name": `"Set up job"`, "status": `"completed"`, "conclusion": `"success"`,
		"number": "1", "started_at": `"2026-10-05T07:31:09Z"`, "completed_at": `"2026-10-05T07:31:12Z"`}
	step[key] = value
	var members []string
	for _, k := range slices.Sorted(maps.Keys(step)) {
		members = append(members, strconv.Quote(k)+":"+step[k])
	}
	return jobWith("steps", "[{"+strings.Join(members, ",")+"}]")
}

// hostile are the shapes a broken or hostile server can send, one concern each.
func hostile() []input {
	one := job(nil)
	nest := func(depth int, open, end string) string {
		return strings.Repeat(open, depth) + strings.Repeat(end, depth)
	}
	huge := strings.Repeat("a", 16<<20)
	var many []string
	for i := range 10_000 {
		many = append(many, fmt.Sprintf(`{"id":%d}`, i+1))
	}
	shapes := []struct{ name, json string }{
		// Duplicate keys: encoding/json takes the last.
		{"dup-total-count", `{"total_count":1,"total_count":2,"jobs":[` + one + `]}`},
		{"dup-jobs", `{"total_count":1,"jobs":[` + one + `],"jobs":[` + job(map[string]string{"id": "7"}) + `]}`},
		{"dup-job-id", pageOf(job(nil, field{"id", "7"}))},
		{"dup-step-number", stepWith("number", `1,"number":2`)},
		// Keys that differ in case or by Unicode folding: encoding/json matches them without
		// regard to case (the last of two that match wins).
		{"case-ID", pageOf(job(map[string]string{"id": "-", "ID": "7"}))},
		{"case-id-and-ID", pageOf(job(nil, field{"ID", "7"}))},
		{"case-ID-and-id", pageOf(job(map[string]string{"id": "-"}, field{"ID", "7"}, field{"id", "8"}))},
		{"case-Total_Count", `{"Total_Count":1,"jobs":[` + one + `]}`},
		{"case-JOBS", `{"total_count":1,"JOBS":[` + one + `]}`},
		{"case-Status", pageOf(job(map[string]string{"status": "-", "Status": `"queued"`}))},
		{"fold-long-s", pageOf(job(map[string]string{"status": "-", "ſtatus": `"queued"`}))},               // U+017F folds to s
		{"fold-kelvin", pageOf(job(map[string]string{"check_run_url": "-", "chec\u212a_run_url": `"k"`}))}, // U+212A folds to k
		{"key-no-underscore", `{"totalcount":1,"jobs":[` + one + `]}`},
		{"key-dash", pageOf(job(map[string]string{"run_id": "-", "run-id": "5"}))},
		{"key-escaped", pageOf(job(nil, field{`n\u0061me`, `"escaped"`}))},
		// Invalid UTF-8: encoding/json replaces each bad byte with U+FFFD.
		{"utf8-invalid-value", jobWith("name", "\"bu\xffild\"")},
		{"utf8-invalid-key", pageOf(job(nil, field{"na\xffme", `"x"`}))},
		{"utf8-overlong", jobWith("name", "\"\xc0\xaf\"")},
		{"utf8-surrogate-bytes", jobWith("name", "\"\xed\xa0\x80\"")},
		{"utf8-truncated", jobWith("name", "\"\xe2\x82\"")},
		{"utf8-valid", jobWith("name", `"bûild ✓ 🚀"`)},
		// \u escapes: a lone or broken surrogate becomes U+FFFD in encoding/json.
		{"esc-pair", jobWith("name", `"\ud83d\ude80"`)},
		{"esc-lone-high", jobWith("name", `"\ud83d"`)},
		{"esc-lone-low", jobWith("name", `"\ude80"`)},
		{"esc-high-ascii", jobWith("name", `"\ud83d\u0041"`)},
		{"esc-high-high-low", jobWith("name", `"\ud83d\ud83d\ude80"`)},
		{"esc-high-then-x", jobWith("name", `"\ud83dx"`)},
		{"esc-nul", jobWith("name", `"a\u0000b"`)},
		{"esc-all", jobWith("name", `"\/\b\f\n\r\t\"\\\u00e9\u2028"`)},
		{"esc-unknown", jobWith("name", `"\x41"`)},
		{"esc-short", jobWith("name", `"\u12"`)},
		{"esc-upper-hex", jobWith("name", `"\u00E9\uD83D\uDE80"`)},
		{"raw-control", jobWith("name", "\"a\tb\"")},
		{"raw-del", jobWith("name", "\"a\x7fb\"")},
		// Numbers: beyond int64, or not integers, where integers belong.
		{"id-max-int64", jobWith("id", "9223372036854775807")},
		{"id-over-int64", jobWith("id", "9223372036854775808")},
		{"id-under-int64", jobWith("id", "-9223372036854775809")},
		{"id-float", jobWith("id", "7.0")},
		{"id-fraction", jobWith("id", "7.5")},
		{"id-exponent", jobWith("id", "7e2")},
		{"id-exponent-upper", jobWith("id", "7E+2")},
		{"id-negative-zero", jobWith("id", "-0")},
		{"id-huge-exponent", jobWith("id", "1e400")},
		{"id-leading-zero", jobWith("id", "07")},
		{"id-plus", jobWith("id", "+7")},
		{"id-string", jobWith("id", `"7"`)},
		{"id-bool", jobWith("id", "true")},
		{"id-object", jobWith("id", `{"v":7}`)},
		{"id-20-digits", jobWith("id", "18446744073709551616")},
		{"total-float", `{"total_count":1.0,"jobs":[` + one + `]}`},
		{"total-over-int32", `{"total_count":4294967296,"jobs":[` + one + `]}`},
		{"total-over-int64", `{"total_count":9223372036854775808,"jobs":[` + one + `]}`},
		{"total-negative", `{"total_count":-1,"jobs":[` + one + `]}`},
		{"step-number-over-int32", stepWith("number", "2147483648")},
		{"step-number-float", stepWith("number", "1.5")},
		{"runner-id-float", jobWith("runner_id", "1.5")},
		{"runner-id-over-int64", jobWith("runner_id", "9223372036854775808")},
		{"run-attempt-string", jobWith("run_attempt", `"1"`)},
		// null where the Go field is not a pointer: encoding/json leaves the field as it is.
		{"null-id", jobWith("id", "null")},
		{"null-name", jobWith("name", "null")},
		{"null-status", jobWith("status", "null")},
		{"null-created-at", jobWith("created_at", "null")},
		{"null-labels", jobWith("labels", "null")},
		{"null-label", jobWith("labels", `[null,"x"]`)},
		{"null-steps", jobWith("steps", "null")},
		{"null-step", jobWith("steps", "[null]")},
		{"null-step-number", stepWith("number", "null")},
		{"null-job", `{"total_count":1,"jobs":[null]}`},
		{"null-jobs", `{"total_count":0,"jobs":null}`},
		{"null-total-count", `{"total_count":null,"jobs":[` + one + `]}`},
		{"null-top", `null`},
		// Other types where a field's type is fixed.
		{"name-number", jobWith("name", "5")},
		{"name-array", jobWith("name", `["b"]`)},
		{"labels-string", jobWith("labels", `"x"`)},
		{"jobs-object", `{"total_count":1,"jobs":{"id":1}}`},
		{"steps-object", jobWith("steps", `{}`)},
		{"status-number", jobWith("status", "1")},
		{"created-at-number", jobWith("created_at", "0")},
		{"conclusion-bool", jobWith("conclusion", "false")},
		// Enum values GitHub has not described: they are strings like any other.
		{"enum-status-new", jobWith("status", `"brand_new_status"`)},
		{"enum-conclusion-new", jobWith("conclusion", `"startup_failure"`)},
		{"enum-step-status-new", stepWith("status", `"pending"`)},
		{"enum-empty", jobWith("status", `""`)},
		// Times: RFC 3339 as time.Time.UnmarshalJSON reads it, and near misses.
		{"time-offset", jobWith("started_at", `"2026-10-05T09:31:09+02:00"`)},
		{"time-zero-offset", jobWith("started_at", `"2026-10-05T07:31:09+00:00"`)},
		{"time-minus-zero-offset", jobWith("started_at", `"2026-10-05T07:31:09-00:00"`)},
		{"time-nanoseconds", jobWith("started_at", `"2026-10-05T07:31:09.123456789Z"`)},
		{"time-ten-digits", jobWith("started_at", `"2026-10-05T07:31:09.1234567891Z"`)},
		{"time-lowercase", jobWith("started_at", `"2026-10-05t07:31:09z"`)},
		{"time-space", jobWith("started_at", `"2026-10-05 07:31:09Z"`)},
		{"time-no-zone", jobWith("started_at", `"2026-10-05T07:31:09"`)},
		{"time-hour-24", jobWith("started_at", `"2026-10-05T24:00:00Z"`)},
		{"time-leap-second", jobWith("started_at", `"2016-12-31T23:59:60Z"`)},
		{"time-offset-no-colon", jobWith("started_at", `"2026-10-05T07:31:09+0200"`)},
		{"time-offset-24", jobWith("started_at", `"2026-10-05T07:31:09+24:00"`)},
		{"time-comma-fraction", jobWith("started_at", `"2026-10-05T07:31:09,5Z"`)},
		{"time-date-only", jobWith("started_at", `"2026-10-05"`)},
		{"time-year-zero", jobWith("started_at", `"0000-01-01T00:00:00Z"`)},
		{"time-escaped", jobWith("started_at", `"2026\u002d10-05T07:31:09Z"`)},
		{"time-empty", jobWith("started_at", `""`)},
		{"time-feb-30", jobWith("started_at", `"2026-02-30T07:31:09Z"`)},
		// Deeply nested junk: encoding/json refuses more than 10,000 levels, the page, the
		// jobs array and the job being three (TestDecodersDeepNesting goes deeper).
		{"deep-unknown-100", jobWith("junk", nest(100, "[", "]"))},
		{"deep-unknown-10000", jobWith("junk", nest(9_997, "[", "]"))},
		{"deep-unknown-10001", jobWith("junk", nest(9_998, "[", "]"))},
		{"deep-unknown-objects", jobWith("junk", nest(20_000, `{"a":`, "}"))},
		{"deep-in-labels", jobWith("labels", nest(20_000, "[", "]"))},
		{"deep-top", nest(20_000, "[", "]")},
		// Huge values.
		{"huge-name", jobWith("name", `"`+huge+`"`)},
		{"huge-unknown-string", jobWith("junk", `"`+huge+`"`)},
		{"huge-escapes", jobWith("name", `"`+strings.Repeat(`\u00e9`, 1<<18)+`"`)},
		{"huge-number", jobWith("junk", strings.Repeat("9", 1<<20))},
		{"many-jobs", `{"total_count":10000,"jobs":[` + strings.Join(many, ",") + `]}`},
		// What follows the value, and what is not a page at all.
		{"trailing-garbage", pageOf(one) + "x"},
		{"trailing-object", pageOf(one) + "{}"},
		{"trailing-space", pageOf(one) + " \t\r\n"},
		{"trailing-nul", pageOf(one) + "\x00"},
		{"trailing-comma", pageOf(one) + ","},
		{"trailing-cut", pageOf(one)[:len(pageOf(one))-1]},
		{"leading-bom", "\ufeff" + pageOf(one)},
		{"empty", ""},
		{"space-only", " \n"},
		{"top-array", "[]"},
		{"top-string", `"page"`},
		{"top-number", "0"},
		{"comment", `{"total_count":1,/*c*/"jobs":[` + one + `]}`},
		{"nan", jobWith("id", "NaN")},
		{"single-quotes", `{'total_count':1,"jobs":[]}`},
		{"trailing-comma-array", jobWith("labels", `["x",]`)},
		{"trailing-comma-object", `{"total_count":1,"jobs":[` + one + `],}`},
		{"unquoted-key", `{total_count:1,"jobs":[]}`},
		{"html-escapes", jobWith("name", `"\u003cb\u003e \u0026"`)},
		{"unknown-fields", pageOf(job(nil, field{"x", `{"y":[1,"2",{"z":null}],"w":true}`}, field{"", `""`}))},
	}
	ins := make([]input, len(shapes))
	for i, s := range shapes {
		ins[i] = input{"hostile-" + s.name, []byte(s.json)}
	}
	return ins
}

// TestStudyInputs: no two inputs have one name, and the base job is a job (a guard against
// shapes that test nothing because the job they bend is broken in another way).
func TestStudyInputs(t *testing.T) {
	seen := map[string]bool{}
	for _, in := range studyInputs(t) {
		if seen[in.name] {
			t.Errorf("two inputs named %s", in.name)
		}
		seen[in.name] = true
	}
	var b pageBody
	if err := json.Unmarshal([]byte(pageOf(job(nil))), &b); err != nil || len(b.Jobs) != 1 || b.Jobs[0].ID != 58120443917 || len(b.Jobs[0].Steps) != 1 {
		t.Fatalf("the base job does not decode as a job: %v %+v", err, b)
	}
}
