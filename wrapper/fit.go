package wrapper

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// fit is what a page must be to belong to the listing that asked for it, beyond being a page
// of jobs: its jobs of the attempt's run and attempt, and its Links to pages of the same
// listing. A page from GitHub that does not fit is an error; a kept page (the cache's, a
// Store's) that does not fit is dropped and fetched again. The zero fit checks nothing more.
type fit struct {
	runID, attempt int64  // the jobs' run_id and run_attempt (when given); 0 for any
	root           string // the API root's path, "/" or "/api/v3/"
	tail           string // the listing's path after the repository, e.g. "/actions/runs/1/attempts/2/jobs"
}

// attemptFit is the fit of the pages of a's listing on the API root base.
func attemptFit(base *url.URL, a Attempt) fit {
	return fit{runID: a.RunID, attempt: a.Number, root: base.EscapedPath(),
		tail: "/actions/runs/" + strconv.FormatInt(a.RunID, 10) + "/attempts/" + strconv.FormatInt(a.Number, 10) + "/jobs"}
}

// jobs checks that every job is of the run and attempt, as far as it says (run_attempt is
// missing from older answers).
func (f fit) jobs(jobs []Job) error {
	for i := range jobs {
		j := &jobs[i]
		if f.runID != 0 && j.RunID != 0 && j.RunID != f.runID {
			return fmt.Errorf("%w: job %d is of run %d, not of run %d", ErrMalformedPage, j.ID, j.RunID, f.runID)
		}
		if f.attempt != 0 && j.RunAttempt != nil && *j.RunAttempt != f.attempt {
			return fmt.Errorf("%w: job %d is of attempt %d, not of attempt %d", ErrMalformedPage, j.ID, *j.RunAttempt, f.attempt)
		}
	}
	return nil
}

// links checks that every pagination link leads to a page of the same listing: the same
// operation for the same run and attempt, with the repository named by owner and name or,
// as GitHub writes its links, by id. Another path, even on the API's own origin (the
// user's repositories, say), is not followed with the client's credentials.
// page is the URL of the page whose links they are.
func (f fit) links(l links, page *url.URL) error {
	if f.tail == "" {
		return nil
	}
	for _, u := range []*url.URL{l.next, l.prev, l.first, l.last} {
		if u != nil && !f.listing(u.EscapedPath()) {
			return fmt.Errorf("%w: %s: a Link leads out of the listing, to %s", ErrPagination, page.Redacted(), u.Redacted())
		}
	}
	return nil
}

// listing reports whether path is the listing's: root, then repos/OWNER/REPO or
// repositories/ID, then tail.
func (f fit) listing(path string) bool {
	rest, ok := strings.CutPrefix(path, f.root)
	if !ok {
		return false
	}
	if rest, ok = strings.CutSuffix(rest, f.tail); !ok {
		return false
	}
	if id, ok := strings.CutPrefix(rest, "repositories/"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		return err == nil && n > 0 && strconv.FormatInt(n, 10) == id
	}
	names, ok := strings.CutPrefix(rest, "repos/")
	owner, repo, ok2 := strings.Cut(names, "/")
	return ok && ok2 && plainName(owner) && plainName(repo)
}

// plainName reports whether s could be an owner's or a repository's name: ASCII letters,
// digits, '-', '_' and '.', nothing that could change a path's meaning.
func plainName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '.')
	})
}
