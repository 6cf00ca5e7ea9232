package wrapper

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// Store keeps what the Clients that use one credential against one API root must agree on,
// whether they live in one process (NewMemoryStore) or in many (package redisstore): the
// latest rate-limit figures, the hold of a secondary rate limit, a cap on requests in
// flight, and the pages kept for conditional requests. GitHub counts its limits per
// credential, across every process that uses it; a Store lets a fleet count them once.
//
// State is kept per scope, a hash of the credentials and the base URL: never
// the token itself. A Client calls Begin once before each try of a request and End once
// after it (for every Begin that took a slot, whatever happens). Both must be safe for
// concurrent use and should answer within milliseconds: the client gives each call a short
// deadline and, when the Store fails or is late, goes on with the state it keeps itself
// (see WithStore). Implementations must not keep or change the Body of a StoredPage they
// are given, nor hand out one that they change later: the client reads it without a copy.
type Store interface {
	// Begin returns the shared state for a request about to be sent: when a secondary
	// limit holds every request (then it takes no slot), the latest rate figures, and the
	// page kept under b.Page. Unless held, it takes a slot under the lease b.Slot when
	// fewer than the Store's cap are taken; a slot whose End never comes (a process that
	// died) is freed when its lease expires.
	Begin(ctx context.Context, scope string, b StoreBegin) (StoreGrant, error)

	// End gives back the slot e.Slot and records what the answer said: its rate figures,
	// a secondary limit's hold, a page to keep. It may do so after it returns (queued and
	// pipelined), so its error reports only what it could tell at once.
	End(ctx context.Context, scope string, e StoreEnd) error
}

// StoreBegin is what a Client asks of the Store before it sends a request.
type StoreBegin struct {
	Slot string // lease id for a slot: random, unique to this try
	Page string // key of the page in the scope, "" when no page is wanted
}

// StoreGrant is the Store's answer to Begin.
type StoreGrant struct {
	// Hold is how long from now no request may be sent: another client got a secondary
	// rate limit. When it is above 0, no slot was taken.
	Hold       time.Duration
	HoldStatus int // the status of the answer that caused the hold (403 or 429)

	// Slot is true when a slot was taken under StoreBegin.Slot; false when the Store's cap
	// of requests in flight is reached (or Hold is above 0): ask again shortly.
	Slot bool

	// Rate is the latest rate-limit figures any client of the scope has seen, Limit 0 for
	// none; ResetIn is how long from now Rate.Reset is, on the clock of the client that saw
	// it (corrected for its skew to GitHub's Date header).
	Rate    Rate
	ResetIn time.Duration

	Page *StoredPage // the page kept under StoreBegin.Page; nil for none
}

// StoreEnd is what a Client tells the Store after a try: all fields are optional.
type StoreEnd struct {
	Slot string // the lease to give back; "" when Begin took none

	// Rate is the client's latest figures, ResetIn as in StoreGrant. The Store keeps the
	// figures of the later window, or of the same window with fewer requests left, as the
	// client does (answers to concurrent requests arrive in any order).
	Rate    Rate
	ResetIn time.Duration

	// Hold above 0 asks every client of the scope to send nothing for that long: a
	// secondary rate limit, with HoldStatus its answer's status. A longer hold already kept
	// stays.
	Hold       time.Duration
	HoldStatus int

	Page    string // key of the page the fields below are about
	PageTTL time.Duration

	// Put is a page GitHub sent (a 200 whose jobs passed the client's checks): keep it under
	// Page for PageTTL, with an Age from now, as confirmed to ConfirmedTo.
	Put *StoredPage
	// Validated reports that GitHub answered 304 to ConfirmedTo's request conditional on
	// ETag, and that the page decoded: the Store keeps the page under Page PageTTL longer,
	// with an Age from now, as confirmed to ConfirmedTo, if it still has that ETag (another
	// client may have put a newer page meanwhile).
	Validated bool
	// Drop reports that the page kept under Page with ETag could not be used (it did not
	// decode, or is not a page of the listing that asked for it): the Store removes it, if
	// it still has that ETag. The client fetches the page afresh.
	Drop bool
	ETag string // Validated, Drop: the ETag of the page kept that they are about

	// ConfirmedTo, with Put or Validated, is the fingerprint of the credential that GitHub
	// answered: a keyed hash, never the credential. "" when the client cannot see its
	// credentials (a transport of WithHTTPClient adds them).
	ConfirmedTo string
}

// StoredPage is a page kept for conditional requests: its ETag, the headers of its answer
// that a 304 does not repeat, and its body as the client's cache keeps it (the Store treats
// the bytes as opaque).
type StoredPage struct {
	ETag   string
	Header http.Header
	Body   []byte
	// Age, in a StoreGrant, is how long ago GitHub last confirmed the page to a client of
	// the Store (a 200, or a 304 that StoreEnd.Validated reported); see WithSharedFreshness.
	Age time.Duration
	// ConfirmedTo, in a StoreGrant, is StoreEnd.ConfirmedTo of that confirmation: the
	// client serves the page without asking GitHub (WithSharedFreshness) only to the
	// credential it was confirmed to.
	ConfirmedTo string
}

// DefaultMaxInFlight is the cap on requests in flight per scope of NewMemoryStore and of
// package redisstore unless told otherwise: GitHub's limit of 100 concurrent requests per
// credential, beyond which it answers with secondary rate limits.
const DefaultMaxInFlight = maxConcurrency

// DefaultPageTTL is how long a Store keeps a page no client has fetched again: long enough
// for a poll loop's next round, short enough that finished attempts leave the store.
const DefaultPageTTL = time.Hour

// storeScopeVersion changes when what a scope holds changes shape (the page bytes the
// cache keeps, the key of a page, what a confirmation means), so that clients of different
// versions sharing one Store do not read each other's state.
const storeScopeVersion = "ghjobs-store-v2"

// identity is what a client knows of the identity GitHub counts its requests for: the scope
// WithStoreScope names, and the credentials it sends itself. Credentials that a transport of
// the caller's adds are not seen (visible is false).
type identity struct {
	base    string
	name    string             // WithStoreScope; "" for none
	tokens  oauth2.TokenSource // WithToken, WithTokenSource; nil for none
	visible bool               // the client sees every credential it sends: tokens, or none at all
}

// authorization is the Authorization header value the client's requests carry, "" for none
// (or none that the client sees).
func (id identity) authorization() (string, error) {
	if id.tokens == nil {
		return "", nil
	}
	tok, err := id.tokens.Token()
	if err != nil {
		return "", err
	}
	return tok.Type() + " " + tok.AccessToken, nil
}

// scope returns the scope a Store keeps the client's state under, for requests carrying
// auth: the name of WithStoreScope, else the credential itself; hashed with the base URL,
// never the credential or name as given.
func (id identity) scope(auth string) string {
	if id.name != "" {
		return digest("scope", id.name, id.base)
	}
	return digest("credential", auth, id.base)
}

// credential returns the fingerprint of auth that StoreEnd.ConfirmedTo and
// StoredPage.ConfirmedTo carry: a hash, never the credential. It is "" when the client does
// not see its credentials, and no page is then ever confirmed to it.
func (id identity) credential(auth string) string {
	if !id.visible {
		return ""
	}
	return digest("confirmed-to", auth, id.base)
}

// digest is a hex SHA-256 of the parts, separated, under the store's version and a purpose,
// so that a scope and a fingerprint of the same credential differ.
func digest(purpose, secret, base string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", storeScopeVersion, purpose, secret, base)
	return hex.EncodeToString(h.Sum(nil)[:16])
}
