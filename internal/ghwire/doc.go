// Package ghwire holds what GitHub's REST API puts on the wire around a page, written once for
// the two servers that play GitHub: the api fake and the benchmarks' pre-rendered server.
// Each value comes from recorded traffic (Octokit's fixtures,
// scenarios/api.github.com/paginate-issues and rename-repository, raw-fixture.json) or
// GitHub's REST docs.
package ghwire
