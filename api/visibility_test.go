package api

import "testing"

// A token sees the repositories it was granted and gets 404 for the others, as GitHub
// answers for a repository a token may not see; WithToken's token sees every one.
func TestTokenForRepos(t *testing.T) {
	s := NewTestServer(t,
		WithToken("admin"),
		WithTokenForRepos("ghs_a", "Octo-Org/octo-repo"), // names match case-insensitively
		WithTokenForRepos("ghs_b", "other-org/other-repo"),
		WithTokenForRepos("ghs_none"),
		WithRename("octo-org", "old-name", "octo-org", "octo-repo"),
		WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)),
		WithRun(SampleRun("other-org", "other-repo", testRunID, 1, 3)))
	tests := []struct {
		auth, owner, repo string
		status            int
	}{
		{"Bearer ghs_a", testOwner, testRepo, 200},
		{"Bearer ghs_a", "other-org", "other-repo", 404},
		{"Bearer ghs_a", "octo-org", "old-name", 301}, // granted under the name it has now
		{"Bearer ghs_b", "octo-org", "old-name", 404},
		{"Bearer ghs_b", testOwner, testRepo, 404},
		{"Bearer ghs_b", "other-org", "other-repo", 200},
		{"Bearer ghs_none", testOwner, testRepo, 404},
		{"Bearer admin", "other-org", "other-repo", 200},
		{"Bearer ghs_unknown", testOwner, testRepo, 401},
		{"", testOwner, testRepo, 404},
	}
	for _, tt := range tests {
		url := s.URL + jobsPath(tt.owner, tt.repo, testRunID, 1)
		if resp, _ := get(t, noRedirects(s), url, "Authorization", tt.auth); resp.StatusCode != tt.status {
			t.Errorf("%q for %s/%s: status %d, want %d", tt.auth, tt.owner, tt.repo, resp.StatusCode, tt.status)
		}
	}
}
