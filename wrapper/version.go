package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/generated"
)

// APIVersion is the REST API version that requests ask for (X-GitHub-Api-Version) unless
// WithAPIVersion says otherwise: the version of GitHub's description that openapi.yaml was
// vendored from, so that the answers have the shape of the generated types.
const APIVersion = generated.APIVersion

// ErrUnsupportedAPIVersion matches an *APIError in which GitHub refuses the requested
// X-GitHub-Api-Version: 400 for a version it does not know, 410 for one it no longer serves.
var ErrUnsupportedAPIVersion = errors.New("ghjobs: unsupported API version")

// WithAPIVersion asks for REST API version v, a date such as "2026-03-10", instead of
// APIVersion. The version is checked for its form only, so that versions newer than this
// package work; one that GitHub does not serve fails every request with an error that
// matches ErrUnsupportedAPIVersion. The generated types follow APIVersion's description: for
// a version that changes this operation's answers, vendor that version's description (README,
// "When GitHub changes the spec").
func WithAPIVersion(v string) Option {
	return func(c *config) error {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return fmt.Errorf("%w: API version %q: want a date such as %s", ErrInvalidInput, v, APIVersion)
		}
		c.apiVersion = v
		return nil
	}
}

// refusesVersion reports whether the error is GitHub refusing the request's API version: a
// 400 or 410 whose message names the header ("The version you specified in the
// "X-GitHub-Api-Version" request header ... is not a supported version") or API versions,
// or that points at the API versions documentation.
func (e *APIError) refusesVersion() bool {
	if e.StatusCode != http.StatusBadRequest && e.StatusCode != http.StatusGone {
		return false
	}
	msg := strings.ToLower(e.Message)
	return strings.Contains(msg, "x-github-api-version") || strings.Contains(msg, "api version") ||
		strings.Contains(e.DocumentationURL, "/api-versions")
}
