//go:build unix

package main

import (
	"os"
	"syscall"
)

// resizeSignals are the signals a terminal sends when its size changes.
func resizeSignals() []os.Signal { return []os.Signal{syscall.SIGWINCH} }
