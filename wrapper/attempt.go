package wrapper

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Attempt names one attempt of a workflow run.
type Attempt struct {
	Owner  string // account that owns the repository, e.g. "octo-org"
	Repo   string // repository name without ".git", e.g. "octo-repo"
	RunID  int64  // the workflow run's id
	Number int64  // the attempt: 1 for the first run, higher for re-runs
}

// String names the attempt as "owner/repo run ID attempt N".
func (a Attempt) String() string {
	return fmt.Sprintf("%s/%s run %d attempt %d", a.Owner, a.Repo, a.RunID, a.Number)
}

// Validate applies GitHub's naming rules and the ranges of the ids, so that a typo fails
// with a reason (matching ErrInvalidInput) rather than as a 404 from GitHub. Every listing
// calls it before it sends anything; call it yourself to check input early.
func (a Attempt) Validate() error {
	// '_' is not in personal account names, but Enterprise Managed Users are handle_shortcode.
	if err := checkName("owner", a.Owner, 39, func(r rune) bool { return r == '-' || r == '_' }); err != nil {
		return err
	}
	if err := checkName("repository", a.Repo, 100, func(r rune) bool { return r == '-' || r == '_' || r == '.' }); err != nil {
		return err
	}
	if a.Repo == "." || a.Repo == ".." {
		return fmt.Errorf("%w: repository name %q is reserved", ErrInvalidInput, a.Repo)
	}
	if a.RunID < 1 {
		return fmt.Errorf("%w: run ID %d: must be positive", ErrInvalidInput, a.RunID)
	}
	if a.Number < 1 {
		return fmt.Errorf("%w: attempt %d: attempts are numbered from 1", ErrInvalidInput, a.Number)
	}
	return nil
}

// checkName allows 1 to max ASCII letters, digits and the runes extra allows.
func checkName(what, s string, max int, extra func(rune) bool) error {
	if s == "" {
		return fmt.Errorf("%w: empty %s name", ErrInvalidInput, what)
	}
	if len(s) > max {
		return fmt.Errorf("%w: %s name %.20q… is %d characters long; GitHub allows %d", ErrInvalidInput, what, s, len(s), max)
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || extra(r))
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("%w: %s name %q: GitHub does not allow %q in it", ErrInvalidInput, what, s, r)
	}
	return nil
}
