// Package redistest runs real redis-server processes for tests: each on a free loopback
// port, in a directory of the test's own, stopped when the test ends, and stoppable and
// restartable in between. Tests that need Redis skip when redis-server is not on PATH,
// unless GHJOBS_REQUIRE_REDIS=1 (CI sets it), when they fail instead.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing redis-server into a failure.
const RequireEnv = "GHJOBS_REQUIRE_REDIS"

// Server is one redis-server process.
type Server struct {
	Addr string // host:port on loopback

	tb    testing.TB
	bin   string
	dir   string
	port  int
	extra []string
	cmd   *exec.Cmd
	done  chan struct{} // closed when cmd has exited
}

// binary returns redis-server's path, or skips (or fails) tb.
func binary(tb testing.TB) string {
	tb.Helper()
	if runtime.GOARCH == "386" {
		// CI runs the 386 tests under qemu-user where the kernel cannot run them, and there
		// os/exec's fork crashes the Go runtime (as the command's tests that start processes
		// know); the 64-bit run covers Redis.
		tb.Skip("starts redis-server; skipped on 386, which CI may run under qemu-user")
	}
	for _, name := range []string{"redis-server", "valkey-server"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("redis-server is not on PATH and %s=1: install it (apt-get install redis-server)", RequireEnv)
	}
	tb.Skipf("redis-server is not on PATH: skipping a test against real Redis (set %s=1 to fail instead)", RequireEnv)
	return ""
}

// Start starts a redis-server with extra configuration directives ("--name value" pairs),
// and stops it when the test ends.
func Start(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	s := &Server{tb: tb, bin: binary(tb), extra: extra}
	s.dir = tb.TempDir()
	s.port = freePort(tb)
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	tb.Cleanup(s.Stop)
	s.Restart()
	return s
}

// Restart starts the server again on the same port, empty (it keeps nothing on disk); it
// must be stopped.
func (s *Server) Restart() {
	s.tb.Helper()
	args := append([]string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "no",
		"--logfile", filepath.Join(s.dir, "redis.log"),
	}, s.extra...)
	s.cmd = exec.Command(s.bin, args...)
	s.done = make(chan struct{})
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatalf("starting redis-server: %v", err)
	}
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		close(done)
	}(s.cmd, s.done)
	deadline := time.Now().Add(10 * time.Second)
	for !ping(s.Addr) {
		select {
		case <-s.done:
			s.tb.Fatalf("redis-server exited at start: %s", s.Log())
		default:
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("redis-server on %s did not answer PING within 10s: %s", s.Addr, s.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop kills the server (SIGKILL: as a crash, nothing saved) and waits for it to exit.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Signal sends sig to the running server: syscall.SIGSTOP freezes it as a hung host would
// (connections stay open and the kernel still accepts new ones, but nothing is answered)
// and syscall.SIGCONT thaws it. A test that freezes it thaws it in a Cleanup of its own,
// registered after those of the clients that would wait for it.
func (s *Server) Signal(sig os.Signal) error {
	if s.cmd == nil {
		return fmt.Errorf("redistest: signal %v: the server on %s is stopped", sig, s.Addr)
	}
	return s.cmd.Process.Signal(sig)
}

// Log returns the end of the server's log, for failure messages.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ping reports whether a Redis answers PING on addr.
func ping(addr string) bool {
	r, err := command(addr, "PING")
	return err == nil && r == "+PONG"
}

// command sends one inline command and returns the first line of the reply.
func command(addr, cmd string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintf(c, "%s\r\n", cmd); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// Cluster starts three redis-server masters with cluster-enabled and joins them with
// redis-cli --cluster create; it returns their addresses. It skips tb when the cluster does
// not form (no redis-cli, say), whatever RequireEnv says: the cluster test is extra.
func Cluster(tb testing.TB) []string {
	tb.Helper()
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		if cli, err = exec.LookPath("valkey-cli"); err != nil {
			binary(tb)
			tb.Skip("redis-cli is not on PATH: skipping the cluster test")
		}
	}
	var addrs []string
	for range 3 {
		s := Start(tb, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		addrs = append(addrs, s.Addr)
	}
	out, err := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...), "--cluster-yes")...).CombinedOutput()
	if err != nil {
		tb.Skipf("redis-cli --cluster create failed, skipping the cluster test: %v\n%s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, a := range addrs {
		for !clusterOK(a) {
			if time.Now().After(deadline) {
				tb.Skipf("the cluster did not reach cluster_state:ok within 20s; skipping")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return addrs
}

func clusterOK(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(c, "CLUSTER INFO\r\n")
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil { // the bulk length
		return false
	}
	line, err := r.ReadString('\n')
	return err == nil && strings.HasPrefix(line, "cluster_state:ok")
}
