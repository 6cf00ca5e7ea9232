package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/otelexport"
	"github.com/ghjobs/ghjobs/wrapper"
)

// The --otlp and --traceparent modes: an attempt sent to a tracing backend as one trace
// (package otelexport), and the W3C traceparent of its spans.

// otlpFlags registers --otlp URL and --traceparent.
func otlpFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.otlp, "otlp", "", "")
	fs.BoolVar(&o.traceparent, "traceparent", false, "")
}

// exporting reports whether the command sends the attempt over OTLP (--otlp, even empty).
func (o options) exporting() bool { return o.set["otlp"] }

// checkOTLPOptions refuses what --otlp and --traceparent cannot be given with.
func checkOTLPOptions(o options) error {
	listing := []string{"format", "json", "jq", "steps", "summary", "wide", "o"}
	switch {
	case o.exporting() && o.traceparent:
		return usageErr("--otlp sends the trace; --traceparent prints where it will be: give one")
	case o.exporting() && o.currentJob:
		return usageErr("--otlp sends the whole attempt: it takes no --current-job")
	case o.exporting() && anySet(o, listing):
		return usageErr("--otlp prints the trace id: it takes no --format, --json, --jq, --steps, --summary, --wide or -o")
	case o.traceparent && (o.demo || o.watch):
		return usageErr("--traceparent is of an attempt on GitHub: it takes no --demo or --watch")
	case o.traceparent && anySet(o, listing):
		return usageErr("--traceparent prints a traceparent: it takes no --format, --json, --jq, --steps, --summary, --wide or -o")
	}
	if o.otlp != "" {
		if _, err := endpointURL("--otlp", o.otlp); err != nil {
			return err
		}
	}
	return nil
}

func anySet(o options, names []string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return o.set[n] })
}

// traceparentText is what --traceparent prints: the traceparent of the current job's span
// (with --current-job, id being its job id), else of the attempt's own span.
func traceparentText(o options, a wrapper.Attempt, id int64) string {
	if o.currentJob {
		return otelexport.Traceparent(otelexport.JobSpanContext(a, id))
	}
	return otelexport.Traceparent(otelexport.AttemptSpanContext(a))
}

// endpointURL checks an OTLP endpoint given by name (a flag or variable).
func endpointURL(name, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErr("%s %q: want the collector's URL, such as http://localhost:4318", name, raw)
	}
	return u, nil
}

// collector is where the spans go: the exporter and, for messages, its address.
type collector struct {
	exp   sdktrace.SpanExporter
	where string // scheme://host/path, no credentials or query
}

// otlpProtocols are OTEL_EXPORTER_OTLP_PROTOCOL's values that OpenTelemetry's Go exporters
// speak.
const otlpProtocols = "http/protobuf (the default) or grpc"

// collector builds the exporter as OpenTelemetry's variables say, --otlp URL (the base URL,
// as OTEL_EXPORTER_OTLP_ENDPOINT is) first: the endpoint from --otlp, else
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as it is), else OTEL_EXPORTER_OTLP_ENDPOINT (the base),
// else the default, localhost:4318 (localhost:4317 for gRPC); the protocol from
// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL. Headers (a vendor's
// API key), timeout, compression and certificates the exporters read themselves, from
// OTEL_EXPORTER_OTLP_(TRACES_)HEADERS and the like.
func (c *cli) collector(ctx context.Context, flagURL string) (*collector, error) {
	protocol := firstEnv(c.getenv, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
	if protocol == "" {
		protocol = "http/protobuf"
	}
	if protocol != "http/protobuf" && protocol != "grpc" {
		return nil, usageErr("OTLP protocol %q (OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL): want %s", protocol, otlpProtocols)
	}
	grpc := protocol == "grpc"
	name, raw, base := "--otlp", flagURL, true
	switch {
	case raw != "":
	case c.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "":
		name, raw, base = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", c.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), false
	case c.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "":
		name, raw = "OTEL_EXPORTER_OTLP_ENDPOINT", c.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	case grpc:
		raw = "http://localhost:4317"
	default:
		raw = "http://localhost:4318"
	}
	u, err := endpointURL(name, raw)
	if err != nil {
		return nil, err
	}
	if base && !grpc { // OTLP/HTTP's signal path goes after the base URL's
		u = u.JoinPath("v1", "traces")
	}
	where := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	var exp sdktrace.SpanExporter
	if grpc {
		exp, err = otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(u.String()))
	} else {
		exp, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
	}
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter for %s: %w", where, err)
	}
	return &collector{exp: exp, where: where}, nil
}

func firstEnv(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(getenv(n)); v != "" {
			return strings.ToLower(v)
		}
	}
	return ""
}

// exportOTLP is `ghjobs --otlp URL OWNER/REPO RUN [ATTEMPT]`: the attempt's completed jobs
// sent as one trace, its id printed. With --watch, the attempt is followed until every job
// has completed (shown on stderr), then sent whole.
func (c *cli) exportOTLP(ctx context.Context, o options, client *wrapper.Client, a wrapper.Attempt) error {
	col, err := c.collector(ctx, o.otlp)
	if err != nil {
		return err
	}
	// A malformed OTEL_RESOURCE_ATTRIBUTES is said now, not after a --watch of hours.
	if _, err := otelexport.Resource(ctx, a); err != nil {
		return err
	}
	defer func() {
		// The exporters send nothing at shutdown: this only closes their connections.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		col.exp.Shutdown(sctx)
	}()
	// What the exporter can only log (a collector that took some spans and refused others)
	// is said as a warning.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		c.log.say("ghjobs: warning: OTLP: " + err.Error())
	}))

	var jobs iter.Seq2[wrapper.Job, error]
	var listErr error // the listing's own error, reported as such
	switch {
	case o.watch:
		if err := c.watchQuietly(ctx, o, client, a); err != nil {
			return err
		}
		jobs = sliceJobs(c.watched)
	default:
		jobs = func(yield func(wrapper.Job, error) bool) {
			stop := errors.New("stop")
			err := c.fetch(ctx, client, a, func(j wrapper.Job) error {
				if !yield(j, nil) {
					return stop
				}
				return nil
			})
			if err != nil && err != stop {
				listErr = err
				yield(wrapper.Job{}, err)
			}
		}
	}

	r, err := otelexport.Export(ctx, col.exp, a, jobs)
	switch {
	case err != nil && (errors.Is(err, wrapper.ErrInvalidInput) || listErr != nil && errors.Is(err, listErr)):
		return err
	case err != nil:
		return exportError{col.where, r, err}
	}
	c.reportExport(a, col.where, r)
	return nil
}

// watchQuietly runs --watch with its display on stderr, standard output being for the trace
// id, and keeps the jobs it saw last in c.watched. Jobs that failed are the trace's news,
// not an error of the export.
func (c *cli) watchQuietly(ctx context.Context, o options, client *wrapper.Client, a wrapper.Attempt) error {
	stdout := c.stdout
	c.stdout = c.stderr
	defer func() { c.stdout = stdout }()
	err := c.watch(ctx, o, nil, client, a)
	var verdict exitError
	if errors.As(err, &verdict) && verdict.code == 1 {
		return nil
	}
	return err
}

func sliceJobs(jobs []wrapper.Job) iter.Seq2[wrapper.Job, error] {
	return func(yield func(wrapper.Job, error) bool) {
		for _, j := range jobs {
			if !yield(j, nil) {
				return
			}
		}
	}
}

// reportExport prints the trace id on standard output, for scripts, and what was sent on
// stderr: how many jobs and spans, and what was left out while jobs were still running.
func (c *cli) reportExport(a wrapper.Attempt, where string, r otelexport.Result) {
	if r.Jobs == 0 && r.Unfinished == 0 {
		c.log.say(fmt.Sprintf("ghjobs: %s has no jobs: nothing was sent to %s", a, where))
		return
	}
	fmt.Fprintln(c.stdout, r.TraceID)
	c.log.say(fmt.Sprintf("ghjobs: sent %s to %s: %d of %s, %s", a, where,
		r.Jobs, count(r.Jobs+r.Unfinished, "job"), count(r.Spans, "span")))
	switch r.Unfinished {
	case 0:
	case 1:
		c.log.say("ghjobs: 1 job has not completed: it was left out, and so was the attempt's own span; send again once it has, or use --watch (what was sent now is sent again unchanged)")
	default:
		c.log.say(fmt.Sprintf("ghjobs: %d jobs have not completed: they were left out, and so was the attempt's own span; send again once they have, or use --watch (what was sent now is sent again unchanged)", r.Unfinished))
	}
}

// count is "1 job" or "12 jobs".
func count(n int, what string) string {
	return fmt.Sprintf("%d %s", n, render.Plural(n, what, what+"s"))
}

// exportError is a failure to send: the collector down, refusing, or too slow.
type exportError struct {
	where string
	r     otelexport.Result
	err   error
}

func (e exportError) Error() string {
	// Export's error wraps the exporter's, which quotes the collector's answer: shown,
	// never obeyed. The spans sent are said below.
	cause := errors.Unwrap(e.err)
	if cause == nil {
		cause = e.err
	}
	msg := "ghjobs: OTLP export to " + e.where + " failed: " + render.Printable(cause.Error())
	if e.r.Spans > 0 {
		msg += fmt.Sprintf(" (%d spans had been sent; exporting again sends them again, unchanged)", e.r.Spans)
	}
	return msg
}

func (e exportError) Unwrap() error { return e.err }
