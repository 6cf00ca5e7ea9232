package bench_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/redisstore"
	"github.com/ghjobs/ghjobs/wrapper"
)

// GitHub App installation auth: ghinstallation's transport mints and renews installation
// tokens, and the wrapper sends every request through it. The wrapper's origin guard wraps the
// transport, so the installation token never goes to a host other than the base URL's.
func Example_gitHubApp() {
	const appID, installationID = 123456, 78901234
	key, err := os.ReadFile("my-app.private-key.pem")
	if err != nil {
		log.Fatal(err)
	}
	itr, err := ghinstallation.New(http.DefaultTransport, appID, installationID, key)
	if err != nil {
		log.Fatal(err)
	}
	// On GitHub Enterprise Server, also: itr.BaseURL = "https://ghe.example.com/api/v3"
	c, err := wrapper.New(
		wrapper.WithHTTPClient(&http.Client{Transport: itr}),
		wrapper.WithUserAgent("my-app/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	jobs, err := c.AllJobs(context.Background(), wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(jobs), "jobs")
}

// A fleet of one GitHub App installation: each replica mints its own installation tokens,
// and GitHub counts them all against the installation. Naming the installation as the store's
// scope makes the replicas share its budget, cap on requests in flight and secondary-limit
// holds; pages in Redis are sealed with a key every replica holds.
func Example_gitHubAppFleet() {
	const appID, installationID = 123456, 78901234
	pem, err := os.ReadFile("my-app.private-key.pem")
	if err != nil {
		log.Fatal(err)
	}
	sealKey, err := base64.StdEncoding.DecodeString(os.Getenv("GHJOBS_REDIS_KEY")) // 32 bytes
	if err != nil {
		log.Fatal(err)
	}
	itr, err := ghinstallation.New(http.DefaultTransport, appID, installationID, pem)
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", MinIdleConns: 4, DisableIdentity: true})
	store := redisstore.New(rdb, redisstore.WithEncryptionKey(sealKey))
	defer store.Close()
	c, err := wrapper.New(
		wrapper.WithHTTPClient(&http.Client{Transport: itr}),
		wrapper.WithStore(store),
		wrapper.WithStoreScope(fmt.Sprintf("app/%d/installation/%d", appID, installationID)),
	)
	if err != nil {
		log.Fatal(err)
	}
	jobs, err := c.AllJobs(context.Background(), wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(jobs), "jobs")
}
