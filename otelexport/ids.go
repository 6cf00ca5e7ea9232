package otelexport

import (
	"context"
	"crypto/sha256"
	"strconv"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The ids are those of the OpenTelemetry Collector's GitHub receiver (receiver/githubreceiver,
// with its default since v0.151.0, the UseCheckRunID feature gate), so that an attempt
// exported here and the same attempt seen by the receiver's webhooks are one trace, with the
// same span for each job: each is cut from the SHA-256 of a short text.

// TraceID is the attempt's trace id: the first 16 bytes of SHA-256("<run id><attempt>t").
func TraceID(runID, attempt int64) trace.TraceID {
	var id trace.TraceID
	sum := digest(strconv.FormatInt(runID, 10) + strconv.FormatInt(attempt, 10) + "t")
	copy(id[:], sum[:16])
	return id
}

// AttemptSpanID is the id of the attempt's own span, the root of its trace: bytes 8 to 15 of
// SHA-256("<run id><attempt>s").
func AttemptSpanID(runID, attempt int64) trace.SpanID {
	return spanID(strconv.FormatInt(runID, 10) + strconv.FormatInt(attempt, 10) + "s")
}

// JobSpanID is the id of a job's span: bytes 8 to 15 of SHA-256("<job id>-j"). A job id
// names one job of one attempt (a re-run makes new jobs), so the job id alone is enough.
func JobSpanID(jobID int64) trace.SpanID {
	return spanID(strconv.FormatInt(jobID, 10) + "-j")
}

// QueueSpanID is the id of the span of the time a job waited for a runner: bytes 8 to 15 of
// SHA-256("<job id>-q").
func QueueSpanID(jobID int64) trace.SpanID {
	return spanID(strconv.FormatInt(jobID, 10) + "-q")
}

// StepSpanID is the id of a step's span: bytes 8 to 15 of SHA-256("<job id>-<step name>-s")
// for the first step of that name in its job. Step names repeat within a job (two "Run
// make" steps), where the receiver's ids collide; the n-th step of a name, n ≥ 2, hashes
// "<job id>-<step name>-s#<n>" instead, which no first step's text can equal.
func StepSpanID(jobID int64, stepName string, n int) trace.SpanID {
	text := strconv.FormatInt(jobID, 10) + "-" + stepName + "-s"
	if n >= 2 {
		text += "#" + strconv.Itoa(n)
	}
	return spanID(text)
}

func digest(text string) [sha256.Size]byte { return sha256.Sum256([]byte(text)) }

func spanID(text string) trace.SpanID {
	var id trace.SpanID
	sum := digest(text)
	copy(id[:], sum[8:16])
	return id
}

// idKey carries, in a span's start context, the ids that span is to have.
type idKey struct{}

type ids struct {
	trace trace.TraceID
	span  trace.SpanID
}

// withIDs returns ctx such that a span started with it gets span id span (and, without a
// parent, trace id tid).
func withIDs(ctx context.Context, tid trace.TraceID, span trace.SpanID) context.Context {
	return context.WithValue(ctx, idKey{}, ids{tid, span})
}

// givenIDs is the SDK's IDGenerator for spans whose ids are decided beforehand: it hands
// out the ids that withIDs put in the start context. The SDK still builds, times and
// exports the spans; only the ids are ours.
type givenIDs struct{}

var _ sdktrace.IDGenerator = givenIDs{}

func (givenIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	v, ok := ctx.Value(idKey{}).(ids)
	if !ok {
		panic("otelexport: a span was started without its ids") // a bug here, not bad input
	}
	return v.trace, v.span
}

func (givenIDs) NewSpanID(ctx context.Context, _ trace.TraceID) trace.SpanID {
	v, ok := ctx.Value(idKey{}).(ids)
	if !ok {
		panic("otelexport: a span was started without its ids")
	}
	return v.span
}
