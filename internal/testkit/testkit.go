// Package testkit holds what the tests of the client against the fake share (the root's
// contract tests, wrapper's and redisstore's).
package testkit

import (
	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

// AttemptOf is the attempt the fake's run r is, as the client names it.
func AttemptOf(r api.Run) wrapper.Attempt {
	return wrapper.Attempt{Owner: r.Owner, Repo: r.Repo, RunID: r.RunID, Number: r.Number}
}
