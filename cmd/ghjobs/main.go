// Command ghjobs lists every job of a GitHub Actions workflow run attempt.
//
//	ghjobs [--json] [--api-url URL] OWNER/REPO RUN_ID ATTEMPT
//	ghjobs --demo [--json]
//
// The token comes from GH_TOKEN or GITHUB_TOKEN, the API root from --api-url or
// GITHUB_API_URL (https://HOST/api/v3 for GitHub Enterprise Server). --demo lists a sample
// run from the built-in fake API on loopback: no network, no token.
//
// Exit status: 0 on success, 1 for an API or network error, 2 for a usage error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

const usage = `usage: ghjobs [--json] [--api-url URL] OWNER/REPO RUN_ID ATTEMPT
       ghjobs --demo [--json]

Lists every job of a workflow run attempt, all pages.
The token comes from GH_TOKEN or GITHUB_TOKEN; the API root from --api-url or GITHUB_API_URL.

`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks errors that exit with status 2 and the usage text.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := runErr(ctx, args, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, errUsage) || errors.Is(err, wrapper.ErrInvalidInput):
		fmt.Fprintf(stderr, "ghjobs: %v\n\n%s", strings.TrimPrefix(err.Error(), "ghjobs: "), usage)
		return 2
	default:
		fmt.Fprintf(stderr, "ghjobs: %v\n", strings.TrimPrefix(err.Error(), "ghjobs: "))
		return 1
	}
}

func runErr(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ghjobs", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	asJSON := fs.Bool("json", false, "print {\"total_count\": N, \"jobs\": [...]} as the API does, every page")
	demo := fs.Bool("demo", false, "list a sample run from the built-in fake API (no network, no token)")
	apiURL := fs.String("api-url", "", "REST API root, e.g. https://ghe.example.com/api/v3 (default $GITHUB_API_URL or https://api.github.com)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	if *demo {
		if fs.NArg() > 0 || *apiURL != "" {
			return fmt.Errorf("%w: --demo takes no arguments and no --api-url", errUsage)
		}
		return runDemo(ctx, *asJSON, stdout, stderr)
	}

	a, err := parseArgs(fs.Args())
	if err != nil {
		return err
	}
	var opts []wrapper.Option
	if *apiURL != "" {
		opts = append(opts, wrapper.WithBaseURL(*apiURL))
	}
	c, err := wrapper.NewFromEnv(append(opts, wrapper.WithUserAgent("ghjobs-cli"))...)
	if err != nil {
		return err
	}
	return list(ctx, c, a, *asJSON, stdout)
}

// parseArgs reads OWNER/REPO RUN_ID ATTEMPT.
func parseArgs(args []string) (wrapper.Attempt, error) {
	if len(args) != 3 {
		return wrapper.Attempt{}, fmt.Errorf("%w: want OWNER/REPO RUN_ID ATTEMPT, got %d argument(s)", errUsage, len(args))
	}
	owner, repo, ok := strings.Cut(args[0], "/")
	if !ok {
		return wrapper.Attempt{}, fmt.Errorf("%w: %q: want OWNER/REPO", errUsage, args[0])
	}
	runID, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return wrapper.Attempt{}, fmt.Errorf("%w: run ID %q: not a number", errUsage, args[1])
	}
	attempt, err := strconv.ParseInt(args[2], 10, 64)
	if err != nil {
		return wrapper.Attempt{}, fmt.Errorf("%w: attempt %q: not a number", errUsage, args[2])
	}
	return wrapper.Attempt{Owner: owner, Repo: repo, RunID: runID, Number: attempt}, nil
}

// runDemo serves a sample run from the fake API on loopback and lists it through the real
// client over HTTP, as it would list a run on github.com.
func runDemo(ctx context.Context, asJSON bool, stdout, stderr io.Writer) error {
	const token = "demo-token"
	run := api.SampleRun("octo-org", "octo-repo", 12_345_678_901, 1, 250)
	srv, err := api.NewServer(api.WithRun(run), api.WithToken(token))
	if err != nil {
		return err
	}
	defer srv.Close()

	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(token), wrapper.WithUserAgent("ghjobs-demo"))
	if err != nil {
		return err
	}
	a := wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Attempt}
	if err := list(ctx, c, a, asJSON, stdout); err != nil {
		return err
	}
	if v := srv.Fake.Violations(); len(v) > 0 {
		return fmt.Errorf("the fake API saw %d contract violation(s), first: %w", len(v), v[0])
	}
	fmt.Fprintf(stderr, "demo: listed %d jobs of %s in %d requests to the fake GitHub API at %s\n",
		len(run.Jobs), a, len(srv.Fake.Requests()), srv.URL)
	return nil
}

func list(ctx context.Context, c *wrapper.Client, a wrapper.Attempt, asJSON bool, w io.Writer) error {
	jobs, err := c.AllJobs(ctx, a)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		// The API's field order, total_count first (generated.JobsPage sorts it last).
		return enc.Encode(struct {
			TotalCount int           `json:"total_count"`
			Jobs       []wrapper.Job `json:"jobs"`
		}{len(jobs), jobs})
	}
	return writeTable(w, jobs)
}

func writeTable(w io.Writer, jobs []wrapper.Job) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tDURATION")
	for _, j := range jobs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", j.Name, status(j), duration(j))
	}
	return tw.Flush()
}

// status is "completed/failure" for finished jobs and the bare status otherwise.
func status(j wrapper.Job) string {
	if j.Conclusion != nil {
		return string(j.Status) + "/" + string(*j.Conclusion)
	}
	return string(j.Status)
}

// duration is completed − started, "-" while the job has not finished. GitHub's timestamps can
// be out of order; such a job shows 0s rather than a negative time.
func duration(j wrapper.Job) string {
	if j.CompletedAt == nil {
		return "-"
	}
	return max(j.CompletedAt.Sub(j.StartedAt), 0).Round(time.Second).String()
}
