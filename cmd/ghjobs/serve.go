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

// serve runs the fake API with a sample run until ctx is done (Ctrl-C), so people can point
// their own tools at it offline. It answers without a token, validates every request and
// response against openapi.yaml, and reports contract violations on stderr.
func (c *cli) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ghjobs serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8080", "")
	n := fs.Int("jobs", 250, "")
	positional, err := parseFlags(fs, args)
	switch {
	case err != nil:
		return err
	case len(positional) > 0:
		return usageErr("serve takes no arguments, got %q", positional)
	case *n < 0 || *n > maxDemoJobs:
		return usageErr("--jobs %d: want 0 to %d", *n, maxDemoJobs)
	}

	run := api.SampleRun(sampleOwner, sampleRepo, sampleRunID, 1, *n)
	// The sample's last event happened a few seconds ago.
	shiftJobs(run.Jobs, c.now().Add(-5*time.Second).Sub(render.Latest(run.Jobs)))
	stderr := &lockedWriter{w: c.stderr}
	fake, err := api.New(api.WithRun(run), api.WithViolationHandler(func(err error) {
		fmt.Fprintf(stderr, "ghjobs serve: contract violation: %v\n", err)
	}))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + dialable(ln.Addr().(*net.TCPAddr))
	fmt.Fprintf(stderr, "ghjobs serve: %s run %d attempt %d (%d jobs) at %s\ntry: ghjobs --api-url %s %s/%s %d 1\n",
		run.Owner+"/"+run.Repo, run.RunID, run.Attempt, len(run.Jobs), url, url, run.Owner, run.Repo, run.RunID)
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
