package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/jaegertest"
	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/otelexport"
	"github.com/ghjobs/ghjobs/wrapper"
)

// jaeger is the one Jaeger of this test binary, started by the first test that needs it.
var jaeger jaegertest.Shared

var traceIDLine = regexp.MustCompile(`^[0-9a-f]{32}\n$`)

// spansOf is how many spans an attempt's jobs make: one a completed job, one for its wait
// if it waited, one a step that ran, and the attempt's own once every job has completed.
func spansOf(jobs []wrapper.Job) (spans, unfinished int) {
	for _, j := range jobs {
		if j.Status != wrapper.JobStatusCompleted {
			unfinished++
			continue
		}
		spans++
		if j.StartedAt.After(j.CreatedAt) {
			spans++
		}
		for _, s := range j.Steps {
			if s.StartedAt != nil && s.CompletedAt != nil {
				spans++
			}
		}
	}
	if unfinished == 0 && len(jobs) > 0 {
		spans++
	}
	return spans, unfinished
}

func readTrace(t *testing.T, j *jaegertest.Jaeger, id string) jaegertest.Trace {
	t.Helper()
	tr, found, err := j.Trace(context.Background(), id)
	if err != nil || !found {
		t.Fatalf("trace %s: found %v, %v\nJaeger's log:\n%s", id, found, err, j.Log())
	}
	return tr
}

// TestOTLPToJaeger: --otlp sends the fixture run (every kind of job GitHub shows, a
// waiting one among them) to a real Jaeger over OTLP/HTTP and over gRPC, prints the trace
// id alone on standard output, and says on stderr what was sent and what was left out.
func TestOTLPToJaeger(t *testing.T) {
	j := jaeger.Get(t)
	t.Setenv("OTEL_SERVICE_NAME", "ci-traces")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=ci")
	srv, env := fixtureServer(t)
	run := fixtureRun()
	wantSpans, unfinished := spansOf(run.Jobs)
	a := wrapper.Attempt{Owner: fixtureOwner, Repo: fixtureRepo, RunID: fixtureRunID, Number: 1}
	wantID := otelexport.TraceID(a.RunID, a.Number).String()

	for _, tt := range []struct {
		name     string
		protocol string
		url      string
		where    string
	}{
		{"http/protobuf", "", j.OTLPHTTP, j.OTLPHTTP + "/v1/traces"},
		{"grpc", "grpc", j.OTLPGRPC, j.OTLPGRPC},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"GITHUB_API_URL": env["GITHUB_API_URL"], "GH_TOKEN": env["GH_TOKEN"], "OTEL_EXPORTER_OTLP_PROTOCOL": tt.protocol}
			before := len(srv.Fake.Requests())
			code, out, errOut := ghjobs(t, env, append([]string{"--otlp", tt.url}, fixtureArgs...)...)
			if code != 0 || out != wantID+"\n" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and the trace id %s", code, out, errOut, wantID)
			}
			if n := len(srv.Fake.Requests()) - before; n != 3 {
				t.Errorf("%d requests to GitHub, want the 3 pages", n)
			}
			for _, want := range []string{
				fmt.Sprintf("ghjobs: sent %s to %s: %d of 250 jobs, %d spans\n", a, tt.where, 250-unfinished, wantSpans),
				fmt.Sprintf("ghjobs: %d jobs have not completed: they were left out, and so was the attempt's own span", unfinished),
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q, want %q", errOut, want)
				}
			}
			tr := readTrace(t, j, wantID)
			if len(tr.Spans) != wantSpans || unfinished == 0 {
				t.Errorf("Jaeger has %d spans, want %d (%d jobs unfinished)", len(tr.Spans), wantSpans, unfinished)
			}
			for _, s := range tr.Spans {
				p := tr.Processes[s.ProcessID]
				if env, _ := p.Tag("deployment.environment.name"); p.ServiceName != "ci-traces" || env != "ci" {
					t.Fatalf("span %q: service %q, environment %v: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES not applied", s.OperationName, p.ServiceName, env)
				}
			}
		})
	}
}

// TestOTLPEndpointFromEnvironment: with --otlp ”, the endpoint is OpenTelemetry's
// variables': the traces endpoint as it is, else the base endpoint with /v1/traces.
func TestOTLPEndpointFromEnvironment(t *testing.T) {
	j := jaeger.Get(t)
	srv := api.NewTestServer(t, api.WithRun(api.SampleRun(fixtureOwner, fixtureRepo, fixtureRunID+39, 1, 12)))
	for name, value := range map[string]string{
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": j.OTLPHTTP + "/v1/traces",
		"OTEL_EXPORTER_OTLP_ENDPOINT":        j.OTLPHTTP,
	} {
		e := map[string]string{"GITHUB_API_URL": srv.URL, name: value}
		code, out, errOut := ghjobs(t, e, "--otlp", "", fixtureOwner+"/"+fixtureRepo, "12345678940")
		if code != 0 || !traceIDLine.MatchString(out) || !strings.Contains(errOut, " to "+j.OTLPHTTP+"/v1/traces: ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, errOut)
		}
	}
}

// otlpSink is a collector that answers every export with status (200: accepted), and
// keeps the headers it was sent.
type otlpSink struct {
	status  int
	body    string // what it says when it refuses
	mu      sync.Mutex
	headers []http.Header
}

func (s *otlpSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.headers = append(s.headers, r.Header.Clone())
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(s.status)
	if s.status != http.StatusOK {
		w.Write([]byte(s.body))
	}
}

// TestOTLPHeaders: OTEL_EXPORTER_OTLP_HEADERS (a vendor's API key) reaches the collector,
// and neither credential crosses over: the GitHub token never goes to the collector, the
// collector's key never to GitHub.
func TestOTLPHeaders(t *testing.T) {
	sink := &otlpSink{status: http.StatusOK}
	col := httptest.NewServer(sink)
	defer col.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-honeycomb-team=otlp-secret,x-honeycomb-dataset=ci")
	srv, env := fixtureServer(t)
	code, out, errOut := ghjobs(t, env, append([]string{"--otlp", col.URL}, fixtureArgs...)...)
	if code != 0 || !traceIDLine.MatchString(out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.headers) == 0 {
		t.Fatal("the collector got nothing")
	}
	for _, h := range sink.headers {
		if h.Get("X-Honeycomb-Team") != "otlp-secret" || h.Get("X-Honeycomb-Dataset") != "ci" {
			t.Errorf("the collector got headers %v, want OTEL_EXPORTER_OTLP_HEADERS'", h)
		}
		if strings.Contains(strings.Join(flatten(h), " "), fixtureToken) {
			t.Error("the GitHub token was sent to the collector")
		}
	}
	for _, r := range srv.Fake.Requests() {
		if strings.Contains(strings.Join(flatten(r.Header), " "), "otlp-secret") {
			t.Error("the collector's key was sent to GitHub")
		}
	}
}

func flatten(h http.Header) []string {
	var out []string
	for k, vs := range h {
		out = append(out, k+": "+strings.Join(vs, ","))
	}
	return out
}

// TestOTLPCollectorFaults: a collector that is down, refuses, keeps failing or never
// answers is a clear error and a non-zero exit, within --timeout; the GitHub listing
// itself succeeded.
func TestOTLPCollectorFaults(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	refusing := httptest.NewServer(&otlpSink{status: http.StatusUnauthorized, body: "invalid API key"})
	defer refusing.Close()
	hostile := httptest.NewServer(&otlpSink{status: http.StatusBadRequest, body: "\x1b[2J\x1b[31mbad\u202e request"})
	defer hostile.Close()
	failing := httptest.NewServer(&otlpSink{status: http.StatusServiceUnavailable})
	defer failing.Close()
	_, env := fixtureServer(t)
	for _, tt := range []struct {
		name string
		url  string
		code int
		want []string
	}{
		{"down", down, 1, []string{"ghjobs: OTLP export to " + down + "/v1/traces failed: ", "connection refused"}},
		{"refusing", refusing.URL, 1, []string{"ghjobs: OTLP export to " + refusing.URL + "/v1/traces failed: ", "401", "invalid API key"}},
		{"refusing with terminal escapes", hostile.URL, 1, []string{"ghjobs: OTLP export to " + hostile.URL + "/v1/traces failed: ", "400", "bad"}},
		{"503 until --timeout", failing.URL, 124, []string{"ghjobs: OTLP export to ", ": gave up after 1s (--timeout 1s)\n"}},
		{"never answering until --timeout", hangingServer(t), 124, []string{"ghjobs: OTLP export to ", ": gave up after 1s (--timeout 1s)\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := ghjobs(t, env, append([]string{"--timeout", "1s", "--otlp", tt.url}, fixtureArgs...)...)
			if code != tt.code || out != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q, want %q", errOut, w)
				}
			}
			if strings.Count(errOut, "ghjobs: ghjobs:") > 0 || strings.Contains(errOut, fixtureToken) || strings.ContainsAny(errOut, "\x1b\u202e") {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

// TestOTLPUsage: what cannot work is refused before any request, to GitHub or a collector.
func TestOTLPUsage(t *testing.T) {
	srv, env := fixtureServer(t)
	sink := &otlpSink{status: http.StatusOK}
	col := httptest.NewServer(sink)
	defer col.Close()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--otlp", "ftp://collector"}, nil, `--otlp "ftp://collector": want the collector's URL`},
		{[]string{"--otlp", "localhost:4318"}, nil, "want the collector's URL, such as http://localhost:4318"},
		{[]string{"--otlp", col.URL, "--format", "json"}, nil, "--otlp prints the trace id: it takes no --format"},
		{[]string{"--otlp", col.URL, "--summary"}, nil, "it takes no --format, --json, --jq, --steps, --summary"},
		{[]string{"--otlp", col.URL, "-o", "x"}, nil, "it takes no --format"},
		{[]string{"--otlp", col.URL, "--traceparent"}, nil, "give one"},
		{[]string{"--otlp", col.URL}, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, `OTLP protocol "http/json"`},
		{[]string{"--otlp", ""}, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, `OTEL_EXPORTER_OTLP_ENDPOINT "collector:4318"`},
		{[]string{"--traceparent", "--format", "csv"}, nil, "--traceparent prints a traceparent"},
		{[]string{"--traceparent", "--watch"}, nil, "--traceparent is of an attempt on GitHub"},
	} {
		e := map[string]string{"GITHUB_API_URL": env["GITHUB_API_URL"], "GH_TOKEN": env["GH_TOKEN"]}
		for k, v := range tt.env {
			e[k] = v
		}
		before := len(srv.Fake.Requests())
		code, out, errOut := ghjobs(t, e, append(tt.args, fixtureArgs...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errOut, tt.want)
		}
		if n := len(srv.Fake.Requests()) - before; n > 0 {
			t.Errorf("%q: %d requests to GitHub", tt.args, n)
		}
	}
	// OpenTelemetry's SDK reads the resource's variables from the process environment.
	t.Run("malformed OTEL_RESOURCE_ATTRIBUTES, with --watch", func(t *testing.T) {
		t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team")
		before := len(srv.Fake.Requests())
		code, out, errOut := ghjobs(t, env, append([]string{"--otlp", col.URL, "--watch"}, fixtureArgs...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, "OTEL_RESOURCE_ATTRIBUTES") || len(srv.Fake.Requests()) != before {
			t.Errorf("exit %d, stdout %q, stderr %q, %d requests; want 2 at once", code, out, errOut, len(srv.Fake.Requests())-before)
		}
	})
	if len(sink.headers) > 0 {
		t.Error("something was sent to the collector")
	}
}

// TestTraceparentJoinsTheTrace: in a running job, `--current-job --traceparent` gives the
// job's span as a W3C traceparent; a test runner parents its own span to it (as TRACEPARENT
// is used) and sends it. Once the attempt has completed, --otlp sends the job's span with
// that very id, and Jaeger shows the runner's span under the job.
func TestTraceparentJoinsTheTrace(t *testing.T) {
	j := jaeger.Get(t)
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	tl := threeJobs(generated.JobConclusionSuccess)
	tl.RunID = fixtureRunID + 19 // a trace of its own in the shared Jaeger
	running := tl.At(watchStart.Add(time.Minute))
	srv.Fake.AddRun(running)
	build := running.Jobs[0]
	args := []string{fixtureOwner + "/" + fixtureRepo, "12345678920", "1"}
	env := map[string]string{"GITHUB_API_URL": srv.URL, "GH_TOKEN": fixtureToken, "RUNNER_NAME": *build.RunnerName}

	code, tp, errOut := ghjobs(t, env, append([]string{"--current-job", "--traceparent"}, args...)...)
	a := wrapper.Attempt{Owner: fixtureOwner, Repo: fixtureRepo, RunID: tl.RunID, Number: 1}
	want := "00-" + otelexport.TraceID(a.RunID, 1).String() + "-" + otelexport.JobSpanID(build.ID).String() + "-01\n"
	if code != 0 || tp != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, tp, errOut, want)
	}

	// The test runner in the job, with TRACEPARENT set from the line above.
	ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{"traceparent": strings.TrimSpace(tp)})
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(j.OTLPHTTP+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp2 := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	_, span := tp2.Tracer("a test runner").Start(ctx, "TestSomething")
	span.End()
	if err := tp2.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	srv.Fake.AddRun(tl.At(watchStart.Add(time.Hour)))
	code, out, errOut := ghjobs(t, env, append([]string{"--otlp", j.OTLPHTTP}, args...)...)
	if code != 0 || out != otelexport.TraceID(a.RunID, 1).String()+"\n" {
		t.Fatalf("--otlp: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	tr := readTrace(t, j, otelexport.TraceID(a.RunID, 1).String())
	byID := map[string]jaegertest.Span{}
	for _, s := range tr.Spans {
		byID[s.SpanID] = s
	}
	var runner *jaegertest.Span
	for _, s := range tr.Spans {
		if s.OperationName == "TestSomething" {
			runner = &s
		}
	}
	switch {
	case runner == nil:
		t.Fatalf("the runner's span is not in the trace: %d spans", len(tr.Spans))
	case runner.Parent() != otelexport.JobSpanID(build.ID).String() || byID[runner.Parent()].OperationName != "build":
		t.Errorf("the runner's span is under %s (%q), want the build job's span", runner.Parent(), byID[runner.Parent()].OperationName)
	}
	if root := byID[otelexport.AttemptSpanID(a.RunID, 1).String()]; root.OperationName != "CI" || root.Parent() != "" {
		t.Errorf("the attempt's span: %q under %q", root.OperationName, root.Parent())
	}
}

// TestTraceparentOfTheAttempt: without --current-job, --traceparent is the attempt's span,
// known without asking GitHub.
func TestTraceparentOfTheAttempt(t *testing.T) {
	srv, env := fixtureServer(t)
	code, out, errOut := ghjobs(t, env, append([]string{"--traceparent"}, fixtureArgs...)...)
	want := otelexport.Traceparent(otelexport.AttemptSpanContext(wrapper.Attempt{Owner: fixtureOwner, Repo: fixtureRepo, RunID: fixtureRunID, Number: 1})) + "\n"
	if code != 0 || out != want || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
	if n := len(srv.Fake.Requests()); n != 0 {
		t.Errorf("%d requests to GitHub", n)
	}
}

// TestOTLPWatch: with --watch, the attempt is followed (on stderr) until every job has
// completed, then sent whole, the attempt's span included; a failed job is the trace's
// news, not the command's failure.
func TestOTLPWatch(t *testing.T) {
	j := jaeger.Get(t)
	srv := api.NewTestServer(t, api.WithToken(fixtureToken))
	tl := threeJobs(generated.JobConclusionFailure)
	tl.RunID = fixtureRunID + 29
	c, _, out, errOut := watchCLI(t, tl, srv.Fake, srv.URL)
	args := []string{"--otlp", j.OTLPHTTP, "--watch", fixtureOwner + "/" + fixtureRepo, "12345678930"}
	if code := c.run(t.Context(), args); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	id := otelexport.TraceID(tl.RunID, 1).String()
	if out.String() != id+"\n" {
		t.Errorf("stdout %q, want the trace id alone", out.String())
	}
	if !strings.Contains(errOut.String(), "all 3 jobs completed: 2 success, 1 failure") || !strings.Contains(errOut.String(), ": 3 of 3 jobs, ") {
		t.Errorf("stderr %q: want the watch's lines and what was sent", errOut.String())
	}
	tr := readTrace(t, j, id)
	final := tl.At(watchStart.Add(time.Hour))
	if want, _ := spansOf(final.Jobs); len(tr.Spans) != want {
		t.Errorf("%d spans in Jaeger, want %d", len(tr.Spans), want)
	}
	for _, s := range tr.Spans {
		if s.Parent() == "" {
			if v, _ := s.Tag("cicd.pipeline.result"); v != "failure" {
				t.Errorf("the attempt's span: result %v, want failure", v)
			}
		}
	}
}

// TestOTLPBinary: the built command's exit statuses for --otlp, as a shell sees them.
func TestOTLPBinary(t *testing.T) {
	j := jaeger.Get(t)
	bin := buildGhjobs(t)
	srv, _ := fixtureServer(t)
	env := []string{"GITHUB_API_URL=" + srv.URL, "GH_TOKEN=" + fixtureToken}
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"sent", []string{"--otlp", j.OTLPHTTP}, 0},
		{"collector down", []string{"--otlp", "http://127.0.0.1:1"}, 1},
		{"usage", []string{"--otlp", "nowhere"}, 2},
		{"timeout", []string{"--timeout", "500ms", "--otlp", hangingServer(t)}, 124},
	} {
		code, out, errOut := runBinary(t, bin, env, append(tt.args, fixtureArgs...)...)
		if code != tt.code || (code == 0) != traceIDLine.MatchString(out) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d", tt.name, code, out, errOut, tt.code)
		}
	}
}

// TestOTLPTerminal runs the built command in a real terminal (tmux): at 80 and 40 columns,
// --otlp leaves the trace id whole on a line of its own and no trace of the progress line;
// with --watch at 50 columns the table is redrawn in place on stderr (the header shows
// once), then the trace id follows.
func TestOTLPTerminal(t *testing.T) {
	j := jaeger.Get(t)
	bin := buildGhjobs(t)
	srv := api.NewTestServer(t, api.WithRun(api.SampleRun(fixtureOwner, fixtureRepo, fixtureRunID+59, 1, 40)), api.WithToken(fixtureToken))
	envs := fmt.Sprintf("GITHUB_API_URL=%s GH_TOKEN=%s HOME=%s", srv.URL, fixtureToken, t.TempDir())
	id := otelexport.TraceID(fixtureRunID+59, 1).String()
	for _, width := range []int{80, 40} {
		r := inTmux(t, width, 50, fmt.Sprintf("env %s %s --otlp %s %s/%s %d", envs, bin, j.OTLPHTTP, fixtureOwner, fixtureRepo, fixtureRunID+59), false)
		screen, code := r.history, r.code
		lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
		if code != 0 || !slices.Contains(lines, id) {
			t.Errorf("%d columns: exit %d, no line that is the trace id alone:\n%s", width, code, screen)
		}
		if strings.ContainsAny(screen, "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") || !strings.Contains(screen, "ghjobs: sent ") {
			t.Errorf("%d columns: progress left on the screen, or no report:\n%s", width, screen)
		}
	}

	start := time.Now()
	tl := api.Timeline{Owner: fixtureOwner, Repo: fixtureRepo, RunID: fixtureRunID + 49, Number: 1, Start: start, Jobs: []api.JobLife{
		{Name: "build", Created: 0, Started: 500 * time.Millisecond, Completed: 1500 * time.Millisecond, Conclusion: "success"},
		{Name: "test with a name long enough to be cut on a narrow terminal", Created: 0, Started: time.Second, Completed: 2500 * time.Millisecond, Conclusion: "failure"},
	}}
	moving := api.NewTestServer(t, api.WithRun(tl.At(start)), api.WithToken(fixtureToken))
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				moving.Fake.AddRun(tl.At(now))
			}
		}
	}()
	defer func() { close(stop); <-done }()
	envs = fmt.Sprintf("GITHUB_API_URL=%s GH_TOKEN=%s HOME=%s", moving.URL, fixtureToken, t.TempDir())
	r := inTmux(t, 50, 50, fmt.Sprintf("env %s %s --otlp %s --watch --interval 1s %s/%s %d", envs, bin, j.OTLPHTTP, fixtureOwner, fixtureRepo, tl.RunID), false)
	screen, code := r.screen, r.code
	watchID := otelexport.TraceID(tl.RunID, 1).String()
	if code != 0 || strings.Count(screen, "jobs completed") != 1 || !strings.Contains(screen, "2 of 2 jobs completed") {
		t.Errorf("exit %d; want 0 and the table redrawn in place, once:\n%s", code, screen)
	}
	if !slices.Contains(strings.Split(screen, "\n"), watchID) {
		t.Errorf("no line that is the trace id %s alone:\n%s", watchID, screen)
	}
	for i, l := range strings.Split(screen, "\n") {
		if render.DisplayWidth(l) > 50 {
			t.Errorf("line %d is %d wide on a 50-column terminal", i+1, render.DisplayWidth(l))
		}
	}
}
