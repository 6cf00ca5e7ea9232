package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 1 << 40, Number: 1}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid attempt refused: %v", err)
	}
	for _, a := range []Attempt{
		{Owner: "", Repo: "r", RunID: 1, Number: 1},
		{Owner: strings.Repeat("a", 40), Repo: "r", RunID: 1, Number: 1},
		{Owner: "octo.org", Repo: "r", RunID: 1, Number: 1},
		{Owner: "octo/org", Repo: "r", RunID: 1, Number: 1},
		{Owner: "ö", Repo: "r", RunID: 1, Number: 1},
		{Owner: "o", Repo: "", RunID: 1, Number: 1},
		{Owner: "o", Repo: strings.Repeat("r", 101), RunID: 1, Number: 1},
		{Owner: "o", Repo: "a b", RunID: 1, Number: 1},
		{Owner: "o", Repo: "../x", RunID: 1, Number: 1},
		{Owner: "o", Repo: ".", RunID: 1, Number: 1},
		{Owner: "o", Repo: "..", RunID: 1, Number: 1},
		{Owner: "o", Repo: "r", RunID: 0, Number: 1},
		{Owner: "o", Repo: "r", RunID: -1, Number: 1},
		{Owner: "o", Repo: "r", RunID: 1, Number: 0},
	} {
		if err := a.Validate(); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("validate(%+v) = %v, want ErrInvalidInput", a, err)
		}
	}
	for _, a := range []Attempt{
		{Owner: strings.Repeat("a", 39), Repo: strings.Repeat("r", 100), RunID: 1, Number: 1},
		{Owner: "-x-", Repo: "my.repo_v2-x", RunID: 1, Number: 9},
		{Owner: "o", Repo: ".github", RunID: 1, Number: 1},
		{Owner: "octocat_acme", Repo: "r", RunID: 1, Number: 1}, // an Enterprise Managed User
	} {
		if err := a.Validate(); err != nil {
			t.Errorf("validate(%+v) = %v, want nil", a, err)
		}
	}
}

func TestListOptionsParams(t *testing.T) {
	for _, o := range []*ListOptions{{PerPage: -1}, {PerPage: 101}, {Page: -1}} {
		if _, err := o.params(); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: error %v, want ErrInvalidInput", o, err)
		}
	}
	p, err := (&ListOptions{PerPage: 100, Page: 3}).params()
	if err != nil || *p.PerPage != 100 || *p.Page != 3 {
		t.Errorf("params = %+v, %v", p, err)
	}
	if p, err := (&ListOptions{}).params(); err != nil || p.PerPage != nil || p.Page != nil {
		t.Errorf("zero options should send no parameters: %+v, %v", p, err)
	}
}

func TestNewOptions(t *testing.T) {
	bad := map[string][]Option{
		"empty token":              {WithToken("  \n")},
		"token with inner space":   {WithToken("ghp_abc def")},
		"nil token source":         {WithTokenSource(nil)},
		"nil HTTP client":          {WithHTTPClient(nil)},
		"empty user agent":         {WithUserAgent("")},
		"user agent with newline":  {WithUserAgent("a\r\nX-Evil: 1")},
		"per page 0":               {WithPerPage(0)},
		"per page 101":             {WithPerPage(101)},
		"relative base URL":        {WithBaseURL("ghe.example.com/api/v3")},
		"ftp base URL":             {WithBaseURL("ftp://ghe.example.com")},
		"base URL with query":      {WithBaseURL("https://ghe.example.com/api/v3?x=1")},
		"base URL with user":       {WithBaseURL("https://me:secret@ghe.example.com/api/v3")},
		"token over http":          {WithBaseURL("http://ghe.example.com/api/v3"), WithToken("t")},
		"unparsable base URL":      {WithBaseURL("https://[::1")},
		"empty token after others": {WithUserAgent("x"), WithToken("")},
	}
	for name, opts := range bad {
		c, err := New(opts...)
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: New = %v, %v; want ErrInvalidInput", name, c, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
	}

	c, err := New(WithBaseURL("http://127.0.0.1:8080/api/v3"), WithToken("t"))
	if err != nil {
		t.Fatalf("a token to a loopback test server over http must be allowed: %v", err)
	}
	if c.base.String() != "http://127.0.0.1:8080/api/v3/" {
		t.Errorf("base = %q, want a trailing slash so the path prefix is kept", c.base)
	}
}

func TestNewFromEnv(t *testing.T) {
	var seen http.Header
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.Header.Clone()
		if r.URL.Host != "ghe.example.com" || !strings.HasPrefix(r.URL.Path, "/api/v3/repos/") {
			t.Errorf("request went to %s", r.URL)
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"total_count":0,"jobs":[]}`)), Request: r}, nil
	})
	a := Attempt{Owner: "o", Repo: "r", RunID: 1, Number: 1}

	t.Setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3")
	t.Setenv("GH_TOKEN", "from-gh\n")
	t.Setenv("GITHUB_TOKEN", "from-actions")
	c, err := NewFromEnv(WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListJobs(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	if got := seen.Get("Authorization"); got != "Bearer from-gh" {
		t.Errorf("Authorization = %q, want GH_TOKEN first", got)
	}

	t.Setenv("GH_TOKEN", "")
	c, _ = NewFromEnv(WithHTTPClient(&http.Client{Transport: rt}))
	c.ListJobs(context.Background(), a, nil)
	if got := seen.Get("Authorization"); got != "Bearer from-actions" {
		t.Errorf("Authorization = %q, want GITHUB_TOKEN", got)
	}

	t.Setenv("GITHUB_TOKEN", "")
	c, _ = NewFromEnv(WithHTTPClient(&http.Client{Transport: rt}))
	c.ListJobs(context.Background(), a, nil)
	if got := seen.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q without a token in the environment", got)
	}
}

func TestOriginOf(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"https://api.github.com", "https://API.github.com:443/x", true},
		{"http://127.0.0.1:80/a", "http://127.0.0.1/b", true},
		{"http://[::1]:8080/", "http://[::1]:8080/api/v3", true},
		{"https://api.github.com", "http://api.github.com", false},
		{"https://api.github.com", "https://api.github.com.evil.example", false},
		{"https://api.github.com", "https://api.github.com:8443", false},
		{"http://127.0.0.1:1", "http://127.0.0.1:2", false},
	} {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := originOf(a) == originOf(b); got != tt.same {
			t.Errorf("%s and %s: same origin = %v (%s vs %s), want %v", tt.a, tt.b, got, originOf(a), originOf(b), tt.same)
		}
	}
}

func TestClientPrintsNoToken(t *testing.T) {
	c, err := New(WithToken("ghp_SECRET123"))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, c); strings.Contains(s, "SECRET") {
			t.Errorf("%s shows the token: %s", format, s)
		}
	}
	if s := fmt.Sprintf("%+v", *c); strings.Contains(s, "SECRET") {
		t.Errorf("the Client value shows the token: %s", s)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
