// Package bench holds what the library's own go.mod must not pull in: benchmarks against
// peer clients, and examples that use heavier modules, such as GitHub App authentication
// through ghinstallation. It is a module of its own, so that importing ghjobs stays lean.
package bench
