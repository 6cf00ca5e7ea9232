package api

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
)

// GitHub names a repository by id in the URLs it makes itself: every Link of a page and the
// Location of a renamed repository's 301 read https://HOST/repositories/{repository_id}/...,
// whatever name the request used (Octokit's fixtures scenarios/api.github.com/paginate-issues
// and rename-repository, raw-fixture.json). The fake does the same, and serves those URLs.

// reposSegment and repositoriesSegment start the two paths of one operation.
const (
	reposSegment        = "/repos/"
	repositoriesSegment = "/repositories/"
)

// DefaultRepositoryID is the repository id of owner/repo when its Run leaves RepositoryID
// zero: derived from the lowercased names (GitHub matches names case-insensitively), so it
// is the same in every process, and above 2^32, as GitHub's ids will be, so that a client
// storing it in 32 bits fails in tests.
func DefaultRepositoryID(owner, repo string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.ToLower(owner) + "/" + strings.ToLower(repo)))
	return 1<<32 + int64(h.Sum64()%(1<<40))
}

// setRepositoryIDLocked records id as the repository id of key, replacing the repository's
// earlier id. It panics when id is negative or already names another repository: a Run
// that cannot be served as GitHub would serve it is a mistake in the test that made it.
// f.mu is held.
func (f *Fake) setRepositoryIDLocked(key repoKey, id int64) {
	if id == 0 {
		if _, ok := f.repoIDs[key]; ok {
			return
		}
		id = DefaultRepositoryID(key.owner, key.repo)
	}
	if id < 0 {
		panic(fmt.Sprintf("ghjobs/api: Run %s/%s: negative RepositoryID %d", key.owner, key.repo, id))
	}
	if other, ok := f.repoByID[id]; ok && other != key {
		panic(fmt.Sprintf("ghjobs/api: Run %s/%s: RepositoryID %d already names %s/%s", key.owner, key.repo, id, other.owner, other.repo))
	}
	if old, ok := f.repoIDs[key]; ok {
		delete(f.repoByID, old)
	}
	f.repoIDs[key] = id
	f.repoByID[id] = key
}

// repositoryID returns the id of a repository: the one its runs set, else the default.
func (f *Fake) repositoryID(key repoKey) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.repoIDs[key]; ok {
		return id
	}
	return DefaultRepositoryID(key.owner, key.repo)
}

// repositoryByID returns the repository that id names, if the fake serves runs of it.
func (f *Fake) repositoryByID(id int64) (repoKey, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key, ok := f.repoByID[id]
	return key, ok
}

// byIDPath returns the escaped path prefix/repositories/{id}/rest, GitHub's own URL for
// the request path prefix/repos/{owner}/{repo}/rest (or prefix/repositories/{x}/rest).
func byIDPath(prefix string, id int64, escapedPath string) string {
	return prefix + repositoriesSegment + strconv.FormatInt(id, 10) + "/" + afterRepository(prefix, escapedPath)
}

// afterRepository returns what follows the repository in an escaped path of the operation,
// prefix/repos/{owner}/{repo}/rest or prefix/repositories/{id}/rest: "rest".
func afterRepository(prefix, escapedPath string) string {
	rel := strings.TrimPrefix(escapedPath, prefix)
	if strings.HasPrefix(rel, repositoriesSegment) {
		parts := strings.SplitN(rel, "/", 4) // "", "repositories", id, rest
		return parts[len(parts)-1]
	}
	parts := strings.SplitN(rel, "/", 5) // "", "repos", owner, repo, rest
	return parts[len(parts)-1]
}

// byRepositoryID reports whether the escaped path is prefix/repositories/{id}/rest with a
// positive decimal id, and returns the path as the spec writes it,
// prefix/repos/{owner}/{repo}/rest, with placeholders for the names, and the id.
func byRepositoryID(prefix, escapedPath string) (reposPath string, id int64, ok bool) {
	rel, ok := strings.CutPrefix(escapedPath, prefix+repositoriesSegment)
	if !ok {
		return "", 0, false
	}
	digits, rest, ok := strings.Cut(rel, "/")
	if !ok || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return "", 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return prefix + reposSegment + url.PathEscape(idOwner) + "/" + url.PathEscape(idRepo) + "/" + rest, id, true
}

// idOwner and idRepo stand for the names while a request by repository id is routed and
// validated: the spec knows only /repos/{owner}/{repo}/..., and any valid name will do.
const (
	idOwner = "repository-by-id"
	idRepo  = "repository-by-id"
)
