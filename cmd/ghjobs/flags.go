package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"time"

	"github.com/itchyny/gojq"
)

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
	timeout    time.Duration
	wide       bool
	watch      bool
	interval   time.Duration
	jq         string          // --jq EXPR, applied to the --format json document
	query      *gojq.Code      // --jq, compiled
	redis      string          // --redis, else $GHJOBS_REDIS_URL (read with the token)
	storeScope string          // --store-scope, else $GHJOBS_STORE_SCOPE (store.go)
	set        map[string]bool // the flags given

	// otlp.go's
	otlp        string // --otlp URL: send the attempt as a trace
	traceparent bool   // --traceparent: print a span's W3C traceparent
}

// defaultTimeout bounds a listing: long enough for retries and a secondary rate limit's
// wait (a minute, doubled on a repeat), short enough that a stalled server is given up on.
const defaultTimeout = 10 * time.Minute

var formats = map[string]bool{"table": true, "json": true, "jsonl": true, "csv": true, "mermaid": true, "svg": true}

// parseOptions reads the listing's flags and checks that they make sense together; the
// positional arguments are returned unchecked.
func parseOptions(args []string) (options, []string, error) {
	o := options{set: map[string]bool{}}
	fs := flag.NewFlagSet("ghjobs", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	asJSON := o.define(fs)
	positional, err := parseFlags(fs, args)
	if err != nil {
		return o, nil, err
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if err := o.check(*asJSON, len(positional)); err != nil {
		return o, nil, err
	}
	return o, positional, nil
}

// define declares the flags on fs, each into its field of o; a new flag is one line here
// and, if it rules others out, a case in check. It returns --json, an alias of --format json.
func (o *options) define(fs *flag.FlagSet) (asJSON *bool) {
	fs.StringVar(&o.format, "format", "table", "")
	asJSON = fs.Bool("json", false, "")
	fs.BoolVar(&o.steps, "steps", false, "")
	fs.BoolVar(&o.summary, "summary", false, "")
	fs.BoolVar(&o.currentJob, "current-job", false, "")
	fs.StringVar(&o.out, "o", "", "")
	fs.StringVar(&o.apiURL, "api-url", "", "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.IntVar(&o.demoJobs, "jobs", 250, "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "")
	fs.BoolVar(&o.wide, "wide", false, "")
	fs.BoolVar(&o.watch, "watch", false, "")
	fs.DurationVar(&o.interval, "interval", defaultInterval, "")
	fs.StringVar(&o.redis, "redis", "", "")
	fs.StringVar(&o.storeScope, "store-scope", "", "")
	fs.StringVar(&o.jq, "jq", "", "")
	otlpFlags(fs, o)
	return asJSON
}

// check settles what the flags given imply (--json and --jq mean --format json; --watch's
// longer timeout; the demo's quicker polls) and refuses those that do not go together.
// positional is how many arguments there are besides the flags.
func (o *options) check(asJSON bool, positional int) error {
	var err error

	if asJSON || o.jq != "" {
		if o.set["format"] && o.format != "json" {
			return usageErr("--json and --jq print JSON; they disagree with --format %s", o.format)
		}
		o.format = "json"
	}
	if o.jq != "" {
		if o.query, err = parseJQ(o.jq); err != nil {
			return err
		}
	}
	switch {
	case !formats[o.format]:
		return usageErr("--format %q: want table, json, jsonl, csv, mermaid or svg", o.format)
	case o.set["o"] && o.out == "":
		return usageErr(`-o "": give a file name, or - for standard output`)
	case o.summary && o.format != "table" && o.format != "json":
		return usageErr("--summary prints text, or with --format json a JSON object: leave out --format %s", o.format)
	case o.steps && (o.summary || o.format == "json" || o.format == "jsonl" || o.format == "svg"):
		return usageErr("--steps adds rows to table and csv and tasks to mermaid; json and svg always have the steps")
	case o.currentJob && (o.summary || o.steps || o.set["format"] || asJSON):
		return usageErr("--current-job prints a job id: it takes no --format, --steps or --summary")
	case o.set["jobs"] && !o.demo:
		return usageErr("--jobs sets the size of the --demo run")
	case o.demoJobs < 0 || o.demoJobs > maxDemoJobs:
		return usageErr("--jobs %d: want 0 to %d", o.demoJobs, maxDemoJobs)
	case o.demo && positional > 0:
		return usageErr("--demo takes no OWNER/REPO RUN_ID ATTEMPT")
	case o.demo && o.apiURL != "":
		return usageErr("--demo takes no --api-url")
	case o.timeout < 0:
		return usageErr("--timeout %s: want a duration such as 10m, or 0 for none", o.timeout)
	case o.set["interval"] && !o.watch:
		return usageErr("--interval is the time between --watch's polls")
	case o.interval < minInterval:
		return usageErr("--interval %s: want at least %s", o.interval, minInterval)
	case o.demo && (o.set["redis"] || o.set["store-scope"]):
		return usageErr("--demo takes no --redis or --store-scope")
	case o.watch && o.currentJob:
		return usageErr("--watch follows an attempt until it ends: it takes no --current-job")
	case o.currentJob && o.jq != "":
		return usageErr("--current-job prints a job id: it takes no --jq")
	}
	if err := checkOTLPOptions(*o); err != nil {
		return err
	}
	if o.watch && !o.set["timeout"] {
		o.timeout = defaultWatchTimeout
	}
	if o.watch && o.demo && !o.set["interval"] {
		o.interval = minInterval // the demo's run moves on at every poll
	}
	return nil
}

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
