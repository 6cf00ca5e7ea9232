// Package testproc holds what the test binaries of this module do to their own process before
// any test runs.
package testproc

import (
	"os/signal"
	"syscall"
)

// IgnoreSIGPIPE has the kernel drop SIGPIPE instead of raising it in the test process.
//
// The tests' servers often write to a connection whose client has gone (a cancelled request, a
// listing stopped early). Go already treats that signal as nothing for sockets: the write
// returns EPIPE either way. But qemu-user, under which CI runs the 32-bit tests on kernels
// without IA-32 emulation, crashes Go's runtime now and then when it delivers the signal
// ("fatal: morestack on gsignal", "exitsyscall: syscall frame is no longer valid"). Ignored,
// it is never raised, and nothing a test checks changes: the programs the tests build and run
// install Go's own handler again when they start.
func IgnoreSIGPIPE() { signal.Ignore(syscall.SIGPIPE) }
