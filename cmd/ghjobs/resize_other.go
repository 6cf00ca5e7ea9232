//go:build !unix

package main

import "os"

// resizeSignals is none where terminals send no signal on a resize: the next poll redraws.
func resizeSignals() []os.Signal { return nil }
