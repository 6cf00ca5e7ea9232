package main

import (
	"strconv"
	"strings"

	"github.com/ghjobs/ghjobs/wrapper"
)

// The variables GitHub Actions sets for the run a step belongs to.
var actionsEnv = [3]string{"GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"}

// attemptFromArgs reads OWNER/REPO RUN_ID [ATTEMPT]. What is left out comes from GitHub
// Actions' variables, but only while the arguments given match them: a run ID from the
// environment belongs to the environment's repository, not to another one named here.
// Outside Actions, ATTEMPT defaults to 1.
func attemptFromArgs(args []string, getenv func(string) string) (wrapper.Attempt, error) {
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
	runID, err := strconv.ParseInt(vals[1], 10, 64)
	if err != nil || runID < 1 {
		return wrapper.Attempt{}, usageErr("run ID %q: want a positive number", vals[1])
	}
	attempt, err := strconv.ParseInt(vals[2], 10, 64)
	if err != nil || attempt < 1 {
		return wrapper.Attempt{}, usageErr("attempt %q: want a positive number (1 for the first)", vals[2])
	}
	return wrapper.Attempt{Owner: owner, Repo: repo, RunID: runID, Number: attempt}, nil
}
