package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

func versionTestRun() (api.Run, wrapper.Attempt) {
	run := api.SampleRun("octo-org", "octo-repo", 1<<33+5, 1, 3)
	return run, wrapper.Attempt{Owner: run.Owner, Repo: run.Repo, RunID: run.RunID, Number: run.Number}
}

func TestAPIVersionHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []wrapper.Option
		want string
	}{
		{"default", nil, wrapper.APIVersion},
		{"WithAPIVersion", []wrapper.Option{wrapper.WithAPIVersion("2026-03-10")}, "2026-03-10"},
		{"the default, asked for", []wrapper.Option{wrapper.WithAPIVersion(wrapper.APIVersion)}, wrapper.APIVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, a := versionTestRun()
			srv := api.NewTestServer(t, api.WithRun(run))
			c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(srv.URL)}, tc.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.AllJobs(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			reqs := srv.Fake.Requests()
			if len(reqs) == 0 {
				t.Fatal("no request reached the fake")
			}
			for _, r := range reqs {
				if got := r.Header.Values("X-GitHub-Api-Version"); len(got) != 1 || got[0] != tc.want {
					t.Errorf("%s: X-GitHub-Api-Version %q, want %q", r.URL, got, tc.want)
				}
			}
		})
	}
}

func TestWithAPIVersionRefusesMalformedVersions(t *testing.T) {
	for _, v := range []string{
		"", "v3", "2022-11-28 ", " 2022-11-28", "2022-11-28\r\nX-Evil: 1", "2022-13-01",
		"2022-02-30", "22-11-28", "2022-1-28", "2022/11/28", "2022-11-28T00:00:00Z", "latest",
	} {
		c, err := wrapper.New(wrapper.WithAPIVersion(v))
		if !errors.Is(err, wrapper.ErrInvalidInput) {
			t.Errorf("WithAPIVersion(%q): client %v, error %v; want ErrInvalidInput", v, c, err)
		}
	}
}

func TestUnsupportedAPIVersionFromTheFake(t *testing.T) {
	run, a := versionTestRun()
	srv := api.NewTestServer(t, api.WithRun(run))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIVersion("2021-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AllJobs(context.Background(), a)
	if !errors.Is(err, wrapper.ErrUnsupportedAPIVersion) {
		t.Fatalf("error %v; want one matching ErrUnsupportedAPIVersion", err)
	}
	var apiErr *wrapper.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("error %#v; want an *APIError with status 400", err)
	}
	if errors.Is(err, wrapper.ErrNotFound) {
		t.Errorf("error %v matches ErrNotFound too", err)
	}
	if n := len(srv.Fake.Requests()); n != 1 {
		t.Errorf("%d requests; a refused version is final, want 1", n)
	}
}

func TestUnsupportedAPIVersionAnswers(t *testing.T) {
	v, err := api.NewValidator("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"GitHub's 400", 400, `{"message":"The version you specified in the \"X-GitHub-API-Version\" request header, \"2021-01-01\", is not a supported version. The following versions are currently supported: \"2022-11-28\", \"2026-03-10\" (most recent).","documentation_url":"https://docs.github.com/rest"}`, true},
		{"a version gone", 410, `{"message":"API version 2022-11-28 is no longer supported.","documentation_url":"https://docs.github.com/rest/about-the-rest-api/api-versions"}`, true},
		{"only the documentation URL says", 400, `{"message":"Bad Request","documentation_url":"https://docs.github.com/rest/about-the-rest-api/api-versions"}`, true},
		{"another 400", 400, `{"message":"Problems parsing JSON","documentation_url":"https://docs.github.com/rest"}`, false},
		{"another 410", 410, `{"message":"Repository access blocked","documentation_url":"https://docs.github.com/rest"}`, false},
		{"a 422 that names the header", 422, `{"message":"X-GitHub-Api-Version: something else went wrong"}`, false},
		{"a 404", 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/about-the-rest-api/api-versions"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if err := v.ValidateRequest(r); err != nil {
					t.Errorf("request %s violates openapi.yaml: %v", r.URL, err)
				}
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			_, a := versionTestRun()
			_, err = c.ListJobs(context.Background(), a, nil)
			var apiErr *wrapper.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status {
				t.Fatalf("error %v; want an *APIError with status %d", err, tc.status)
			}
			if got := errors.Is(err, wrapper.ErrUnsupportedAPIVersion); got != tc.want {
				t.Errorf("errors.Is(%v, ErrUnsupportedAPIVersion) = %t, want %t", err, got, tc.want)
			}
		})
	}
}

// Asking for another REST API version than the one openapi.yaml was vendored from, and
// telling a version GitHub does not serve from other errors.
func ExampleWithAPIVersion() {
	srv, attempt := fakeGitHub() // in real use: wrapper.New(wrapper.WithToken(token), ...)
	defer srv.Close()

	for _, version := range []string{"2026-03-10", "2021-01-01"} {
		c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIVersion(version))
		if err != nil {
			log.Fatal(err) // not a date: refused before any request
		}
		page, err := c.ListJobs(context.Background(), attempt, nil)
		switch {
		case errors.Is(err, wrapper.ErrUnsupportedAPIVersion):
			fmt.Println(version, "is not served")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(version, "served", len(page.Jobs), "jobs")
		}
	}
	// Output:
	// 2026-03-10 served 30 jobs
	// 2021-01-01 is not served
}
