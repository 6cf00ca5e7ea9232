package otelexport

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/ghjobs/ghjobs/wrapper"
)

// ScopeName is the instrumentation scope of the spans, as backends show it.
const ScopeName = "github.com/ghjobs/ghjobs/otelexport"

// DefaultBatchSize is how many spans go to the exporter at a time: the OpenTelemetry SDK's
// default export batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE).
const DefaultBatchSize = 512

// MinDuration is the length of a span that GitHub timed as taking no time, or less.
const MinDuration = time.Microsecond

// QueueSpanName is the name of the span of the time a job waited for a runner.
const QueueSpanName = "queued"

// Result says what Export sent.
type Result struct {
	TraceID trace.TraceID // the attempt's trace: TraceID(run, attempt)
	Jobs    int           // jobs sent, each as a span
	Spans   int           // spans sent: the attempt's, jobs', waits' and steps'
	// Unfinished counts the jobs left out because they had not completed.
	Unfinished int
	// Attempt reports whether the attempt's own span, the trace's root, was sent: only
	// when every job had completed, so that it is sent once, with its final end and result.
	Attempt bool
}

// Option configures Export.
type Option func(*config)

type config struct {
	res       []*resource.Resource
	batchSize int
}

// WithBatchSize sets how many spans are handed to the exporter at a time (default
// DefaultBatchSize). Export holds at most one batch of spans: memory does not grow with the
// attempt.
func WithBatchSize(n int) Option {
	return func(c *config) { c.batchSize = n }
}

// Export sends attempt a as one trace to exp: a span for the attempt, named after the
// workflow; under it one for each job that has completed, from started_at to completed_at;
// under each job one for the time it waited for a runner (created_at to started_at, named
// QueueSpanName) and one for each step that ran. The spans follow OpenTelemetry's CICD
// semantic conventions, and have the ids that TraceID, AttemptSpanID, JobSpanID,
// QueueSpanID and StepSpanID give, so that exporting an attempt again sends the same spans.
//
// jobs are the attempt's jobs, as Client.Jobs lists them; they are turned into spans as they
// come and sent to exp in batches (WithBatchSize), so an attempt of any size takes the
// memory of one batch. Jobs that have not completed are left out (Result.Unfinished), and
// the attempt's span is sent only once every job has completed: export a running attempt
// again later, and what was sent before is sent again unchanged, with what finished since.
//
// The first error, of the listing or of exp, ends the export; the spans already sent stay
// sent. Export neither flushes nor shuts down exp: that is the caller's, who made it.
func Export(ctx context.Context, exp sdktrace.SpanExporter, a wrapper.Attempt, jobs iter.Seq2[wrapper.Job, error], opts ...Option) (Result, error) {
	cfg := config{batchSize: DefaultBatchSize}
	for _, o := range opts {
		o(&cfg)
	}
	switch err := a.Validate(); {
	case err != nil:
		return Result{}, err
	case exp == nil:
		return Result{}, fmt.Errorf("%w: no span exporter", wrapper.ErrInvalidInput)
	case jobs == nil:
		return Result{}, fmt.Errorf("%w: no jobs to export", wrapper.ErrInvalidInput)
	case cfg.batchSize < 1:
		return Result{}, fmt.Errorf("%w: batch size %d: want at least 1", wrapper.ErrInvalidInput, cfg.batchSize)
	}
	res, err := Resource(ctx, a, cfg.res...)
	if err != nil {
		return Result{}, err
	}

	b := newBatcher(ctx, exp, cfg.batchSize)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithIDGenerator(givenIDs{}),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(b),
	)
	defer tp.Shutdown(context.WithoutCancel(ctx)) // the batcher's Shutdown leaves exp alone
	x := &exporter{
		tracer: tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		a:      a,
		tid:    TraceID(a.RunID, a.Number),
		sum:    rootSummary{results: map[string]bool{}},
	}
	root := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: x.tid, SpanID: AttemptSpanID(a.RunID, a.Number), TraceFlags: trace.FlagsSampled,
	})
	// The jobs' spans name the attempt's as their parent before it exists: its id is known,
	// and its times are known only once every job has been seen.
	x.parent = trace.ContextWithSpanContext(ctx, root)

	r := Result{TraceID: x.tid}
	for job, err := range jobs {
		if err != nil {
			return b.result(r), err
		}
		if job.Status != wrapper.JobStatusCompleted {
			r.Unfinished++
			x.sum.see(&job, false)
			continue
		}
		x.sum.see(&job, true)
		x.job(&job)
		r.Jobs++
		if b.err != nil {
			return b.result(r), b.err
		}
	}
	if r.Unfinished == 0 && x.sum.jobs > 0 {
		x.attempt()
		r.Attempt = true
	}
	if err := b.flush(); err != nil {
		r.Attempt = false
		return b.result(r), err
	}
	return b.result(r), nil
}

// exporter turns one attempt's jobs into spans.
type exporter struct {
	tracer trace.Tracer
	a      wrapper.Attempt
	tid    trace.TraceID
	parent context.Context // carries the attempt's span context
	sum    rootSummary
}

// start starts a span with the given id under the span of ctx. The attributes are given at
// the start, as the conventions ask of those a sampler may look at.
func (x *exporter) start(ctx context.Context, id trace.SpanID, name string, at time.Time, kind trace.SpanKind, attrs []attribute.KeyValue) trace.Span {
	_, span := x.tracer.Start(withIDs(ctx, x.tid, id), name,
		trace.WithTimestamp(at), trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
	return span
}

// job sends a completed job's span, its wait's and its steps'.
func (x *exporter) job(j *wrapper.Job) {
	o := outcomeOf(conclusion(j))
	start, end := ordered(j.StartedAt, completedAt(j))
	if start.IsZero() { // a job that never started: it began and ended when it was created
		start, end = ordered(j.CreatedAt, completedAt(j))
	}
	span := x.start(x.parent, JobSpanID(j.ID), j.Name, start, trace.SpanKindInternal, jobAttributes(j, o))
	if o.err {
		span.SetStatus(o.status(), conclusion(j))
	}
	inJob := trace.ContextWithSpanContext(x.parent, span.SpanContext())

	if !j.CreatedAt.IsZero() && j.StartedAt.After(j.CreatedAt) {
		q := x.start(inJob, QueueSpanID(j.ID), QueueSpanName, j.CreatedAt, trace.SpanKindInternal, nil)
		q.End(trace.WithTimestamp(j.StartedAt))
	}

	jobURL := ""
	if j.HTMLURL != nil {
		jobURL = *j.HTMLURL
	}
	names := make(map[string]int, len(j.Steps))
	for i := range j.Steps {
		s := &j.Steps[i]
		names[s.Name]++
		if s.StartedAt == nil || s.CompletedAt == nil {
			continue // never ran (a job cancelled before it came to the step): nothing to time
		}
		so := outcomeOf(stepConclusion(s))
		sstart, send := ordered(*s.StartedAt, *s.CompletedAt)
		step := x.start(inJob, StepSpanID(j.ID, s.Name, names[s.Name]), s.Name, sstart, trace.SpanKindInternal, stepAttributes(s, so, jobURL))
		if so.err {
			step.SetStatus(so.status(), stepConclusion(s))
		}
		step.End(trace.WithTimestamp(send))
	}
	span.End(trace.WithTimestamp(end))
	x.sum.results[o.result] = true
}

// attempt sends the attempt's span: named after the workflow, from the first job's creation
// to the last job's completion.
func (x *exporter) attempt() {
	name := x.sum.workflow
	if name == "" {
		name = "run " + strconv.FormatInt(x.a.RunID, 10)
	}
	start, end := ordered(x.sum.start, x.sum.end)
	// The root: no parent, whatever span the caller's context carries.
	noParent := trace.ContextWithSpanContext(x.parent, trace.SpanContext{})
	span := x.start(noParent, AttemptSpanID(x.a.RunID, x.a.Number), name, start, trace.SpanKindServer, x.sum.attributes(x.a))
	if o := x.sum.outcome(); o.err {
		span.SetStatus(o.status(), o.result)
	}
	span.End(trace.WithTimestamp(end))
}

// ordered returns start and end, the end at least a microsecond after the start: GitHub
// times to the second, so a skipped job or step started and completed in the same second,
// and some it even completed before they started. Backends take a span without length for
// a broken one (Jaeger stores it with a warning, and again on every export); a microsecond,
// the least Jaeger shows, is below what GitHub's clock tells.
func ordered(start, end time.Time) (time.Time, time.Time) {
	if !end.After(start) {
		return start, start.Add(MinDuration)
	}
	return start, end
}

func completedAt(j *wrapper.Job) time.Time {
	if j.CompletedAt == nil {
		return j.StartedAt
	}
	return *j.CompletedAt
}

// rootSummary is what the attempt's span needs from its jobs, gathered as they pass: a few
// fields, whatever the number of jobs.
type rootSummary struct {
	jobs                           int
	workflow, htmlURL, sha, branch string
	start, end                     time.Time
	results                        map[string]bool // the completed jobs' results
}

// see takes in one job; done reports whether it has completed.
func (r *rootSummary) see(j *wrapper.Job, done bool) {
	r.jobs++
	if r.workflow == "" && j.WorkflowName != nil {
		r.workflow = *j.WorkflowName
	}
	if r.htmlURL == "" && j.HTMLURL != nil {
		r.htmlURL = *j.HTMLURL
	}
	if r.sha == "" {
		r.sha = j.HeadSHA
	}
	if r.branch == "" && j.HeadBranch != nil {
		r.branch = *j.HeadBranch
	}
	first := j.CreatedAt
	if first.IsZero() {
		first = j.StartedAt
	}
	if !first.IsZero() && (r.start.IsZero() || first.Before(r.start)) {
		r.start = first
	}
	if done {
		if last := completedAt(j); last.After(r.end) {
			r.end = last
		}
	}
}

func (r *rootSummary) outcome() outcome { return attemptOutcome(r.results) }
