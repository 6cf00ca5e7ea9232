package bench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-github/v93/github"
	"github.com/gregjones/httpcache"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

// A peer is one way to list every job of the attempt: a client library, used as its
// documentation shows, through the transport its users get by default (over HTTP/2, that
// transport's settings with the bench server's certificate trusted; see proto).
type peer struct {
	name string
	// inFlight is the most requests the peer may have in flight at once. The benchmarks fail
	// when the server sees more, so that no row's name can misstate its concurrency.
	inFlight int
	// open makes a client of the server at baseURL that authenticates with token. A nil rt
	// means the library's default HTTP client; otherwise requests go through rt.
	open func(baseURL string, rt http.RoundTripper) (lister, error)
}

// A lister lists the attempt once, calling see with every job's ID and status in the order
// received.
type lister func(ctx context.Context, see func(id int64, status string)) error

// wrapperConfig is one configuration of the wrapper.
type wrapperConfig struct {
	name     string
	inFlight int // the most page requests it may have in flight
	opts     []wrapper.Option
}

// wrapperConfigs are benchmarked each through AllJobs and through Jobs; the benchmarks'
// client names are name-AllJobs and name-Jobs. A row whose wrapper has more requests in
// flight than inFlight fails the benchmarks, so no row's name can misstate its concurrency.
var wrapperConfigs = []wrapperConfig{
	{name: "wrapper-sequential", inFlight: 1, opts: []wrapper.Option{wrapper.WithConcurrency(1)}},
	{name: "wrapper-concurrent", inFlight: wrapper.DefaultConcurrency}, // the defaults
	// What the ETag cache costs in bytes and memory while it saves requests (scenario 3).
	{name: "wrapper-nocache", inFlight: wrapper.DefaultConcurrency, opts: []wrapper.Option{wrapper.WithCache(0)}},
}

// peers are the clients the benchmarks compare, go-github first: benchstat compares
// every column with the first.
func peers() []peer {
	ps := []peer{
		{name: "go-github", inFlight: 1, open: openGoGitHub},
		{name: "go-github-httpcache", inFlight: 1, open: openGoGitHubHTTPCache},
		{name: "generated", inFlight: 1, open: openGenerated},
	}
	for _, c := range wrapperConfigs {
		ps = append(ps,
			peer{name: c.name + "-AllJobs", inFlight: c.inFlight, open: c.openAllJobs},
			peer{name: c.name + "-Jobs", inFlight: c.inFlight, open: c.openJobs},
		)
	}
	return ps
}

// openGoGitHub lists with go-github's iterator, which follows NextPage from the Link header.
func openGoGitHub(baseURL string, rt http.RoundTripper) (lister, error) {
	var opts []github.ClientOptionsFunc
	if rt != nil {
		opts = append(opts, github.WithTransport(rt))
	}
	return goGitHub(baseURL, opts...)
}

// openGoGitHubHTTPCache lists as openGoGitHub does through gregjones/httpcache's in-memory
// cache, the recipe go-github's users have long followed for conditional requests. It
// answers from its cache without asking the server while Cache-Control's max-age=60 lasts,
// and revalidates with If-None-Match after.
func openGoGitHubHTTPCache(baseURL string, rt http.RoundTripper) (lister, error) {
	t := httpcache.NewMemoryCacheTransport()
	if rt != nil {
		t.Transport = rt
	}
	return goGitHub(baseURL, github.WithHTTPClient(t.Client()))
}

func goGitHub(baseURL string, opts ...github.ClientOptionsFunc) (lister, error) {
	base := baseURL + "/"
	c, err := github.NewClient(append(opts, github.WithAuthToken(token), github.WithURLs(&base, &base))...)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, see func(int64, string)) error {
		for job, err := range c.Actions.ListWorkflowJobsAttemptIter(ctx, owner, repo, runID, attempt, &github.ListOptions{PerPage: perPage}) {
			if err != nil {
				return err
			}
			see(job.GetID(), job.GetStatus())
		}
		return nil
	}, nil
}

// openGenerated lists with the oapi-codegen client, page 1, 2, ... until total_count jobs
// have come: a plain page loop, as a user of the generated code alone would write it.
func openGenerated(baseURL string, rt http.RoundTripper) (lister, error) {
	opts := []generated.ClientOption{generated.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", wrapper.APIVersion)
		return nil
	})}
	if rt != nil {
		opts = append(opts, generated.WithHTTPClient(&http.Client{Transport: rt}))
	}
	c, err := generated.NewClientWithResponses(baseURL, opts...)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, see func(int64, string)) error {
		size, seen := perPage, 0
		for page := 1; ; page++ {
			params := generated.ActionsListJobsForWorkflowRunAttemptParams{PerPage: &size, Page: &page}
			resp, err := c.ActionsListJobsForWorkflowRunAttemptWithResponse(ctx, owner, repo, runID, attempt, &params)
			if err != nil {
				return err
			}
			if resp.JSON200 == nil {
				return fmt.Errorf("page %d: %s", page, resp.Status())
			}
			for _, job := range resp.JSON200.Jobs {
				see(job.ID, string(job.Status))
			}
			seen += len(resp.JSON200.Jobs)
			if seen >= resp.JSON200.TotalCount || len(resp.JSON200.Jobs) == 0 {
				return nil
			}
		}
	}, nil
}

func (c wrapperConfig) client(baseURL string, rt http.RoundTripper) (*wrapper.Client, error) {
	opts := []wrapper.Option{wrapper.WithBaseURL(baseURL), wrapper.WithToken(token)}
	if rt != nil {
		opts = append(opts, wrapper.WithHTTPClient(&http.Client{Transport: rt}))
	}
	cl, err := wrapper.New(append(opts, c.opts...)...)
	if w, ok := rt.(cacheWatcher); ok && err == nil {
		w.watchCache(cl.CacheSize)
	}
	return cl, err
}

// cacheWatcher is a transport that wants to know how many bytes the client's cache holds
// (the heap sampler of scenario 4).
type cacheWatcher interface{ watchCache(size func() int64) }

var benchAttempt = wrapper.Attempt{Owner: owner, Repo: repo, RunID: runID, Number: attempt}

func (c wrapperConfig) openAllJobs(baseURL string, rt http.RoundTripper) (lister, error) {
	cl, err := c.client(baseURL, rt)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, see func(int64, string)) error {
		jobs, err := cl.AllJobs(ctx, benchAttempt)
		if err != nil {
			return err
		}
		for i := range jobs {
			see(jobs[i].ID, string(jobs[i].Status))
		}
		return nil
	}, nil
}

func (c wrapperConfig) openJobs(baseURL string, rt http.RoundTripper) (lister, error) {
	cl, err := c.client(baseURL, rt)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, see func(int64, string)) error {
		for job, err := range cl.Jobs(ctx, benchAttempt) {
			if err != nil {
				return err
			}
			see(job.ID, string(job.Status))
		}
		return nil
	}, nil
}
