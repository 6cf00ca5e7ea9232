package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestStoreScope: the scope the command names for the store, by flag, variable and, in
// GitHub Actions with the workflow's token, the repository.
func TestStoreScope(t *testing.T) {
	actions := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "Octo-Org/Octo-Repo", "GITHUB_REPOSITORY_ID": "42"}
	for _, tt := range []struct {
		name  string
		flag  string
		env   map[string]string
		token string
		want  string
	}{
		{"the flag first", "mine", map[string]string{"GHJOBS_STORE_SCOPE": "theirs"}, "ghp_x", "mine"},
		{"then the variable", "", map[string]string{"GHJOBS_STORE_SCOPE": "app/1/installation/2"}, "", "app/1/installation/2"},
		{"Actions' token: the repository by id", "", actions, "ghs_abc", "github-actions/repository-id/42"},
		{"Actions' token: the repository by name", "", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "Octo-Org/Octo-Repo"}, "ghs_abc", "github-actions/repository/octo-org/octo-repo"},
		{"a personal token in Actions: the token's own", "", actions, "ghp_abc", ""},
		{"no token in Actions", "", actions, "", ""},
		{"outside Actions", "", map[string]string{"GITHUB_REPOSITORY": "o/r"}, "ghs_abc", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := testCLI(tt.env)
			if got := c.storeScope(options{storeScope: tt.flag}, tt.token); got != tt.want {
				t.Errorf("scope %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDecodeKey: GHJOBS_REDIS_KEY in hex or base64, 32 bytes, else a usage error that does
// not show the key.
func TestDecodeKey(t *testing.T) {
	want := bytes.Repeat([]byte{0xab}, 32)
	for _, s := range []string{strings.Repeat("ab", 32), "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s"} {
		if got, err := decodeKey(s); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q: %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"c2VjcmV0", strings.Repeat("ab", 31), "not a key at all, secret"} {
		_, err := decodeKey(s)
		if err == nil || strings.Contains(err.Error(), s) {
			t.Errorf("%q: %v; want an error without the key", s, err)
		}
	}
}

// TestStoreScopeNeedsRedis: --store-scope without a Redis to share is a usage error.
func TestStoreScopeNeedsRedis(t *testing.T) {
	_, env := fixtureServer(t)
	code, _, errOut := ghjobs(t, env, append([]string{"--store-scope", "app/1"}, fixtureArgs...)...)
	if code != 2 || !strings.Contains(errOut, "--redis") {
		t.Errorf("exit %d, stderr %q; want 2 and a word about --redis", code, errOut)
	}
}
