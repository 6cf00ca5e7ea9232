package otelexport

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/ghjobs/ghjobs/wrapper"
)

// JobSpanContext is the span context of job jobID's span in attempt a's trace, marked
// remote and sampled: the parent for spans that a program running in the job makes, such
// as a test runner's, which then sit under the job's span once the attempt is exported.
func JobSpanContext(a wrapper.Attempt, jobID int64) trace.SpanContext {
	return remote(TraceID(a.RunID, a.Number), JobSpanID(jobID))
}

// AttemptSpanContext is the span context of the attempt's own span, the root of its trace,
// marked remote and sampled.
func AttemptSpanContext(a wrapper.Attempt) trace.SpanContext {
	return remote(TraceID(a.RunID, a.Number), AttemptSpanID(a.RunID, a.Number))
}

func remote(tid trace.TraceID, sid trace.SpanID) trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true,
	})
}

// Traceparent is sc as a W3C traceparent value ("00-<trace id>-<span id>-01"), as HTTP's
// traceparent header and the TRACEPARENT environment variable carry it.
func Traceparent(sc trace.SpanContext) string {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(trace.ContextWithRemoteSpanContext(context.Background(), sc), carrier)
	return carrier.Get("traceparent")
}
