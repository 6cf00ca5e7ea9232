package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"

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
