package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
)

const serveUsage = `usage: ghjobs serve [--addr HOST:PORT] [--jobs N] [--live D]

Runs the fake GitHub API with a sample run until Ctrl-C, for pointing your
own tools at while offline. It answers without a token, and says on stderr
every request and answer that breaks the contract (openapi.yaml).

flags:
  --addr HOST:PORT  where to listen (default 127.0.0.1:8080; port 0: any)
  --jobs N          jobs in the sample run (default 250)
  --live D          the run moves from queued to completed over D, from now
                    on, as a real one does (ghjobs --watch follows it);
                    without, it is as it was a few seconds after its last
                    event, and stays so (its running jobs never finish)

With any token it counts 5,000 requests an hour, without one 60, as GitHub
does: give the commands you point at it GH_TOKEN=anything.
`

// tokenHint follows the try: line: without a token the fake, as GitHub, allows 60 requests an
// hour, which a --watch or a few listings of the sample use up.
const tokenHint = "     (any GH_TOKEN gets 5,000 requests an hour; none, 60, as on GitHub)"

// serve runs the fake API with a sample run until ctx is done (Ctrl-C), so people can point
// their own tools at it offline. It answers without a token, validates every request and
// response against openapi.yaml, and reports contract violations on stderr.
func (c *cli) serve(ctx context.Context, args []string) error {
	addr, n, live, err := parseServe(args)
	if err != nil {
		return err
	}
	run := api.SampleRun(sampleOwner, sampleRepo, sampleRunID, 1, n)
	stderr := &lockedWriter{w: c.stderr}
	fake, err := api.New(api.WithViolationHandler(func(err error) {
		fmt.Fprintf(stderr, "ghjobs serve: contract violation: %v\n", err)
	}))
	if err != nil {
		return err
	}
	var handler http.Handler = fake
	if live > 0 {
		handler = c.liveRun(fake, run, live)
	} else {
		// The sample's last event happened a few seconds ago.
		shiftJobs(run.Jobs, c.now().Add(-5*time.Second).Sub(render.Latest(run.Jobs)))
		fake.AddRun(run)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return commandErr("serve: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + dialable(ln.Addr().(*net.TCPAddr))
	tryWatch := ""
	if live > 0 {
		tryWatch = "--watch --interval 1s "
	}
	fmt.Fprintf(stderr, "ghjobs serve: %s run %d attempt %d (%d jobs) at %s\ntry: ghjobs %s--api-url %s %s/%s %d\n%s\n",
		run.Owner+"/"+run.Repo, run.RunID, run.Number, len(run.Jobs), url, tryWatch, url, run.Owner, run.Repo, run.RunID, tokenHint)
	if c.ready != nil {
		c.ready(url)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// parseServe reads serve's flags: where to listen, how many jobs, and --live's duration.
func parseServe(args []string) (addr string, jobs int, live time.Duration, err error) {
	fs := flag.NewFlagSet("ghjobs serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "")
	fs.IntVar(&jobs, "jobs", 250, "")
	fs.DurationVar(&live, "live", 0, "")
	positional, err := parseFlags(fs, args)
	switch {
	case err != nil:
	case len(positional) > 0:
		err = usageErr("serve takes no arguments, got %q", positional)
	case jobs < 1 || jobs > maxDemoJobs:
		err = usageErr("--jobs %d: want 1 to %d", jobs, maxDemoJobs)
	case live < 0:
		err = usageErr("--live %s: want how long the run takes, such as 2m", live)
	}
	return addr, jobs, live, err
}

// liveRun serves run as it moves: a timeline of it shortened to take d, from now on, each
// request answered with the run as it is at that moment.
func (c *cli) liveRun(fake *api.Fake, run api.Run, d time.Duration) http.Handler {
	var span time.Duration
	for _, l := range timelineOf(run, 1).Jobs {
		span = max(span, l.Completed)
	}
	tl := timelineOf(run, float64(d)/float64(max(span, time.Second)))
	tl.Start = c.now()
	fake.AddRun(tl.At(tl.Start))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fake.AddRun(tl.At(c.now()))
		fake.ServeHTTP(w, r)
	})
}

// dialable is the address a client on this machine connects to: loopback for a server
// listening on every address (0.0.0.0, [::]), whose address cannot be dialled as printed
// and is not loopback, where the client refuses to send a token over plain http.
func dialable(a *net.TCPAddr) string {
	ip := a.IP
	switch {
	case ip == nil || ip.Equal(net.IPv4zero):
		ip = net.IPv4(127, 0, 0, 1)
	case ip.Equal(net.IPv6unspecified):
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
}

// lockedWriter serialises writes from the server's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
