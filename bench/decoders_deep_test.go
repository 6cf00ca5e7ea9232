package bench

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

// deepCrashes are the candidates that a deeply nested body kills (TestDecodersDeepNesting):
// their decoders recurse once a level with no bound, until the goroutine's stack is beyond
// Go's limit, which is a fatal error that no recover catches.
var deepCrashes = map[string]bool{"segmentio": true}

// TestDecodersDeepNesting decodes, with each candidate, bodies nested as deep as they can
// be: 1 Mi levels of arrays, and 0.4 Mi levels of objects, in a job's unknown field.
// encoding/json refuses them (more than 10,000 levels); a decoder that recurses without a
// bound crashes the process, so each runs in a process of its own. To keep this quick, the
// bodies are 2 MiB and the child's stack limit 32 MiB; the real ones are 32 MiB (wrapper
// reads no more) and 1 GB (Go's on 64-bit), which takes 18 s to crash segmentio, about the
// same ratio of body to stack (docs/decoders.md).
func TestDecodersDeepNesting(t *testing.T) {
	if name := os.Getenv("GHJOBS_DEEP_DECODER"); name != "" {
		deepChild(t, name)
		return
	}
	for _, d := range decoders {
		t.Run(d.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestDecodersDeepNesting$", "-test.count=1")
			cmd.Env = append(os.Environ(), "GHJOBS_DEEP_DECODER="+d.name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			switch {
			case err != nil && !errors.As(err, &exit):
				t.Skipf("cannot run the test binary again here (qemu-user without binfmt?): %v", err)
			case err != nil && !strings.Contains(string(out), "stack exceeds"):
				t.Fatalf("the child failed otherwise: %v\n%s", err, firstLines(string(out), 20))
			case (err != nil) != deepCrashes[d.name]:
				t.Errorf("crashed: %v, want %v\n%s", err != nil, deepCrashes[d.name], firstLines(string(out), 8))
			}
		})
	}
}

// deepChild is the child process of TestDecodersDeepNesting for the decoder named.
func deepChild(t *testing.T, name string) {
	for _, d := range decoders {
		if d.name != name {
			continue
		}
		debug.SetMaxStack(32 << 20)
		const max = 2 << 20
		prefix := `{"total_count":1,"jobs":[{"id":1,"junk":`
		for _, level := range []struct{ open, end string }{{"[", "]"}, {`{"a":`, "}"}} {
			n := (max - len(prefix) - 3) / (len(level.open) + len(level.end))
			data := prefix + strings.Repeat(level.open, n) + strings.Repeat(level.end, n) + "}]}"
			body := newBody()
			err := d.unmarshal([]byte(data), &body)
			fmt.Printf("%s, %d levels of %s: %v\n", name, n, level.open, err)
			if err == nil {
				t.Errorf("%d levels of %s decoded without error", n, level.open)
			}
		}
		return
	}
	t.Fatalf("no decoder %q", name)
}
