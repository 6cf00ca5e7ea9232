// Package jaegertest runs a real Jaeger (v1.75.0, built from tools/jaeger) for tests: one
// process per test binary, with in-memory storage, OTLP over HTTP and gRPC and the query
// API on loopback ports of its own, and reads traces back through the query API's HTTP
// /api/traces, as Jaeger's UI does.
//
// The binary's path comes from GHJOBS_JAEGER (.ci/run builds it once and caches it). Tests
// skip without it, unless GHJOBS_REQUIRE_JAEGER=1 (CI sets it), when they fail instead.
// Build it by hand with:
//
//	go build -C tools/jaeger -o /tmp/jaeger github.com/jaegertracing/jaeger/cmd/jaeger
//	GHJOBS_JAEGER=/tmp/jaeger go test ./otelexport ./cmd/ghjobs
package jaegertest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// BinaryEnv names the Jaeger binary to run.
	BinaryEnv = "GHJOBS_JAEGER"
	// RequireEnv turns a missing binary into a failure rather than a skip.
	RequireEnv = "GHJOBS_REQUIRE_JAEGER"
)

// startTimeout bounds Jaeger's start: it is ready in well under a second when idle.
const startTimeout = time.Minute

// errNoBinary is Start's error when BinaryEnv does not name a binary.
var errNoBinary = errors.New("no Jaeger binary")

// Jaeger is one running Jaeger.
type Jaeger struct {
	OTLPHTTP string // OTLP/HTTP base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it: http://127.0.0.1:PORT
	OTLPGRPC string // OTLP/gRPC endpoint: http://127.0.0.1:PORT
	Query    string // the query API and UI: http://127.0.0.1:PORT

	cmd  *exec.Cmd
	dir  string
	done chan struct{} // closed when the process has exited
	log  *tail
}

// Start runs Jaeger from BinaryEnv; assets, if not "", is a directory of Jaeger UI assets
// for the query service to serve (Jaeger built as a module serves a placeholder page).
// Ports are chosen free just before the start; one taken meanwhile by another program
// means another try, up to three.
func Start(assets string) (*Jaeger, error) {
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		return nil, fmt.Errorf("%w: %s is not set", errNoBinary, BinaryEnv)
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%w: %s=%s: %v", errNoBinary, BinaryEnv, bin, err)
	}
	var err error
	for range 3 {
		var j *Jaeger
		if j, err = start(bin, assets); err == nil {
			return j, nil
		}
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, err
}

func start(bin, assets string) (*Jaeger, error) {
	dir, err := os.MkdirTemp("", "jaegertest")
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := func(i int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[i])) }
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(configYAML(addr(0), addr(1), addr(2), assets)), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	j := &Jaeger{
		OTLPHTTP: "http://" + addr(0), OTLPGRPC: "http://" + addr(1), Query: "http://" + addr(2),
		dir: dir, done: make(chan struct{}), log: &tail{},
	}
	j.cmd = exec.Command(bin, "--config", config)
	out, err := j.cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	j.cmd.Stderr = j.cmd.Stdout
	if err := j.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting Jaeger: %w", err)
	}
	ready := make(chan struct{})
	go j.read(out, ready)

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		return j, nil
	case <-j.done:
		j.Stop()
		return nil, fmt.Errorf("Jaeger exited at start: %s", j.Log())
	case <-timer.C:
		j.Stop()
		return nil, fmt.Errorf("Jaeger was not ready within %s: %s", startTimeout, j.Log())
	}
}

// read keeps Jaeger's log and closes ready at the line the collector writes once every
// receiver, extension and exporter has started; done is closed when the process is gone.
func (j *Jaeger) read(out io.Reader, ready chan struct{}) {
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		j.log.add(line)
		if ready != nil && strings.Contains(line, "Everything is ready") {
			close(ready)
			ready = nil
		}
	}
	io.Copy(io.Discard, out)
	j.cmd.Wait()
	close(j.done)
}

// Stop ends Jaeger and waits for it to exit.
func (j *Jaeger) Stop() {
	if j == nil || j.cmd == nil {
		return
	}
	j.cmd.Process.Signal(os.Interrupt)
	select {
	case <-j.done:
	case <-time.After(10 * time.Second):
		j.cmd.Process.Kill()
		<-j.done
	}
	os.RemoveAll(j.dir)
	j.cmd = nil
}

// Log is the end of Jaeger's log, for failure messages.
func (j *Jaeger) Log() string { return j.log.String() }

// configYAML is Jaeger's configuration: the OTLP receiver straight into in-memory storage
// (no batch processor, no queue, so a trace is stored before the exporter's request is
// answered), the query service, nothing else listening.
func configYAML(otlpHTTP, otlpGRPC, query, assets string) string {
	ui := ""
	if assets != "" {
		ui = "\n    ui:\n      assets_path: " + strconv.Quote(assets)
	}
	return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    enable_tracing: false # else it traces itself to localhost:4317, and waits on that at exit
    storage:
      traces: memstore
    http:
      endpoint: ` + query + `
    grpc:
      endpoint: 127.0.0.1:0` + ui + `
receivers:
  otlp:
    protocols:
      http:
        endpoint: ` + otlpHTTP + `
      grpc:
        endpoint: ` + otlpGRPC + `
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close() // held until all are chosen, so that the n differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// tail keeps the last lines written, safe for concurrent use.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 40 {
		t.lines = t.lines[1:]
	}
	t.lines = append(t.lines, line)
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// Shared is one Jaeger for a whole test binary, started by the first test that asks for it
// and stopped by Around's TestMain wrapper.
type Shared struct {
	Assets string // UI assets to serve, if any
	once   sync.Once
	j      *Jaeger
	err    error
}

// Get returns the running Jaeger, starting it on first use; it skips tb when there is no
// binary (fails it under RequireEnv=1) and fails it if Jaeger does not start.
func (s *Shared) Get(tb testing.TB) *Jaeger {
	tb.Helper()
	if runtime.GOARCH == "386" {
		// CI may run the 386 tests under qemu-user, whose fork crashes the Go runtime; the
		// 64-bit run covers Jaeger.
		tb.Skip("starts Jaeger; skipped on 386, which CI may run under qemu-user")
	}
	s.once.Do(func() { s.j, s.err = Start(s.Assets) })
	switch {
	case errors.Is(s.err, errNoBinary) && os.Getenv(RequireEnv) == "1":
		tb.Fatalf("%v and %s=1: build it with go build -C tools/jaeger -o DIR/jaeger github.com/jaegertracing/jaeger/cmd/jaeger", s.err, RequireEnv)
	case errors.Is(s.err, errNoBinary):
		tb.Skipf("%v: skipping a test against real Jaeger (see package jaegertest; set %s=1 to fail instead)", s.err, RequireEnv)
	case s.err != nil:
		tb.Fatal(s.err)
	}
	return s.j
}

// TestingM is what TestMain's m offers, and goleak.VerifyTestMain takes.
type TestingM interface{ Run() int }

// Around returns m, whose Run also stops the shared Jaeger once the tests are done:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(jaeger.Around(m)) }
func (s *Shared) Around(m TestingM) TestingM { return around{m, s} }

type around struct {
	m TestingM
	s *Shared
}

func (a around) Run() int {
	code := a.m.Run()
	a.s.j.Stop()
	return code
}

// Traces are the query API's answer.
type Traces struct {
	Data   []Trace  `json:"data"`
	Errors []Status `json:"errors"`
}

// Status is an error of the query API.
type Status struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// Trace is a trace as Jaeger's query API gives it.
type Trace struct {
	TraceID   string             `json:"traceID"`
	Spans     []Span             `json:"spans"`
	Processes map[string]Process `json:"processes"`
	Warnings  []string           `json:"warnings"`
}

// Span is one span: times in microseconds since the Unix epoch.
type Span struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	OperationName string      `json:"operationName"`
	References    []Reference `json:"references"`
	StartTime     int64       `json:"startTime"`
	Duration      int64       `json:"duration"`
	Tags          []KeyValue  `json:"tags"`
	ProcessID     string      `json:"processID"`
	Warnings      []string    `json:"warnings"`
}

// Reference is a span's link to its parent (CHILD_OF) or another span.
type Reference struct {
	RefType string `json:"refType"`
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

// KeyValue is an attribute (a tag, to Jaeger).
type KeyValue struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Process is a span's resource.
type Process struct {
	ServiceName string     `json:"serviceName"`
	Tags        []KeyValue `json:"tags"`
}

// Parent is the span id of s's parent, "" for a root.
func (s Span) Parent() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

// Tag returns the value of s's tag key, as JSON decoded it.
func (s Span) Tag(key string) (any, bool) { return tag(s.Tags, key) }

// Tag returns the value of p's tag key.
func (p Process) Tag(key string) (any, bool) { return tag(p.Tags, key) }

func tag(kvs []KeyValue, key string) (any, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// queryClient keeps no connection open after a request, so that no goroutine outlives a
// test (goleak).
var queryClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// Trace reads trace id back through the query API; found is false if Jaeger has no such
// trace.
func (j *Jaeger) Trace(ctx context.Context, id string) (t Trace, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.Query+"/api/traces/"+id, nil)
	if err != nil {
		return Trace{}, false, err
	}
	resp, err := queryClient.Do(req)
	if err != nil {
		return Trace{}, false, err
	}
	defer resp.Body.Close()
	var ts Traces
	if err := json.NewDecoder(resp.Body).Decode(&ts); err != nil {
		return Trace{}, false, fmt.Errorf("GET /api/traces/%s: %s: %w", id, resp.Status, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Trace{}, false, nil
	case resp.StatusCode != http.StatusOK || len(ts.Errors) > 0:
		return Trace{}, false, fmt.Errorf("GET /api/traces/%s: %s %v", id, resp.Status, ts.Errors)
	case len(ts.Data) != 1:
		return Trace{}, false, fmt.Errorf("GET /api/traces/%s: %d traces", id, len(ts.Data))
	}
	return ts.Data[0], true, nil
}
