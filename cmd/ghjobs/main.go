// Command ghjobs shows every job of a GitHub Actions workflow run attempt: as a table, as
// GitHub's own JSON, as JSON lines or CSV, as a mermaid gantt chart or an SVG timeline, or as
// summary figures (queue time, duration, slowest jobs and steps, failed steps).
//
//	ghjobs [flags] OWNER/REPO RUN_ID [ATTEMPT]
//	ghjobs [flags] https://github.com/OWNER/REPO/actions/runs/RUN_ID[/attempts/N]
//	ghjobs [flags]                         inside GitHub Actions: this run
//	ghjobs --demo [flags]                  a sample run from the built-in fake API
//	ghjobs serve [--addr HOST:PORT] [--jobs N]
//
// The token comes from GH_TOKEN, else GITHUB_TOKEN, else `gh auth token`; the API root from
// --api-url or GITHUB_API_URL (https://HOST/api/v3 for GitHub Enterprise Server).
//
// Exit status: 0 on success, 1 for an API or network error, 2 for a usage error, 130 when
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
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/ghjobs/ghjobs/wrapper"
)

const usage = `usage: ghjobs [flags] OWNER/REPO RUN_ID [ATTEMPT]
       ghjobs [flags] https://github.com/OWNER/REPO/actions/runs/RUN_ID[/attempts/N]
       ghjobs [flags]                  in GitHub Actions: the run of this workflow
       ghjobs --demo [flags]           a sample run from the built-in fake API
       ghjobs serve [--addr HOST:PORT] [--jobs N]

Shows every job of a workflow run attempt, all pages. ATTEMPT defaults to 1.
In GitHub Actions, GITHUB_REPOSITORY, GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT fill in what
is left out. The token comes from GH_TOKEN, GITHUB_TOKEN or 'gh auth token'.

flags:
  --format F      table (default), json, jsonl, csv, mermaid or svg
  --json          the same as --format json
  --steps         a row (table, csv) or task (mermaid) per step too
  --summary       figures instead of the list: jobs by conclusion, queue time and
                  duration (median, p95, max), slowest jobs and steps, failed steps
  --current-job   print the id of the in-progress job running on $RUNNER_NAME
  -o FILE         write to FILE instead of standard output (- for standard output);
                  a regular file is replaced once all is written, keeping its mode
  --api-url URL   REST API root (default $GITHUB_API_URL or https://api.github.com);
                  https://HOST/api/v3 for GitHub Enterprise Server
  --demo          use a sample run served by the built-in fake (no network, no token)
  --jobs N        jobs in the --demo run (default 250)
  --version       print the version and exit

exit status: 0 success, 1 API or network error, 2 usage error, 130 interrupted (Ctrl-C)
`

func main() {
	ctx, stop := interruptContext()
	code := newCLI().run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// interrupted is the cause of the context's end when a signal stopped the command.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string { return "interrupted (" + i.sig.String() + ")" }

// exitCode is the shell's convention for a command ended by a signal: 128 + its number, so
// 130 for Ctrl-C.
func (i interrupted) exitCode() int { return 128 + int(i.sig) }

// interruptContext is cancelled, with an interrupted cause, on Ctrl-C or SIGTERM.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
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
	// progressDelay is how long fetching goes on before progress shows.
	progressDelay time.Duration
	// ghTimeout bounds `gh auth token`.
	ghTimeout time.Duration
	// ready, if set, is told the URL `ghjobs serve` listens on.
	ready func(url string)
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
		progressDelay: progressDelay,
		ghTimeout:     ghTimeout,
	}
}

// errUsage marks errors that exit with status 2 and the usage text.
var errUsage = errors.New("usage")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func (c *cli) run(ctx context.Context, args []string) int {
	var err error
	if len(args) > 0 && args[0] == "serve" {
		err = c.serve(ctx, args[1:])
	} else {
		err = c.show(ctx, args)
	}
	return c.report(ctx, err)
}

// report says what went wrong, in one message on stderr, and returns the exit status.
func (c *cli) report(ctx context.Context, err error) int {
	msg := func(err error) string {
		// Errors from the library start with "ghjobs: " already.
		return "ghjobs: " + strings.TrimPrefix(err.Error(), "ghjobs: ")
	}
	var sig interrupted
	var code exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(c.stdout, usage)
		return 0
	case errors.As(err, &code):
		if code.msg != "" {
			fmt.Fprintln(c.stderr, "ghjobs: "+code.msg)
		}
		return code.code
	case errors.As(context.Cause(ctx), &sig):
		fmt.Fprintln(c.stderr, "ghjobs: "+sig.Error())
		return sig.exitCode()
	case errors.Is(err, errUsage) || errors.Is(err, wrapper.ErrInvalidInput):
		fmt.Fprintf(c.stderr, "%s\nrun 'ghjobs --help' for usage\n", strings.Replace(msg(err), "usage: ", "", 1))
		return 2
	case errors.Is(err, wrapper.ErrNotFound):
		fmt.Fprintf(c.stderr, "%s\n%s\n", msg(err), notFoundHint)
		return 1
	default:
		fmt.Fprintln(c.stderr, msg(err))
		return 1
	}
}

// notFoundHint follows a 404: GitHub answers so for a private repository the token cannot
// see, as well as for a run or attempt that does not exist.
const notFoundHint = `hint: GitHub answers 404 for a private repository as for a missing one. Check OWNER/REPO,
      RUN_ID and ATTEMPT; for a private repository, set GH_TOKEN to a token that can read
      it (a classic token needs the repo scope) or run 'gh auth login'.`

// exitError ends the command with a given status and, unless msg is empty, a message.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

// options are the flags of the listing command.
type options struct {
	format     string
	steps      bool
	summary    bool
	currentJob bool
	out        string
	apiURL     string
	demo       bool
	demoJobs   int
	version    bool
}

var formats = map[string]bool{"table": true, "json": true, "jsonl": true, "csv": true, "mermaid": true, "svg": true}

// parseFlags reads flags and positional arguments in any order, as people type them. A
// negative number is an argument (a wrong one, reported as such), not an unknown flag.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			// The flag package has consumed the argument it failed on.
			if i := len(args) - len(fs.Args()) - 1; i >= 0 && i < len(args) && negativeNumber(args[i]) {
				positional = append(positional, args[i])
				args = fs.Args()
				continue
			}
			return nil, usageErr("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func negativeNumber(s string) bool {
	return len(s) > 1 && s[0] == '-' && strings.Trim(s[1:], "0123456789") == ""
}

func (c *cli) show(ctx context.Context, args []string) error {
	var o options
	fs := flag.NewFlagSet("ghjobs", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	fs.StringVar(&o.format, "format", "table", "")
	asJSON := fs.Bool("json", false, "")
	fs.BoolVar(&o.steps, "steps", false, "")
	fs.BoolVar(&o.summary, "summary", false, "")
	fs.BoolVar(&o.currentJob, "current-job", false, "")
	fs.StringVar(&o.out, "o", "", "")
	fs.StringVar(&o.apiURL, "api-url", "", "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.IntVar(&o.demoJobs, "jobs", 250, "")
	fs.BoolVar(&o.version, "version", false, "")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if o.version {
		_, err := fmt.Fprintln(c.stdout, versionLine())
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if *asJSON {
		if set["format"] && o.format != "json" {
			return usageErr("--json and --format %s disagree", o.format)
		}
		o.format = "json"
	}
	switch {
	case !formats[o.format]:
		return usageErr("--format %q: want table, json, jsonl, csv, mermaid or svg", o.format)
	case o.summary && o.format != "table":
		return usageErr("--summary prints text: leave out --format %s", o.format)
	case o.steps && (o.summary || o.format == "json" || o.format == "jsonl" || o.format == "svg"):
		return usageErr("--steps adds rows to table and csv and tasks to mermaid; json and svg always have the steps")
	case o.currentJob && (o.summary || o.steps || set["format"] || *asJSON):
		return usageErr("--current-job prints a job id: it takes no --format, --steps or --summary")
	case set["jobs"] && !o.demo:
		return usageErr("--jobs sets the size of the --demo run")
	case o.demoJobs < 0 || o.demoJobs > maxDemoJobs:
		return usageErr("--jobs %d: want 0 to %d", o.demoJobs, maxDemoJobs)
	case o.demo && len(positional) > 0:
		return usageErr("--demo takes no OWNER/REPO RUN_ID ATTEMPT")
	case o.demo && o.apiURL != "":
		return usageErr("--demo takes no --api-url")
	}

	// A runner name is needed before any request is worth sending.
	runner := c.getenv("RUNNER_NAME")
	if o.currentJob && runner == "" {
		return usageErr("--current-job needs RUNNER_NAME, which GitHub Actions sets in a job")
	}
	var dest *destination
	if o.out != "" && o.out != "-" {
		if dest, err = openDestination(o.out); err != nil {
			return err
		}
	}

	var jobs []wrapper.Job
	var a wrapper.Attempt
	now := c.now()
	if o.demo {
		if jobs, a, err = c.demo(ctx, o.demoJobs); err != nil {
			return err
		}
		now = latest(jobs) // the sample is a snapshot: its "now" is its last timestamp
	} else {
		if err := checkRunURLHost(positional, c.apiURL(o.apiURL)); err != nil {
			return err
		}
		if a, err = attemptFromArgs(positional, c.getenv); err != nil {
			return err
		}
		client, err := c.client(ctx, o.apiURL)
		if err != nil {
			return err
		}
		if jobs, err = c.fetch(ctx, client, a); err != nil {
			return err
		}
	}

	if o.currentJob {
		id, err := currentJob(jobs, runner)
		if err != nil {
			return err
		}
		return c.output(dest, func(w io.Writer, _ bool) error {
			_, err := fmt.Fprintln(w, id)
			return err
		})
	}
	return c.output(dest, func(w io.Writer, colour bool) error {
		return render(w, o, a, jobs, now, colour)
	})
}

// render writes jobs in the format o asks for.
func render(w io.Writer, o options, a wrapper.Attempt, jobs []wrapper.Job, now time.Time, colour bool) error {
	switch o.format {
	case "json":
		return writeJSON(w, jobs)
	case "jsonl":
		return writeJSONL(w, jobs)
	}
	at := timeAttempt(a, jobs, now)
	switch {
	case o.summary:
		return writeSummary(w, at)
	case o.format == "csv":
		return writeCSV(w, at, o.steps)
	case o.format == "mermaid":
		return writeMermaid(w, at, o.steps)
	case o.format == "svg":
		return writeSVG(w, at)
	}
	return writeTable(w, at, o.steps, colour)
}

// output runs write on standard output (dest nil), in colour when it is a terminal and
// NO_COLOR is not set, or on -o's destination.
func (c *cli) output(dest *destination, write func(w io.Writer, colour bool) error) error {
	if dest == nil {
		colour := c.getenv("NO_COLOR") == "" && c.isTerminal(c.stdout)
		return write(c.stdout, colour)
	}
	return dest.write(func(w io.Writer) error { return write(w, false) })
}
