package otelexport_test

import (
	"context"
	"fmt"
	"log"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/otelexport"
	"github.com/ghjobs/ghjobs/wrapper"
)

// Sending an attempt: list it with the client and hand the listing to Export, which sends
// the spans as the jobs come. In a program, the exporter is an OTLP one, such as
// otlptracehttp.New(ctx), which reads OTEL_EXPORTER_OTLP_ENDPOINT and _HEADERS; here it
// keeps the spans in memory, and the attempt comes from the fake API.
func ExampleExport() {
	ctx := context.Background()
	srv, err := api.NewServer(api.WithRun(api.SampleRun("octo-org", "octo-repo", 29679449, 1, 12)))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	exp := tracetest.NewInMemoryExporter() // otlptracehttp.New(ctx)
	defer exp.Shutdown(ctx)

	a := wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1}
	r, err := otelexport.Export(ctx, exp, a, client.Jobs(ctx, a))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trace", r.TraceID)
	fmt.Printf("%d jobs, %d spans, the attempt's own span sent: %v\n", r.Jobs, r.Spans, r.Attempt)
	// Output:
	// trace 57ad0e5b5ab9637b07920f96b3520fe2
	// 12 jobs, 146 spans, the attempt's own span sent: true
}

// A step's own spans can join the trace while the job runs: the job's span has an id known
// beforehand, and Traceparent gives it as a W3C traceparent, for TRACEPARENT or an HTTP
// header (`ghjobs --current-job --traceparent` prints it inside a job).
func ExampleTraceparent() {
	a := wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1}
	fmt.Println(otelexport.Traceparent(otelexport.JobSpanContext(a, 30000000001)))
	// Output: 00-57ad0e5b5ab9637b07920f96b3520fe2-04172221011e34ac-01
}
