package otelexport

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

var testAttempt = wrapper.Attempt{Owner: "octo-org", Repo: "Octo_Repo", RunID: 29679449, Number: 2}

// t0 is when the test attempt began; times carry milliseconds, to show they pass exactly.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(math.Round(sec*1e6)) * time.Microsecond) }

func ptr[T any](v T) *T { return &v }

func step(n int, name, conclusion string, start, end float64) wrapper.JobStep {
	return wrapper.JobStep{Name: name, Number: n, Status: wrapper.JobStepStatusCompleted,
		Conclusion: ptr(conclusion), StartedAt: ptr(at(start)), CompletedAt: ptr(at(end))}
}

func job(id int64, name string, conclusion wrapper.JobConclusion, created, started, completed float64, steps ...wrapper.JobStep) wrapper.Job {
	return wrapper.Job{
		ID: id, RunID: testAttempt.RunID, RunAttempt: ptr(testAttempt.Number), Name: name,
		Status: wrapper.JobStatusCompleted, Conclusion: ptr(conclusion),
		CreatedAt: at(created), StartedAt: at(started), CompletedAt: ptr(at(completed)),
		HTMLURL:      ptr(fmt.Sprintf("https://github.com/octo-org/Octo_Repo/actions/runs/29679449/job/%d", id)),
		WorkflowName: ptr("CI"), HeadBranch: ptr("main"), HeadSHA: "009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d",
		Labels: []string{"ubuntu-latest"}, Steps: steps,
	}
}

// testJobs is an attempt that has everything: a success with a repeated step name, a
// failure with a step that never ran and one GitHub timed backwards, a cancellation without
// steps, a skipped job that "completed" before it started, a timeout.
func testJobs() []wrapper.Job {
	build := job(30000000001, "build", wrapper.JobConclusionSuccess, 0, 7.25, 67.5,
		step(1, "Set up job", "success", 7.25, 9),
		step(2, "Run make", "success", 9, 40.125),
		step(3, "Run make", "success", 40.125, 66),
		step(4, "Complete job", "success", 66, 67.5))
	build.RunnerID, build.RunnerName = ptr(int64(1234567)), ptr("GitHub Actions 1234567")
	build.RunnerGroupID, build.RunnerGroupName = ptr(int64(2)), ptr("GitHub Actions")
	test := job(30000000002, "test", wrapper.JobConclusionFailure, 1, 30, 100,
		step(1, "Set up job", "success", 30, 31),
		step(2, "Run go test ./...", "failure", 31, 99),
		step(3, "Upload coverage", "skipped", 99, 98.5),
		wrapper.JobStep{Name: "Complete job", Number: 4, Status: wrapper.JobStepStatusQueued})
	lint := job(30000000003, "lint", wrapper.JobConclusionCancelled, 0, 5, 20)
	deploy := job(30000000004, "deploy", wrapper.JobConclusionSkipped, 2, 2, 1)
	deploy.Labels = nil
	e2e := job(30000000005, "e2e", wrapper.JobConclusionTimedOut, 3, 10, 130.000001)
	return []wrapper.Job{build, test, lint, deploy, e2e}
}

func seqOf(jobs []wrapper.Job) iter.Seq2[wrapper.Job, error] {
	return func(yield func(wrapper.Job, error) bool) {
		for _, j := range jobs {
			if !yield(j, nil) {
				return
			}
		}
	}
}

func export(t *testing.T, jobs []wrapper.Job, opts ...Option) (Result, tracetest.SpanStubs) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	r, err := Export(context.Background(), exp, testAttempt, seqOf(jobs), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r, exp.GetSpans()
}

// want is what a test expects of one span.
type want struct {
	name   string
	parent trace.SpanID
	kind   trace.SpanKind
	start  time.Time
	end    time.Time
	status codes.Code
	desc   string
	attrs  map[attribute.Key]any // a subset of the span's
}

// testWants are the spans of testJobs, by id.
func testWants() map[trace.SpanID]want {
	root := AttemptSpanID(testAttempt.RunID, testAttempt.Number)
	return map[trace.SpanID]want{
		root: {name: "CI", kind: trace.SpanKindServer, start: at(0), end: at(130.000001), status: codes.Error, desc: "failure",
			attrs: map[attribute.Key]any{
				"cicd.pipeline.name": "CI", "cicd.pipeline.run.id": "29679449", "github.workflow.run.attempt": int64(2),
				"cicd.pipeline.run.url.full": "https://github.com/octo-org/Octo_Repo/actions/runs/29679449/attempts/2",
				"vcs.repository.url.full":    "https://github.com/octo-org/Octo_Repo",
				"vcs.ref.head.revision":      "009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d", "vcs.ref.head.name": "main",
				"cicd.pipeline.result": "failure", "error.type": "failure",
			}},
		JobSpanID(30000000001): {name: "build", parent: root, kind: trace.SpanKindInternal, start: at(7.25), end: at(67.5),
			attrs: map[attribute.Key]any{
				"cicd.pipeline.task.name": "build", "cicd.pipeline.task.run.id": "30000000001",
				"cicd.pipeline.task.run.url.full": "https://github.com/octo-org/Octo_Repo/actions/runs/29679449/job/30000000001",
				"cicd.pipeline.task.run.result":   "success", "github.job.conclusion": "success",
				"cicd.worker.id": "1234567", "cicd.worker.name": "GitHub Actions 1234567",
				"github.runner_group.id": int64(2), "github.runner_group.name": "GitHub Actions",
				"github.job.labels": []string{"ubuntu-latest"}, "error.type": nil,
			}},
		QueueSpanID(30000000001): {name: "queued", parent: JobSpanID(30000000001), kind: trace.SpanKindInternal, start: at(0), end: at(7.25)},
		StepSpanID(30000000001, "Set up job", 1): {name: "Set up job", parent: JobSpanID(30000000001), kind: trace.SpanKindInternal, start: at(7.25), end: at(9),
			attrs: map[attribute.Key]any{
				"cicd.pipeline.task.name": "Set up job", "cicd.pipeline.task.run.result": "success",
				"github.step.number": int64(1), "github.step.conclusion": "success",
				"cicd.pipeline.task.run.url.full": "https://github.com/octo-org/Octo_Repo/actions/runs/29679449/job/30000000001#step:1:1",
			}},
		StepSpanID(30000000001, "Run make", 1):     {name: "Run make", parent: JobSpanID(30000000001), kind: trace.SpanKindInternal, start: at(9), end: at(40.125)},
		StepSpanID(30000000001, "Run make", 2):     {name: "Run make", parent: JobSpanID(30000000001), kind: trace.SpanKindInternal, start: at(40.125), end: at(66), attrs: map[attribute.Key]any{"github.step.number": int64(3)}},
		StepSpanID(30000000001, "Complete job", 1): {name: "Complete job", parent: JobSpanID(30000000001), kind: trace.SpanKindInternal, start: at(66), end: at(67.5)},

		JobSpanID(30000000002): {name: "test", parent: root, kind: trace.SpanKindInternal, start: at(30), end: at(100), status: codes.Error, desc: "failure",
			attrs: map[attribute.Key]any{"cicd.pipeline.task.run.result": "failure", "error.type": "failure", "cicd.worker.id": nil}},
		QueueSpanID(30000000002):                        {name: "queued", parent: JobSpanID(30000000002), kind: trace.SpanKindInternal, start: at(1), end: at(30)},
		StepSpanID(30000000002, "Set up job", 1):        {name: "Set up job", parent: JobSpanID(30000000002), kind: trace.SpanKindInternal, start: at(30), end: at(31)},
		StepSpanID(30000000002, "Run go test ./...", 1): {name: "Run go test ./...", parent: JobSpanID(30000000002), kind: trace.SpanKindInternal, start: at(31), end: at(99), status: codes.Error, desc: "failure", attrs: map[attribute.Key]any{"cicd.pipeline.task.run.result": "failure", "error.type": "failure"}},
		StepSpanID(30000000002, "Upload coverage", 1):   {name: "Upload coverage", parent: JobSpanID(30000000002), kind: trace.SpanKindInternal, start: at(99), end: at(99).Add(time.Microsecond), attrs: map[attribute.Key]any{"cicd.pipeline.task.run.result": "skip", "error.type": nil}},

		JobSpanID(30000000003):   {name: "lint", parent: root, kind: trace.SpanKindInternal, start: at(5), end: at(20), status: codes.Error, desc: "cancelled", attrs: map[attribute.Key]any{"cicd.pipeline.task.run.result": "cancellation", "error.type": "cancellation", "github.job.conclusion": "cancelled"}},
		QueueSpanID(30000000003): {name: "queued", parent: JobSpanID(30000000003), kind: trace.SpanKindInternal, start: at(0), end: at(5)},
		JobSpanID(30000000004):   {name: "deploy", parent: root, kind: trace.SpanKindInternal, start: at(2), end: at(2).Add(time.Microsecond), attrs: map[attribute.Key]any{"cicd.pipeline.task.run.result": "skip", "github.job.labels": nil}},
		JobSpanID(30000000005):   {name: "e2e", parent: root, kind: trace.SpanKindInternal, start: at(10), end: at(130.000001), status: codes.Error, desc: "timed_out", attrs: map[attribute.Key]any{"cicd.pipeline.task.run.result": "timeout", "error.type": "timeout"}},
		QueueSpanID(30000000005): {name: "queued", parent: JobSpanID(30000000005), kind: trace.SpanKindInternal, start: at(3), end: at(10)},
	}
}

// TestExportMapsTheAttempt checks every span of the test attempt: ids, parents, names,
// kinds, times to the nanosecond, status, the attributes of the CICD conventions.
func TestExportMapsTheAttempt(t *testing.T) {
	r, spans := export(t, testJobs())
	tid := TraceID(testAttempt.RunID, testAttempt.Number)
	wants := testWants()
	if got := (Result{TraceID: tid, Jobs: 5, Spans: len(wants), Attempt: true}); r != got {
		t.Errorf("result %+v, want %+v", r, got)
	}
	if len(spans) != len(wants) {
		t.Errorf("%d spans, want %d", len(spans), len(wants))
	}
	for _, s := range spans {
		id := s.SpanContext.SpanID()
		w, ok := wants[id]
		if !ok {
			t.Errorf("unexpected span %q (%s)", s.Name, id)
			continue
		}
		delete(wants, id)
		checkAttrs(t, s, w.attrs)
		got := want{name: s.Name, parent: s.Parent.SpanID(), kind: s.SpanKind, start: s.StartTime, end: s.EndTime, status: s.Status.Code, desc: s.Status.Description}
		w.attrs = nil
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("span %q (%s): -want +got\n%s", s.Name, id, diff)
		}
		if s.SpanContext.TraceID() != tid || !s.SpanContext.IsSampled() {
			t.Errorf("span %q: trace %s sampled %v, want %s sampled", s.Name, s.SpanContext.TraceID(), s.SpanContext.IsSampled(), tid)
		}
		if s.InstrumentationScope.Name != ScopeName {
			t.Errorf("span %q: scope %q", s.Name, s.InstrumentationScope.Name)
		}
	}
	for id, w := range wants {
		t.Errorf("span %q (%s) was not exported", w.name, id)
	}
	res := spans[0].Resource
	for k, v := range map[attribute.Key]string{"service.name": "octo-repo", "vcs.provider.name": "github", "vcs.owner.name": "octo-org", "vcs.repository.name": "Octo_Repo", "telemetry.sdk.language": "go"} {
		if got, _ := res.Set().Value(k); got.String() != v {
			t.Errorf("resource %s = %q, want %q", k, got.String(), v)
		}
	}
}

// checkAttrs compares some of a span's attributes with want; a nil value means "absent".
func checkAttrs(t *testing.T, s tracetest.SpanStub, want map[attribute.Key]any) {
	t.Helper()
	got := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		if _, dup := got[kv.Key]; dup {
			t.Errorf("span %q: attribute %s twice", s.Name, kv.Key)
		}
		got[kv.Key] = kv.Value
	}
	for k, w := range want {
		v, ok := got[k]
		switch {
		case w == nil && ok:
			t.Errorf("span %q: %s = %s, want none", s.Name, k, v.String())
		case w == nil:
		case !ok:
			t.Errorf("span %q: no %s, want %v", s.Name, k, w)
		case !cmp.Equal(v.AsInterface(), w):
			t.Errorf("span %q: %s = %#v, want %#v", s.Name, k, v.AsInterface(), w)
		}
	}
}

// TestExportTwiceIsTheSameTrace: a second export sends the very same spans.
func TestExportTwiceIsTheSameTrace(t *testing.T) {
	r1, first := export(t, testJobs())
	// The second from inside a span of the caller's, which must change nothing.
	exp := tracetest.NewInMemoryExporter()
	callers := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled}))
	r2, err := Export(callers, exp, testAttempt, seqOf(testJobs()))
	if err != nil {
		t.Fatal(err)
	}
	second := exp.GetSpans()
	if r1 != r2 {
		t.Errorf("results differ: %+v, then %+v", r1, r2)
	}
	if diff := cmp.Diff(stubs(first), stubs(second)); diff != "" {
		t.Errorf("the second export differs: -first +second\n%s", diff)
	}
}

// stub is what a backend keeps of a span, comparable with cmp.
type stub struct {
	Trace, ID, Parent string
	Name              string
	Kind              trace.SpanKind
	Start, End        time.Time
	Status            sdktrace.Status
	Attrs, Resource   string
}

func stubs(spans tracetest.SpanStubs) []stub {
	var out []stub
	for _, s := range spans {
		out = append(out, stub{
			Trace: s.SpanContext.TraceID().String(), ID: s.SpanContext.SpanID().String(), Parent: s.Parent.SpanID().String(),
			Name: s.Name, Kind: s.SpanKind, Start: s.StartTime, End: s.EndTime, Status: s.Status,
			Attrs: fmt.Sprint(s.Attributes), Resource: s.Resource.String(),
		})
	}
	return out
}

// TestExportUnfinished: jobs still queued or running are left out, and so is the attempt's
// span; once they have completed, a second export sends the first's spans unchanged, those
// jobs, and the attempt's span.
func TestExportUnfinished(t *testing.T) {
	done := testJobs()
	running := slices.Clone(done)
	running[1].Status, running[1].Conclusion, running[1].CompletedAt = wrapper.JobStatusInProgress, nil, nil
	running[1].Steps = running[1].Steps[:2]
	running[1].Steps[1].Status, running[1].Steps[1].Conclusion, running[1].Steps[1].CompletedAt = wrapper.JobStepStatusInProgress, nil, nil
	running[4].Status, running[4].Conclusion, running[4].CompletedAt, running[4].StartedAt = wrapper.JobStatusQueued, nil, nil, running[4].CreatedAt

	r, early := export(t, running)
	if r.Unfinished != 2 || r.Jobs != 3 || r.Attempt {
		t.Errorf("result %+v, want 3 jobs sent, 2 unfinished, no attempt span", r)
	}
	_, later := export(t, done)
	laterByID := map[string]stub{}
	for _, s := range stubs(later) {
		laterByID[s.ID] = s
	}
	for _, s := range stubs(early) {
		if s.ID == AttemptSpanID(testAttempt.RunID, testAttempt.Number).String() {
			t.Error("the attempt's span was sent while jobs were running")
		}
		if s.Parent == JobSpanID(running[1].ID).String() || s.Parent == JobSpanID(running[4].ID).String() {
			t.Errorf("span %q of an unfinished job was sent", s.Name)
		}
		if diff := cmp.Diff(laterByID[s.ID], s); diff != "" {
			t.Errorf("span %q differs once the attempt has finished: -later +early\n%s", s.Name, diff)
		}
	}
	if len(later)-len(early) != 1+2+4 { // the attempt, test with its wait and 3 steps, e2e with its wait
		t.Errorf("%d spans early, %d later", len(early), len(later))
	}
}

// bigAttempt is n completed jobs of ten steps each, every one having waited for a runner:
// 12 spans a job and the attempt's.
func bigAttempt(n int) []wrapper.Job {
	jobs := make([]wrapper.Job, n)
	for i := range jobs {
		var steps []wrapper.JobStep
		for k := range 10 {
			steps = append(steps, step(k+1, fmt.Sprintf("step %d", k+1), "success", float64(10+k), float64(11+k)))
		}
		jobs[i] = job(40000000000+int64(i), fmt.Sprintf("job %d", i), wrapper.JobConclusionSuccess, 0, 10, 20, steps...)
	}
	return jobs
}

// recorder is an exporter that keeps only counts: how many spans, in which batches.
type recorder struct {
	batches []int
	failAt  int // the call (1-based) that fails, 0 for none
	err     error
}

func (r *recorder) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	r.batches = append(r.batches, len(spans))
	if len(r.batches) == r.failAt {
		return r.err
	}
	return nil
}

func (r *recorder) Shutdown(context.Context) error { return nil }

// TestExportBatches: 2,000 jobs of ten steps go out as 24,001 spans in batches of the
// configured size, the last one smaller, and nothing after a batch fails.
func TestExportBatches(t *testing.T) {
	rec := &recorder{}
	r, err := Export(context.Background(), rec, testAttempt, seqOf(bigAttempt(2000)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Spans != 24001 || r.Jobs != 2000 || !r.Attempt {
		t.Errorf("result %+v, want 24,001 spans of 2,000 jobs and the attempt", r)
	}
	total := 0
	for i, n := range rec.batches {
		total += n
		if n > DefaultBatchSize || (n < DefaultBatchSize && i < len(rec.batches)-1) {
			t.Errorf("batch %d has %d spans", i, n)
		}
	}
	if total != 24001 || len(rec.batches) != (24001+DefaultBatchSize-1)/DefaultBatchSize {
		t.Errorf("%d spans in %d batches", total, len(rec.batches))
	}

	refused := errors.New("413 Request Entity Too Large")
	rec = &recorder{failAt: 2, err: refused}
	r, err = Export(context.Background(), rec, testAttempt, seqOf(bigAttempt(100)), WithBatchSize(100))
	if !errors.Is(err, refused) || !strings.HasPrefix(err.Error(), "ghjobs: sending 100 spans after 100 sent: ") {
		t.Errorf("error %v, want the exporter's, saying how far it got", err)
	}
	if len(rec.batches) != 2 || r.Spans != 100 || r.Attempt {
		t.Errorf("after the failing batch: %d batches sent, result %+v", len(rec.batches), r)
	}
}

// TestExportListingError: a listing that fails part way ends the export with its error.
func TestExportListingError(t *testing.T) {
	broken := fmt.Errorf("%w: 3 of 5 jobs", wrapper.ErrPagination)
	jobs := func(yield func(wrapper.Job, error) bool) {
		if yield(testJobs()[0], nil) {
			yield(wrapper.Job{}, broken)
		}
	}
	rec := &recorder{}
	r, err := Export(context.Background(), rec, testAttempt, jobs)
	if !errors.Is(err, broken) || r.Attempt {
		t.Errorf("error %v, result %+v: want the listing's error and no attempt span", err, r)
	}
	if r.Jobs != 1 {
		t.Errorf("result %+v: want the one job before the error counted", r)
	}
}

// TestExportBadInput: wrong arguments are refused before the listing is started.
func TestExportBadInput(t *testing.T) {
	started := false
	jobs := func(func(wrapper.Job, error) bool) { started = true }
	for _, tc := range []struct {
		name string
		a    wrapper.Attempt
		exp  sdktrace.SpanExporter
		opts []Option
		env  string
	}{
		{"invalid attempt", wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 1}, &recorder{}, nil, ""},
		{"no exporter", testAttempt, nil, nil, ""},
		{"batch size 0", testAttempt, &recorder{}, []Option{WithBatchSize(0)}, ""},
		{"malformed OTEL_RESOURCE_ATTRIBUTES", testAttempt, &recorder{}, nil, "team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("OTEL_RESOURCE_ATTRIBUTES", tc.env)
			_, err := Export(context.Background(), tc.exp, tc.a, jobs, tc.opts...)
			if !errors.Is(err, wrapper.ErrInvalidInput) || strings.Count(err.Error(), "ghjobs: ") != 1 {
				t.Errorf("error %v, want ErrInvalidInput", err)
			}
		})
	}
	if _, err := Export(context.Background(), &recorder{}, testAttempt, nil); !errors.Is(err, wrapper.ErrInvalidInput) {
		t.Errorf("nil jobs: error %v", err)
	}
	if started {
		t.Error("the listing was started")
	}
}

// TestExportResource: the environment's service name and attributes apply, and
// WithResource goes over them.
func TestExportResource(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "ci-traces")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=prod,vcs.owner.name=from-env")
	_, spans := export(t, testJobs()[:1])
	res := spans[0].Resource.Set()
	for k, v := range map[attribute.Key]string{"service.name": "ci-traces", "deployment.environment.name": "prod", "vcs.owner.name": "from-env", "vcs.repository.name": "Octo_Repo"} {
		if got, _ := res.Value(k); got.String() != v {
			t.Errorf("%s = %q, want %q", k, got.String(), v)
		}
	}
	_, spans = export(t, testJobs()[:1], WithResource(resource.NewSchemaless(attribute.String("service.name", "mine"))))
	if got, _ := spans[0].Resource.Set().Value("service.name"); got.String() != "mine" {
		t.Errorf("with WithResource, service.name = %q", got.String())
	}
}

// TestExportCancelled: a cancelled context sends nothing and says why.
func TestExportCancelled(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	gone := errors.New("collector went away")
	cancel(gone)
	rec := &recorder{}
	_, err := Export(ctx, rec, testAttempt, seqOf(testJobs()))
	if !errors.Is(err, gone) || len(rec.batches) != 0 {
		t.Errorf("error %v after %d batches, want the context's cause and none", err, len(rec.batches))
	}
}

// TestExportFromTheFake: the listing of the fake API, through the client's iterator: every
// job is either sent or counted as unfinished, with each step that ran.
func TestExportFromTheFake(t *testing.T) {
	run := api.SampleRun("octo-org", "octo-repo", 29679449, 1, 120)
	srv := api.NewTestServer(t, api.WithRun(run))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	a := wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1}
	exp := tracetest.NewInMemoryExporter()
	r, err := Export(context.Background(), exp, a, c.Jobs(context.Background(), a))
	if err != nil {
		t.Fatal(err)
	}
	wantSpans, unfinished := 0, 0
	for _, j := range run.Jobs {
		if j.Status != wrapper.JobStatusCompleted {
			unfinished++
			continue
		}
		wantSpans++
		if j.StartedAt.After(j.CreatedAt) {
			wantSpans++
		}
		for _, s := range j.Steps {
			if s.StartedAt != nil && s.CompletedAt != nil {
				wantSpans++
			}
		}
	}
	if r.Unfinished != unfinished || r.Jobs != len(run.Jobs)-unfinished || r.Spans != wantSpans || len(exp.GetSpans()) != wantSpans || r.Attempt {
		t.Errorf("result %+v, %d spans exported; want %d jobs, %d unfinished, %d spans, no attempt span",
			r, len(exp.GetSpans()), len(run.Jobs)-unfinished, unfinished, wantSpans)
	}
}
