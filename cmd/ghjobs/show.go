package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// errTimedOut is the cause of the context's end when --timeout ran out.
var errTimedOut = errors.New("--timeout ran out")

// show is the listing command: ghjobs [flags] OWNER/REPO RUN_ID [ATTEMPT].
func (c *cli) show(ctx context.Context, args []string) error {
	o, positional, err := parseOptions(args)
	if err != nil {
		return err
	}
	if o.version {
		_, err := fmt.Fprintln(c.stdout, versionLine())
		return err
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
	var t target
	if !o.demo {
		if err := checkRunURLHost(positional, c.apiURL(o.apiURL)); err != nil {
			return err
		}
		if t, err = targetFromArgs(positional, c.getenv); err != nil {
			return err
		}
	}

	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.timeout, errTimedOut)
		defer cancel()
	}
	err = c.listOrWatch(ctx, o, dest, t, runner)
	if err != nil && errors.Is(context.Cause(ctx), errTimedOut) {
		return exitError{124, fmt.Sprintf("%s: gave up after %s (--timeout %s)", message(err), o.timeout, o.timeout)}
	}
	return err
}

// listOrWatch connects to GitHub (or the demo's fake), finds the attempt t means, and lists
// or watches it.
func (c *cli) listOrWatch(ctx context.Context, o options, dest *destination, t target, runner string) error {
	if o.watch && c.retry == nil {
		policy := watchPolicy()
		c.retry = &policy
	}
	var client *wrapper.Client
	var a wrapper.Attempt
	var err error
	if o.demo {
		client, a, err = c.startDemo(o)
	} else {
		client, err = c.client(ctx, o)
	}
	if err != nil {
		return err
	}
	if !o.demo {
		if a, err = c.resolve(ctx, client, t, o.watch); err != nil {
			return err
		}
	}
	switch {
	case o.traceparent && !o.currentJob: // the attempt's span: known once the attempt is
		_, err := fmt.Fprintln(c.stdout, traceparentText(o, a, 0))
		return err
	case o.exporting():
		return c.exportOTLP(ctx, o, client, a)
	case o.watch:
		return c.watch(ctx, o, dest, client, a)
	}
	return c.list(ctx, o, dest, client, a, runner)
}

// resolve finds the attempt t means: the one named, the run's latest, or the one a job ran
// in. With wait (--watch), a run without jobs yet is waited for, as a run just started or
// re-run gets its jobs within seconds.
func (c *cli) resolve(ctx context.Context, client *wrapper.Client, t target, wait bool) (a wrapper.Attempt, err error) {
	run := fmt.Sprintf("%s/%s run %d", t.Owner, t.Repo, t.RunID)
	switch {
	case t.job > 0:
		err = c.tracked(fmt.Sprintf("%s job %d", run, t.job), "finding its attempt", func(*progress) error {
			a, err = client.JobAttempt(ctx, t.Owner, t.Repo, t.job)
			return err
		})
		if err == nil && a.RunID != t.RunID {
			err = commandErr("job %d is of run %d, not of run %d as its address says", t.job, a.RunID, t.RunID)
		}
		return a, err
	case !t.latest():
		return t.Attempt, nil
	}
	for said := false; ; said = true {
		err = c.tracked(run, "finding its latest attempt", func(*progress) error {
			a, err = client.LatestAttempt(ctx, t.Owner, t.Repo, t.RunID)
			return err
		})
		if !wait || !errors.Is(err, wrapper.ErrNoJobs) {
			return a, err
		}
		if !said {
			c.log.say(fmt.Sprintf("ghjobs: %s has no jobs yet: waiting for them", run))
		}
		if err := c.sleep(ctx, minInterval); err != nil {
			return wrapper.Attempt{}, err
		}
	}
}

// list fetches the attempt and writes it as o asks.
func (c *cli) list(ctx context.Context, o options, dest *destination, client *wrapper.Client, a wrapper.Attempt, runner string) (err error) {
	if o.format == "jsonl" && !o.currentJob && o.jq == "" {
		// Each job is written as it arrives, so `| head` ends the listing early.
		return c.output(dest, func(w io.Writer, _ bool) error {
			return render.StreamJSONL(w, func(each func(wrapper.Job) error) error {
				return c.fetch(ctx, client, a, each)
			})
		})
	}
	jobs, err := c.collect(ctx, client, a)
	if err != nil {
		return err
	}
	if o.demo {
		if err := c.demoKept(); err != nil {
			return err
		}
		defer func() {
			if err == nil {
				c.demoSay(len(jobs))
			}
		}()
	}
	if o.currentJob {
		id, err := currentJob(jobs, runner)
		if err != nil {
			return err
		}
		return c.output(dest, func(w io.Writer, _ bool) error {
			if o.traceparent {
				_, err := fmt.Fprintln(w, traceparentText(o, a, id))
				return err
			}
			_, err := fmt.Fprintln(w, id)
			return err
		})
	}
	now := c.now()
	return c.output(dest, func(w io.Writer, colour bool) error {
		return renderJobs(w, o, a, jobs, now, colour, c.tableWidth(dest, o))
	})
}

// tableWidth is the width the table must fit: the terminal's, unless --wide or -o.
func (c *cli) tableWidth(dest *destination, o options) int {
	if dest != nil || o.wide || !c.isTerminal(c.stdout) {
		return 0
	}
	cols, _ := c.size(c.stdout)
	return cols
}

// renderJobs writes jobs in the format o asks for; a table fits width columns if it is
// above 0. With --jq, the JSON document goes through its expression.
func renderJobs(w io.Writer, o options, a wrapper.Attempt, jobs []wrapper.Job, now time.Time, colour bool, width int) error {
	if o.query != nil {
		jw := &jqWriter{code: o.query, expr: o.jq, w: w}
		o.query = nil
		if err := renderJobs(jw, o, a, jobs, now, colour, width); err != nil {
			return err
		}
		return jw.flush()
	}
	at := render.Time(a, jobs, now)
	switch {
	case o.summary && o.format == "json":
		return render.SummaryJSON(w, at)
	case o.summary:
		return render.Summary(w, at, width)
	case o.format == "json":
		return render.JSON(w, jobs)
	case o.format == "jsonl":
		return render.JSONL(w, jobs)
	case o.format == "csv":
		return render.CSV(w, at, o.steps)
	case o.format == "mermaid":
		return render.Mermaid(w, at, o.steps)
	case o.format == "svg":
		return render.SVG(w, at)
	}
	return render.Table(w, at, o.steps, colour, width)
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
