package redisstore_test

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/redisstore"
	"github.com/ghjobs/ghjobs/wrapper"
)

// Replicas of a program share one rate budget, secondary-limit hold, cap on requests in
// flight and set of kept pages through Redis.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()
	c, err := wrapper.New(wrapper.WithToken(os.Getenv("GITHUB_TOKEN")),
		wrapper.WithStore(redisstore.New(rdb, redisstore.WithMaxInFlight(50))),
		wrapper.WithSharedFreshness(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	jobs, err := c.AllJobs(context.Background(), wrapper.Attempt{Owner: "octo-org", Repo: "octo-repo", RunID: 29679449, Number: 1})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d jobs", len(jobs))
}

// A store from a URL, such as the command's --redis or GHJOBS_REDIS_URL.
func ExampleNewFromURL() {
	s, err := redisstore.NewFromURL("redis://localhost:6379/0")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	c, err := wrapper.NewFromEnv(wrapper.WithStore(s))
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}
