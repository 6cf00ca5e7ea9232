package ghjobs_test

// The api fake against GitHub's recorded bytes (testdata/recorded): header by header, names
// spelled as GitHub spells them, and each difference that is on purpose named with its reason.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/api"
)

// rawAnswer is an answer as it came off the wire: header names uncanonicalised.
type rawAnswer struct {
	status int
	names  []string            // in the order sent
	header map[string][]string // by the name as sent
	body   []byte
}

// rawGet sends GET path to the server at base over a connection of its own, with the
// recordings' request headers, and reads the answer without canonicalising anything.
func rawGet(t *testing.T, base, path string) rawAnswer {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ghjobs-compare\r\nAccept: application/vnd.github.v3+json\r\n"+
		"Authorization: token 0000000000000000000000000000000000000001\r\nConnection: close\r\n\r\n", u.Path+path, u.Host)
	r := textproto.NewReader(bufio.NewReader(conn))
	line, err := r.ReadLine()
	if err != nil {
		t.Fatal(err)
	}
	_, code, _ := strings.Cut(line, " ")
	a := rawAnswer{header: map[string][]string{}}
	if a.status, err = strconv.Atoi(code[:3]); err != nil {
		t.Fatalf("status line %q", line)
	}
	for {
		line, err := r.ReadLine()
		if err != nil {
			t.Fatal(err)
		}
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ": ")
		if _, ok := a.header[name]; !ok {
			a.names = append(a.names, name)
		}
		a.header[name] = append(a.header[name], value)
	}
	if a.body, err = io.ReadAll(r.R); err != nil {
		t.Fatal(err)
	}
	return a
}

// difference is a header that the fake sends otherwise than the recording, on purpose.
type difference struct {
	why string
	// check reports whether the fake's value is still right; nil: the fake leaves it out.
	check func(t *testing.T, recorded, fake []string) bool
}

var (
	httpDate   = func(_ *testing.T, _, fake []string) bool { _, err := http.ParseTime(fake[0]); return err == nil }
	digits     = func(_ *testing.T, _, fake []string) bool { return regexp.MustCompile(`^\d+$`).MatchString(fake[0]) }
	sameShape  = func(re string) func(*testing.T, []string, []string) bool { return matches(regexp.MustCompile(re)) }
	requestID  = `^068[0-7]:[0-9A-F]{4}:[1-9A-F][0-9A-F]{4,6}:[1-9A-F][0-9A-F]{4,6}:[0-9A-F]{8}$`
	strongETag = `^"[0-9a-f]{64}"$`
)

func matches(re *regexp.Regexp) func(*testing.T, []string, []string) bool {
	return func(_ *testing.T, _, fake []string) bool { return len(fake) == 1 && re.MatchString(fake[0]) }
}

// onPurpose are the differences every answer has: the moment, the counters, the token.
var onPurpose = map[string]difference{
	"Date":                  {"the moment of the answer", httpDate},
	"Content-Length":        {"another body: the fake's, not the recorded operation's", digits},
	"X-GitHub-Request-Id":   {"unique to each answer; the same shape, its last group the second of the fake's Date", sameShape(requestID)},
	"X-RateLimit-Remaining": {"the fake's own hourly window", digits},
	"X-RateLimit-Used":      {"the fake's own hourly window", digits},
	"X-RateLimit-Reset":     {"the fake's own hourly window", digits},
	"X-OAuth-Scopes": {"the recording's token had a dozen scopes; the fake says a classic token with repo and workflow",
		func(_ *testing.T, _, fake []string) bool { return slices.Equal(fake, []string{"repo, workflow"}) }},
	"connection": {"nock's recorder had every connection closed; the fake, Go's server, keeps them open", nil},
}

// added are headers the fake sends that the recordings lack, on purpose.
var added = map[string]string{
	"X-GitHub-Api-Version-Selected": "GitHub has sent it since API versions came, in November 2022, after the recordings (July 2022)",
	"Connection":                    "this test's own request asks for close, and Go's server says it will",
}

// compareHeaders checks the fake's answer against the recorded one, name by name as GitHub
// spells them; the differences allowed are onPurpose, extra, and added.
func compareHeaders(t *testing.T, x exchange, fake rawAnswer, extra map[string]difference) {
	t.Helper()
	if fake.status != x.Status {
		t.Errorf("status %d, recorded %d", fake.status, x.Status)
	}
	recorded := map[string][]string{}
	var names []string
	for i := 0; i < len(x.RawHeaders); i += 2 {
		if _, ok := recorded[x.RawHeaders[i]]; !ok {
			names = append(names, x.RawHeaders[i])
		}
		recorded[x.RawHeaders[i]] = append(recorded[x.RawHeaders[i]], x.RawHeaders[i+1])
	}
	for _, name := range names {
		d, ok := extra[name]
		if !ok {
			d, ok = onPurpose[name]
		}
		got, sent := fake.header[name]
		switch {
		case slices.Equal(got, recorded[name]):
		case ok && (!sent && d.check == nil || sent && d.check != nil && d.check(t, recorded[name], got)):
			t.Logf("%s differs on purpose (%s): recorded %q, fake %q", name, d.why, recorded[name], got)
		case !sent:
			t.Errorf("%s: recorded %q, the fake does not send it (as GitHub spells it; sent: %q)", name, recorded[name], fake.names)
		default:
			t.Errorf("%s: recorded %q, the fake sends %q", name, recorded[name], got)
		}
	}
	for _, name := range fake.names {
		if _, ok := recorded[name]; ok {
			continue
		}
		if why, ok := added[name]; ok {
			t.Logf("%s added on purpose (%s): %q", name, why, fake.header[name])
			continue
		}
		t.Errorf("%s: %q, which the recording lacks", name, fake.header[name])
	}
	id, date := fake.header["X-GitHub-Request-Id"], fake.header["Date"]
	if when, err := http.ParseTime(strings.Join(date, "")); len(id) != 1 || err != nil || !strings.HasSuffix(id[0], fmt.Sprintf(":%08X", when.Unix())) {
		t.Errorf("X-GitHub-Request-Id %q does not name the second of Date %q", id, date)
	}
}

// recordedExchange returns the exchange of scenario name with method and status.
func recordedExchange(t *testing.T, name, method string, status int) exchange {
	t.Helper()
	for _, x := range scenario(t, name) {
		if x.Method == method && x.Status == status {
			return x
		}
	}
	t.Fatalf("%s: no %s answered %d", name, method, status)
	return exchange{}
}

// TestFakeHeadersAreRecorded: a page from the middle of a listing, with a token, as the
// recording's page 2 of 5, per_page=3.
func TestFakeHeadersAreRecorded(t *testing.T) {
	x := scenario(t, "paginate-issues")[15]
	if x.Path != "/repositories/515435940/issues?per_page=3&page=2" {
		t.Fatalf("exchange 15 is %s", x.Path)
	}
	srv := api.NewTestServer(t, api.WithRun(api.SampleRun(owner, repo, bigRunID, 1, 13)))
	fake := rawGet(t, srv.URL, fmt.Sprintf("/repos/%s/%s/actions/runs/%d/attempts/1/jobs?per_page=3&page=2", owner, repo, bigRunID))
	recordedLink := linkPages(t, x.RawHeaders[slices.Index(x.RawHeaders, "Link")+1])
	compareHeaders(t, x, fake, map[string]difference{
		"ETag": {"the validator of the fake's own body; the same form, strong, 64 hex digits", sameShape(strongETag)},
		"Link": {"the fake's origin, repository id and path; the same relations in the same order, the same pages",
			func(t *testing.T, recorded, fake []string) bool {
				rels := func(v []string) []string {
					var r []string
					for _, m := range linkRel.FindAllStringSubmatch(strings.Join(v, ","), -1) {
						r = append(r, m[2])
					}
					return r
				}
				return len(fake) == 1 && slices.Equal(rels(recorded), rels(fake)) &&
					fmt.Sprint(linkPages(t, fake[0])) == fmt.Sprint(recordedLink) &&
					strings.Contains(fake[0], "/repositories/"+strconv.FormatInt(api.DefaultRepositoryID(owner, repo), 10)+"/")
			}},
	})
}

// TestFakeNotFoundIsRecorded: the fake's 404 for a run it does not serve, with a token, as
// the recorded 404.
func TestFakeNotFoundIsRecorded(t *testing.T) {
	x := recordedExchange(t, "branch-protection", "get", http.StatusNotFound)
	srv := api.NewTestServer(t, api.WithRun(api.SampleRun(owner, repo, bigRunID, 1, 3)))
	fake := rawGet(t, srv.URL, fmt.Sprintf("/repos/%s/%s/actions/runs/%d/attempts/9/jobs", owner, repo, bigRunID))
	compareHeaders(t, x, fake, map[string]difference{
		"X-Accepted-OAuth-Scopes": {"the scopes the recorded operation accepts (none); this operation's are repo", sameShape(`^repo$`)},
	})
	// The body: GitHub's fields in GitHub's order, and "status", which GitHub has added since
	// 2024 (a 404 in github/rest-api-description#3726), after the recording.
	compareBodies(t, x, fake, map[string]string{
		"message":           "another resource's message: GitHub says Not Found for a missing run",
		"documentation_url": "another operation's page",
		"status":            "added since the recording",
	})
}

// TestFakeRedirectIsRecorded: the fake's 301 for a renamed repository (WithRename), as the
// recorded one.
func TestFakeRedirectIsRecorded(t *testing.T) {
	x := recordedExchange(t, "rename-repository", "get", http.StatusMovedPermanently)
	srv := api.NewTestServer(t, api.WithRun(api.SampleRun(owner, repo, bigRunID, 1, 3)), api.WithRename("old-org", "old-name", owner, repo))
	fake := rawGet(t, srv.URL, fmt.Sprintf("/repos/old-org/old-name/actions/runs/%d/attempts/1/jobs", bigRunID))
	wantLocation := fmt.Sprintf("%s/repositories/%d/actions/runs/%d/attempts/1/jobs", srv.URL, api.DefaultRepositoryID(owner, repo), bigRunID)
	compareHeaders(t, x, fake, map[string]difference{
		"Location": {"the fake's origin and the new name's id, with the rest of the path, as GitHub keeps it",
			func(_ *testing.T, _, fake []string) bool { return slices.Equal(fake, []string{wantLocation}) }},
		"X-Accepted-OAuth-Scopes": {"the scopes the recorded operation (a repository's) accepts; this operation's are repo", sameShape(`^repo$`)},
	})
	compareBodies(t, x, fake, map[string]string{
		"url": "the Location, as in the recording",
		// GitHub's link has moved since the recording (2022): a 301 of api.github.com in
		// 2026 (ubuntu/app-center#2138) links the REST guide's "follow redirects".
		"documentation_url": "GitHub's link now, not in 2022",
	})
}

// TestFakeValidationFailedIsRecorded: the fake's ValidationFailed fault, as the recorded 422.
func TestFakeValidationFailedIsRecorded(t *testing.T) {
	x := recordedExchange(t, "errors", "post", http.StatusUnprocessableEntity)
	srv := api.NewTestServer(t, api.WithRun(api.SampleRun(owner, repo, bigRunID, 1, 3)),
		api.WithFaults(api.ValidationFailed(api.FieldError{Resource: "Label", Code: "invalid", Field: "color"})))
	fake := rawGet(t, srv.URL, fmt.Sprintf("/repos/%s/%s/actions/runs/%d/attempts/1/jobs", owner, repo, bigRunID))
	compareHeaders(t, x, fake, map[string]difference{
		"X-Accepted-OAuth-Scopes": {"the scopes the recorded operation accepts (none); this operation's are repo", sameShape(`^repo$`)},
	})
	compareBodies(t, x, fake, map[string]string{
		"documentation_url": "another operation's page",
		"status":            "added since the recording",
	})
}

// compareBodies checks the fake's JSON body against the recorded one: the same fields in the
// same order and the same values, but for those named, with why.
func compareBodies(t *testing.T, x exchange, fake rawAnswer, differ map[string]string) {
	t.Helper()
	recorded, got := orderedObject(t, x.body(t)), orderedObject(t, fake.body)
	var rk, gk []string
	for _, f := range recorded {
		rk = append(rk, f.name)
	}
	for _, f := range got {
		if _, ok := differ[f.name]; ok && !slices.Contains(rk, f.name) {
			t.Logf("body: %s added on purpose (%s): %s", f.name, differ[f.name], f.value)
			continue
		}
		gk = append(gk, f.name)
	}
	if !slices.Equal(rk, gk) {
		t.Errorf("body fields %q, recorded %q", gk, rk)
	}
	for _, r := range recorded {
		i := slices.IndexFunc(got, func(f field) bool { return f.name == r.name })
		switch {
		case i < 0:
		case got[i].value == r.value:
		case differ[r.name] != "":
			t.Logf("body: %s differs on purpose (%s): recorded %s, fake %s", r.name, differ[r.name], r.value, got[i].value)
		default:
			t.Errorf("body: %s recorded %s, fake %s", r.name, r.value, got[i].value)
		}
	}
}

type field struct {
	name  string
	value string // compact JSON
}

// orderedObject returns the fields of a JSON object in order.
func orderedObject(t *testing.T, data []byte) []field {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	var fields []field
	for _, name := range keysInOrder(t, data) {
		fields = append(fields, field{name, string(m[name])})
	}
	return fields
}

// keysInOrder returns the keys of a JSON object in the order they are written.
func keysInOrder(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %.60s", data)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestSampleJobsAreRecordedShapes: the sample's jobs are written with the fields, in the
// order, and with the nulls of the recorded workflow_job payloads: the current shape (a job
// of 2023), a waiting job, and the old shape (2021).
func TestSampleJobsAreRecordedShapes(t *testing.T) {
	raw := recordedJobs(t)
	sample := api.SampleRun(owner, repo, bigRunID, 1, 250).Jobs
	find := func(status string) []byte {
		for i := range sample {
			if string(sample[i].Status) == status {
				b, err := json.Marshal(api.ToGitHub(&sample[i]))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
		t.Fatalf("no %s job in the sample", status)
		return nil
	}
	inProgress, waiting := find("in_progress"), find("waiting")
	for _, tt := range []struct {
		name             string
		recorded, sample []byte
	}{
		{"in progress (2023)", raw[4], inProgress},
		{"waiting", raw[6], waiting},
	} {
		if r, s := keysInOrder(t, tt.recorded), keysInOrder(t, tt.sample); !slices.Equal(r, s) {
			t.Errorf("%s: fields %q, recorded %q", tt.name, s, r)
		}
		r, s := decodeObject(t, tt.recorded), decodeObject(t, tt.sample)
		for k, v := range r {
			if (v == nil) != (s[k] == nil) {
				t.Errorf("%s: %s recorded %v, sample %v", tt.name, k, v, s[k])
			}
		}
		if tt.name == "waiting" && (r["started_at"] != r["created_at"] || s["started_at"] != s["created_at"] || len(s["steps"].([]any)) != 0) {
			t.Errorf("waiting: started_at/created_at %v/%v, recorded %v/%v; steps %v", s["started_at"], s["created_at"], r["started_at"], r["created_at"], s["steps"])
		}
	}

	// The old shape, as the fake serves it.
	srv := api.NewTestServer(t, api.WithRun(api.SampleRunOldShape(owner, repo, bigRunID, 1, 3)))
	page := rawGet(t, srv.URL, fmt.Sprintf("/repos/%s/%s/actions/runs/%d/attempts/1/jobs", owner, repo, bigRunID))
	var p struct{ Jobs []json.RawMessage }
	if err := json.Unmarshal(page.body, &p); err != nil || len(p.Jobs) != 3 {
		t.Fatalf("old shape: %d jobs, %v", len(p.Jobs), err)
	}
	if r, s := keysInOrder(t, raw[0]), keysInOrder(t, p.Jobs[0]); !slices.Equal(r, s) {
		t.Errorf("old shape: fields %q, recorded %q", s, r)
	}
}
