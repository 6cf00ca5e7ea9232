// Command specsync vendors operations from GitHub's REST API description into openapi.yaml,
// with the local corrections applied, and gives generated code the API version it records.
//
// Vendoring, from the repository root, with GitHub's full description from the npm package
// @octokit/openapi (package/generated/api.github.com.json; .ci/upstream-spec pins the
// version) or from github/rest-api-description (api.github.com.2022-11-28.json):
//
//	go run ./api/specsync -from api.github.com.json -api-version 2022-11-28 -cut api/specsync/testdata/source.json
//	go run ./api/specsync -from api.github.com.2022-11-28.json -cut api/specsync/testdata/source.json \
//		-operation actions/list-jobs-for-workflow-run-attempt -operation actions/list-jobs-for-workflow-run
//
// It reads the description (JSON or YAML, OpenAPI 3.0), extracts the operations named by
// -operation (by default those already in openapi.yaml) with the path-level fields of their
// path items and every component they reference, transitively (schemas, parameters,
// responses, examples, headers, request bodies, ...; reference cycles included), and the
// tags they use, leaving out Octokit's x-octokit. It applies the local corrections, an
// OpenAPI Overlay (corrections.overlay.yaml beside this file), records the API version,
// which GitHub gives only in the file name, as info.x-github-api-version, checks the result
// with kin-openapi, and writes it with a header naming the source, its version and the
// corrections. A correction GitHub's description already makes is not applied; the tool
// lists all such, with their lines in the overlay file, so that they can be deleted.
//
// With -cut it also writes the cut: the part of the description that openapi.yaml is made of,
// before the corrections, as JSON naming the file it was cut from (x-specsync-source) and
// the API version (x-specsync-api-version).
// Vendoring from the cut gives the same openapi.yaml; the round-trip test does that with
// api/specsync/testdata/source.json, and its diff shows what GitHub changed, apart from what
// the corrections do.
//
// The output is deterministic: the same input gives the same bytes. The document, path
// items, operations and components take the OpenAPI 3.0.3 specification's field order;
// paths and component names are sorted; everything else keeps the source's order.
//
// go generate runs the second form, which writes the API version for package wrapper:
//
//	go run ./api/specsync -version-go generated/apiversion.gen.go
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// builtinCorrections is corrections.overlay.yaml, embedded so that the tool does not depend
// on the directory it runs in.
//
//go:embed corrections.overlay.yaml
var builtinCorrections []byte

const builtinCorrectionsName = "api/specsync/corrections.overlay.yaml"

func main() {
	err := run(os.Args[1:], os.Stderr)
	var usage usageError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "specsync:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "specsync:", err)
		os.Exit(1)
	}
}

type usageError struct{ error }

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// args are the command line's flags.
type args struct {
	from, spec, corrFile, version, cut, versionGoFile string
	noCorrections                                     bool
	operations                                        stringList
}

func run(argv []string, stderr io.Writer) error {
	a, err := parseArgs(argv, stderr)
	if err != nil {
		return err
	}
	if a.versionGoFile != "" {
		data, err := os.ReadFile(a.spec)
		if err != nil {
			return err
		}
		out, err := versionGo(data, a.spec, a.versionGoFile)
		if err != nil {
			return fmt.Errorf("%s: %w", a.spec, err)
		}
		return os.WriteFile(a.versionGoFile, out, 0o644)
	}
	return vendorFiles(a, stderr)
}

// parseArgs reads the flags and refuses what does not go together.
func parseArgs(argv []string, stderr io.Writer) (args, error) {
	var a args
	flags := flag.NewFlagSet("specsync", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&a.from, "from", "", "GitHub's description to vendor from, JSON or YAML (api.github.com.2022-11-28.json)")
	flags.StringVar(&a.spec, "spec", "openapi.yaml", "the vendored description: written with -from, read with -version-go")
	flags.StringVar(&a.corrFile, "corrections", "", "an OpenAPI Overlay of local corrections (default: the built-in "+builtinCorrectionsName+")")
	flags.BoolVar(&a.noCorrections, "no-corrections", false, "apply no local corrections")
	flags.StringVar(&a.version, "api-version", "", "the API version the description is for, when its file name does not say (YYYY-MM-DD)")
	flags.StringVar(&a.cut, "cut", "", "also write the part of the description that -spec is made of, uncorrected, as JSON to this file\n(api/specsync/testdata/source.json is the round-trip test's)")
	flags.StringVar(&a.versionGoFile, "version-go", "", "instead of vendoring, write the API version recorded in -spec to this Go file")
	flags.Var(&a.operations, "operation", "an operationId to vendor; repeat for more (default: the operations already in -spec)")
	flags.Usage = func() {
		fmt.Fprint(stderr, "usage:\n  specsync -from DESCRIPTION [-operation ID]... [-corrections FILE | -no-corrections] [-api-version YYYY-MM-DD] [-spec openapi.yaml] [-cut FILE]\n  specsync -version-go FILE [-spec openapi.yaml]\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(argv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return a, err
		}
		return a, usageError{err}
	}
	switch {
	case flags.NArg() > 0:
		return a, usageError{fmt.Errorf("unexpected arguments %q", flags.Args())}
	case a.versionGoFile != "" && a.from != "":
		return a, usageError{errors.New("-from and -version-go are different jobs: give one")}
	case a.versionGoFile != "":
	case a.from == "":
		return a, usageError{errors.New("-from is required: the description to vendor from")}
	case a.noCorrections && a.corrFile != "":
		return a, usageError{errors.New("-corrections and -no-corrections contradict each other")}
	}
	return a, nil
}

// vendorFiles reads the files a names, vendors, and writes -spec and -cut.
func vendorFiles(a args, stderr io.Writer) error {
	req := request{sourceName: filepath.Base(a.from), operations: a.operations, apiVersion: a.version, cut: a.cut != ""}
	var err error
	if req.source, err = os.ReadFile(a.from); err != nil {
		return err
	}
	if len(req.operations) == 0 {
		if req.operations, err = vendoredOperations(a.spec); err != nil {
			return err
		}
	}
	if !a.noCorrections {
		name, data := builtinCorrectionsName, builtinCorrections
		if a.corrFile != "" {
			if data, err = os.ReadFile(a.corrFile); err != nil {
				return err
			}
			name = filepath.ToSlash(a.corrFile)
		}
		if req.corrections, err = parseCorrections(name, data); err != nil {
			return err
		}
	}
	out, err := vendor(req)
	if err != nil {
		return fmt.Errorf("%s: %w", a.from, err)
	}
	if err := os.WriteFile(a.spec, out.spec, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "specsync: wrote %s from %s: %s\n", a.spec, out.source, strings.Join(req.operations, ", "))
	if len(out.redundant) > 0 {
		fmt.Fprintf(stderr, "specsync: %s\n", req.corrections.report(out.redundant))
	}
	if a.cut != "" {
		if err := os.WriteFile(a.cut, out.cut, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "specsync: wrote %s, the part of %s it is made of\n", a.cut, out.source)
	}
	return nil
}

// vendoredOperations lists the operationIds in an existing openapi.yaml, so that re-vendoring
// keeps the same operations without naming them again.
func vendoredOperations(spec string) ([]string, error) {
	data, err := os.ReadFile(spec)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageError{fmt.Errorf("no -operation given, and no %s to take the operations from", spec)}
	}
	if err != nil {
		return nil, err
	}
	root, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec, err)
	}
	var ids []string
	paths := get(root, "paths")
	for i := 1; paths != nil && i < len(paths.Content); i += 2 {
		for _, m := range methods {
			if id := str(get(paths.Content[i], m), "operationId"); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, usageError{fmt.Errorf("no -operation given, and %s has no operations", spec)}
	}
	return ids, nil
}

// request is one vendoring job.
type request struct {
	source      []byte
	sourceName  string       // the base name, as the header gives it
	operations  []string     // operationIds
	apiVersion  string       // -api-version, or "" to go by the source
	corrections *corrections // nil for none
	cut         bool         // whether to render the cut too
}

// result is what vendor makes.
type result struct {
	spec      []byte       // openapi.yaml
	cut       []byte       // the cut, if asked for
	source    string       // the name of the source, as the header gives it
	redundant []redundancy // corrections GitHub's description already makes, not applied
}

// The top-level extensions in which a cut names the file it was cut from and records the API
// version, so that vendoring from the cut gives the same openapi.yaml as vendoring from that
// file, also when the version came from -api-version rather than the file name.
const (
	sourceKey     = "x-specsync-source"
	cutVersionKey = "x-specsync-api-version"
)

// vendor extracts, corrects and renders; the result is checked with kin-openapi.
func vendor(r request) (*result, error) {
	root, ops, found, info, version, err := extract(&r)
	if err != nil {
		return nil, err
	}
	res := &result{source: r.sourceName}
	doc := build(root, ops, found)
	if r.cut {
		// Before the corrections and the version, which change the nodes the cut shares.
		set(doc, sourceKey, scalar("!!str", r.sourceName))
		set(doc, cutVersionKey, scalar("!!str", version))
		if res.cut, err = renderJSON(doc); err != nil {
			return nil, err
		}
		doc.Content = doc.Content[:len(doc.Content)-4]
	}
	setVersion(info, version)
	var applied []overlay.Action
	if r.corrections != nil {
		if applied, res.redundant, err = r.corrections.apply(doc); err != nil {
			return nil, err
		}
	}
	clearStyles(doc)
	if res.spec, err = renderSpec(header(r, info, ops, version, applied), doc); err != nil {
		return nil, err
	}
	return res, validate(res.spec)
}

// extract parses the source and finds the operations, the components they need, the
// source's info and the API version. A cut names its source, which r takes.
func extract(r *request) (root *yaml.Node, ops []op, found map[component]*yaml.Node, info *yaml.Node, version string, err error) {
	if root, err = parse(r.source); err != nil {
		return
	}
	if name := str(root, sourceKey); name != "" {
		r.sourceName = name
	}
	if v := str(root, "openapi"); !strings.HasPrefix(v, "3.0.") {
		err = fmt.Errorf("openapi %q: only OpenAPI 3.0 descriptions are supported", v)
		return
	}
	ids := slices.Clone(r.operations)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		err = errors.New("no operations to vendor")
		return
	}
	if ops, err = findOperations(root, ids); err != nil {
		return
	}
	if found, err = need(root, ops); err != nil {
		return
	}
	info = get(root, "info")
	if info == nil || info.Kind != yaml.MappingNode {
		err = errors.New("the description has no info")
		return
	}
	version, err = apiVersion(r.apiVersion, r.sourceName, str(root, cutVersionKey), info)
	return
}

// renderSpec writes openapi.yaml: the header comment, then the document.
func renderSpec(header string, doc *yaml.Node) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// validate checks the vendored description with kin-openapi, as the fake will load it.
func validate(spec []byte) error {
	loader := openapi3.NewLoader()
	loaded, err := loader.LoadFromData(spec)
	if err == nil {
		err = loaded.Validate(loader.Context)
	}
	if err != nil {
		// kin-openapi follows the reason with the whole schema and value: keep the reason.
		msg, _, cut := strings.Cut(err.Error(), "\n")
		if cut {
			msg += " […]"
		}
		return fmt.Errorf("the vendored description does not pass kin-openapi's validation (add a local correction?): %s", msg)
	}
	return nil
}

// header is the comment at the top of openapi.yaml.
func header(r request, info *yaml.Node, ops []op, version string, applied []overlay.Action) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		s := strings.TrimRight("# "+fmt.Sprintf(format, args...), " ")
		b.WriteString(s + "\n")
	}
	indented := func(indent, text string) {
		for l := range strings.SplitSeq(wrap(text, 92-len(indent)), "\n") {
			line("%s%s", indent, l)
		}
	}

	indented("", "GitHub's REST API description, cut down to the operations below by api/specsync. "+
		"Do not edit it by hand: change the local corrections or vendor again, then run "+
		"`go generate ./...` (README.md, \"When GitHub changes the spec\").")
	line("")
	line("Source:      %s (%s, info.version %s)", r.sourceName, str(info, "title"), str(info, "version"))
	line("API version: %s (info.%s, sent as X-GitHub-Api-Version)", version, versionKey)
	for i, o := range ops {
		label := "Operations: "
		if i > 0 {
			label = "            "
		}
		line("%s %s", label, o.id)
		line("               (%s %s)", strings.ToUpper(o.method), o.path)
	}
	line("")
	indented("", "Extracted: the operations, the path-level fields of their path items, the components "+
		"they reference, transitively, and the tags they use. Key order: OpenAPI 3.0.3's field "+
		"order for the document, path items, operations and components; paths and component "+
		"names sorted; everything else as in the source. Left out: Octokit's x-octokit on "+
		"operations, when the source is Octokit's copy of the description.")
	line("")
	headerCorrections(line, indented, r, applied)
	line("")
	line("GitHub's REST API description is published under the MIT License:")
	line("")
	for l := range strings.SplitSeq(mitLicense, "\n") {
		line("  %s", l)
	}
	return b.String()
}

// headerCorrections lists in the header the corrections applied, each description once
// with all its targets.
func headerCorrections(line func(string, ...any), indented func(string, string), r request, applied []overlay.Action) {
	if len(applied) == 0 {
		line("Local corrections: none.")
	} else {
		indented("", fmt.Sprintf("Local corrections, from %s (an OpenAPI Overlay), each also "+
			`marked "local correction:" where it applies:`, r.corrections.name))
		line("")
		// Actions that say the same thing are listed once, with all their targets.
		var said []string
		targets := map[string][]string{}
		for _, a := range applied {
			d := strings.TrimSpace(a.Description)
			if _, ok := targets[d]; !ok {
				said = append(said, d)
			}
			targets[d] = append(targets[d], a.Target)
		}
		for _, d := range said {
			for i, l := range strings.Split(wrap(d, 86), "\n") {
				if i == 0 {
					line("  - %s", l)
				} else {
					line("    %s", l)
				}
			}
			for _, t := range targets[d] {
				line("      %s", t)
			}
		}
	}
}

// mitLicense is the license of github/rest-api-description, whose notice must stay with
// copies of it.
const mitLicense = `MIT License

Copyright (c) 2020 GitHub Inc.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`
