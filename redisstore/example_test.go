package redisstore_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/redisstore"
	"github.com/ghjobs/ghjobs/wrapper"
)

// Replicas of a program share one rate budget, secondary-limit hold, cap on requests in
// flight and set of kept pages through Redis. The redis client keeps connections open and
// sends no CLIENT SETINFO, so that each call is one round trip.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true,
		MinIdleConns: 4, DisableIdentity: true})
	defer rdb.Close()
	store := redisstore.New(rdb, redisstore.WithMaxInFlight(50))
	defer store.Close()
	c, err := wrapper.New(wrapper.WithToken(os.Getenv("GITHUB_TOKEN")),
		wrapper.WithStore(store),
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

// The replicas of a GitHub App installation share its budget through Redis, and keep their
// pages there sealed: Redis sees no job data, and a page it changed is fetched again. Every
// replica needs the same key, 32 random bytes (here base64 in the environment, from a secret
// store: openssl rand -base64 32).
func ExampleWithEncryptionKey() {
	key, err := base64.StdEncoding.DecodeString(os.Getenv("STORE_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	s, err := redisstore.NewFromURL(os.Getenv("REDIS_URL"), redisstore.WithEncryptionKey(key))
	if err != nil {
		log.Fatal(err) // a key of another size than 32 bytes: wrapper.ErrInvalidInput
	}
	defer s.Close()
	c, err := wrapper.New(wrapper.WithToken(os.Getenv("GITHUB_TOKEN")), // this replica's installation token
		wrapper.WithStore(s), wrapper.WithStoreScope("app/1/installation/2"))
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

// A Redis URL shown to a person: its password hidden, even in a URL that does not parse.
func ExampleRedactURL() {
	fmt.Println(redisstore.RedactURL("redis://default:hunter22@redis.internal:6379/0"))
	fmt.Println(redisstore.RedactURL("redis://default:hun/ter22@redis.internal"))
	// Output:
	// redis://default:xxxxx@redis.internal:6379/0
	// redis://default:xxxxx@redis.internal
}
