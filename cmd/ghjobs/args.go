package main

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/ghjobs/ghjobs/wrapper"
)

// The variables GitHub Actions sets for the run a step belongs to.
var actionsEnv = [3]string{"GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"}

// target is what the arguments name: an attempt; a run, whose latest attempt is meant
// (Number 0); or, from a job's page, the attempt that job ran in (job above 0).
type target struct {
	wrapper.Attempt
	job int64
}

// latest reports whether the target is a run's latest attempt, still to be found.
func (t target) latest() bool { return t.Number == 0 && t.job == 0 }

// targetFromArgs reads OWNER/REPO RUN_ID [ATTEMPT], or a run's or job's URL as pasted from
// the browser and an optional ATTEMPT. What is left out comes from GitHub Actions'
// variables, but only while the arguments given match them: a run ID from the environment
// belongs to the environment's repository, not to another one named here. Otherwise a run
// without ATTEMPT means its latest attempt, as the browser shows it. Everything is checked
// against GitHub's rules before any token lookup or request.
func targetFromArgs(args []string, getenv func(string) string) (target, error) {
	var job int64
	if len(args) > 0 && isURL(args[0]) {
		fromURL, jobID, err := runURLArgs(args[0])
		if err != nil {
			return target{}, err
		}
		if (len(fromURL) == 3 || jobID > 0) && len(args) > 1 {
			return target{}, usageErr("%s names its attempt already; leave out %q", args[0], args[1])
		}
		args, job = append(fromURL, args[1:]...), jobID
	}
	if len(args) > 3 {
		return target{}, usageErr("want OWNER/REPO RUN_ID [ATTEMPT], got %d arguments", len(args))
	}
	var vals [3]string
	fromEnv := true // every value so far matches the environment
	for i := range vals {
		env := strings.TrimSpace(getenv(actionsEnv[i]))
		switch {
		case i < len(args):
			vals[i] = args[i]
			fromEnv = fromEnv && env != "" && strings.EqualFold(args[i], env)
		case fromEnv && env != "" && job == 0:
			vals[i] = env
		case i == 2: // the latest attempt
		case i == 0:
			return target{}, usageErr("OWNER/REPO RUN_ID missing (in GitHub Actions, GITHUB_REPOSITORY and GITHUB_RUN_ID supply them)")
		default:
			return target{}, usageErr("RUN_ID missing")
		}
	}

	owner, repo, ok := strings.Cut(vals[0], "/")
	if !ok || strings.Contains(repo, "/") {
		return target{}, usageErr("%q: want OWNER/REPO", vals[0])
	}
	runID, err := positive("run ID", vals[1])
	if err != nil {
		return target{}, err
	}
	var attempt int64
	if vals[2] != "" {
		if attempt, err = positive("attempt", vals[2]); err != nil {
			return target{}, err
		}
	}
	t := target{Attempt: wrapper.Attempt{Owner: owner, Repo: repo, RunID: runID, Number: attempt}, job: job}
	check := t.Attempt
	check.Number = max(check.Number, 1) // the latest is at least the first
	return t, check.Validate()
}

// positive reads a run ID or attempt number: "attempt must be ≥ 1" says more than a parse
// error for -1 or 0.
func positive(what, s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(s, "-"):
		return 0, usageErr("%s %s: too large", what, s)
	case errors.Is(err, strconv.ErrRange):
		return 0, usageErr("%s must be ≥ 1, got %s", what, s)
	case err != nil:
		return 0, usageErr("%s %q: want a number", what, s)
	case n < 1:
		return 0, usageErr("%s must be ≥ 1, got %d", what, n)
	}
	return n, nil
}

// checkRunURLHost refuses a run's address on a host other than github.com when no API root
// is configured: the token is for github.com's API, and the Enterprise host's API root is
// for the user to confirm.
func checkRunURLHost(args []string, apiURL string) error {
	if len(args) == 0 || !isURL(args[0]) || apiURL != "" {
		return nil
	}
	u, err := url.Parse(args[0])
	if err != nil {
		return usageErr("%q: not a URL", args[0])
	}
	if h := strings.ToLower(u.Hostname()); h != "github.com" && h != "www.github.com" {
		return usageErr("%s is on %s: give its API root, --api-url https://%s/api/v3 for GitHub Enterprise Server", args[0], h, h)
	}
	return nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// runURLArgs turns the address of a run's page into OWNER/REPO RUN_ID and, when it names
// one, ATTEMPT: https://github.com/OWNER/REPO/actions/runs/ID, with /attempts/N after it, as
// the browser shows them. A job's page, .../runs/ID/job/JOB_ID, does not say its attempt:
// its job id is returned, for the attempt to be asked for.
func runURLArgs(raw string) (args []string, job int64, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, 0, usageErr("%q: not a URL", raw)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 5 || parts[2] != "actions" || parts[3] != "runs" {
		return nil, 0, usageErr("%s: want a run's address, https://github.com/OWNER/REPO/actions/runs/RUN_ID", raw)
	}
	args = []string{parts[0] + "/" + parts[1], parts[4]}
	switch rest := parts[5:]; {
	case len(rest) == 0:
	case len(rest) == 2 && rest[0] == "job":
		if job, err = positive("job ID", rest[1]); err != nil {
			return nil, 0, err
		}
	case len(rest) == 2 && rest[0] == "attempts":
		args = append(args, rest[1])
	default:
		return nil, 0, usageErr("%s: want a run's address, https://github.com/OWNER/REPO/actions/runs/RUN_ID[/attempts/N]", raw)
	}
	return args, job, nil
}
