package api

import (
	"fmt"
	"net/http"
	"net/url"
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
// matches names) with 301 Moved Permanently and a Location that is the same URL (path
// prefix, the rest of the path and the query kept) with newOwner/newRepo, as GitHub
// answers for a renamed or transferred repository. Serve the run under the new name (with
// WithRun); the old name serves nothing but redirects. Repeat it for more renames; a chain
// (a to b, b to c) redirects once per step. Empty names, names with a slash and renames
// to the same name (which would redirect forever) make New fail.
func WithRename(oldOwner, oldRepo, newOwner, newRepo string) Option {
	return func(c *config) {
		c.renames = append(c.renames, rename{repoName{oldOwner, oldRepo}, repoName{newOwner, newRepo}})
	}
}

func renameMap(renames []rename) (map[repoKey]repoName, error) {
	m := make(map[repoKey]repoName, len(renames))
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
		m[from] = rn.to
	}
	return m, nil
}

// moved answers a request for a renamed repository with 301 to the same URL under the new
// name. r has been routed, so its path is prefix/repos/{owner}/{repo}/rest.
func (f *Fake) moved(r *http.Request, to repoName) reply {
	rel := strings.TrimPrefix(r.URL.EscapedPath(), f.v.prefix)
	parts := strings.SplitN(rel, "/", 5) // "", "repos", owner, repo, rest
	loc := requestOrigin(r) + f.v.prefix + "/repos/" + url.PathEscape(to.owner) + "/" + url.PathEscape(to.repo) + "/" + parts[4]
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	return redirectReply(http.StatusMovedPermanently, loc)
}
