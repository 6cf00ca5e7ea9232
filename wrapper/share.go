package wrapper

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// storeTimeout bounds every call to a Store: a request waits at most this long for a
	// Store that is down or slow before it goes on with the client's own state.
	storeTimeout = 500 * time.Millisecond
	// storeRetry is how often, while a Store fails, one request tries it again; the others
	// do not wait for it.
	storeRetry = time.Second
	// slotPollMin and slotPollMax bound the pause before asking a Store again for a slot
	// when all of them are taken. Requests last tens of milliseconds at least.
	slotPollMin = 5 * time.Millisecond
	slotPollMax = 200 * time.Millisecond
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
// A Store is never a new way to fail: each call to it has a deadline (a share of the
// request's own, and never more than half a second), and while it fails the client goes on
// with its own state, tries the Store again once a second, and says so once through
// WithEvents (EventStoreDown, then EventStoreUp).
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

// sharing is a client's use of its Store: whether the Store answers, and what to ask.
type sharing struct {
	store Store
	id    identity
	pages bool // the client keeps pages (WithCache above 0): ask the Store for them

	mu      sync.Mutex
	down    bool      // the last call failed
	retryAt time.Time // while down: when one request may try the Store again
	probing bool      // while down: a request is trying it
}

// storeTurn is one try of a request as the Store granted it; finish ends it.
type storeTurn struct {
	scope, slot, page string
	credential        string // the fingerprint of the try's credential; "" when unseen
	grant             StoreGrant
}

// lend hands the try's notes the turn, and the page the Store keeps for the request, as the
// cache keeps pages, fresh when GitHub confirmed it less than freshFor ago.
func (t *storeTurn) lend(notes *tryNotes, freshFor time.Duration) {
	if t == nil {
		return
	}
	notes.turn = t
	if p := t.grant.Page; p != nil {
		notes.shared = &cacheEntry{etag: p.ETag, header: p.Header, body: p.Body}
		// Served without asking only to the credential GitHub last confirmed it to: no page
		// crosses credentials without GitHub's say.
		notes.fresh = p.Age < freshFor && t.credential != "" && p.ConfirmedTo == t.credential
	}
}

// unasked answers req with the page, without asking GitHub: another client of the Store
// had it confirmed moments ago (WithSharedFreshness). It carries no rate figures.
func (e *cacheEntry) unasked(req *http.Request, n *tryNotes) *http.Response {
	n.cached, n.notModified = e.body, true
	return e.response(&http.Response{Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header), Request: req})
}

// WithSharedFreshness serves a page that GitHub confirmed to any client of the Store
// (WithStore) less than d ago without asking GitHub again, up to a minute: GitHub marks its
// pages fresh for 60 seconds (Cache-Control: max-age=60). A fleet whose members poll the
// same attempts then asks GitHub about each page about once per d, together, instead of
// once per poll each, and sees a change up to d later. 0, the default, always asks.
func WithSharedFreshness(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > time.Minute {
			return fmt.Errorf("%w: shared freshness %s: must be 0 to 1m0s (GitHub's max-age)", ErrInvalidInput, d)
		}
		c.freshFor = d
		return nil
	}
}

// admit waits until req may be sent: no secondary limit held, here or by any client of the
// Store, the primary limit not used up (awaitQuota decides what then), and a slot of the
// Store's cap taken. The turn is nil when the client does not share, or the Store failed;
// otherwise finish must be called with it once the try is over.
func (c *Client) admit(req *http.Request, retries int) (*storeTurn, error) {
	poll := slotPollMin
	for {
		if err := c.awaitQuota(req, retries); err != nil {
			return nil, err
		}
		t := c.begin(req)
		switch {
		case t == nil:
			return nil, nil
		case t.grant.Hold > 0:
			continue // begin held the client; awaitQuota waits
		case t.grant.Slot:
			if _, _, exhausted := c.rate.exhausted(time.Now()); !exhausted {
				return t, nil
			}
			c.finish(req, t, nil, nil) // another client saw the limit used up: awaitQuota decides
			continue
		}
		if err := sleep(req.Context(), poll/2+rand.N(poll/2)); err != nil {
			return nil, fmt.Errorf("ghjobs: %w while waiting for a slot of the store's cap on requests in flight", err)
		}
		poll = min(2*poll, slotPollMax)
	}
}

// begin asks the Store for req's turn and merges the shared hold and figures into the
// client's own. It returns nil when the client does not share or the Store did not answer.
func (c *Client) begin(req *http.Request) *storeTurn {
	s := c.share
	if s == nil || !s.ready(time.Now()) {
		return nil
	}
	scope, credential, err := s.scope()
	if err != nil {
		s.unprobe() // the transport will report the token source's error
		return nil
	}
	t := &storeTurn{scope: scope, credential: credential, slot: fmt.Sprintf("%016x", rand.Uint64())}
	if s.pages {
		t.page = storePageKey(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), storeTimeout)
	t.grant, err = s.store.Begin(ctx, scope, StoreBegin{Slot: t.slot, Page: t.page})
	cancel()
	if err != nil {
		if req.Context().Err() != nil { // the caller gave up, not the Store
			s.unprobe()
			return nil
		}
		c.storeFailed(req, err)
		return nil
	}
	c.storeAnswered(req)
	now := time.Now()
	if g := t.grant; g.Hold > 0 {
		c.rate.hold(now.Add(g.Hold), Event{Kind: EventSecondaryLimit, StatusCode: g.HoldStatus, Err: errSharedHold})
	}
	if g := t.grant; g.Rate.Limit > 0 {
		c.rate.merge(g.Rate, now.Add(g.ResetIn))
	}
	return t
}

// answered ends the try's turn once GitHub's whole answer is read, body included (until
// then GitHub counts the request as in flight): the slot is given back before the page is
// decoded, which may wait for earlier pages to be taken, and the Store gets the figures and
// the page kept. It ends a turn once; later calls do nothing.
func (c *Client) answered(req *http.Request, notes *tryNotes) {
	if t := notes.turn; t != nil {
		notes.turn = nil
		c.end(req, t, c.storeEnd(t, notes))
	}
}

// finish ends the turn if answered did not (no answer came, or admit gives the slot back:
// notes nil), and hands the Store the hold of a secondary limit that err met.
func (c *Client) finish(req *http.Request, t *storeTurn, notes *tryNotes, err error) {
	if t == nil {
		return
	}
	var e StoreEnd
	if notes == nil || notes.turn != nil {
		e = c.storeEnd(t, notes)
		if notes != nil {
			notes.turn = nil
		}
	}
	if rl, ok := errors.AsType[*RateLimitError](err); ok && rl.Secondary {
		// The wait GitHub asked for (or the policy's first), whether or not this request
		// waits it out: the other clients must.
		if wait, _, _ := rateLimitWait(c.retry, rl, 0, rl.serverNow()); wait > 0 {
			e.Hold, e.HoldStatus = wait, rl.StatusCode
		}
	}
	if e.Slot != "" || e.Hold > 0 {
		c.end(req, t, e)
	}
}

// storeEnd is what the Store learns from a try: its slot back, the client's latest figures,
// and the page the cache kept or GitHub confirmed (notes; nil when nothing was sent).
func (c *Client) storeEnd(t *storeTurn, notes *tryNotes) StoreEnd {
	e := StoreEnd{Slot: t.slot}
	if r, resetAt := c.rate.snapshot(); r.Limit > 0 {
		e.Rate, e.ResetIn = r, time.Until(resetAt)
	}
	switch {
	case notes == nil || t.page == "" || notes.fresh:
	case notes.kept != nil:
		k := notes.kept
		e.Page, e.Put, e.PageTTL = t.page, &StoredPage{ETag: k.etag, Header: k.header, Body: k.body}, DefaultPageTTL
		e.ConfirmedTo = t.credential
	case notes.shared != nil && notes.notModified:
		e.Page, e.PageTTL, e.Validated, e.ETag = t.page, DefaultPageTTL, true, notes.shared.etag
		e.ConfirmedTo = t.credential
	}
	return e
}

// end tells the Store e. It does not wait for the request's context, which may be done: the
// slot is given back all the same.
func (c *Client) end(req *http.Request, t *storeTurn, e StoreEnd) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), storeTimeout)
	defer cancel()
	if err := c.share.store.End(ctx, t.scope, e); err != nil {
		c.storeFailed(req, err)
	}
}

// storeFailed goes on without the Store, and says so once.
func (c *Client) storeFailed(req *http.Request, err error) {
	if c.share.settle(false, time.Now()) {
		c.emit(Event{Kind: EventStoreDown, URL: req.URL.Redacted(), Wait: storeRetry, Err: err})
	}
}

// storeAnswered shares again after the Store failed, and says so once.
func (c *Client) storeAnswered(req *http.Request) {
	if c.share.settle(true, time.Now()) {
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

// settle records whether the Store answered (up), and reports whether that changed.
func (s *sharing) settle(up bool, now time.Time) (changed bool) {
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

// scope names the client's state in the Store, and credential the credential its requests
// carry (see identity).
func (s *sharing) scope() (scope, credential string, err error) {
	auth, err := s.id.authorization()
	if err != nil {
		return "", "", err
	}
	return s.id.scope(auth), s.id.credential(auth), nil
}
