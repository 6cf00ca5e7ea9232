package wrapper

import (
	"bytes"
	"encoding/json"
	"go/version"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzUnmarshalAgrees holds unmarshal (goccy/go-json) to encoding/json: on any input, both
// fail, or both decode the same page. The one difference docs/decoders.md found is
// encoding/json's since go1.27 (its v2 engine), not goccy's: it reads a timestamp written
// with \u escapes, which go1.26's rejected as goccy does, and which GitHub never sends.
func FuzzUnmarshalAgrees(f *testing.F) {
	for _, seed := range []string{
		`{"total_count":1,"jobs":[{"id":1,"run_id":2,"run_url":"u","node_id":"n","head_sha":"s","url":"u","html_url":null,"status":"queued","conclusion":null,"created_at":"2026-11-24T12:00:00Z","started_at":"2026-11-24T12:00:00Z","completed_at":null,"name":"build","check_run_url":"u","labels":["a"],"runner_id":null,"runner_name":null,"runner_group_id":null,"runner_group_name":null,"workflow_name":"ci","head_branch":"main","run_attempt":2,"steps":[{"name":"s","status":"completed","conclusion":"success","number":1,"started_at":"2026-11-24T12:00:01.5+01:00","completed_at":null}]}]}`,
		`{"total_count":9007199254740993,"jobs":[{"id":8619614041,"run_id":-1,"steps":null}]}`,
		`{"total_count":1,"jobs":[{"id":1,"id":2,"name":"\ud83d\ude00 \u0000","labels":null}],"extra":{"x":[1,2,{}]}}`,
		`{"total_count":1,"jobs":[{"id":1e3}]}`,
		`{"total_count":1,"jobs":[{"id":"1"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"created_at":"2026-11-24"}]}`,
		`{"total_count":1,"jobs":[{"id":1,"status":7}]}`,
		`{"TOTAL_COUNT":1,"Jobs":[{"ID":3}]}`,
		`{"total_count":1,"jobs":[{"id":1,"name":"\xff"}]}`,
		`{"total_count":1,"jobs":[` + strings.Repeat("[", 200) + `]}`,
		`{"total_count":1,"jobs":[]} trailing`,
		`null`, `[]`, `{}`, ``, ` {"total_count":0,"jobs":[]} `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got, want pageBody
		errGot := unmarshal(bytes.Clone(data), &got)
		errWant := json.Unmarshal(data, &want)
		switch {
		case errGot != nil && errWant == nil && stdReadsEscapedTimes() && bytes.Contains(data, []byte(`\u`)):
			return // encoding/json's v2 engine's leniency, above
		case (errGot == nil) != (errWant == nil):
			t.Fatalf("goccy: %v; encoding/json: %v; input %q", errGot, errWant, data)
		case errGot == nil:
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("goccy and encoding/json decode %q apart (-encoding/json +goccy):\n%s", data, d)
			}
		}
	})
}

// stdReadsEscapedTimes reports whether encoding/json reads a timestamp written with \u
// escapes: from go1.27, whose encoding/json is the v2 engine.
func stdReadsEscapedTimes() bool {
	v := runtime.Version()
	return !version.IsValid(v) || version.Compare(v, "go1.27") >= 0
}
