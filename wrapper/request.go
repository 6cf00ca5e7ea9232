package wrapper

import (
	"context"
	"fmt"
	"net/http"

	"github.com/ghjobs/ghjobs/generated"
)

// firstRequest validates its arguments and builds the request for one page with the
// generated request builder.
func (c *Client) firstRequest(ctx context.Context, a Attempt, opts *ListOptions) (*http.Request, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	params, err := opts.params()
	if err != nil {
		return nil, err
	}
	req, err := generated.NewActionsListJobsForWorkflowRunAttemptRequest(c.base, a.Owner, a.Repo, a.RunID, a.Number, params)
	if err != nil {
		return nil, fmt.Errorf("ghjobs: building the request for %s: %w", a, err)
	}
	req = req.WithContext(ctx)
	c.moved.rewrite(req.URL)
	c.setHeaders(req)
	return req, nil
}

// newRequest builds the request for a Link URL, which is followed as given.
func (c *Client) newRequest(ctx context.Context, rawURL string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: next link: %v", ErrPagination, err)
	}
	c.moved.rewrite(req.URL)
	c.setHeaders(req)
	return req, nil
}

func (c *Client) setHeaders(req *http.Request) {
	req.Header.Set("Accept", mediaType)
	req.Header.Set("X-GitHub-Api-Version", c.apiVersion)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept-Encoding", acceptEncoding)
}

// params checks the options against GitHub's limits and turns them into query parameters.
func (o *ListOptions) params() (*generated.ActionsListJobsForWorkflowRunAttemptParams, error) {
	if o == nil {
		return nil, nil
	}
	var p generated.ActionsListJobsForWorkflowRunAttemptParams
	switch {
	case o.PerPage < 0 || o.PerPage > maxPerPage:
		return nil, fmt.Errorf("%w: per page %d: must be 1 to %d (0 for GitHub's default of 30)", ErrInvalidInput, o.PerPage, maxPerPage)
	case o.PerPage > 0:
		p.PerPage = &o.PerPage
	}
	switch {
	case o.Page < 0:
		return nil, fmt.Errorf("%w: page %d: pages are numbered from 1 (0 for the first)", ErrInvalidInput, o.Page)
	case o.Page > 0:
		p.Page = &o.Page
	}
	return &p, nil
}
