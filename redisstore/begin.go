package redisstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// maxMillis bounds the spans of time begin.lua returns (its MAXMS): within time.Duration.
const maxMillis = 9_000_000_000_000

var errClosed = errorf("the store is closed")

// Begin implements wrapper.Store: one EVALSHA (an EVAL before the warm-up loaded the script,
// or when Redis lost it). A page kept that cannot be read is no error:
// the grant comes without it, and it is removed from Redis.
func (s *Store) Begin(ctx context.Context, scope string, b wrapper.StoreBegin) (wrapper.StoreGrant, error) {
	if err := checkScope(scope); err != nil {
		return wrapper.StoreGrant{}, err
	}
	if s.isClosed() {
		return wrapper.StoreGrant{}, errClosed
	}
	want := "0"
	if b.Page != "" {
		want = "1"
	}
	name := s.pageName(b.Page)
	keys := s.keys(scope, name)
	args := []any{b.Slot, s.maxInFlight, s.lease.Milliseconds(), want, maxStoredPage, MaxLease.Milliseconds()}
	// The script may have taken the slot before its answer was lost, or may run after the
	// release: end.lua then marks the lease given back, and begin.lua takes no slot for it.
	release := func() {
		if b.Slot != "" {
			s.enqueue(s.endCall(scope, wrapper.StoreEnd{Slot: b.Slot}))
		}
	}
	reply, gaveUp, err := bounded(ctx, func(ctx context.Context) (any, error) {
		return s.run(ctx, beginScript, keys, args...)
	}, release)
	if err != nil {
		if !gaveUp { // else release runs once the late answer comes
			release()
		}
		return wrapper.StoreGrant{}, errorf("begin: %w", err)
	}
	g, f, err := grantOf(reply)
	if err != nil {
		release()
		return wrapper.StoreGrant{}, errorf("begin: %w", err)
	}
	if f != nil {
		p, err := s.openPage(place{s.prefix, scope, b.Page}, *f, s.now())
		if err != nil { // treated as absent, and removed unless it changed since
			s.enqueue(s.forgetCall(scope, name, f))
		}
		g.Page = p
	}
	return g, nil
}

// bounded returns what call returns, or ctx's error once ctx is done, even when the redis
// client was made without ContextTimeoutEnabled and would wait for its own timeouts. When it
// gave up on call (gaveUp), abandoned runs once call returns.
func bounded[T any](ctx context.Context, call func(context.Context) (T, error), abandoned func()) (v T, gaveUp bool, err error) {
	type result struct {
		v   T
		err error
	}
	var mu sync.Mutex
	left := false // the caller gave up
	done := make(chan result, 1)
	go func() {
		v, err := call(ctx)
		mu.Lock()
		defer mu.Unlock()
		if !left {
			done <- result{v, err}
		} else if abandoned != nil {
			abandoned()
		}
	}()
	select {
	case r := <-done:
		return r.v, false, r.err
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		select {
		case r := <-done: // call returned meanwhile: its answer counts
			return r.v, false, r.err
		default:
			left = true
			return v, true, ctx.Err()
		}
	}
}

// Positions in begin.lua's reply.
const (
	rHold = iota
	rHoldStatus
	rSlot
	rLimit
	rRemaining
	rUsed
	rReset
	rResource
	rResetIn
	rPage
	rETag
	rHeader
	rBody
	rAge
	rTo
	rConf
	rWrite
	rLen
)

// grantOf reads begin.lua's reply: the grant, and the fields of the page kept, nil for none.
// A reply that the script cannot have sent is an error. The figures kept are taken as Redis
// has them when they are figures at all (the client judges them), and ignored when not.
func grantOf(reply any) (wrapper.StoreGrant, *pageFields, error) {
	r, ok := reply.([]any)
	if !ok || len(r) != rLen {
		return wrapper.StoreGrant{}, nil, errors.New("the begin script's answer is not its own")
	}
	str := func(i int) string { v, _ := r[i].(string); return v }
	// span reads a span of milliseconds; "" for none.
	span := func(i int) (time.Duration, bool, error) {
		switch v := r[i].(type) {
		case int64:
			if v < -maxMillis || v > maxMillis {
				return 0, false, errors.New("the begin script answered a span of time that is none")
			}
			return time.Duration(v) * time.Millisecond, true, nil
		case string:
			if v == "" {
				return 0, false, nil
			}
		}
		return 0, false, errors.New("the begin script's answer is not its own")
	}
	var g wrapper.StoreGrant
	var err error
	if g.Hold, _, err = span(rHold); err != nil || g.Hold < 0 {
		return g, nil, errors.New("the begin script answered a hold that is none")
	}
	if st, err := strconv.Atoi(str(rHoldStatus)); err == nil && st >= 100 && st <= 599 {
		g.HoldStatus = st
	}
	g.Slot = r[rSlot] == int64(1)

	resetIn, hasReset, err := span(rResetIn)
	if err != nil {
		return g, nil, err
	}
	if rate, ok := rateOf(str(rLimit), str(rRemaining), str(rUsed), str(rReset), str(rResource)); ok && hasReset {
		g.Rate, g.ResetIn = rate, resetIn
	}

	if r[rPage] != int64(1) {
		return g, nil, nil
	}
	f := &pageFields{etag: str(rETag), header: str(rHeader), body: []byte(str(rBody)),
		to: str(rTo), conf: []byte(str(rConf)), w: str(rWrite)}
	if f.age, f.hasAge, err = span(rAge); err != nil {
		return g, nil, err
	}
	return g, f, nil
}

// rateOf reads figures kept as End wrote them: whole numbers, none negative.
func rateOf(limit, remaining, used, reset, resource string) (wrapper.Rate, bool) {
	var n [3]int
	for i, s := range []string{limit, remaining, used} {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return wrapper.Rate{}, false
		}
		n[i] = v
	}
	r, err := strconv.ParseInt(reset, 10, 64)
	if err != nil || r < 0 || n[0] == 0 {
		return wrapper.Rate{}, false
	}
	rate := wrapper.Rate{Limit: n[0], Remaining: n[1], Used: n[2], Resource: resource}
	if r > 0 {
		rate.Reset = time.Unix(r, 0)
	}
	return rate, true
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
