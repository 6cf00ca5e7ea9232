package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
)

func ExampleNewServer() {
	srv, err := api.NewServer(
		api.WithRun(api.SampleRun("octo-org", "octo-repo", 29679449, 1, 45)),
		api.WithPathPrefix("/api/v3"), // as GitHub Enterprise Server
	)
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/repos/octo-org/octo-repo/actions/runs/29679449/attempts/1/jobs", nil)
	req.Header.Set("User-Agent", "example")
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var page generated.JobsPage
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		panic(err)
	}
	fmt.Println(resp.Status, page.TotalCount, len(page.Jobs), page.Jobs[0].Name)
	fmt.Println("violations:", len(srv.Fake.Violations()))
	// Output:
	// 200 OK 45 30 build
	// violations: 0
}

func ExampleFake_Script() {
	srv, err := api.NewServer(api.WithRun(api.SampleRun("octo-org", "octo-repo", 29679449, 1, 3)))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	// The next three requests misbehave, one fault each; the ones after are answered normally.
	srv.Fake.Script(
		api.Status(http.StatusBadGateway),
		api.SecondaryRateLimit(http.StatusTooManyRequests, 90*time.Second),
		api.PrimaryRateLimit(time.Hour),
	)
	for range 4 {
		req, _ := http.NewRequest("GET", srv.URL+"/repos/octo-org/octo-repo/actions/runs/29679449/attempts/1/jobs", nil)
		req.Header.Set("User-Agent", "example")
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Printf("%s, retry-after %q, remaining %s\n", resp.Status, resp.Header.Get("Retry-After"), resp.Header.Get("X-RateLimit-Remaining"))
	}
	fmt.Println("pending:", srv.Fake.Pending(), "requests:", len(srv.Fake.Requests()))
	// Output:
	// 502 Bad Gateway, retry-after "", remaining 59
	// 429 Too Many Requests, retry-after "90", remaining 58
	// 403 Forbidden, retry-after "", remaining 0
	// 200 OK, retry-after "", remaining 56
	// pending: 0 requests: 4
}

// Jobs as older payloads have them, without created_at, run_attempt, workflow_name and
// head_branch: what code that reads them must cope with.
func ExampleSampleRunOldShape() {
	srv, err := api.NewServer(api.WithRun(api.SampleRunOldShape("octo-org", "octo-repo", 29679449, 1, 3)))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/repos/octo-org/octo-repo/actions/runs/29679449/attempts/1/jobs", nil)
	req.Header.Set("User-Agent", "example")
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var page generated.JobsPage
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		panic(err)
	}
	j := page.Jobs[0]
	fmt.Println(j.Name, j.Status, j.CreatedAt.IsZero(), j.RunAttempt == nil, j.WorkflowName == nil, j.HeadBranch == nil)
	fmt.Println("violations:", len(srv.Fake.Violations()))
	// Output:
	// build completed true true true true
	// violations: 0
}
