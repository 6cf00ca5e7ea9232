// Package redisstore is a wrapper.Store in Redis (or Valkey), single node or cluster, so
// that clients in several processes that count against one GitHub identity keep to one rate
// budget, one secondary-limit hold, one cap on requests in flight and one set of kept pages:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", MinIdleConns: 4, DisableIdentity: true})
//	c, err := wrapper.New(wrapper.WithToken(token), wrapper.WithStore(redisstore.New(rdb)))
//
// Which clients share is the client's choice, by scope (see wrapper.WithStoreScope): every
// key of one scope carries the hash tag {scope}, so the scripts run on a cluster.
//
// Each request costs one round trip to Redis before it is sent (a Lua script that checks the
// hold, reads the shared figures, takes a slot and returns the page kept), and one after it,
// pipelined with those of other requests, off the request's path. The scripts are loaded
// once, when the Store is made, and again after Redis lost them (one SCRIPT LOAD). Slots are
// leases that expire (WithLease), so a process that dies holding some gives them back.
//
// Redis is never a new way to fail, nor a source of truth: the client bounds every call (see
// wrapper.WithStore), and this package bounds them too, whatever the timeouts of the redis
// client it is given. A kept value that these scripts could not have written (a wrong type,
// a number that is no time, a page that does not decode or is too large) is not an error:
// it is treated as absent and removed. With WithEncryptionKey, pages are sealed, so that
// Redis sees no job data and a changed page is noticed and fetched again; see docs/redis.md
// for what Redis sees with and without it.
//
// Under maxmemory, Redis refuses the writing of pages as any other write (the script that
// keeps pages is declared to write); the scripts that take and give back slots and share
// figures and holds still run, adding at most a slot's few dozen bytes, so that the cap and
// holds keep working when Redis is full.
package redisstore
