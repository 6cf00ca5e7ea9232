package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// fetch sends req, again as the retry policy allows, and decodes the page it answers with.
// Every wait of the client is decided here and in awaitQuota, and reported to WithEvents.
func (c *Client) fetch(req *http.Request) (*Page, error) {
	ctx := req.Context()
	for retries, limits := 0, 0; ; retries++ {
		t, err := c.admit(req, retries)
		if err != nil {
			return nil, err
		}
		req, notes := withNotes(req)
		t.lend(notes, c.freshFor)
		p, err := c.fetchOnce(req, notes)
		c.finish(req, t, notes, err)
		if ev, ok := c.rememberMove(req, notes); ok {
			ev.Retry = retries
			c.emit(ev)
		}
		if err == nil {
			return p, nil
		}
		ev := Event{URL: req.URL.Redacted(), Retry: retries + 1, MaxRetries: c.retry.MaxRetries, Err: err}
		if rl, ok := errors.AsType[*RateLimitError](err); ok {
			if ev.Wait, ev.Asked, ok = rateLimitWait(c.retry, rl, limits, rl.serverNow()); !ok {
				return nil, err
			}
			limits++
			ev.Kind, ev.StatusCode = EventSecondaryLimit, rl.StatusCode
			if !rl.Secondary {
				ev.Kind, ev.Reset = EventPrimaryLimit, rl.Reset
			}
			if rl.Secondary && retries < c.retry.MaxRetries {
				c.rate.hold(time.Now().Add(ev.Wait), ev)
			}
		} else if retryable(ctx, err) {
			ev.Kind, ev.Wait = EventRetry, backoff(c.retry, retries-limits)
			if apiErr, ok := errors.AsType[*APIError](err); ok {
				ev.StatusCode = apiErr.StatusCode
			}
		} else {
			return nil, err
		}
		if retries >= c.retry.MaxRetries {
			if retries > 0 {
				err = fmt.Errorf("%w (gave up after %d tries)", err, retries+1)
			}
			return nil, err
		}
		c.emit(ev)
		if werr := sleep(ctx, ev.Wait); werr != nil {
			return nil, fmt.Errorf("ghjobs: %w while waiting %s to retry after: %w", werr, ev.Wait.Round(time.Millisecond), err)
		}
	}
}

// fetchOnce sends req once and decodes the page it answers with; notes are in req's context.
func (c *Client) fetchOnce(req *http.Request, notes *tryNotes) (*Page, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: %w", err)
	}
	if resp.Request == nil { // a stub RoundTripper's answer; http.Client does not fill it in
		resp.Request = req
	}
	c.rate.observe(resp.Header, time.Now())
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		body, err := errorBody(resp)
		c.answered(req, notes)
		if err != nil {
			return nil, fmt.Errorf("ghjobs: %s %s: %s, reading the body: %w", req.Method, req.URL.Redacted(), resp.Status, err)
		}
		return nil, errorFromResponse(resp, body)
	}

	body, err := c.decodePage(req, resp, notes)
	if err != nil {
		return nil, err
	}

	l, err := parseLinks(resp.Header.Values("Link"), resp.Request.URL)
	if err != nil {
		return nil, err
	}
	return &Page{
		TotalCount:  body.TotalCount,
		Jobs:        body.Jobs,
		NextPage:    pageNumber(l.next),
		PrevPage:    pageNumber(l.prev),
		FirstPage:   pageNumber(l.first),
		LastPage:    pageNumber(l.last),
		Rate:        parseRate(resp.Header),
		NotModified: notes.notModified,
		next:        l.next,
		last:        l.last,
	}, nil
}
