package api

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// WithTokenForRepos adds token as a credential that sees the runs of the named repositories
// ("owner/repo", case-insensitive) and no others, as a fine-grained or an App installation's
// token sees only the repositories it was granted: a request with it for any other
// repository gets 404, GitHub's answer for a repository a token may not see (never 403).
// Repeat it for more tokens. Like WithToken, it makes the runs private: a request without
// credentials gets 404, and one with unknown credentials 401. A token given to WithToken too
// sees every repository.
func WithTokenForRepos(token string, repos ...string) Option {
	return func(c *config) {
		if c.repoTokens == nil {
			c.repoTokens = make(map[string][]repoKey)
		}
		for _, r := range repos {
			owner, name, _ := strings.Cut(r, "/")
			c.repoTokens[token] = append(c.repoTokens[token], repoKeyOf(owner, name))
		}
		if _, ok := c.repoTokens[token]; !ok {
			c.repoTokens[token] = nil // a token that sees nothing is still a known one
		}
	}
}

// credential returns the token of r's Authorization header ("Bearer", or the older "token"
// scheme), or "" for none.
func credential(r *http.Request) string {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "token") {
		return ""
	}
	return strings.TrimSpace(cred)
}

// knownToken reports whether tok is a credential of WithToken or WithTokenForRepos.
func (f *Fake) knownToken(tok string) bool {
	if tok == "" {
		return false
	}
	if f.token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(f.token)) == 1 {
		return true
	}
	_, ok := f.repoTokens[tok]
	return ok
}

// private reports whether the fake's runs need credentials.
func (f *Fake) private() bool { return f.token != "" || len(f.repoTokens) > 0 }

// sees reports whether r's credentials may see repo: any repository without credentials
// required, or with WithToken's token; the repositories granted to a WithTokenForRepos token.
func (f *Fake) sees(r *http.Request, repo repoKey) bool {
	tok := credential(r)
	if !f.private() || f.token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(f.token)) == 1 {
		return true
	}
	for _, granted := range f.repoTokens[tok] {
		if granted == repo {
			return true
		}
	}
	return false
}

// finalName is the name repo has after its renames (WithRename), which is the one granted.
func (f *Fake) finalName(repo repoKey) repoKey {
	if to, ok := f.renames[repo]; ok {
		return to
	}
	return repo
}
