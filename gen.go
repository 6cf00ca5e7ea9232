// Package ghjobs is a Go client for GitHub's REST operation "List jobs for a workflow run
// attempt" (GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs).
//
// The operation's OpenAPI description is vendored from GitHub's by api/specsync as
// openapi.yaml and embedded here as [Spec]; go generate turns it into package generated,
// the API version it describes included. Import package wrapper for the client, and package
// api for a fake of the endpoint to test against:
//
//   - github.com/ghjobs/ghjobs/wrapper: auth, Link pagination, typed errors, rate limits;
//   - github.com/ghjobs/ghjobs/api: an in-memory fake that validates every request and
//     response against [Spec];
//   - github.com/ghjobs/ghjobs/generated: the generated types and client.
package ghjobs

import _ "embed"

//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi.yaml
//go:generate go run ./api/specsync -version-go generated/apiversion.gen.go -spec openapi.yaml

// Spec is openapi.yaml, the vendored OpenAPI 3.0.3 description of the operation.
//
//go:embed openapi.yaml
var Spec []byte
