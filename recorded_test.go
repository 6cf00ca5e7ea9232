package ghjobs_test

// GitHub's recorded bytes (testdata/recorded, see its README): loading them, and an HTTPS
// server that replays them to the client as api.github.com.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

const recordedDir = "testdata/recorded"

// TestRecordingsUnchanged: the vendored files are the bytes their sources published
// (SHA256SUMS was written when they were vendored, see the README there).
func TestRecordingsUnchanged(t *testing.T) {
	sums, err := os.ReadFile(filepath.Join(recordedDir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: line %q", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(recordedDir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s changed: it must stay byte for byte what its source published", name)
		}
		listed++
	}
	// Every file there is listed, but the two that describe them.
	var files int
	err = filepath.WalkDir(recordedDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "SHA256SUMS" && d.Name() != "README.md" {
			files++
		}
		return err
	})
	if err != nil || files != listed || listed == 0 {
		t.Errorf("%d files, %d listed in SHA256SUMS (%v)", files, listed, err)
	}
}

// exchange is one recorded request and GitHub's answer, as nock wrote it in Octokit's
// fixtures (raw-fixture.json).
type exchange struct {
	Method     string          `json:"method"`
	Path       string          `json:"path"`
	Status     int             `json:"status"`
	Response   json.RawMessage `json:"response"`
	RawHeaders []string        `json:"rawHeaders"`
}

// scenario loads the recorded exchanges of Octokit's fixture scenario name.
func scenario(t *testing.T, name string) []exchange {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(recordedDir, "octokit-fixtures-23.1.2/scenarios/api.github.com", name, "raw-fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	var xs []exchange
	if err := json.Unmarshal(data, &xs); err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if len(x.RawHeaders)%2 != 0 || x.Status == 0 {
			t.Fatalf("%s: exchange %d: %d raw header strings, status %d", name, i, len(x.RawHeaders), x.Status)
		}
	}
	return xs
}

// get returns the first value of the recorded header name (any case), and whether there is one.
func (x exchange) get(name string) (string, bool) {
	for i := 0; i < len(x.RawHeaders); i += 2 {
		if strings.EqualFold(x.RawHeaders[i], name) {
			return x.RawHeaders[i+1], true
		}
	}
	return "", false
}

// body is GitHub's body as it was sent: nock keeps it parsed, and GitHub sends compact JSON,
// so compacting gives the bytes back (their length is the recorded Content-Length, which
// TestReplayedBodiesAreRecorded checks); a string is a body that was not JSON, "" none.
func (x exchange) body(t *testing.T) []byte {
	t.Helper()
	var s string
	if json.Unmarshal(x.Response, &s) == nil {
		return []byte(s)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, x.Response); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rate is what the recorded x-ratelimit-* headers say, as wrapper.Rate holds it.
func (x exchange) rate(t *testing.T) wrapper.Rate {
	t.Helper()
	n := func(name string) int {
		v, _ := x.get(name)
		i, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("recorded %s %q: %v", name, v, err)
		}
		return i
	}
	resource, _ := x.get("X-RateLimit-Resource")
	return wrapper.Rate{Limit: n("X-RateLimit-Limit"), Remaining: n("X-RateLimit-Remaining"), Used: n("X-RateLimit-Used"),
		Reset: time.Unix(int64(n("X-RateLimit-Reset")), 0), Resource: resource}
}

// answer is what the replay server sends for one request.
type answer struct {
	status int
	header []string // raw name, value, name, value, ...: written as they come, uncanonicalised
	body   []byte
}

// replayed is x's answer with body in place of the recorded one (nil keeps it): every
// recorded header but the connection's framing, which net/http writes for the body sent.
func replayed(t *testing.T, x exchange, body []byte) answer {
	t.Helper()
	if body == nil {
		body = x.body(t)
	}
	a := answer{status: x.Status, body: body}
	for i := 0; i < len(x.RawHeaders); i += 2 {
		switch strings.ToLower(x.RawHeaders[i]) {
		case "content-length", "connection", "transfer-encoding":
			continue
		}
		a.header = append(a.header, x.RawHeaders[i], x.RawHeaders[i+1])
	}
	return a
}

// withHeader returns a with the header name set to value, the recorded one replaced.
func (a answer) withHeader(name, value string) answer {
	h := make([]string, 0, len(a.header)+2)
	for i := 0; i < len(a.header); i += 2 {
		if !strings.EqualFold(a.header[i], name) {
			h = append(h, a.header[i], a.header[i+1])
		}
	}
	a.header = append(h, name, value)
	return a
}

// replay is an HTTPS server on loopback that plays api.github.com: its client dials it for
// every address and trusts its certificate, so that the recorded URLs (Link, Location) work
// as recorded. answer says what to send for each request; false fails the test.
type replay struct {
	srv    *httptest.Server
	client *http.Client

	mu   sync.Mutex
	seen []string // the requests, "GET /path?query", in order of arrival
}

func newReplay(t *testing.T, answerFor func(r *http.Request) (answer, bool)) *replay {
	t.Helper()
	rp := &replay{}
	rp.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rp.mu.Lock()
		rp.seen = append(rp.seen, r.Method+" "+r.URL.RequestURI())
		rp.mu.Unlock()
		a, ok := answerFor(r)
		if !ok {
			t.Errorf("replay: no recorded answer for %s %s", r.Method, r.URL.RequestURI())
			http.Error(w, "replay: nothing recorded for this request", http.StatusTeapot)
			return
		}
		h := w.Header()
		for i := 0; i < len(a.header); i += 2 {
			h[a.header[i]] = append(h[a.header[i]], a.header[i+1])
		}
		if a.status != http.StatusNoContent && a.status != http.StatusNotModified {
			h["Content-Length"] = []string{strconv.Itoa(len(a.body))}
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	// A connection the client opens for a page it then no longer needs is closed with the
	// server, mid-handshake: net/http logs that, and nothing else goes to this log.
	rp.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	rp.srv.StartTLS()
	t.Cleanup(rp.srv.Close)
	tr := rp.srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com" // what httptest's certificate names
	addr := rp.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	rp.client = &http.Client{Transport: tr}
	t.Cleanup(tr.CloseIdleConnections)
	return rp
}

// requests returns the requests the server saw, in order of arrival.
func (rp *replay) requests() []string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return append([]string(nil), rp.seen...)
}

// recordedClient is a wrapper client of api.github.com, reached through rp, with a token as
// the recordings had one.
func recordedClient(t *testing.T, rp *replay, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithHTTPClient(rp.client), wrapper.WithToken("recorded-token"),
		wrapper.WithUserAgent("ghjobs-replay")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// linkPages returns the page number of each relation of a recorded Link header.
func linkPages(t *testing.T, link string) map[string]int {
	t.Helper()
	pages := map[string]int{}
	for _, m := range linkRel.FindAllStringSubmatch(link, -1) {
		u, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(u.Query().Get("page"))
		if err != nil {
			t.Fatalf("Link %q: %v", link, err)
		}
		pages[m[2]] = n
	}
	return pages
}

var linkRel = regexp.MustCompile(`<([^>]+)>; rel="(\w+)"`)
