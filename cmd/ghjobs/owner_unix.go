//go:build unix

package main

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the replacement f the owner and group of the file it replaces, as far as
// the process may (root may; anyone may keep their own). A failure leaves the replacement
// the writer's, as any new file is.
func keepOwner(f *os.File, old fs.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(st.Uid), int(st.Gid))
	}
}
