package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Delay starts a TCP proxy on loopback to addr that holds every byte it passes for d, in
// each direction: a round trip through it takes 2d longer, as between distant hosts, and
// bytes flow as fast as ever. The proxy runs in a process of its own, the test binary started
// again (its TestMain must call DelayChild first), so that the test's own work does not slow
// the network it simulates. Delay returns the proxy's address, and stops it when the test
// ends.
func Delay(tb testing.TB, addr string, d time.Duration) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%s", delayEnv, addr, d))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting the delay proxy: %v", err)
	}
	tb.Cleanup(func() {
		stdin.Close() // the proxy ends when its standard input does
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		tb.Fatalf("the delay proxy did not say its address (does TestMain call redistest.DelayChild?): %v", err)
	}
	return strings.TrimSpace(line)
}

// delayEnv, set in the environment of a test binary started by Delay, holds "addr,d".
const delayEnv = "GHJOBS_REDISTEST_DELAY"

// DelayChild serves Delay's proxy when the test binary was started by Delay, and then
// returns true: call it first in TestMain, and return when it does.
//
//	func TestMain(m *testing.M) {
//		if redistest.DelayChild() {
//			return
//		}
//		...
func DelayChild() bool {
	cfg := os.Getenv(delayEnv)
	if cfg == "" {
		return false
	}
	addr, ds, _ := strings.Cut(cfg, ",")
	d, err := time.ParseDuration(ds)
	if err != nil {
		fmt.Fprintf(os.Stderr, "redistest: %s=%q: %v\n", delayEnv, cfg, err)
		os.Exit(2)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "redistest: %v\n", err)
		os.Exit(2)
	}
	p := &proxy{conns: map[net.Conn]struct{}{}}
	go p.serve(l, addr, d)
	fmt.Println(l.Addr())
	io.Copy(io.Discard, os.Stdin) // until the test that started it closes it, or ends
	l.Close()
	p.closeAll()
	return true
}

type proxy struct {
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// serve accepts connections on l and passes them to addr, d late each way.
func (p *proxy) serve(l net.Listener, addr string, d time.Duration) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", addr)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, up) {
			return
		}
		go p.pipe(up, c, d)
		go p.pipe(c, up, d)
	}
}

// track keeps conns to close at the end; false when the proxy is closed already.
func (p *proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
}

// pipe copies what src sends to dst, each chunk d after it arrived, in order; when src ends,
// it closes dst once the chunks have gone.
func (p *proxy) pipe(dst, src net.Conn, d time.Duration) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	line := make(chan chunk, 4096)
	go func() {
		defer dst.Close()
		failed := false
		for c := range line {
			time.Sleep(time.Until(c.at)) // the delay simulated, not a wait for an event
			if !failed {
				if _, err := dst.Write(c.b); err != nil {
					failed = true
					src.Close()
				}
			}
		}
	}()
	defer close(line)
	for {
		b := make([]byte, 32<<10)
		n, err := src.Read(b)
		if n > 0 {
			line <- chunk{b[:n], time.Now().Add(d)}
		}
		if err != nil {
			return
		}
	}
}
