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

// attemptFromArgs reads OWNER/REPO RUN_ID [ATTEMPT], or a run's URL as pasted from the
// browser and an optional ATTEMPT. What is left out comes from GitHub Actions' variables,
// but only while the arguments given match them: a run ID from the environment belongs to
// the environment's repository, not to another one named here. Outside Actions, ATTEMPT
// defaults to 1. Everything is checked against GitHub's rules before any token lookup or
// request.
func attemptFromArgs(args []string, getenv func(string) string) (wrapper.Attempt, error) {
	if len(args) > 0 && isURL(args[0]) {
		fromURL, err := runURLArgs(args[0])
		if err != nil {
			return wrapper.Attempt{}, err
		}
		if len(fromURL) == 3 && len(args) > 1 {
			return wrapper.Attempt{}, usageErr("%s names its attempt already; leave out %q", args[0], args[1])
		}
		args = append(fromURL, args[1:]...)
	}
	if len(args) > 3 {
		return wrapper.Attempt{}, usageErr("want OWNER/REPO RUN_ID [ATTEMPT], got %d arguments", len(args))
	}
	var vals [3]string
	fromEnv := true // every value so far matches the environment
	for i := range vals {
		env := strings.TrimSpace(getenv(actionsEnv[i]))
		switch {
		case i < len(args):
			vals[i] = args[i]
			fromEnv = fromEnv && env != "" && strings.EqualFold(args[i], env)
		case fromEnv && env != "":
			vals[i] = env
		case i == 2:
			vals[i] = "1"
		case i == 0:
			return wrapper.Attempt{}, usageErr("OWNER/REPO RUN_ID missing (in GitHub Actions, GITHUB_REPOSITORY and GITHUB_RUN_ID supply them)")
		default:
			return wrapper.Attempt{}, usageErr("RUN_ID missing")
		}
	}

	owner, repo, ok := strings.Cut(vals[0], "/")
	if !ok || strings.Contains(repo, "/") {
		return wrapper.Attempt{}, usageErr("%q: want OWNER/REPO", vals[0])
	}
	runID, err := positive("run ID", vals[1])
	if err != nil {
		return wrapper.Attempt{}, err
	}
	attempt, err := positive("attempt", vals[2])
	if err != nil {
		return wrapper.Attempt{}, err
	}
	a := wrapper.Attempt{Owner: owner, Repo: repo, RunID: runID, Number: attempt}
	return a, checkAttempt(a)
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

// checkAttempt applies the library's own rules for owner and repository names.
func checkAttempt(a wrapper.Attempt) error {
	if err := a.Validate(); err != nil {
		return usageErr("%s", strings.TrimPrefix(strings.TrimPrefix(err.Error(), "ghjobs: "), "invalid input: "))
	}
	return nil
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
// one, ATTEMPT: https://github.com/OWNER/REPO/actions/runs/ID, with /attempts/N or
// /job/JOB_ID after it, as the browser shows them. A job's page does not say its attempt.
func runURLArgs(raw string) ([]string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, usageErr("%q: not a URL", raw)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 5 || parts[2] != "actions" || parts[3] != "runs" {
		return nil, usageErr("%s: want a run's address, https://github.com/OWNER/REPO/actions/runs/RUN_ID", raw)
	}
	args := []string{parts[0] + "/" + parts[1], parts[4]}
	switch rest := parts[5:]; {
	case len(rest) == 0, len(rest) == 2 && rest[0] == "job":
	case len(rest) == 2 && rest[0] == "attempts":
		args = append(args, rest[1])
	default:
		return nil, usageErr("%s: want a run's address, https://github.com/OWNER/REPO/actions/runs/RUN_ID[/attempts/N]", raw)
	}
	return args, nil
}
