package wrapper

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// storeTimeout bounds every call to a Store (see sharing.timeout): a request waits at
	// most this long for a Store that is down before it goes on with the client's own state.
	storeTimeout = 500 * time.Millisecond
	// storeMaxTimeout bounds the calls to a Store that is slow but answers.
	storeMaxTimeout = 2 * time.Second
	// storeMinTimeout is the least time a slot is given to go back, when the request's own
	// deadline has passed.
	storeMinTimeout = 20 * time.Millisecond
	// storeRetry is how often, while a Store fails, one request tries it again; the others
	// do not wait for it.
	storeRetry = time.Second
	// slotPollMin and slotPollMax bound the pause before asking a Store again for a slot
	// when all of them are taken. Requests last tens of milliseconds at least.
	slotPollMin = 5 * time.Millisecond
	slotPollMax = 200 * time.Millisecond
	// slotWaitMin is the least time a request waits for a slot, however short the policy's
	// MaxWait: a Store that grants none for longer is given up on for the request.
	slotWaitMin = time.Second
)

// errSharedHold is the Err of the events of requests waiting out a secondary limit that
// another client of the Store met.
var errSharedHold = errors.New("ghjobs: another client of the store met a secondary rate limit")

// WithStore shares the client's rate-limit figures, secondary-limit holds, requests in
// flight and kept pages with every other client of s in the same scope: several replicas of
// a program, or several programs, then keep to one budget and one cap (see NewMemoryStore,
// and package redisstore for clients in several processes). Without it a client keeps this
// state to itself.
//
// The scope is the identity GitHub counts limits for, which is not always one token: a
// GitHub App installation (each replica mints its own installation token), a user (all their
// personal tokens), a repository (each job's GITHUB_TOKEN in Actions). Name it with
// WithStoreScope, and every client that names it shares, whatever its token. Without
// WithStoreScope, the scope is the credential of WithToken or WithTokenSource (hashed), or
// "no credentials" for a client without any; a client whose credentials a transport of yours
// adds (WithHTTPClient) cannot tell its identity, and New refuses WithStore without
// WithStoreScope rather than put it in a scope shared by accident.
//
// Within a scope, pages are shared, but a page is used for a credential only after GitHub
// confirmed it to that credential (a 304 to its own conditional request), but for
// WithSharedFreshness, which serves it only to the credential GitHub last confirmed it to.
//
// A Store is never a new way to fail: each call to it has a deadline (half a second, up to
// two for a Store measured slow, and never more than a quarter of what is left of the
// request's own), and while it fails the client goes on with its own state, tries the Store
// again once a second, and says so once through WithEvents (EventStoreDown, then
// EventStoreUp).
func WithStore(s Store) Option {
	return func(c *config) error {
		if s == nil {
			return fmt.Errorf("%w: nil store (leave out WithStore to keep state in the client)", ErrInvalidInput)
		}
		c.store = s
		return nil
	}
}

// maxScopeName bounds WithStoreScope's name: an owner and repository name, an App's and an
// installation's ids, or a user's login, with room to spare.
const maxScopeName = 256

// WithStoreScope names the identity whose limits GitHub counts, for WithStore: clients that
// name the same scope (against the same base URL) share one rate budget, one secondary-limit
// hold, one cap on requests in flight and one set of kept pages, whatever their tokens. Name
// what GitHub counts: "app/APP_ID/installation/INSTALLATION_ID" for an App installation,
// "user/LOGIN" for a user's tokens, "repo/OWNER/REPO" for GITHUB_TOKEN in Actions. The name is
// hashed before it reaches the Store. Two identities that name one scope keep to one budget
// between them, and see each other's pages only as GitHub confirms them to each.
func WithStoreScope(name string) Option {
	return func(c *config) error {
		if strings.TrimSpace(name) == "" || len(name) > maxScopeName ||
			strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return fmt.Errorf("%w: store scope %.40q: want 1 to %d printable characters", ErrInvalidInput, name, maxScopeName)
		}
		c.storeScope = name
		return nil
	}
}

// checkSharing refuses the options of sharing that would share by accident: a Store whose
// scope the client cannot tell, or pages served without asking to credentials it cannot see.
func (cfg *config) checkSharing(id identity) error {
	switch {
	case cfg.store == nil && cfg.storeScope != "":
		return fmt.Errorf("%w: WithStoreScope names the scope of a Store: add WithStore", ErrInvalidInput)
	case cfg.store == nil && cfg.freshFor > 0:
		return fmt.Errorf("%w: WithSharedFreshness serves pages other clients of a Store fetched: add WithStore", ErrInvalidInput)
	case cfg.store != nil && id.name == "" && !id.visible:
		return fmt.Errorf("%w: WithStore with WithHTTPClient: the client cannot see the credentials your transport adds, "+
			"so it cannot tell whose limits to share; name the identity with WithStoreScope", ErrInvalidInput)
	case cfg.freshFor > 0 && !id.visible:
		return fmt.Errorf("%w: WithSharedFreshness with WithHTTPClient: the client cannot see the credentials your transport adds, "+
			"so it cannot tell which pages GitHub confirmed to them; use WithToken or WithTokenSource", ErrInvalidInput)
	}
	return nil
}

// WithSharedFreshness serves a page that GitHub confirmed less than d ago to this client's
// credential, through any client of the Store (WithStore), without asking GitHub again, up
// to a minute: GitHub marks its pages fresh for 60 seconds (Cache-Control: max-age=60). A
// fleet whose members poll the same attempts with one credential then asks GitHub about each
// page about once per d, together, instead of once per poll each, and sees a change up to d
// later. A page confirmed to another credential of the scope is never served without asking.
// The client must see its credentials (WithToken, WithTokenSource): with a transport of yours
// that adds them, New refuses it. 0, the default, always asks.
func WithSharedFreshness(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > time.Minute {
			return fmt.Errorf("%w: shared freshness %s: must be 0 to 1m0s (GitHub's max-age)", ErrInvalidInput, d)
		}
		c.freshFor = d
		return nil
	}
}

// sharing is a client's use of its Store: whether the Store answers, how fast, and what to
// ask.
type sharing struct {
	store     Store
	id        identity
	keepPages bool // the client keeps pages (WithCache above 0): ask the Store for them

	latency atomic.Int64 // nanoseconds: the Store's recent answers to Begin, smoothed

	mu      sync.Mutex
	down    bool      // the last call failed
	retryAt time.Time // while down: when one request may try the Store again
	probing bool      // while down: a request is trying it
}

// slot is a try's place under the Store's cap, as Begin granted it.
type slot struct {
	lease string
	grant StoreGrant
}

// page is the page the Store keeps for the try's request; nil for none.
func (s *slot) page() *StoredPage {
	if s == nil {
		return nil
	}
	return s.grant.Page
}

// pages reports whether the client shares kept pages through a Store.
func (s *sharing) pages() bool { return s != nil && s.keepPages }

// pageKey is the key in the Store of the page the cache keeps under key: a hash, so that
// the Store never sees which repository and run a page is of.
func (s *sharing) pageKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:16])
}

// admit waits until t may be sent: no secondary limit held, here or by any client of the
// Store, the primary limit not used up (awaitQuota decides what then), and a slot of the
// Store's cap taken (t.slot, nil when the client does not share or the Store failed; then
// giveBack must be called once the answer is read). A Store that grants no slot for longer
// than the client would wait for a rate limit is given up on for the try.
func (c *Client) admit(ctx context.Context, t *try) error {
	poll := slotPollMin
	giveUp := time.Now().Add(max(c.retry.MaxWait, slotWaitMin))
	for {
		if err := c.awaitQuota(ctx, t.req, t.n); err != nil {
			return err
		}
		sl, err := c.begin(ctx, t)
		switch {
		case err != nil:
			return err
		case sl == nil:
			return nil
		case sl.grant.Hold > 0:
			continue // begin held the client: awaitQuota waits
		case sl.grant.Slot:
			t.slot = sl
			if _, _, exhausted := c.rate.exhausted(time.Now()); !exhausted {
				return nil
			}
			c.giveBack(ctx, t, nil) // another client saw the limit used up: awaitQuota decides
			continue
		}
		if time.Now().After(giveUp) {
			c.storeFailed(t.req, fmt.Errorf("ghjobs: no slot of the store's cap on requests in flight came free in %s", max(c.retry.MaxWait, slotWaitMin)))
			t.scope = ""
			return nil
		}
		if err := sleep(ctx, poll/2+rand.N(poll/2)); err != nil {
			return fmt.Errorf("ghjobs: %w while waiting for a slot of the store's cap on requests in flight", err)
		}
		poll = min(2*poll, slotPollMax)
	}
}

// begin asks the Store for t's slot and merges the shared hold and figures into the client's
// own. It returns nil when the client does not share or the Store did not answer, and an
// error when the Store holds requests for longer than the client would wait.
func (c *Client) begin(ctx context.Context, t *try) (*slot, error) {
	s := c.share
	if s == nil || !s.ready(time.Now()) {
		return nil, nil
	}
	d := s.timeout(ctx)
	if d <= 0 { // no time left to ask: the request goes on alone
		s.unprobe()
		return nil, nil
	}
	t.scope = s.id.scope(t.auth)
	sl := &slot{lease: fmt.Sprintf("%016x", rand.Uint64())}
	var page string
	if s.pages() && !t.bare {
		page = s.pageKey(t.key)
	}
	callCtx, cancel := context.WithTimeout(ctx, d)
	start := time.Now()
	g, err := s.store.Begin(callCtx, t.scope, StoreBegin{Slot: sl.lease, Page: page})
	cancel()
	if err != nil {
		t.scope = ""
		if ctx.Err() != nil { // the caller gave up, not the Store
			s.unprobe()
			return nil, nil
		}
		c.storeFailed(t.req, err)
		return nil, nil
	}
	s.observe(time.Since(start))
	c.storeAnswered(t.req)
	sl.grant = g
	now := time.Now()
	if g.Hold > 0 {
		if err := c.holdable(ctx, g.Hold, t.req); err != nil {
			return nil, err
		}
		c.rate.hold(now.Add(g.Hold), Event{Kind: EventSecondaryLimit, StatusCode: g.HoldStatus, Err: errSharedHold})
	}
	if g.Rate.Limit > 0 && g.ResetIn > 0 && g.ResetIn <= maxReset {
		c.rate.merge(g.Rate, now.Add(g.ResetIn))
	}
	return sl, nil
}

// maxReset is the furthest a Store's rate figures may reset: GitHub's window is an hour. Any
// later is not believed.
const maxReset = time.Hour + time.Minute

// holdable returns the error for a Store's hold of d that the client would not wait out: one
// beyond the policy's MaxWait, or beyond ctx's deadline. The hold is not kept: the next
// request asks the Store again.
func (c *Client) holdable(ctx context.Context, d time.Duration, req *http.Request) error {
	dl, hasDeadline := ctx.Deadline()
	if d <= c.retry.MaxWait && (!hasDeadline || time.Now().Add(d).Before(dl)) {
		return nil
	}
	return &RateLimitError{
		APIError:   &APIError{Method: req.Method, URL: req.URL.Redacted(), Message: "another client of the store met a secondary rate limit"},
		Secondary:  true,
		RetryAfter: d,
	}
}

// giveBack gives the Store the try's slot back, with the client's latest figures and, when
// err is a secondary limit, its hold; once a try, at the latest once its answer is read.
func (c *Client) giveBack(ctx context.Context, t *try, err error) {
	if t.slot == nil {
		return
	}
	e := StoreEnd{Slot: t.slot.lease}
	t.slot = nil
	if r, resetAt := c.rate.snapshot(); r.Limit > 0 {
		e.Rate, e.ResetIn = r, time.Until(resetAt)
	}
	if rl, ok := errors.AsType[*RateLimitError](err); ok && rl.Secondary && rl.StatusCode != 0 {
		// The wait GitHub asked for (or the policy's first), whether or not this request
		// waits it out: the other clients must.
		if wait, _, _ := rateLimitWait(c.retry, rl, 0, rl.serverNow()); wait > 0 {
			e.Hold, e.HoldStatus = wait, rl.StatusCode
		}
	}
	c.tellStore(ctx, t, e)
}

// tellStore hands the Store e about t's scope, if the try has one. It does not wait for the
// request's context to be cancelled: a slot is given back all the same.
func (c *Client) tellStore(ctx context.Context, t *try, e StoreEnd) {
	if c.share == nil || t.scope == "" {
		return
	}
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(c.share.timeout(ctx), storeMinTimeout))
	defer cancel()
	if err := c.share.store.End(callCtx, t.scope, e); err != nil {
		c.storeFailed(t.req, err)
	}
}

// timeout bounds one call to the Store: half a second, or four times its recent latency
// when it is slower than that (up to two seconds), so that a slow Store is still asked; and
// never more than a quarter of what is left before ctx's deadline, so that a Store that
// does not answer costs a listing little of its time.
func (s *sharing) timeout(ctx context.Context) time.Duration {
	d := storeTimeout
	if lat := time.Duration(s.latency.Load()); 4*lat > d {
		d = min(4*lat, storeMaxTimeout)
	}
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl)/4)
	}
	return d
}

// observe smooths the latency of a Store's answer into the recent latency.
func (s *sharing) observe(d time.Duration) {
	old := s.latency.Load()
	s.latency.Store(old + (int64(d)-old)/8)
}

// storeFailed goes on without the Store, and says so once.
func (c *Client) storeFailed(req *http.Request, err error) {
	if c.share.record(false, time.Now()) {
		c.emit(Event{Kind: EventStoreDown, URL: req.URL.Redacted(), Wait: storeRetry, Err: err})
	}
}

// storeAnswered shares again after the Store failed, and says so once.
func (c *Client) storeAnswered(req *http.Request) {
	if c.share.record(true, time.Now()) {
		c.emit(Event{Kind: EventStoreUp, URL: req.URL.Redacted()})
	}
}

// ready reports whether to ask the Store now: always while it answers; while it fails, once
// every storeRetry, one request at a time.
func (s *sharing) ready(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.down {
		return true
	}
	if s.probing || now.Before(s.retryAt) {
		return false
	}
	s.probing = true
	return true
}

// record records whether the Store answered (up), and reports whether that changed.
func (s *sharing) record(up bool, now time.Time) (changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probing = false
	changed = s.down == up
	s.down = !up
	if !up {
		s.retryAt = now.Add(storeRetry)
	}
	return changed
}

// unprobe ends a try of ready's that told nothing about the Store.
func (s *sharing) unprobe() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probing = false
}
