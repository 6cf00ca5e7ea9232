package otelexport

import (
	"testing"

	"github.com/ghjobs/ghjobs/wrapper"
)

// TestIDsAreTheCollectorReceivers: the ids are those the OpenTelemetry Collector's GitHub
// receiver gives the same run, attempt, job and step. The expected values were computed
// apart from this code, with `printf '%s' TEXT | sha256sum`: the trace id is the first 32
// hex digits, a span id hex digits 17 to 32.
func TestIDsAreTheCollectorReceivers(t *testing.T) {
	for _, tc := range []struct{ what, got, want string }{
		{"TraceID(29679449, 1) from 296794491t", TraceID(29679449, 1).String(), "57ad0e5b5ab9637b07920f96b3520fe2"},
		{"AttemptSpanID(29679449, 1) from 296794491s", AttemptSpanID(29679449, 1).String(), "af25f139d1b6b31b"},
		{"JobSpanID from 30000000001-j", JobSpanID(30000000001).String(), "04172221011e34ac"},
		{"QueueSpanID from 30000000001-q", QueueSpanID(30000000001).String(), "ce42396d5d4e910c"},
		{"StepSpanID from '30000000001-Set up job-s'", StepSpanID(30000000001, "Set up job", 1).String(), "93cb0b7bc2439a06"},
		{"a second 'Run make', from '30000000001-Run make-s#2'", StepSpanID(30000000001, "Run make", 2).String(), "e5e09d30edec0a66"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %s, want %s", tc.what, tc.got, tc.want)
		}
	}
}

// TestIDsTellApart: what differs gives different ids; a repeated step name does not collide
// with the first step of that name, nor with a step whose own name looks like the suffix.
func TestIDsTellApart(t *testing.T) {
	if TraceID(1, 2) == TraceID(1, 3) || TraceID(1, 2) == TraceID(2, 2) {
		t.Error("trace ids of different attempts or runs are equal")
	}
	seen := map[string]string{}
	for _, tc := range []struct {
		what string
		id   string
	}{
		{"job", JobSpanID(7).String()},
		{"queue", QueueSpanID(7).String()},
		{"other job", JobSpanID(8).String()},
		{"step a", StepSpanID(7, "a", 1).String()},
		{"second a", StepSpanID(7, "a", 2).String()},
		{"third a", StepSpanID(7, "a", 3).String()},
		{"step a-s#2", StepSpanID(7, "a-s#2", 1).String()},
		{"step a of job 8", StepSpanID(8, "a", 1).String()},
		{"attempt", AttemptSpanID(7, 1).String()},
	} {
		if other, ok := seen[tc.id]; ok {
			t.Errorf("%s and %s have the same id %s", tc.what, other, tc.id)
		}
		seen[tc.id] = tc.what
	}
}

func TestTraceparent(t *testing.T) {
	a := wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1}
	if got, want := Traceparent(JobSpanContext(a, 30000000001)), "00-57ad0e5b5ab9637b07920f96b3520fe2-04172221011e34ac-01"; got != want {
		t.Errorf("job traceparent = %q, want %q", got, want)
	}
	if got, want := Traceparent(AttemptSpanContext(a)), "00-57ad0e5b5ab9637b07920f96b3520fe2-af25f139d1b6b31b-01"; got != want {
		t.Errorf("attempt traceparent = %q, want %q", got, want)
	}
}
