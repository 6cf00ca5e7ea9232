package main

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/ghjobs/ghjobs/wrapper"
)

// versionLine is what --version prints: the module version (or the commit it was built
// from), the Go version, and the REST API version the requests ask for.
func versionLine() string {
	v := "(devel)"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			v = info.Main.Version
		}
		var rev, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if rev != "" && (v == "(devel)" || strings.Contains(v, "-0.")) {
			v += " " + rev[:min(12, len(rev))] + dirty
		}
	}
	return "ghjobs " + v + " " + runtime.Version() + " REST API " + wrapper.APIVersion
}
