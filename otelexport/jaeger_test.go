package otelexport

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/ghjobs/ghjobs/internal/jaegertest"
)

// TestJaegerRoundTrip exports the test attempt over OTLP/HTTP to a real Jaeger and reads it
// back through Jaeger's query API, as its UI does: every span, its parent, its times to the
// microsecond, its attributes and errors, the resource; then exports it again, which gives
// the same trace, not a second copy of its spans.
func TestJaegerRoundTrip(t *testing.T) {
	j := jaeger.Get(t)
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(j.OTLPHTTP+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Shutdown(ctx)
	r, err := Export(ctx, exp, testAttempt, seqOf(testJobs()))
	if err != nil {
		t.Fatal(err)
	}
	first := readBack(t, j, r.TraceID)
	checkJaegerTrace(t, first, testWants())

	r2, err := Export(ctx, exp, testAttempt, seqOf(testJobs()))
	if err != nil || r2.TraceID != r.TraceID {
		t.Fatalf("second export: trace %s, %v; want %s", r2.TraceID, err, r.TraceID)
	}
	second := readBack(t, j, r.TraceID)
	checkJaegerTrace(t, second, testWants())
}

// TestJaegerOverGRPC: the same over OTLP/gRPC, for another attempt of the run.
func TestJaegerOverGRPC(t *testing.T) {
	j := jaeger.Get(t)
	ctx := context.Background()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(j.OTLPGRPC))
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Shutdown(ctx)
	a := testAttempt
	a.Number = 3
	r, err := Export(ctx, exp, a, seqOf(testJobs()))
	if err != nil {
		t.Fatal(err)
	}
	if r.TraceID != TraceID(a.RunID, 3) || r.TraceID == TraceID(a.RunID, testAttempt.Number) {
		t.Errorf("attempt 3's trace is %s", r.TraceID)
	}
	tr := readBack(t, j, r.TraceID)
	if len(tr.Spans) != len(testWants()) {
		t.Errorf("%d spans, want %d", len(tr.Spans), len(testWants()))
	}
	for _, s := range tr.Spans {
		if s.SpanID == AttemptSpanID(a.RunID, 3).String() {
			if v, _ := s.Tag("github.workflow.run.attempt"); v != float64(3) {
				t.Errorf("the attempt's span says attempt %v", v)
			}
		}
	}
}

func readBack(t *testing.T, j *jaegertest.Jaeger, id trace.TraceID) jaegertest.Trace {
	t.Helper()
	tr, found, err := j.Trace(context.Background(), id.String())
	if err != nil || !found {
		t.Fatalf("trace %s: found %v, %v\nJaeger's log:\n%s", id, found, err, j.Log())
	}
	return tr
}

// checkJaegerTrace compares a trace as Jaeger's query API gives it with the spans wanted.
func checkJaegerTrace(t *testing.T, tr jaegertest.Trace, wants map[trace.SpanID]want) {
	t.Helper()
	if len(tr.Spans) != len(wants) {
		t.Errorf("trace %s has %d spans, want %d", tr.TraceID, len(tr.Spans), len(wants))
	}
	if len(tr.Warnings) > 0 {
		t.Errorf("trace warnings: %q", tr.Warnings)
	}
	seen := map[string]bool{}
	for _, s := range tr.Spans {
		if seen[s.SpanID] {
			t.Errorf("span %q (%s) twice", s.OperationName, s.SpanID)
		}
		seen[s.SpanID] = true
		var id trace.SpanID
		if b, err := trace.SpanIDFromHex(s.SpanID); err == nil {
			id = b
		}
		w, ok := wants[id]
		if !ok {
			t.Errorf("unexpected span %q (%s)", s.OperationName, s.SpanID)
			continue
		}
		wantParent := ""
		if w.parent.IsValid() {
			wantParent = w.parent.String()
		}
		if s.OperationName != w.name || s.Parent() != wantParent || s.TraceID != tr.TraceID {
			t.Errorf("span %s: %q under %q in %s, want %q under %q", s.SpanID, s.OperationName, s.Parent(), s.TraceID, w.name, wantParent)
		}
		if start, d := w.start.UnixMicro(), w.end.Sub(w.start).Microseconds(); s.StartTime != start || s.Duration != d {
			t.Errorf("span %q: starts %d µs, lasts %d µs; want %d and %d", s.OperationName, s.StartTime, s.Duration, start, d)
		}
		kind := "internal"
		if w.kind == trace.SpanKindServer {
			kind = "server"
		}
		tags := map[string]any{"span.kind": kind, "otel.scope.name": ScopeName}
		if w.status == codes.Error {
			tags["error"], tags["otel.status_code"], tags["otel.status_description"] = true, "ERROR", w.desc
		} else {
			tags["error"], tags["otel.status_code"] = nil, nil
		}
		for k, v := range w.attrs {
			tags[string(k)] = jaegerValue(v)
		}
		for k, v := range tags {
			got, ok := s.Tag(k)
			switch {
			case v == nil && ok:
				t.Errorf("span %q: tag %s = %v, want none", s.OperationName, k, got)
			case v != nil && got != v:
				t.Errorf("span %q: tag %s = %#v, want %#v", s.OperationName, k, got, v)
			}
		}
		// Jaeger notes a child that starts before its parent, as the wait for a runner does
		// (it would move it only if clock-skew adjustment were on, which it is not by
		// default); any other warning is a fault.
		for _, warning := range s.Warnings {
			if w.name != QueueSpanName || !strings.HasPrefix(warning, "clock skew adjustment disabled") {
				t.Errorf("span %q: warning %q", s.OperationName, warning)
			}
		}
		p := tr.Processes[s.ProcessID]
		if p.ServiceName != "octo-repo" {
			t.Errorf("span %q: service %q", s.OperationName, p.ServiceName)
		}
		for k, v := range map[string]string{"vcs.provider.name": "github", "vcs.owner.name": "octo-org", "vcs.repository.name": "Octo_Repo"} {
			if got, _ := p.Tag(k); got != v {
				t.Errorf("span %q: resource %s = %v, want %q", s.OperationName, k, got, v)
			}
		}
	}
}

// jaegerValue is an attribute's value as Jaeger's JSON gives it: numbers as float64, and
// arrays as JSON text.
func jaegerValue(v any) any {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case []string:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return v
}
