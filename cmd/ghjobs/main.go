// Command ghjobs shows every job of a GitHub Actions workflow run attempt: as a table, as
// GitHub's own JSON (or what a jq expression makes of it), as JSON lines or CSV, as a mermaid
// gantt chart or an SVG timeline, or as summary figures (queue time, duration, slowest jobs
// and steps, failed steps), in text or JSON.
//
//	ghjobs [flags] OWNER/REPO RUN_ID [ATTEMPT]           ATTEMPT: the latest when left out
//	ghjobs [flags] https://github.com/OWNER/REPO/actions/runs/RUN_ID[/attempts/N]
//	ghjobs [flags] https://github.com/OWNER/REPO/actions/runs/RUN_ID/job/JOB_ID
//	ghjobs [flags]                         inside GitHub Actions: this run
//	ghjobs --watch [flags] OWNER/REPO RUN_ID [ATTEMPT]   until every job has completed
//	ghjobs --otlp URL [flags] OWNER/REPO RUN_ID [ATTEMPT]   sent as one OpenTelemetry trace
//	ghjobs --demo [--watch] [flags]        a sample run from the built-in fake API
//	ghjobs serve [--addr HOST:PORT] [--jobs N] [--live D]
//
// The token comes from GH_TOKEN, else GITHUB_TOKEN, else `gh auth token`; the API root from
// --api-url or GITHUB_API_URL (https://HOST/api/v3 for GitHub Enterprise Server).
//
// Exit status: 0 on success, 1 for an API or network error (with --watch, also for a job
// that did not succeed), 2 for a usage error, 124 when --timeout ran out, 130 when
// interrupted (Ctrl-C).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

const usage = `usage: ghjobs [flags] OWNER/REPO RUN_ID [ATTEMPT]
       ghjobs [flags] https://github.com/OWNER/REPO/actions/runs/RUN_ID
              ... or .../runs/RUN_ID/attempts/N, or .../runs/RUN_ID/job/JOB_ID
       ghjobs [flags]          in GitHub Actions: the run of this workflow
       ghjobs --otlp URL [flags] OWNER/REPO RUN_ID   sent as a trace
       ghjobs --demo [flags]   a sample run from the built-in fake API
       ghjobs serve --help     the fake API, for your own tools

Shows every job of a workflow run attempt, all pages: the run's latest
attempt unless ATTEMPT or /attempts/N names one; for a job's address, the
attempt the job ran in. In GitHub Actions, GITHUB_REPOSITORY, GITHUB_RUN_ID
and GITHUB_RUN_ATTEMPT fill in what is left out. The token comes from
GH_TOKEN, GITHUB_TOKEN or 'gh auth token'.

flags:
  --format F     table (default), json, jsonl, csv, mermaid or svg
  --json         the same as --format json
  --jq EXPR      what the jq expression makes of the --format json document
                 (with --summary, of the summary's): strings as they are,
                 other values as JSON, one a line
  --steps        a row (table, csv) or task (mermaid) per step too
  --wide         on a terminal, do not cut the table to its width
  --summary      figures instead of the list: jobs by conclusion, queue time
                 and duration (median, p95, max), slowest jobs and steps,
                 failed steps; with --format json, as a JSON object
  --current-job  print the id of the in-progress job on $RUNNER_NAME
  --otlp URL     send the attempt's completed jobs and steps as one
                 OpenTelemetry trace to the collector at URL
                 (http://localhost:4318; '' for OTEL_EXPORTER_OTLP_*) and
                 print its id; with --watch, the whole attempt once done
  --traceparent  print the W3C traceparent of the attempt's span in that
                 trace (with --current-job: of the current job's span)
  -o FILE        write to FILE (- for standard output); a regular file is
                 replaced once all is written, keeping its mode
  --api-url URL  REST API root (default $GITHUB_API_URL, else
                 https://api.github.com; https://HOST/api/v3 for GHES)
  --demo         a sample run served by the built-in fake (no network, no
                 token); with --watch, it plays from queued to done in ~20 s
  --jobs N       jobs in the --demo run (default 250)
  --watch        follow the attempt until every job has completed: on a
                 terminal one screen redrawn in place (the table, or
                 --summary), the last state printed once at the end;
                 elsewhere a line per change (jsonl: each job again when it
                 changes); other formats print once at the end. Exit 0 when
                 every job succeeded or was skipped, 1 otherwise
  --interval D   --watch's time between polls (default 10s), growing to
                 4 × D while nothing changes; unchanged polls cost no rate
                 limit with a token
  --timeout D    give up after D (default 10m, with --watch 6h; 0: never)
  --redis URL    share the rate budget, secondary-limit waits, a cap on
                 requests in flight and kept pages with every ghjobs on the
                 same Redis (redis://HOST:PORT[/DB]; default
                 $GHJOBS_REDIS_URL); Redis down costs nothing but the sharing.
                 Pages are sealed with $GHJOBS_REDIS_KEY (32 bytes, base64)
  --store-scope S  whom --redis shares among: the identity GitHub counts,
                 e.g. app/ID/installation/ID (default $GHJOBS_STORE_SCOPE;
                 in Actions with the workflow's token, the repository;
                 else the token)
  --version      print the version and exit

Retries and rate-limit waits are said on stderr as they happen.

exit status: 0 success; 1 API or network error (with --watch: or a job did
not succeed); 2 usage error; 124 --timeout ran out; 130 interrupted (Ctrl-C)
`

func main() {
	ctx, stop := interruptContext()
	code := newCLI().run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// interrupted is the cause of the context's end when a signal stopped the command.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string {
	if i.sig == syscall.SIGINT {
		return "interrupted"
	}
	return i.sig.String() // "terminated"
}

// exitCode is the shell's convention for a command ended by a signal: 128 + its number, so
// 130 for Ctrl-C.
func (i interrupted) exitCode() int { return 128 + int(i.sig) }

// interruptContext is cancelled, with an interrupted cause, on Ctrl-C or SIGTERM. A second
// Ctrl-C is the system's again: it ends the command at once, should stopping take long.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			signal.Stop(sigs)
			cancel(interrupted{s.(syscall.Signal)})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// cli is the command with its surroundings, which tests replace.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// isTerminal reports whether w is a terminal: colour for stdout, progress for stderr.
	isTerminal func(w io.Writer) bool
	// size is the number of columns and lines of the terminal w is, or 0, 0.
	size func(w io.Writer) (cols, rows int)
	// progressDelay is how long fetching goes on before progress shows on a terminal.
	progressDelay time.Duration
	// quietNotice is how long without an answer before a non-terminal stderr is told.
	quietNotice time.Duration
	// ghTimeout bounds `gh auth token`.
	ghTimeout time.Duration
	// local reports whether an API root is on this machine (tests pretend it is not).
	local func(apiURL string) bool
	// sleep waits between --watch's polls (tests move a simulated clock instead).
	sleep func(ctx context.Context, d time.Duration) error
	// retry, if set, replaces the client's retry policy (tests shorten the waits).
	retry *wrapper.RetryPolicy
	// ready, if set, is told the URL `ghjobs serve` listens on.
	ready func(url string)

	noProgress    bool                     // no progress line (--watch shows its own)
	log           *statusLog               // stderr, set up by run
	progress      atomic.Pointer[progress] // the progress line being drawn, if any
	authenticated bool                     // the client sends a token
	closers       []func() error           // what run closes at the end (the Redis store)
	watched       []wrapper.Job            // the jobs --watch saw last (--otlp --watch sends them)
	demoServer    *api.Server              // --demo's fake GitHub
	help, helpFor string                   // the usage --help prints, and "serve " for serve's
}

func newCLI() *cli {
	return &cli{
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		now:    time.Now,
		isTerminal: func(w io.Writer) bool {
			f, ok := w.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		},
		size: func(w io.Writer) (int, int) {
			f, ok := w.(*os.File)
			if !ok {
				return 0, 0
			}
			cols, rows, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0, 0
			}
			return cols, rows
		},
		local:         loopback,
		progressDelay: progressDelay,
		ghTimeout:     ghTimeout,
	}
}

// usageError is a mistake in the command line: exit status 2 and a pointer to --help.
type usageError struct{ msg string }

func (e usageError) Error() string { return "ghjobs: " + e.msg }

func usageErr(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// commandErr is an error of the command's own, in the words every error it prints starts
// with: "ghjobs: ", once. Errors of the library start so already and are printed unchanged.
func commandErr(format string, args ...any) error {
	return fmt.Errorf("ghjobs: "+format, args...)
}

func (c *cli) run(ctx context.Context, args []string) int {
	if c.size == nil {
		c.size = func(io.Writer) (int, int) { return 0, 0 }
	}
	if c.local == nil {
		c.local = loopback
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.quietNotice == 0 {
		c.quietNotice = quietNotice
	}
	c.log = &statusLog{w: c.stderr, width: func() int { cols, _ := c.size(c.stderr); return cols }}
	c.help = usage
	var err error
	if len(args) > 0 && args[0] == "serve" {
		c.help, c.helpFor = serveUsage, "serve "
		err = c.serve(ctx, args[1:])
	} else {
		err = c.show(ctx, args)
	}
	for _, close := range c.closers {
		close()
	}
	return c.report(ctx, err)
}

// report says what went wrong, in one message on stderr, and returns the exit status.
// Errors are told apart by their types and sentinels; their texts, the library's included,
// are printed as they are.
func (c *cli) report(ctx context.Context, err error) int {
	var sig interrupted
	var code exitError
	var usage usageError
	var rl *wrapper.RateLimitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(c.stdout, c.help)
		return 0
	case errors.As(err, &code):
		if code.msg != "" {
			fmt.Fprintln(c.stderr, code.msg)
		}
		return code.code
	case errors.As(context.Cause(ctx), &sig):
		fmt.Fprintln(c.stderr, "ghjobs: "+sig.Error())
		return sig.exitCode()
	case errors.As(err, &usage) || errors.Is(err, wrapper.ErrInvalidInput):
		fmt.Fprintf(c.stderr, "%s\nrun 'ghjobs %s--help' for usage\n", message(err), c.helpFor)
		return 2
	case errors.As(err, &rl) && !rl.Secondary:
		fmt.Fprintln(c.stderr, "ghjobs: "+rateLimitText(rl, c.authenticated, time.Now()))
		return 1
	case errors.Is(err, wrapper.ErrNotFound):
		fmt.Fprintf(c.stderr, "%s\n%s\n", message(err), notFoundHint)
		return 1
	case errors.Is(err, wrapper.ErrAttemptUnknown), errors.Is(err, wrapper.ErrNoJobs):
		fmt.Fprintf(c.stderr, "%s\nhint: name the attempt: OWNER/REPO RUN_ID ATTEMPT, or .../actions/runs/RUN_ID/attempts/N\n", message(err))
		return 1
	default:
		fmt.Fprintln(c.stderr, message(err))
		return 1
	}
}

// message is what err says, made safe for a terminal: the command's errors and the
// library's start with "ghjobs: "; an error of the system (a file, a socket) that reached
// here without it gets it.
func message(err error) string {
	msg := render.Printable(err.Error())
	if !strings.HasPrefix(msg, "ghjobs: ") {
		msg = "ghjobs: " + msg
	}
	return msg
}

// notFoundHint follows a 404: GitHub answers so for a private repository the token cannot
// see, as well as for a run or attempt that does not exist.
const notFoundHint = `hint: GitHub answers 404 for a private repository as for a missing one. Check OWNER/REPO,
      RUN_ID and ATTEMPT; for a private repository, set GH_TOKEN to a token that can read
      it (a classic token needs the repo scope) or run 'gh auth login'.`

// exitError ends the command with a given status and, unless msg is empty, a message,
// which starts with "ghjobs: ".
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }
