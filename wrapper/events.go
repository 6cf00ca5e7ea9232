package wrapper

import (
	"fmt"
	"strconv"
	"time"
)

// WithEvents calls fn for each retry and wait of the client, for each permanent redirect
// it remembers, for each kept page it drops, and when its Store (WithStore) fails or answers
// again, so that a program can say why a listing takes longer than usual, or log what a poll
// loop costs. fn is called synchronously on the goroutine that makes the
// request, possibly from several goroutines at once (pages in flight); it must be quick and
// safe for concurrent use. The library itself never prints.
func WithEvents(fn func(Event)) Option {
	return func(c *config) error {
		if fn == nil {
			return fmt.Errorf("%w: nil event hook (leave out WithEvents for none)", ErrInvalidInput)
		}
		c.events = fn
		return nil
	}
}

// EventKind says what an Event reports.
type EventKind int

const (
	EventRetry          EventKind = iota + 1 // a transient failure; the request is sent again after Wait
	EventSecondaryLimit                      // a secondary rate limit; waiting Wait before the next request
	EventPrimaryLimit                        // the primary limit is used up; waiting Wait for its reset (RetryPolicy.WaitForReset)
	EventRedirect                            // a permanent redirect was remembered (URL is the old location, Location the new)
	// EventStoreDown: the Store of WithStore failed or was late (Err says how); the client
	// goes on with its own state and tries the Store again after Wait. Said once, until
	// EventStoreUp.
	EventStoreDown
	EventStoreUp // the Store answers again after EventStoreDown: the client shares again
	// EventPageDropped: a page the client kept, or its Store kept, could not be used (it
	// did not decode, or did not fit the listing; Err says why). It is dropped, and the
	// request is sent again without it, which costs a request, never the listing.
	EventPageDropped
)

// String names the kind in lower case, e.g. "secondary rate limit".
func (k EventKind) String() string {
	switch k {
	case EventRetry:
		return "retry"
	case EventSecondaryLimit:
		return "secondary rate limit"
	case EventPrimaryLimit:
		return "primary rate limit"
	case EventRedirect:
		return "redirect"
	case EventStoreDown:
		return "store down"
	case EventStoreUp:
		return "store up"
	case EventPageDropped:
		return "page dropped"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one retry, wait or remembered redirect of the client; see WithEvents.
type Event struct {
	Kind     EventKind
	URL      string        // the request's URL, redacted
	Location string        // EventRedirect: the new location
	Wait     time.Duration // how long the client waits before its next request
	// Retry is 1 for the first retry of this request, 2 for the second, ...; 0 when the
	// client waits before the request's first try (another request's secondary limit, or a
	// primary limit an earlier answer reported).
	Retry      int
	MaxRetries int       // the policy's MaxRetries
	StatusCode int       // the status that caused the event; 0 for a transport error
	Asked      bool      // the wait is the one GitHub asked for (retry-after or the reset time)
	Reset      time.Time // EventPrimaryLimit: when the limit resets
	Err        error     // what went wrong
}

// emit hands e to the hook of WithEvents, if there is one.
func (c *Client) emit(e Event) {
	if c.events != nil {
		c.events(e)
	}
}
