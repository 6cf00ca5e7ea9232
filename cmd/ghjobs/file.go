package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
)

// destination is where -o writes. A regular file (or a symlink to one, or a name not taken
// yet) is replaced atomically, keeping its mode and any symlink pointing at it; anything
// else (a device, a FIFO, a terminal, /dev/stdout) is written in place, because replacing
// it would turn it into a regular file.
type destination struct {
	name    string      // as given
	path    string      // what to replace: name with symlinks resolved
	mode    fs.FileMode // permissions of the replacement
	old     fs.FileInfo // the file replaced, if there is one: its owner is kept
	inPlace bool
}

// openDestination checks -o's name before anything is fetched, so that a directory or a
// missing parent is reported before any request is sent.
func openDestination(name string) (*destination, error) {
	if procFD.MatchString(name) {
		// /dev/stdout and friends name whatever the descriptor is open on; replacing what
		// it resolves to would swap the file under the shell that opened it.
		return &destination{name: name, path: name, inPlace: true}, nil
	}
	fi, err := os.Stat(name) // follows symlinks
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		dir := filepath.Dir(name)
		if di, derr := os.Stat(dir); derr != nil || !di.IsDir() {
			return nil, usageErr("-o %s: no directory %s to create it in", name, dir)
		}
		return &destination{name: name, path: name, mode: 0o644}, nil
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, usageErr("-o %s: is a directory; give a file name", name)
	case !fi.Mode().IsRegular():
		return &destination{name: name, path: name, inPlace: true}, nil
	}
	path, err := filepath.EvalSymlinks(name)
	if err != nil {
		return nil, err
	}
	return &destination{name: name, path: path, mode: fi.Mode().Perm(), old: fi}, nil
}

// procFD matches the names of open descriptors: /dev/stdout, /dev/stderr, /dev/fd/N,
// /proc/self/fd/N, /proc/PID/fd/N.
var procFD = regexp.MustCompile(`^/(dev/(stdout|stderr|fd/\d+)|proc/(self|\d+)/fd/\d+)$`)

// write runs write on the destination. In place, it appends, as the shell's own
// redirection left the descriptor; otherwise it writes a temporary file beside the target
// and renames it over the target only once everything is written, so a failure never
// leaves half a file where a whole one was.
func (d *destination) write(write func(io.Writer) error) error {
	if d.inPlace {
		f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	f, err := os.CreateTemp(filepath.Dir(d.path), "."+filepath.Base(d.path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if d.old != nil {
		keepOwner(f, d.old)
	}
	if err := f.Chmod(d.mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), d.path)
}
