package api

import (
	"fmt"
	"net/http"
	"strings"
)

// rename is one WithRename.
type rename struct{ from, to repoName }

// repoName is an owner and a repository as given.
type repoName struct{ owner, repo string }

// repoKey is a repoName as GitHub matches it: case-insensitively.
type repoKey repoName

func repoKeyOf(owner, repo string) repoKey {
	return repoKey{strings.ToLower(owner), strings.ToLower(repo)}
}

// WithRename answers every request for oldOwner/oldRepo (case-insensitive, as GitHub
// matches names) with 301 Moved Permanently, as GitHub answers for a renamed or transferred
// repository: Location is the same URL (path prefix, the rest of the path and the query
// kept) with the repository named by id, https://HOST/repositories/{repository_id}/...,
// the id of newOwner/newRepo (see Run.RepositoryID); the body is GitHub's
// {"message":"Moved Permanently","url":...,"documentation_url":...}. The 301 counts against
// the rate limit, as on GitHub. Serve the run under the new name (with WithRun); the old
// name serves nothing but redirects. Repeat it for more renames; a chain (a to b, b to c)
// redirects a and b straight to c's id, in one step, as GitHub does. Empty names, names with
// a slash and renames that lead back to a name renamed (which would redirect forever) make
// New fail.
func WithRename(oldOwner, oldRepo, newOwner, newRepo string) Option {
	return func(c *config) {
		c.renames = append(c.renames, rename{repoName{oldOwner, oldRepo}, repoName{newOwner, newRepo}})
	}
}

// renameMap maps every old name to the name it ends at, after all the renames.
func renameMap(renames []rename) (map[repoKey]repoKey, error) {
	step := make(map[repoKey]repoKey, len(renames))
	for _, rn := range renames {
		for _, s := range []string{rn.from.owner, rn.from.repo, rn.to.owner, rn.to.repo} {
			if s == "" || strings.Contains(s, "/") {
				return nil, fmt.Errorf("ghjobs/api: rename %s/%s to %s/%s: invalid name %q", rn.from.owner, rn.from.repo, rn.to.owner, rn.to.repo, s)
			}
		}
		from := repoKeyOf(rn.from.owner, rn.from.repo)
		if from == repoKeyOf(rn.to.owner, rn.to.repo) {
			return nil, fmt.Errorf("ghjobs/api: rename %s/%s to itself", rn.from.owner, rn.from.repo)
		}
		step[from] = repoKeyOf(rn.to.owner, rn.to.repo)
	}
	final := make(map[repoKey]repoKey, len(step))
	for from, to := range step {
		for n := 0; ; n++ {
			next, ok := step[to]
			if !ok {
				break
			}
			if n == len(step) {
				return nil, fmt.Errorf("ghjobs/api: renames of %s/%s go round in a circle", from.owner, from.repo)
			}
			to = next
		}
		final[from] = to
	}
	return final, nil
}

// moved answers a request for a renamed repository with 301 to the same URL with the
// repository named by the id of its new name, as GitHub answers (Octokit's fixture
// scenarios/api.github.com/rename-repository: Location https://api.github.com/repositories/515436299).
// r has been routed, so its path is prefix/repos/{owner}/{repo}/rest.
func (f *Fake) moved(r *http.Request, to repoKey) reply {
	loc := requestOrigin(r) + byIDPath(f.v.prefix, f.repositoryID(to), r.URL.EscapedPath())
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	return redirectReply(http.StatusMovedPermanently, loc)
}
