package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite testdata/synthetic/want.yaml")

// ourOperations are the operations openapi.yaml vendors; ourOperation is the library's own.
var ourOperations = []string{ourOperation, "actions/list-jobs-for-workflow-run", "actions/get-job-for-workflow-run"}

const (
	ourOperation = "actions/list-jobs-for-workflow-run-attempt"
	fixture      = "testdata/source.json" // the cut openapi.yaml is made of
	synthetic    = "testdata/synthetic/description.yaml"
	repoSpec     = "../../openapi.yaml"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func builtin(t *testing.T) *corrections {
	t.Helper()
	c, err := parseCorrections(builtinCorrectionsName, builtinCorrections)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustVendor(t *testing.T, r request) []byte {
	t.Helper()
	out, err := vendor(r)
	if err != nil {
		t.Fatal(err)
	}
	return out.spec
}

// sameText fails with a line diff when got is not want.
func sameText(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got):\n%s", what,
			cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")))
	}
}

// The checked-in openapi.yaml is exactly what the tool makes of GitHub's description, here
// of the part of it that openapi.yaml is made of (-cut), which it also reproduces. The cut
// names its source and the API version, which that source's file name does not carry.
// .ci/upstream-spec checks that the cut is the real description's.
func TestRoundTrip(t *testing.T) {
	res, err := vendor(request{
		source:      readFile(t, fixture),
		sourceName:  "ignored: the cut names its source",
		operations:  ourOperations,
		corrections: builtin(t),
		cut:         true,
	})
	if err != nil {
		t.Fatal(err)
	}
	const hint = " (after vendoring, run specsync with -cut api/specsync/testdata/source.json)"
	sameText(t, "the tool's output for "+fixture+" and "+repoSpec+hint, res.spec, readFile(t, repoSpec))
	sameText(t, "the cut of "+fixture+hint, res.cut, readFile(t, fixture))
}

// Vendoring from a cut gives what vendoring from the whole description gives, and the cut of
// a cut is the cut.
func TestCut(t *testing.T) {
	r := request{source: readFile(t, synthetic), sourceName: "description.yaml", operations: []string{"stores/create", "pets/get"}, cut: true}
	whole, err := vendor(r)
	if err != nil {
		t.Fatal(err)
	}
	r.source, r.sourceName = whole.cut, "cut.json"
	fromCut, err := vendor(r)
	if err != nil {
		t.Fatal(err)
	}
	sameText(t, "openapi.yaml from the cut", fromCut.spec, whole.spec)
	sameText(t, "the cut of the cut", fromCut.cut, whole.cut)
	if !json.Valid(whole.cut) || !bytes.Contains(whole.cut, []byte(`"x-specsync-source": "description.yaml"`)) {
		t.Errorf("the cut is not JSON naming its source:\n%s", whole.cut)
	}
}

// The generated API version is the one openapi.yaml records (CI also checks that go generate
// leaves generated/ as it is).
func TestVersionGoMatchesGenerated(t *testing.T) {
	const file = "../../generated/apiversion.gen.go"
	got, err := versionGo(readFile(t, repoSpec), "openapi.yaml", file)
	if err != nil {
		t.Fatal(err)
	}
	sameText(t, file, got, readFile(t, file))
}

func TestSynthetic(t *testing.T) {
	r := request{source: readFile(t, synthetic), sourceName: "description.yaml", operations: []string{"stores/create", "pets/get"}}
	out := mustVendor(t, r)

	// The closure, exactly: what the two operations reach, and nothing else.
	doc, err := parse(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	components := get(doc, "components")
	for i := 0; i < len(components.Content); i += 2 {
		for j := 0; j < len(components.Content[i+1].Content); j += 2 {
			got = append(got, components.Content[i].Value+"/"+components.Content[i+1].Content[j].Value)
		}
	}
	want := []string{
		// the order of the output: sections in the specification's order, names sorted
		"schemas/address",  // store → address, a chain through a request body and a response
		"schemas/animal",   // pet's allOf
		"schemas/bone",     // dog's additionalProperties
		"schemas/cat",      // animal's discriminator mapping, as a $ref
		"schemas/dog",      // animal's discriminator mapping, as a bare name
		"schemas/error",    // the default response
		"schemas/event",    // a callback's request body
		"schemas/owner",    // pet → owner → pet: a cycle
		"schemas/person",   // owner's allOf; person → person: a cycle of one
		"schemas/pet",      // the 200 response
		"schemas/store",    // shared by the request body and the 201 response
		"responses/error",  // pets/get
		"responses/pet",    // pets/get
		"parameters/petId", // the path item's parameters
		"parameters/trace", // stores/create
		"examples/store",   // a media type's examples
		"requestBodies/store",
		"headers/location",      // a response header
		"securitySchemes/token", // stores/create's security requirement
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if m := regexp.MustCompile(`unrelated|unused|deleted|x-webhooks|x-octokit:|pets/delete|other/list`).Find(out); m != nil {
		t.Errorf("the output has %q, which the operations do not need", m)
	}

	// Deterministic: the same again, whatever the order of -operation and repeats.
	r.operations = []string{"pets/get", "stores/create", "pets/get"}
	sameText(t, "a second run", mustVendor(t, r), out)

	golden := "testdata/synthetic/want.yaml"
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sameText(t, golden+" (go test -update rewrites it)", out, readFile(t, golden))
}

// toJSON renders a node as JSON, keeping the key order.
func toJSON(t *testing.T, n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		var parts []string
		for i := 0; i < len(n.Content); i += 2 {
			k, _ := json.Marshal(n.Content[i].Value)
			parts = append(parts, string(k)+": "+toJSON(t, n.Content[i+1]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case yaml.SequenceNode:
		var parts []string
		for _, e := range n.Content {
			parts = append(parts, toJSON(t, e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if n.ShortTag() == "!!str" {
		s, _ := json.Marshal(n.Value)
		return string(s)
	}
	return n.Value
}

func TestJSONAndYAMLGiveTheSameOutput(t *testing.T) {
	yamlSource := readFile(t, synthetic)
	root, err := parse(yamlSource)
	if err != nil {
		t.Fatal(err)
	}
	jsonSource := toJSON(t, root)
	if !json.Valid([]byte(jsonSource)) {
		t.Fatalf("not JSON: %s", jsonSource)
	}
	r := request{source: yamlSource, sourceName: "d", operations: []string{"stores/create", "pets/get"}}
	fromYAML := mustVendor(t, r)
	r.source = []byte(jsonSource)
	sameText(t, "the output from JSON", mustVendor(t, r), fromYAML)
}

func TestParseJSON(t *testing.T) {
	// Valid JSON that yaml.v3 refuses or reads differently: the \/ escape, a surrogate pair,
	// a byte order mark, numbers kept as written.
	root, err := parse([]byte("\ufeff" + `{"a\/b": "\ud83d\ude00", "n": 1.50, "big": 12345678901234567890, "t": true, "z": null}`))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"a/b": "😀 !!str", "n": "1.50 !!float", "big": "12345678901234567890 !!float", "t": "true !!bool", "z": "null !!null"} {
		if v := get(root, key); v == nil || v.Value+" "+v.ShortTag() != want {
			t.Errorf("%s: %v, want %s", key, v, want)
		}
	}
}

func TestRefused(t *testing.T) {
	const head = "openapi: 3.0.3\ninfo: {title: t, version: '1', x-github-api-version: '2022-11-28'}\n"
	const op = "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n"
	for _, tc := range []struct {
		name, source string
		ops          []string
		version      string
		want         string
	}{
		{"an unknown operation", head + op, []string{"b"}, "", `no operation has operationId "b"`},
		{"a duplicate operationId", head + op + "  /b:\n    get:\n      operationId: a\n", []string{"a"}, "", `operationId "a" is used twice`},
		{"a dangling $ref", head + "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          $ref: '#/components/responses/gone'\n",
			[]string{"a"}, "", "$.paths['/a'].get.responses['200']: #/components/responses/gone does not exist"},
		{"an external $ref", head + "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          $ref: 'other.yaml#/x'\n",
			[]string{"a"}, "", "only references within the same file"},
		{"a $ref outside components", head + "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          $ref: '#/paths/~1b'\n",
			[]string{"a"}, "", "only references into #/components/"},
		{"a path item $ref", head + "paths:\n  /a:\n    $ref: '#/x'\n    get:\n      operationId: a\n", []string{"a"}, "", "a path item that is a $ref"},
		{"OpenAPI 3.1", strings.Replace(head, "3.0.3", "3.1.0", 1) + op, []string{"a"}, "", "only OpenAPI 3.0"},
		{"YAML anchors", head + "x: &a {b: 1}\ny: *a\n" + op, []string{"a"}, "", "anchors and aliases are not supported"},
		{"a duplicate key", `{"openapi": "3.0.3", "openapi": "3.0.3"}`, []string{"a"}, "", `duplicate key "openapi"`},
		{"not an object", "[1, 2]", []string{"a"}, "", "not an object"},
		{"no API version", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n" + op, []string{"a"}, "", "cannot tell which API version"},
		{"disagreeing API versions", head + op, []string{"a"}, "2026-03-10", "-api-version says API version 2026-03-10 but info.x-github-api-version says 2022-11-28"},
		{"a cut of another API version", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nx-specsync-api-version: '2022-11-28'\n" + op, []string{"a"}, "2026-03-10",
			"-api-version says API version 2026-03-10 but the cut's x-specsync-api-version says 2022-11-28"},
		{"a malformed API version", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n" + op, []string{"a"}, "2026-3-10", `API version "2026-3-10" is not a date`},
		{"an invalid result", head + "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: integer}\n              example: one\n",
			[]string{"a"}, "", "does not pass kin-openapi's validation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vendor(request{source: []byte(tc.source), sourceName: "d.yaml", operations: tc.ops, apiVersion: tc.version})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestAPIVersionSources(t *testing.T) {
	info := func(v string) *yaml.Node {
		n, _ := parse([]byte("x-github-api-version: '" + v + "'"))
		return n
	}
	for _, tc := range []struct {
		flag, name, cut string
		info            *yaml.Node
		want            string
	}{
		{"", "api.github.com.2022-11-28.json", "", nil, "2022-11-28"},
		{"", "dl/api.github.com.2026-03-10.yaml", "", nil, "2026-03-10"},
		{"", "ghes-3.17.2022-11-28.yml", "", nil, "2022-11-28"},
		{"2026-03-10", "api.github.com.json", "", nil, "2026-03-10"},
		{"", "d.json", "", info("2026-03-10"), "2026-03-10"},
		{"2022-11-28", "api.github.com.2022-11-28.json", "", info("2022-11-28"), "2022-11-28"},
		{"", "ghes-3.19.json", "2022-11-28", nil, "2022-11-28"},
		{"2022-11-28", "ghes-3.19.json", "2022-11-28", nil, "2022-11-28"},
	} {
		if got, err := apiVersion(tc.flag, tc.name, tc.cut, tc.info); err != nil || got != tc.want {
			t.Errorf("apiVersion(%q, %q, %q, %v) = %q, %v; want %q", tc.flag, tc.name, tc.cut, tc.info, got, err, tc.want)
		}
	}
}

// vendorSyntheticWith vendors the synthetic description's two operations with overlay as
// the corrections.
func vendorSyntheticWith(t *testing.T, overlay string) (*result, *corrections, error) {
	t.Helper()
	c, err := parseCorrections("test.overlay.yaml", []byte(overlay))
	if err != nil {
		return nil, nil, err
	}
	res, err := vendor(request{source: readFile(t, synthetic), sourceName: "description.yaml", operations: []string{"stores/create", "pets/get"}, corrections: c})
	return res, c, err
}

const overlayHead = "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n"

// The mechanism, on the synthetic description the tests own: updates are applied and
// commented where they apply, removals remove, and the header lists each with its targets.
func TestCorrections(t *testing.T) {
	res, _, err := vendorSyntheticWith(t, overlayHead+
		"  - target: $.components.schemas.store.properties.name\n    description: Names are\n      short.\n    update: {maxLength: 40}\n"+
		"  - target: $.components.schemas.store.required\n    description: an address too\n    update: [address]\n"+
		"  - target: $.components.schemas.store.example\n    description: no example\n    remove: true\n")
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.spec)
	for _, want := range []string{
		"        name:\n          type: string\n          # local correction: Names are short.\n          maxLength: 40\n",
		"      # local correction: an address too\n      required:\n        - name\n        - address\n",
		"#   - Names are short.\n#       $.components.schemas.store.properties.name\n",
		"#   - no example\n#       $.components.schemas.store.example\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks\n%s", want)
		}
	}
	// The store schema's example is gone; the examples component's is not.
	if n := strings.Count(out, "name: Corner"); n != 1 || strings.Count(string(readFile(t, "testdata/synthetic/want.yaml")), "name: Corner") != 2 {
		t.Errorf(`%d "name: Corner" in the output, want the examples component's alone:\n%s`, n, out)
	}
	if len(res.redundant) != 0 {
		t.Errorf("redundant: %v", res.redundant)
	}

	for _, tc := range []struct{ name, overlay, want string }{
		{"a target that matches nothing", overlayHead + "  - target: $.info\n    description: d\n    update: {x-n: 1}\n  - target: $.components.schemas.store.properties.gone\n    description: d\n    update: {format: int64}\n",
			"action 2 ($.components.schemas.store.properties.gone) matches nothing"},
		{"a removal whose target is gone", overlayHead + "  - target: $.components.schemas.store.properties.gone\n    description: d\n    remove: true\n",
			"action 1 ($.components.schemas.store.properties.gone) matches nothing"},
		{"an update of another type", overlayHead + "  - target: $.components.schemas.store.properties.name\n    description: d\n    update: [1]\n",
			"target is object but update is array"},
		{"no description", overlayHead + "  - target: $.info\n    update: {x: 1}\n", "has no description"},
		{"legacy JSONPath", strings.Replace(overlayHead, "1.1.0", "1.0.0", 1) + "  - target: $.info\n    description: d\n    update: {x: 1}\n", "use overlay: 1.1.0"},
		{"a bad target", overlayHead + "  - target: $.[\n    description: d\n    update: {x: 1}\n", "action 1: target $.["},
		{"a copy action", overlayHead + "  - target: $.info\n    description: d\n    copy: $.servers\n", "copy actions are not supported"},
		{"no actions", overlayHead, "at least one action"},
		{"a result kin-openapi refuses", overlayHead + "  - target: $.components.schemas.store.properties.name\n    description: d\n    update: {type: integer}\n", "does not pass kin-openapi's validation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := vendorSyntheticWith(t, tc.overlay)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// A correction GitHub's description already makes is not an error: nothing is applied for
// it, and every such correction, whole or one key of an update, is reported in the same
// run with the lines of the overlay file that can go.
func TestRedundantCorrections(t *testing.T) {
	overlay := overlayHead + // the actions start on line 4
		"  - target: $.components.parameters.petId.schema\n" + // 4: made: petId is int64 already
		"    description: &same d1\n" +
		"    update:\n" +
		"      format: int64\n" +
		"\n" +
		"  # a comment of the next action\n" + // 9
		"  - target: $.components.schemas.address.properties.street\n" + // 10: made
		"    description: d2\n" +
		"    update: {type: string}\n" +
		"  - target: $.components.schemas.cat.properties.lives\n" + // 13: type made, minimum not
		"    description: *same\n" +
		"    update:\n" +
		"      type: integer\n" +
		"      minimum: 0\n" +
		"  - target: $.components.parameters[*].schema\n" + // 18: trace has type string, petId not
		"    description: d4\n" +
		"    update: {type: string}\n"
	res, c, err := vendorSyntheticWith(t, overlay)
	if err != nil {
		t.Fatal(err)
	}
	want := "GitHub's description now makes 3 of the local corrections itself, so nothing was applied for them; delete them from test.overlay.yaml:\n" +
		"  lines 4-7: action 1 ($.components.parameters.petId.schema): GitHub's description already has format: int64\n" +
		"    (first move its anchor &same to where action 3 uses it, line 14)\n" +
		"  lines 9-12: action 2 ($.components.schemas.address.properties.street): GitHub's description already has type: string\n" +
		"  type (line 16) from the update of action 3 ($.components.schemas.cat.properties.lives): GitHub's description already has type: integer; the rest of the action still applies"
	if got := c.report(res.redundant); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}

	out := string(res.spec)
	for _, want := range []string{
		"        lives:\n          type: integer\n          # local correction: d1\n          minimum: 0\n",
		"#   - d1\n#       $.components.schemas.cat.properties.lives\n#   - d4\n",
		"    petId:\n      name: petId\n      in: path\n      required: true\n      schema:\n        # local correction: d4\n        type: string\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks\n%s", want)
		}
	}
	for _, unwanted := range []string{"d2", "$.components.parameters.petId.schema", "format: int64\n        # local", "# local correction: d4\n        type: string\n      examples"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("the output has %q, from a correction that applied nothing", unwanted)
		}
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.yaml")
	var stderr bytes.Buffer
	runArgs := func(args ...string) error {
		stderr.Reset()
		return run(args, &stderr)
	}

	// Without -operation and without a spec to take them from.
	err := runArgs("-from", fixture, "-spec", spec)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "no -operation given") {
		t.Fatalf("error %v, want a usage error", err)
	}
	cut := filepath.Join(dir, "cut.json")
	args := []string{"-from", fixture, "-spec", spec, "-cut", cut}
	for _, op := range ourOperations {
		args = append(args, "-operation", op)
	}
	if err := runArgs(args...); err != nil {
		t.Fatal(err)
	}
	sameText(t, "the written spec", readFile(t, spec), readFile(t, repoSpec))
	sameText(t, "the written cut", readFile(t, cut), readFile(t, fixture))

	// Again, with the operations taken from the spec just written.
	paths := "openapi: 3.0.3\npaths:\n"
	for i, op := range ourOperations {
		paths += fmt.Sprintf("  /x%d:\n    get:\n      operationId: %s\n", i, op)
	}
	if err := os.WriteFile(spec, []byte(paths), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runArgs("-from", fixture, "-spec", spec); err != nil {
		t.Fatal(err)
	}
	sameText(t, "the spec written again", readFile(t, spec), readFile(t, repoSpec))
	if !strings.Contains(stderr.String(), "wrote "+spec) {
		t.Errorf("stderr %q does not say what was written", stderr.String())
	}

	// The API version for Go, in a package named after its directory.
	pkgDir := filepath.Join(dir, "apiversion")
	if err := os.Mkdir(pkgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	goFile := filepath.Join(pkgDir, "v.gen.go")
	if err := runArgs("-version-go", goFile, "-spec", spec); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, goFile)); !strings.Contains(got, "\npackage apiversion\n") || !strings.Contains(got, `const APIVersion = "2022-11-28"`) {
		t.Errorf("%s:\n%s", goFile, got)
	}

	for _, args := range [][]string{
		{},
		{"-from", fixture, "extra"},
		{"-from", fixture, "-version-go", goFile},
		{"-from", fixture, "-corrections", "x.yaml", "-no-corrections"},
		{"-no-such-flag"},
	} {
		if err := runArgs(args...); !errors.As(err, new(usageError)) {
			t.Errorf("run(%q): error %v, want a usage error", args, err)
		}
	}
	if err := runArgs("-from", filepath.Join(dir, "missing.json"), "-operation", ourOperation, "-spec", spec); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing source: error %v", err)
	}
	if err := runArgs("-version-go", goFile, "-spec", fixture); err == nil || !strings.Contains(err.Error(), "no info.x-github-api-version") {
		t.Errorf("-version-go on a spec without the version: error %v", err)
	}

	// A correction GitHub's description makes already: the spec is written, and stderr says
	// which lines can go.
	overlay := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(overlay, []byte(overlayHead+"  - target: $.components.parameters.petId.schema\n    description: d\n    update: {format: int64}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runArgs("-from", synthetic, "-spec", spec, "-operation", "pets/get", "-corrections", overlay); err != nil {
		t.Fatal(err)
	}
	if want := "delete them from " + filepath.ToSlash(overlay) + ":\n  lines 4-6: action 1"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q does not say %q", stderr.String(), want)
	}
}

// -api-version is recorded in the cut, so that a description whose file name carries no
// version (GitHub Enterprise Server's ghes-3.19.json, Octokit's api.github.com.json) round
// trips: the cut vendors to the same openapi.yaml without the flag.
func TestCutRecordsAPIVersion(t *testing.T) {
	dir := t.TempDir()
	noVersion := regexp.MustCompile(`(?m)^  x-github-api-version:.*\n`).ReplaceAll(readFile(t, synthetic), nil)
	from := filepath.Join(dir, "ghes-3.19.json")
	if err := os.WriteFile(from, noVersion, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	spec, cut := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "cut.json")
	args := []string{"-from", from, "-spec", spec, "-operation", "pets/get", "-no-corrections"}
	if err := run(args, &stderr); err == nil || !strings.Contains(err.Error(), "cannot tell which API version") {
		t.Fatalf("without -api-version: error %v", err)
	}
	if err := run(append(args, "-api-version", "2022-11-28", "-cut", cut), &stderr); err != nil {
		t.Fatal(err)
	}
	first := readFile(t, spec)
	if !bytes.Contains(first, []byte(`x-github-api-version: "2022-11-28"`)) || !bytes.Contains(first, []byte("# Source:      ghes-3.19.json (")) {
		t.Errorf("the spec does not record the version and source:\n%s", first)
	}
	if !bytes.Contains(readFile(t, cut), []byte(`"x-specsync-api-version": "2022-11-28"`)) {
		t.Errorf("the cut does not record the version:\n%s", readFile(t, cut))
	}
	cut2 := filepath.Join(dir, "cut2.json")
	if err := run([]string{"-from", cut, "-spec", spec, "-operation", "pets/get", "-no-corrections", "-cut", cut2}, &stderr); err != nil {
		t.Fatal(err)
	}
	sameText(t, "openapi.yaml from the cut", readFile(t, spec), first)
	sameText(t, "the cut of the cut", readFile(t, cut2), readFile(t, cut))
}

func TestWrap(t *testing.T) {
	got := wrap("one two three four five\nsix  seven", 9)
	if want := "one two\nthree\nfour five\nsix seven"; got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	if !slices.Equal(strings.Split(wrap(strings.Repeat("x", 20)+" y", 5), "\n"), []string{strings.Repeat("x", 20), "y"}) {
		t.Error("a word longer than the width is not kept whole on its own line")
	}
}
