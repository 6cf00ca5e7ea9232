package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ghjobs/ghjobs/wrapper"
)

const (
	// endTimeout bounds the sending of a batch of updates.
	endTimeout = 2 * time.Second
	// maxQueued bounds the updates waiting while Redis is down or slow: those refused are
	// slots whose lease expires, and figures and pages the next answers bring again.
	maxQueued = 10_000
	// maxQueuedBytes bounds the pages among them; a page past it is not kept.
	maxQueuedBytes = 64 << 20
	// maxBatch bounds the updates of one pipeline.
	maxBatch = 1000
)

// call is one run of a script, queued for Redis.
type call struct {
	script *script
	keys   []string
	args   []any
	size   int // bytes of the page it keeps, 0 for none
}

// End implements wrapper.Store: it queues e and returns; a goroutine sends the queue to
// Redis in pipelines, and ends when the queue is empty. A page larger than MaxPageSize, or
// without an ETag, is not kept.
func (s *Store) End(_ context.Context, scope string, e wrapper.StoreEnd) error {
	if err := checkScope(scope); err != nil {
		return err
	}
	calls := []call{s.endCall(scope, e)}
	if c, ok := s.putCall(scope, e); ok {
		calls = append(calls, c)
	}
	return s.enqueue(calls...)
}

// endCall is end.lua's run for e: the slot, the figures, the hold, and a page renewed or
// dropped.
func (s *Store) endCall(scope string, e wrapper.StoreEnd) call {
	r := e.Rate
	var reset int64
	if !r.Reset.IsZero() {
		reset = r.Reset.Unix()
	}
	if r.Limit <= 0 || r.Remaining < 0 || r.Used < 0 || reset < 0 {
		r = wrapper.Rate{} // no figures End could keep
	}
	var op, etag, ttl, to, conf string
	switch {
	case e.Page == "" || e.Put != nil:
	case e.Validated && e.PageTTL > 0:
		op, etag, ttl, to = "renew", s.etagField(e.ETag), millis(max(e.PageTTL, time.Millisecond)), e.ConfirmedTo
		if s.sealer != nil {
			to, conf = "", string(s.confirmation(place{s.prefix, scope, e.Page}, e.ETag, e.ConfirmedTo, s.now()))
		}
	case e.Drop:
		op, etag = "drop", s.etagField(e.ETag)
	}
	return call{script: endScript, keys: s.keys(scope, s.pageName(e.Page)), args: []any{
		e.Slot,
		r.Limit, r.Remaining, r.Used, reset, r.Resource, millis(e.ResetIn),
		millis(max(e.Hold, 0)), e.HoldStatus,
		op, etag, ttl, to, conf, "", s.lease.Milliseconds(),
	}}
}

// forgetCall is end.lua's run that removes the page Begin read as f under name, unless it
// changed since.
func (s *Store) forgetCall(scope, name string, f *pageFields) call {
	return call{script: endScript, keys: s.keys(scope, name), args: []any{
		"", 0, 0, 0, 0, "", 0, 0, 0, "forget", f.etag, "", "", "", f.w, 0,
	}}
}

// putCall is put.lua's run for e's page, if it has one to keep.
func (s *Store) putCall(scope string, e wrapper.StoreEnd) (call, bool) {
	if e.Page == "" || e.Put == nil || e.PageTTL <= 0 || e.Put.ETag == "" {
		return call{}, false
	}
	f, ok := s.putFields(place{s.prefix, scope, e.Page}, e.Put, e.ConfirmedTo, s.now())
	if !ok {
		return call{}, false
	}
	args := append([]any{millis(max(e.PageTTL, time.Millisecond))}, f.args()...)
	return call{script: putScript, keys: s.keys(scope, s.pageName(e.Page))[3:4], args: args, size: f.size()}, true
}

// etagField is what the page's etag field holds for etag: itself, or with a key, its keyed
// hash.
func (s *Store) etagField(etag string) string {
	if s.sealer == nil {
		return etag
	}
	return s.sealer.etagTag(etag)
}

// millis is d in whole milliseconds, within the spans the scripts take.
func millis(d time.Duration) string {
	return strconv.FormatInt(min(max(d.Milliseconds(), -maxMillis), maxMillis), 10)
}

// enqueue queues calls for the flush, which it starts if none runs.
func (s *Store) enqueue(calls ...call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if len(s.queue)+len(calls) > maxQueued {
		return errorf("%d updates are waiting for redis: refusing more", len(s.queue))
	}
	for _, c := range calls {
		if c.size > 0 && s.queued+c.size > maxQueuedBytes {
			continue // a page: the next answer brings it again
		}
		s.queue = append(s.queue, c)
		s.queued += c.size
	}
	if !s.flushing {
		s.flushing, s.idle = true, make(chan struct{})
		s.bg.Add(1)
		go s.flush()
	}
	return nil
}

// flush sends the queued calls until none are left. Failures are dropped: a slot's lease
// expires, and the next answers bring figures and pages again.
func (s *Store) flush() {
	defer s.bg.Done()
	for {
		s.mu.Lock()
		n, size := 0, 0
		// A page goes in a pipeline of its own: Redis holds what a pipeline sends in its
		// query buffer, counted in its used memory but not checked against maxmemory; with
		// other commands beside a page, a full Redis went twice as far past it (TestMaxMemory).
		for n < len(s.queue) && n < maxBatch && (n == 0 || size == 0 && s.queue[n].size == 0) {
			size += s.queue[n].size
			n++
		}
		if n == 0 {
			s.flushing = false
			close(s.idle)
			s.mu.Unlock()
			return
		}
		batch := s.queue[:n:n]
		s.queue = s.queue[n:]
		s.queued -= size
		s.mu.Unlock()
		s.send(batch)
	}
}

// drain waits until the updates queued so far have been sent.
func (s *Store) drain() {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	if idle != nil {
		<-idle
	}
}

// send runs batch in one pipeline; the calls Redis answers NOSCRIPT (it lost the scripts)
// go again after one load of their scripts.
func (s *Store) send(batch []call) {
	ctx, cancel := context.WithTimeout(context.Background(), endTimeout)
	defer cancel()
	bounded(ctx, func(ctx context.Context) (struct{}, error) {
		failed := s.pipeline(ctx, batch)
		if len(failed) == 0 {
			return struct{}{}, nil
		}
		loaded := map[*script]bool{}
		for _, c := range failed {
			if !loaded[c.script] {
				loaded[c.script] = true
				c.script.Load(ctx, s.rdb)
			}
		}
		s.pipeline(ctx, failed)
		return struct{}{}, nil
	}, nil)
}

// pipeline runs calls in one pipeline and returns those that Redis answered NOSCRIPT.
// Other errors are dropped; among them Redis's refusal of a page when it is out of memory.
func (s *Store) pipeline(ctx context.Context, calls []call) []call {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(calls))
	for i, c := range calls {
		cmds[i] = c.script.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	pipe.Exec(ctx)
	var failed []call
	for i, cmd := range cmds {
		if noScript(cmd.Err()) {
			failed = append(failed, calls[i])
		}
	}
	return failed
}
