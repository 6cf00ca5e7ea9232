package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/ghjobs/ghjobs"
)

// Validator checks requests and responses against openapi.yaml ([ghjobs.Spec]). The Fake
// uses one; tests may use one directly, for example in an httptest handler that plays a
// hostile server but still wants to know the client's request was valid.
//
// A Validator is safe for concurrent use.
type Validator struct {
	prefix     string
	router     routers.Router
	basicError *openapi3.Schema
	opts       *openapi3filter.Options
	oldShapeOnce
}

// NewValidator loads openapi.yaml, validates it, and serves its paths under pathPrefix
// (for example "/api/v3" for GitHub Enterprise Server; "" for api.github.com).
func NewValidator(pathPrefix string) (*Validator, error) {
	prefix, err := cleanPrefix(pathPrefix)
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(ghjobs.Spec)
	if err != nil {
		return nil, fmt.Errorf("ghjobs/api: load openapi.yaml: %w", err)
	}
	router, err := routerFor(context.Background(), doc, prefix)
	if err != nil {
		return nil, err
	}
	be := doc.Components.Schemas["basic-error"]
	if be == nil || be.Value == nil {
		return nil, errors.New("ghjobs/api: openapi.yaml has no components.schemas.basic-error")
	}
	// Defaults are not written into the request: the fake must see the query as sent.
	opts := &openapi3filter.Options{SkipSettingDefaults: true}
	opts.WithCustomSchemaErrorFunc(schemaMessage)
	return &Validator{prefix: prefix, router: router, basicError: be.Value, opts: opts}, nil
}

// routerFor validates doc and routes its operations below prefix.
func routerFor(ctx context.Context, doc *openapi3.T, prefix string) (routers.Router, error) {
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("ghjobs/api: openapi.yaml is invalid: %w", err)
	}
	// The spec's server is https://api.github.com; the fake listens elsewhere, so route on
	// the path alone (below the prefix) and ignore scheme and host.
	doc.Servers = nil
	if prefix != "" {
		doc.Servers = openapi3.Servers{{URL: prefix}}
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("ghjobs/api: route openapi.yaml: %w", err)
	}
	return router, nil
}

// schemaMessage words a schema error on one line: where, why, and the value (shortened),
// instead of kin-openapi's default that appends the whole schema.
func schemaMessage(e *openapi3.SchemaError) string {
	if e.Origin != nil {
		return "" // kin-openapi's message: the path and the origin's message
	}
	reason := e.Reason
	if reason == "" {
		reason = fmt.Sprintf("doesn't match schema %q", e.SchemaField)
	}
	got, _ := json.Marshal(e.Value)
	if len(got) > 80 {
		got = append(got[:77:77], "..."...)
	}
	msg := fmt.Sprintf("%s (got %s)", reason, got)
	if p := e.JSONPointer(); len(p) > 0 {
		msg = fmt.Sprintf("field %q: %s", "/"+strings.Join(p, "/"), msg)
	}
	return msg
}

// cleanPrefix turns "api/v3/" into "/api/v3" and "/" into "".
func cleanPrefix(p string) (string, error) {
	if strings.ContainsAny(p, "?#{}% ") {
		return "", fmt.Errorf("ghjobs/api: invalid path prefix %q", p)
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return "", nil
	}
	return "/" + p, nil
}

// ValidateRequest reports whether r is a request the contract allows: a known path and
// method (the operation's path, or the same below /repositories/{repository_id}/, as
// GitHub writes it in Link and Location headers), parameters as the spec types and bounds them, and the User-Agent header GitHub
// requires of every request (the one rule enforced here that openapi.yaml cannot state).
func (v *Validator) ValidateRequest(r *http.Request) error {
	if r.Header.Get("User-Agent") == "" {
		return requestError(r, errNoUserAgent)
	}
	if _, _, err := v.validateRequest(r); err != nil {
		return requestError(r, err)
	}
	return nil
}

var errNoUserAgent = errors.New(`no User-Agent header: GitHub rejects such requests with 403`)

// validateRequest routes r and validates its parameters. It returns the route and the
// path parameters (still escaped) when routing succeeded, even if validation failed, and
// an error without the request's name.
func (v *Validator) validateRequest(r *http.Request) (*routers.Route, map[string]string, error) {
	route, params, r, err := v.route(r)
	if err != nil {
		return nil, nil, fmt.Errorf("openapi.yaml has no such operation (%w)", err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options:    v.opts,
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return route, params, err
	}
	return route, params, nil
}

// route finds r's operation. A request for prefix/repositories/{id}/rest, the URL GitHub
// writes in Link and Location headers, is routed as prefix/repos/{owner}/{repo}/rest, the
// same operation, with placeholder names: the returned request is the one routed, and the
// parameters gain "repository_id".
func (v *Validator) route(r *http.Request) (*routers.Route, map[string]string, *http.Request, error) {
	if path, id, ok := byRepositoryID(v.prefix, r.URL.EscapedPath()); ok {
		c := r.Clone(r.Context())
		c.URL.RawPath = path
		c.URL.Path, _ = url.PathUnescape(path) // made of an escaped path: it unescapes
		route, params, err := v.router.FindRoute(c)
		if err != nil {
			return nil, nil, r, err
		}
		params["repository_id"] = strconv.FormatInt(id, 10)
		return route, params, c, nil
	}
	route, params, err := v.router.FindRoute(r)
	return route, params, r, err
}

// ValidateResponse reports whether a response with this status, header and body is one the
// contract allows as the answer to r. Statuses the operation documents (200, 404) are
// checked against their description, headers included; any other status, and any answer
// to a request that matches no operation, must carry a components.schemas.basic-error
// JSON body, as GitHub's error answers do. A 304 Not Modified must have no body, and a
// redirect (301, 302, 307, 308) a Location header; nothing else of them is checked.
func (v *Validator) ValidateResponse(r *http.Request, status int, header http.Header, body []byte) error {
	if err := v.validateResponse(r, status, header, body); err != nil {
		return responseError(r, status, err)
	}
	return nil
}

func responseError(r *http.Request, status int, err error) error {
	return fmt.Errorf("ghjobs/api: response %d to %s %s: %w", status, r.Method, r.URL.RequestURI(), err)
}

func (v *Validator) validateResponse(r *http.Request, status int, header http.Header, body []byte) error {
	// Conditional requests and redirects are HTTP's, not the operation's: openapi.yaml
	// lists neither, and GitHub answers both.
	switch status {
	case http.StatusNotModified:
		if len(body) > 0 {
			return fmt.Errorf("a 304 must not have a body, got %d bytes", len(body))
		}
		return nil
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if header.Get("Location") == "" {
			return errors.New("a redirect without a Location header")
		}
		return nil
	}
	route, params, r, err := v.route(r)
	if err != nil || route.Operation.Responses.Status(status) == nil {
		return v.validateBasicError(header, body)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: params,
			Route:      route,
			Options:    v.opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: v.opts,
	}
	return openapi3filter.ValidateResponse(r.Context(), in)
}

// validateBasicError checks an error answer the operation does not document.
func (v *Validator) validateBasicError(header http.Header, body []byte) error {
	ct := header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return fmt.Errorf("error answers must be application/json, got Content-Type %q", ct)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("error body is not JSON: %w", err)
	}
	if err := v.basicError.VisitJSON(value, openapi3.VisitAsResponse(), openapi3.SetSchemaErrorMessageCustomizer(schemaMessage)); err != nil {
		return fmt.Errorf("error body doesn't match schema basic-error: %w", err)
	}
	return nil
}

func requestError(r *http.Request, err error) error {
	return fmt.Errorf("ghjobs/api: request %s %s: %w", r.Method, r.URL.RequestURI(), err)
}
