package api

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/internal/recordtb"
)

func jobIDs(jobs []generated.Job) []int64 {
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	return ids
}

func TestPagination(t *testing.T) {
	run := SampleRun(testOwner, testRepo, testRunID, 1, 75)
	s := NewTestServer(t, WithRun(run), WithRun(Run{Owner: testOwner, Repo: testRepo, RunID: testRunID, Number: 2}))
	path := jobsPath(testOwner, testRepo, testRunID, 1)
	base := s.URL + path
	// GitHub's Link URLs name the repository by id.
	byID := s.URL + idJobsPath(testOwner, testRepo, testRunID, 1)
	link := func(query, rel string) string { return "<" + byID + "?" + query + `>; rel="` + rel + `"` }
	ids := jobIDs(run.Jobs)

	tests := []struct {
		name  string
		query string
		want  []int64 // IDs of the jobs on the page
		link  []string
	}{
		{"default first page", "", ids[:30], []string{link("page=2", "next"), link("page=3", "last")}},
		{"default explicit page 1", "?page=1", ids[:30], []string{link("page=2", "next"), link("page=3", "last")}},
		{"default middle page", "?page=2", ids[30:60], []string{link("page=1", "prev"), link("page=3", "next"), link("page=3", "last"), link("page=1", "first")}},
		{"default last page", "?page=3", ids[60:], []string{link("page=2", "prev"), link("page=1", "first")}},
		{"default past the end", "?page=4", []int64{}, []string{link("page=3", "prev"), link("page=1", "first")}},
		{"per_page first", "?per_page=10", ids[:10], []string{link("per_page=10&page=2", "next"), link("per_page=10&page=8", "last")}},
		{"per_page middle", "?per_page=10&page=4", ids[30:40], []string{link("per_page=10&page=3", "prev"), link("per_page=10&page=5", "next"), link("per_page=10&page=8", "last"), link("per_page=10&page=1", "first")}},
		{"per_page after page", "?page=4&per_page=10", ids[30:40], []string{link("per_page=10&page=3", "prev"), link("per_page=10&page=5", "next"), link("per_page=10&page=8", "last"), link("per_page=10&page=1", "first")}},
		{"per_page last", "?per_page=10&page=8", ids[70:], []string{link("per_page=10&page=7", "prev"), link("per_page=10&page=1", "first")}},
		{"per_page past the end", "?per_page=10&page=99", []int64{}, []string{link("per_page=10&page=98", "prev"), link("per_page=10&page=1", "first")}},
		{"single page", "?per_page=100", ids, nil},
		{"single page, exactly full", "?per_page=75", ids, nil},
		{"single page, past the end", "?per_page=100&page=2", []int64{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, s.Client(), base+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if got, want := resp.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
				t.Errorf("Content-Type %q, want %q", got, want)
			}
			page := decodePage(t, body)
			if page.TotalCount != 75 {
				t.Errorf("total_count %d, want 75", page.TotalCount)
			}
			if diff := cmp.Diff(tt.want, jobIDs(page.Jobs)); diff != "" {
				t.Errorf("job IDs (-want +got):\n%s", diff)
			}
			if len(tt.want) == 0 && !strings.Contains(string(body), `"jobs":[]`) {
				t.Errorf("empty page must say \"jobs\":[], got %s", body)
			}
			var links []string
			if l := resp.Header.Get("Link"); l != "" {
				links = strings.Split(l, ", ")
			}
			if diff := cmp.Diff(tt.link, links); diff != "" {
				t.Errorf("Link (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("no jobs", func(t *testing.T) {
		resp, body := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 2))
		if resp.StatusCode != http.StatusOK || string(body) != `{"total_count":0,"jobs":[]}` {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
		if l := resp.Header.Get("Link"); l != "" {
			t.Errorf("Link %q for an empty list", l)
		}
	})

	t.Run("every job once, following Link", func(t *testing.T) {
		var got []generated.Job
		next := base + "?per_page=7"
		for pages := 0; next != ""; pages++ {
			if pages > 20 {
				t.Fatal("too many pages")
			}
			resp, body := get(t, s.Client(), next)
			got = append(got, decodePage(t, body).Jobs...)
			next = ""
			for l := range strings.SplitSeq(resp.Header.Get("Link"), ", ") {
				if u, ok := strings.CutSuffix(l, `>; rel="next"`); ok {
					next = strings.TrimPrefix(u, "<")
				}
			}
		}
		if diff := cmp.Diff(run.Jobs, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("jobs across pages (-want +got):\n%s", diff)
		}
	})
}

func TestPerPageAboveMaximumIsClampedAndFlagged(t *testing.T) {
	s := mustServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 150)))
	base := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	resp, body := get(t, s.Client(), base+"?per_page=101")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if n := len(decodePage(t, body).Jobs); n != 100 {
		t.Errorf("%d jobs, want 100 (clamped)", n)
	}
	byID := s.URL + idJobsPath(testOwner, testRepo, testRunID, 1)
	want := "<" + byID + `?per_page=101&page=2>; rel="next", <` + byID + `?per_page=101&page=2>; rel="last"`
	if got := resp.Header.Get("Link"); got != want {
		t.Errorf("Link\n got %s\nwant %s", got, want)
	}
	v := s.Fake.Violations()
	if len(v) != 1 || !strings.Contains(v[0].Error(), "per_page") {
		t.Errorf("violations %v, want one about per_page", v)
	}
	// Another invalid parameter beside it: refused.
	if resp, _ := get(t, s.Client(), base+"?per_page=101&page=0"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("per_page=101&page=0: status %d, want 422", resp.StatusCode)
	}
}

func TestLinkUsesHTTPSBehindTLS(t *testing.T) {
	f, err := New(WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 31)))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "https://ghe.example.com"+jobsPath(testOwner, testRepo, testRunID, 1), nil)
	r.TLS = &tls.ConnectionState{}
	r.Header.Set("User-Agent", "test")
	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	id := itoa(DefaultRepositoryID(testOwner, testRepo))
	want := `<https://ghe.example.com/repositories/` + id + `/actions/runs/29679449/attempts/1/jobs?page=2>; rel="next", ` +
		`<https://ghe.example.com/repositories/` + id + `/actions/runs/29679449/attempts/1/jobs?page=2>; rel="last"`
	if got := w.Header().Get("Link"); got != want {
		t.Errorf("Link\n got %s\nwant %s", got, want)
	}
	if v := f.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

func TestInvalidRequestsAreViolations(t *testing.T) {
	s := mustServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	path := jobsPath(testOwner, testRepo, testRunID, 1)
	tests := []struct {
		name    string
		method  string
		url     string
		header  []string
		status  int
		message string // start of the body's message
		mention string // in the violation
	}{
		{"per_page=0", "GET", path + "?per_page=0", nil, 422, "Invalid request.\n\nparameter \"per_page\"", "per_page"},
		{"page=0", "GET", path + "?page=0", nil, 422, "Invalid request.\n\nparameter \"page\"", "page"},
		{"per_page not a number", "GET", path + "?per_page=lots", nil, 422, "Invalid request.", "per_page"},
		{"run_id=abc", "GET", "/repos/octo-org/octo-repo/actions/runs/abc/attempts/1/jobs", nil, 422, "Invalid request.", "run_id"},
		{"attempt_number=1.5", "GET", "/repos/octo-org/octo-repo/actions/runs/1/attempts/1.5/jobs", nil, 422, "Invalid request.", "attempt_number"},
		{"unknown path", "GET", "/repos/octo-org/octo-repo/actions/runs/1/logs", nil, 404, "Not Found", "no such operation"},
		{"trailing slash", "GET", path + "/", nil, 404, "Not Found", "no such operation"},
		{"POST", "POST", path, nil, 404, "Not Found", "no such operation"},
		{"no User-Agent", "GET", path, []string{"User-Agent", ""}, 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header", "User-Agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Fake.Violations())
			resp, body := do(t, s.Client(), tt.method, s.URL+tt.url, tt.header...)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if e := decodeError(t, body); !strings.HasPrefix(e.Message, tt.message) || e.Status != strconv.Itoa(tt.status) {
				t.Errorf("body %s, want message starting %q", body, tt.message)
			}
			v := s.Fake.Violations()[before:]
			if len(v) != 1 || !strings.Contains(v[0].Error(), tt.mention) {
				t.Errorf("violations %v, want one mentioning %q", v, tt.mention)
			}
		})
	}
	t.Run("unknown path body", func(t *testing.T) {
		_, body := get(t, s.Client(), s.URL+"/nope")
		if want := `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`; string(body) != want {
			t.Errorf("body %s, want %s", body, want)
		}
	})
}

func TestNewTestServerReportsViolations(t *testing.T) {
	rec := recordtb.New(t)
	var handled []error
	var mu sync.Mutex
	s := NewTestServer(rec, WithViolationHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, err)
	}))
	resp, _ := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1)+"?per_page=0")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("status %d, want 422", resp.StatusCode)
	}
	errs := rec.Recorded()
	if len(errs) != 1 || !strings.Contains(errs[0], "per_page") {
		t.Errorf("Errorf calls %q, want one mentioning per_page", errs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(handled) != 1 {
		t.Errorf("the user's handler saw %d violations, want 1", len(handled))
	}
}

func TestInvalidRunAnswers500(t *testing.T) {
	bad := SampleRun(testOwner, testRepo, testRunID, 1, 5)
	bad.Jobs[3].Status = ""
	s := mustServer(t, WithRun(bad))
	resp, body := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500: %.300s", resp.StatusCode, body)
	}
	e := decodeError(t, body)
	if !strings.Contains(e.Message, "violated openapi.yaml") || !strings.Contains(e.Message, "/jobs/3/status") {
		t.Errorf("message %q", e.Message)
	}
	if strings.Contains(string(body), `"jobs"`) || resp.Header.Get("Link") != "" {
		t.Errorf("the invalid page leaked: %s", body)
	}
	v := s.Fake.Violations()
	if len(v) != 1 || !strings.Contains(v[0].Error(), "status") {
		t.Errorf("violations %v, want one mentioning status", v)
	}
	// A run that is wrong in another way: an empty step status. (Nil labels and steps are
	// served as [], as GitHub writes them.)
	bad.Jobs[3].Status = generated.JobStatusCompleted
	bad.Jobs[1].Steps = slices.Clone(bad.Jobs[1].Steps)
	bad.Jobs[1].Steps[0].Status = ""
	s.Fake.AddRun(bad)
	if resp, _ := get(t, s.Client(), s.URL+jobsPath(testOwner, testRepo, testRunID, 1)); resp.StatusCode != 500 {
		t.Errorf("empty step status: status %d, want 500", resp.StatusCode)
	}
	if v := s.Fake.Violations(); len(v) != 2 || !strings.Contains(v[1].Error(), "/jobs/1/steps/0/status") {
		t.Errorf("violations %v, want a second one about the step's status", v)
	}
}

func TestNotFound(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	const want = `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt","status":"404"}`
	for _, path := range []string{
		jobsPath("someone-else", testRepo, testRunID, 1),
		jobsPath(testOwner, "other-repo", testRunID, 1),
		jobsPath(testOwner, testRepo, testRunID+1, 1),
		jobsPath(testOwner, testRepo, testRunID, 2),
		jobsPath(testOwner, testRepo, -1, 1),
	} {
		resp, body := get(t, s.Client(), s.URL+path)
		if resp.StatusCode != http.StatusNotFound || string(body) != want {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body := get(t, s.Client(), s.URL+jobsPath("OCTO-Org", "Octo-REPO", testRunID, 1))
	if resp.StatusCode != http.StatusOK || decodePage(t, body).TotalCount != 3 {
		t.Errorf("owner and repo must match case-insensitively: %d %s", resp.StatusCode, body)
	}
	if v := s.Fake.Violations(); len(v) != 0 {
		t.Errorf("404 for a missing run is documented, not a violation: %v", v)
	}
}

func TestToken(t *testing.T) {
	s := NewTestServer(t, WithToken("s3cret"), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	tests := []struct {
		auth    string
		status  int
		message string
	}{
		{"", 404, "Not Found"}, // a private repository does not exist for anonymous callers
		{"Bearer wrong", 401, "Bad credentials"},
		{"token wrong", 401, "Bad credentials"},
		{"Basic czNjcmV0", 401, "Bad credentials"},
		{"Bearer s3cret", 200, ""},
		{"token s3cret", 200, ""},
		{"bearer s3cret", 200, ""},
	}
	for _, tt := range tests {
		resp, body := get(t, s.Client(), url, "Authorization", tt.auth)
		if resp.StatusCode != tt.status {
			t.Errorf("Authorization %q: status %d, want %d", tt.auth, resp.StatusCode, tt.status)
			continue
		}
		if tt.status == 401 {
			want := fmt.Sprintf(`{"message":%q,"documentation_url":"https://docs.github.com/rest","status":"401"}`, tt.message)
			if string(body) != want {
				t.Errorf("Authorization %q: body %s, want %s", tt.auth, body, want)
			}
		}
		if tt.status == 404 {
			want := `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt","status":"404"}`
			if string(body) != want {
				t.Errorf("Authorization %q: body %s, want %s", tt.auth, body, want)
			}
		}
	}
	// Without WithToken, any or no Authorization is fine.
	open := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	if resp, _ := get(t, open.Client(), open.URL+jobsPath(testOwner, testRepo, testRunID, 1), "Authorization", "Bearer anything"); resp.StatusCode != 200 {
		t.Errorf("no token configured: status %d", resp.StatusCode)
	}
}

func TestAPIVersion(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for _, v := range []string{"", "2022-11-28", "2026-03-10"} {
		if resp, body := get(t, s.Client(), url, "X-GitHub-Api-Version", v); resp.StatusCode != 200 {
			t.Errorf("version %q: %d %s", v, resp.StatusCode, body)
		}
	}
	resp, body := get(t, s.Client(), url, "X-GitHub-Api-Version", "2021-01-01")
	if e := decodeError(t, body); resp.StatusCode != 400 || !strings.HasPrefix(e.Message, "Invalid API version provided: 2021-01-01") {
		t.Errorf("unsupported version: %d %s", resp.StatusCode, body)
	}
}

func TestPathPrefix(t *testing.T) {
	for _, prefix := range []string{"/api/v3", "api/v3/"} {
		t.Run(prefix, func(t *testing.T) {
			s := mustServer(t, WithPathPrefix(prefix), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 40)))
			if !strings.HasPrefix(s.URL, "http://127.0.0.1:") && !strings.HasPrefix(s.URL, "http://[::1]:") || !strings.HasSuffix(s.URL, "/api/v3") {
				t.Errorf("URL %q", s.URL)
			}
			url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
			resp, body := get(t, s.Client(), url)
			if resp.StatusCode != 200 || decodePage(t, body).TotalCount != 40 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			byID := s.URL + idJobsPath(testOwner, testRepo, testRunID, 1)
			if want := "<" + byID + `?page=2>; rel="next", <` + byID + `?page=2>; rel="last"`; resp.Header.Get("Link") != want {
				t.Errorf("Link %q, want %q", resp.Header.Get("Link"), want)
			}
			if v := s.Fake.Violations(); len(v) != 0 {
				t.Fatalf("violations: %v", v)
			}
			bare := strings.TrimSuffix(s.URL, "/api/v3") + jobsPath(testOwner, testRepo, testRunID, 1)
			if resp, _ := get(t, s.Client(), bare); resp.StatusCode != 404 {
				t.Errorf("without the prefix: status %d, want 404", resp.StatusCode)
			}
			if v := s.Fake.Violations(); len(v) != 1 {
				t.Errorf("without the prefix: violations %v, want 1", v)
			}
		})
	}
	if _, err := New(WithPathPrefix("/api?v=3")); err == nil {
		t.Error("New accepted a prefix with a query")
	}
}

// requestIDPattern is GitHub's X-GitHub-Request-Id (Octokit's fixtures: 0684:716A:2015008:5E2FD3C:62D634F3).
var requestIDPattern = regexp.MustCompile(`^068[0-7]:[0-9A-F]{4}:[1-9A-F][0-9A-F]{4,6}:[1-9A-F][0-9A-F]{4,6}:[0-9A-F]{8}$`)

// TestRateLimitHeaders: a request with credentials counts against the user's 5000 an hour,
// one without against the address's 60, apart, as on GitHub; every request counts, whatever
// its answer; the request id names the second of the answer's Date.
func TestRateLimitHeaders(t *testing.T) {
	start := time.Now()
	s := mustServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	ids := map[string]bool{}
	resets := map[string]string{}
	used := map[string]int{}
	for i := 1; i <= 8; i++ {
		u, auth, limit := url, "", 60
		if i%2 == 0 {
			auth, limit = "Bearer t", 5000
		}
		if i == 4 || i == 5 {
			u = s.URL + "/nope"
		}
		resp, _ := get(t, s.Client(), u, "Authorization", auth)
		used[auth]++
		h := resp.Header
		want := map[string]string{
			"X-RateLimit-Limit":     strconv.Itoa(limit),
			"X-RateLimit-Remaining": strconv.Itoa(limit - used[auth]),
			"X-RateLimit-Used":      strconv.Itoa(used[auth]),
			"X-RateLimit-Resource":  "core",
		}
		for k, v := range want {
			if h.Get(k) != v {
				t.Errorf("request %d (%q): %s %q, want %q", i, auth, k, h.Get(k), v)
			}
		}
		if resets[auth] == "" {
			resets[auth] = h.Get("X-RateLimit-Reset")
			sec, err := strconv.ParseInt(resets[auth], 10, 64)
			if d := time.Unix(sec, 0).Sub(start); err != nil || d < 59*time.Minute || d > 61*time.Minute {
				t.Errorf("X-RateLimit-Reset %q, want about an hour from now", resets[auth])
			}
		} else if h.Get("X-RateLimit-Reset") != resets[auth] {
			t.Errorf("X-RateLimit-Reset moved from %s to %s", resets[auth], h.Get("X-RateLimit-Reset"))
		}
		id := h.Get("X-GitHub-Request-Id")
		if !requestIDPattern.MatchString(id) || ids[id] {
			t.Errorf("X-GitHub-Request-Id %q: not GitHub's shape or not unique", id)
		}
		ids[id] = true
		date, err := http.ParseTime(h.Get("Date"))
		if err != nil || id[len(id)-8:] != fmt.Sprintf("%08X", date.Unix()) {
			t.Errorf("X-GitHub-Request-Id %q does not end in the second of Date %q", id, h.Get("Date"))
		}
	}
}

// TestRateLimitWindow: a limit's window ends at its reset; the next request opens a new one,
// an hour long, with nothing used.
func TestRateLimitWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	b := newBudget(2, now)
	b.used = 2
	b.roll(now.Add(window - time.Second))
	if f := b.figures(); f.used != 2 || f.remaining != 0 || f.reset != now.Add(window).Unix() {
		t.Errorf("within the window: %+v", f)
	}
	later := now.Add(3 * window)
	b.roll(later)
	if f := b.figures(); f.used != 0 || f.remaining != 2 || f.reset != later.Add(window).Unix() {
		t.Errorf("after the reset: %+v, want a new window of an hour from %v", f, later)
	}
}

func TestRateLimitExceeded(t *testing.T) {
	s := NewTestServer(t, WithRateLimit(2), WithUnauthenticatedRateLimit(1), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for i, want := range []struct {
		auth             string
		status           int
		limit, remaining string
	}{
		{"Bearer t", 200, "2", "1"}, {"Bearer t", 200, "2", "0"}, {"Bearer t", 403, "2", "0"},
		// The address's limit is another: the user's used up leaves it whole.
		{"", 200, "1", "0"}, {"", 403, "1", "0"},
	} {
		resp, body := get(t, s.Client(), url, "Authorization", want.auth)
		if resp.StatusCode != want.status || resp.Header.Get("X-RateLimit-Remaining") != want.remaining ||
			resp.Header.Get("X-RateLimit-Limit") != want.limit {
			t.Errorf("request %d: %d limit %q remaining %q, want %d, %s and %s", i+1, resp.StatusCode,
				resp.Header.Get("X-RateLimit-Limit"), resp.Header.Get("X-RateLimit-Remaining"), want.status, want.limit, want.remaining)
		}
		if want.status == 403 {
			checkPrimaryLimitBody(t, fmt.Sprintf("request %d", i+1), resp, body, want.auth != "")
			if got := resp.Header.Get("X-RateLimit-Used"); got != want.limit {
				t.Errorf("request %d: X-RateLimit-Used %q, want %s", i+1, got, want.limit)
			}
		}
	}
	if _, err := New(WithRateLimit(-1)); err == nil {
		t.Error("New accepted a negative rate limit")
	}
	if _, err := New(WithUnauthenticatedRateLimit(-1)); err == nil {
		t.Error("New accepted a negative unauthenticated rate limit")
	}
}

// TestRefusedCredentialsCountAsAnonymous: a wrong token names no user; GitHub counts the
// request against the address's limit.
func TestRefusedCredentialsCountAsAnonymous(t *testing.T) {
	s := NewTestServer(t, WithToken("right"), WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for _, tt := range []struct {
		auth   string
		status int
		limit  string
	}{{"Bearer wrong", 401, "60"}, {"", 404, "60"}, {"Bearer right", 200, "5000"}} {
		resp, _ := get(t, s.Client(), url, "Authorization", tt.auth)
		if resp.StatusCode != tt.status || resp.Header.Get("X-RateLimit-Limit") != tt.limit {
			t.Errorf("Authorization %q: %d, limit %q; want %d and %s", tt.auth, resp.StatusCode, resp.Header.Get("X-RateLimit-Limit"), tt.status, tt.limit)
		}
	}
}

func TestRequests(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	path := jobsPath(testOwner, testRepo, testRunID, 1)
	get(t, s.Client(), s.URL+path+"?per_page=2", "X-GitHub-Api-Version", "2022-11-28")
	get(t, s.Client(), s.URL+path+"?per_page=2&page=2")
	reqs := s.Fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if r := reqs[0]; r.Method != "GET" || r.URL.Path != path || r.URL.RawQuery != "per_page=2" ||
		r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" || r.Header.Get("User-Agent") != "ghjobs-api-test/1.0" {
		t.Errorf("request 1: %+v", r)
	}
	if q := reqs[1].URL.Query(); q.Get("page") != "2" {
		t.Errorf("request 2 query %v", q)
	}
	reqs[0].URL.Path = "/changed"
	reqs[0].Header.Set("User-Agent", "changed")
	if r := s.Fake.Requests()[0]; r.URL.Path != path || r.Header.Get("User-Agent") == "changed" {
		t.Error("Requests returned the fake's own records, not copies")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := NewTestServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 120)))
	const workers, each = 8, 20
	var wg sync.WaitGroup
	ids := make(chan string, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				run := int64(testRunID + w%3) // some runs are added while others are read
				if i == 0 {
					s.Fake.AddRun(SampleRun(testOwner, testRepo, run, 1, 10+w))
				}
				req, _ := http.NewRequest("GET", s.URL+jobsPath(testOwner, testRepo, run, 1)+"?per_page="+strconv.Itoa(1+i%100)+"&page="+strconv.Itoa(1+i%3), nil)
				req.Header.Set("User-Agent", "ghjobs-api-test/1.0")
				req.Header.Set("Authorization", "Bearer t") // 160 requests: past the 60 of an address
				resp, err := s.Client().Do(req)
				if err != nil {
					t.Error(err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("status %d", resp.StatusCode)
				}
				ids <- resp.Header.Get("X-GitHub-Request-Id")
				_ = s.Fake.Requests()
				_ = s.Fake.Violations()
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("request ID %s used twice", id)
		}
		seen[id] = true
	}
	if n := len(s.Fake.Requests()); n != workers*each {
		t.Errorf("%d requests recorded, want %d", n, workers*each)
	}
}

func TestValidator(t *testing.T) {
	v, err := NewValidator("/api/v3")
	if err != nil {
		t.Fatal(err)
	}
	path := "http://ghe.example.com/api/v3" + jobsPath(testOwner, testRepo, testRunID, 1)
	req := func(url string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, url, nil)
		r.Header.Set("User-Agent", "test")
		return r
	}
	if err := v.ValidateRequest(req(path + "?per_page=100&page=3")); err != nil {
		t.Errorf("valid request: %v", err)
	}
	for _, url := range []string{path + "?per_page=0", path + "?page=-1", "http://ghe.example.com" + jobsPath(testOwner, testRepo, testRunID, 1)} {
		if err := v.ValidateRequest(req(url)); err == nil {
			t.Errorf("%s: no error", url)
		}
	}
	noUA := req(path)
	noUA.Header.Del("User-Agent")
	if err := v.ValidateRequest(noUA); err == nil || !strings.Contains(err.Error(), "User-Agent") {
		t.Errorf("no User-Agent: %v", err)
	}

	job, err := json.Marshal(SampleRun(testOwner, testRepo, testRunID, 1, 1).Jobs[0])
	if err != nil {
		t.Fatal(err)
	}
	badTime := strings.Replace(string(job), `"created_at":"2026-`, `"created_at":"yesterday`, 1)
	badID := regexp.MustCompile(`"id":([0-9]+)`).ReplaceAllString(string(job), `"id":"$1"`) // a string, not an integer
	page := func(job string) string { return `{"total_count":1,"jobs":[` + job + `]}` }

	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	ok := req(path)
	tests := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		wantErr string
	}{
		{"200", 200, jsonCT, `{"total_count":0,"jobs":[]}`, ""},
		{"200 with a job", 200, jsonCT, page(string(job)), ""},
		{"200 bad date-time", 200, jsonCT, page(badTime), "/jobs/0/created_at"},
		{"200 id not an integer", 200, jsonCT, page(badID), "/jobs/0/id"},
		{"200 without jobs", 200, jsonCT, `{"total_count":0}`, "jobs"},
		{"200 jobs null", 200, jsonCT, `{"total_count":0,"jobs":null}`, "jobs"},
		{"200 as text", 200, http.Header{"Content-Type": {"text/plain"}}, `{"total_count":0,"jobs":[]}`, "Content-Type"},
		{"404", 404, jsonCT, `{"message":"Not Found"}`, ""},
		{"404 wrong type", 404, jsonCT, `{"message":404}`, "message"},
		{"undocumented 502 as basic-error", 502, jsonCT, `{"message":"Server Error"}`, ""},
		{"undocumented 502 as HTML", 502, http.Header{"Content-Type": {"text/html"}}, `<html>`, "application/json"},
		{"undocumented 403 not JSON", 403, jsonCT, `nope`, "JSON"},
		{"304", 304, http.Header{}, ``, ""},
		{"304 with a body", 304, http.Header{}, `{}`, "304"},
		{"301", 301, http.Header{"Location": {"https://ghe.example.com/x"}}, `{"message":"Moved Permanently"}`, ""},
		{"307 relative", 307, http.Header{"Location": {"x"}}, ``, ""},
		{"308 without Location", 308, jsonCT, `{"message":"Permanent Redirect"}`, "Location"},
	}
	for _, tt := range tests {
		err := v.ValidateResponse(ok, tt.status, tt.header, []byte(tt.body))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestOptions(t *testing.T) {
	// A later WithRun for the same attempt replaces the earlier one; AddRun does too.
	s := NewTestServer(t,
		WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)),
		WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 5)))
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	if _, body := get(t, s.Client(), url); decodePage(t, body).TotalCount != 5 {
		t.Errorf("WithRun did not replace: %s", body)
	}
	run := SampleRun("Octo-Org", testRepo, testRunID, 1, 7)
	s.Fake.AddRun(run)
	run.Jobs[0].Name = "changed after AddRun" // the fake keeps its own slice
	run.Jobs = slices.Delete(run.Jobs, 1, 2)
	_, body := get(t, s.Client(), url)
	if p := decodePage(t, body); p.TotalCount != 7 || p.Jobs[0].Name == "changed after AddRun" {
		t.Errorf("AddRun: %d jobs, first %q", p.TotalCount, p.Jobs[0].Name)
	}
}

// TestRequestLogIsBounded: a fake that serves for days keeps the most recent requests
// and violations only, in order, and RequestCount and ViolationCount count them all.
func TestRequestLogIsBounded(t *testing.T) {
	s := mustServer(t, WithRun(SampleRun(testOwner, testRepo, testRunID, 1, 3)))
	s.Fake.requests.size, s.Fake.violations.size = 4, 4 // RequestLogSize, made small
	url := s.URL + jobsPath(testOwner, testRepo, testRunID, 1)
	for i := 1; i <= 11; i++ {
		get(t, s.Client(), url+"?per_page=101&page="+strconv.Itoa(i)) // per_page=101: a violation
		var pages, flagged []string
		for _, r := range s.Fake.Requests() {
			pages = append(pages, r.URL.Query().Get("page"))
		}
		for _, v := range s.Fake.Violations() {
			if m := regexp.MustCompile(`&page=(\d+)`).FindStringSubmatch(v.Error()); m != nil {
				flagged = append(flagged, m[1])
			}
		}
		var want []string
		for p := max(1, i-3); p <= i; p++ {
			want = append(want, strconv.Itoa(p))
		}
		if !slices.Equal(pages, want) || s.Fake.RequestCount() != int64(i) {
			t.Fatalf("after %d requests: log of pages %v, count %d; want %v and %d", i, pages, s.Fake.RequestCount(), want, i)
		}
		if !slices.Equal(flagged, want) || s.Fake.ViolationCount() != int64(i) {
			t.Fatalf("after %d violations: log of pages %v, count %d; want %v and %d", i, flagged, s.Fake.ViolationCount(), want, i)
		}
	}
	if RequestLogSize < 1000 {
		t.Errorf("RequestLogSize %d: too small for a test's requests", RequestLogSize)
	}
}
