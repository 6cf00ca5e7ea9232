// Package otelexport sends a workflow run attempt to a tracing backend as one OpenTelemetry
// trace, so that a slow queue, a slow runner or a flaky step shows next to the services'
// own traces in Jaeger, Grafana Tempo, Honeycomb, Datadog or anything else that takes OTLP:
//
//	exp, err := otlptracehttp.New(ctx) // OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, ... apply
//	...
//	res, err := otelexport.Export(ctx, exp, a, client.Jobs(ctx, a))
//	exp.Shutdown(ctx)
//
// # The trace
//
// One span for the attempt (kind Server), named after the workflow; under it one for each
// completed job (kind Internal), named after the job, from its started_at to its
// completed_at exactly (a job or step GitHub timed at no length, as it does skipped ones,
// lasts MinDuration); under each job a span named "queued" from its created_at to its
// started_at, the time it waited for a runner (it lies before its job's span, as the wait
// came before the job), and one span for each step that ran, named after the step. A
// failed, timed-out, cancelled or never-started (startup_failure) job or step has status
// Error and error.type. The attributes are those of OpenTelemetry's CICD semantic
// conventions (cicd.pipeline.*, cicd.pipeline.task.*, cicd.worker.*, vcs.*, semconv
// v1.43.0), with GitHub's own (AttemptKey, JobLabelsKey, ...) where the conventions have no
// key; README's attribute table lists them.
//
// # The same attempt, the same trace
//
// Ids are not random: they are derived from the run, the attempt, the job and the step
// (TraceID, AttemptSpanID, JobSpanID, QueueSpanID, StepSpanID), by the scheme of the
// OpenTelemetry Collector's GitHub receiver, through an sdktrace.IDGenerator that hands
// each span the id decided for it. Exporting an attempt twice sends the same spans, and a
// program inside a job can parent its own spans under the job's span before the job has
// ended: JobSpanContext and Traceparent give it the W3C traceparent (the command prints it
// with `ghjobs --current-job --traceparent`).
//
// # Unfinished attempts and big ones
//
// Only completed jobs are sent, and the attempt's span only once every job has completed,
// so that each span is sent with its final times and result; exporting a running attempt
// again later sends what finished since. Jobs are turned into spans as the listing yields
// them and handed to the exporter synchronously in batches of DefaultBatchSize spans, so
// memory stays that of one batch however many jobs the attempt has, a slow collector slows
// the listing rather than filling memory, and the first error ends the export.
package otelexport
