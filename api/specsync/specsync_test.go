package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
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
// of the part of it that openapi.yaml is made of (-cut), which it also reproduces. Today that
// cut holds the operation and components of the seed document (TestFixtureMatchesSeed) and
// the top-level fields of GitHub's file.
func TestRoundTrip(t *testing.T) {
	res, err := vendor(request{
		source:      readFile(t, fixture),
		sourceName:  "ignored: the cut names its source",
		operations:  []string{ourOperation},
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

// The round-trip fixture still holds what the seed document, a snapshot of GitHub's
// documentation of the operation, shows, key order included, plus only
// components.schemas.basic-error, which the seed's not_found response references without
// showing it. CI has the seed beside the clone (../shared); elsewhere this skips.
func TestFixtureMatchesSeed(t *testing.T) {
	const reseed = " (after vendoring a description in which GitHub changed the operation, refresh the seed snapshot too)"
	seedFile := filepath.Join("..", "..", "..", "shared", "seed", "list-jobs-for-workflow-run-attempt.md")
	md, err := os.ReadFile(seedFile)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no seed at %s", seedFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	root, err := parse(readFile(t, fixture))
	if err != nil {
		t.Fatal(err)
	}

	route := regexp.MustCompile("(?m)^`(get|put|post|delete|patch) (/\\S+)`$").FindSubmatch(md)
	if route == nil {
		t.Fatal("the seed names no method and path")
	}
	opJSON := regexp.MustCompile("(?s)## Operation Object\\s+```json\n(.*?)\n```").FindSubmatch(md)
	if opJSON == nil {
		t.Fatal("the seed has no operation object")
	}
	want, err := parse(opJSON[1])
	if err != nil {
		t.Fatal(err)
	}
	got := get(get(get(root, "paths"), string(route[2])), string(route[1]))
	if got == nil || !equal(got, reorder(want, operationOrder)) {
		t.Errorf("%s %s in %s is not the seed's operation object (in the specification's key order)%s", route[1], route[2], fixture, reseed)
	}

	shown := map[component]bool{}
	for _, m := range regexp.MustCompile("(?s)### `#/components/([^/]+)/([^`]+)`\\s+```json\n(.*?)\n```").FindAllSubmatch(md, -1) {
		c := component{string(m[1]), string(m[2])}
		shown[c] = true
		want, err := parse(m[3])
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if got := get(get(get(root, "components"), c.section), c.name); got == nil || !equal(got, want) {
			t.Errorf("#/components/%s/%s in %s is not the seed's%s", c.section, c.name, fixture, reseed)
		}
	}
	if len(shown) == 0 {
		t.Fatal("found no components in the seed")
	}
	shown[component{"schemas", "basic-error"}] = true
	components := get(root, "components")
	for i := 0; i < len(components.Content); i += 2 {
		section := components.Content[i+1]
		for j := 0; j < len(section.Content); j += 2 {
			if c := (component{components.Content[i].Value, section.Content[j].Value}); !shown[c] {
				t.Errorf("%s has #/components/%s/%s, which the seed does not show%s", fixture, c.section, c.name, reseed)
			}
		}
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
	if m := regexp.MustCompile(`unrelated|unused|deleted|x-webhooks|pets/delete|other/list`).Find(out); m != nil {
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
		flag, name string
		info       *yaml.Node
		want       string
	}{
		{"", "api.github.com.2022-11-28.json", nil, "2022-11-28"},
		{"", "dl/api.github.com.2026-03-10.yaml", nil, "2026-03-10"},
		{"", "ghes-3.17.2022-11-28.yml", nil, "2022-11-28"},
		{"2026-03-10", "api.github.com.json", nil, "2026-03-10"},
		{"", "d.json", info("2026-03-10"), "2026-03-10"},
		{"2022-11-28", "api.github.com.2022-11-28.json", info("2022-11-28"), "2022-11-28"},
	} {
		if got, err := apiVersion(tc.flag, tc.name, tc.info); err != nil || got != tc.want {
			t.Errorf("apiVersion(%q, %q, %v) = %q, %v; want %q", tc.flag, tc.name, tc.info, got, err, tc.want)
		}
	}
}

func TestCorrections(t *testing.T) {
	source := readFile(t, fixture)
	vendorWith := func(overlay string) ([]byte, error) {
		c, err := parseCorrections("test.overlay.yaml", []byte(overlay))
		if err != nil {
			return nil, err
		}
		res, err := vendor(request{source: source, sourceName: filepath.Base(fixture), operations: []string{ourOperation}, corrections: c})
		if err != nil {
			return nil, err
		}
		return res.spec, nil
	}
	const head = "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n"
	// The fixture's example lacks created_at, which kin-openapi rejects; every overlay here
	// but the last adds it first.
	const example = "  - target: $.components.examples['job-paginated']['value'].jobs[0]\n    description: created_at\n    update: {created_at: '2020-01-20T17:42:31Z'}\n"

	out, err := vendorWith(head + example +
		"  - target: $.components.schemas.job.properties.id\n    description: Job ids\n      pass 2^32.\n    update: {format: int64}\n" +
		"  - target: $.components.schemas.job.properties.labels.example\n    description: a shorter example\n    update: [only]\n" +
		"  - target: $.components.schemas.job.properties.node_id.example\n    description: no example\n    remove: true\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"          type: integer\n          # local correction: Job ids pass 2^32.\n          format: int64\n",
		"          # local correction: a shorter example\n          example:\n            - self-hosted\n            - foo\n            - bar\n            - only\n",
		"        node_id:\n          type: string\n        head_sha:",
		"#   - Job ids pass 2^32.\n#       $.components.schemas.job.properties.id\n",
		"#   - no example\n#       $.components.schemas.job.properties.node_id.example\n",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the output lacks\n%s", want)
		}
	}

	for _, tc := range []struct{ name, overlay, want string }{
		{"a target that matches nothing", head + example + "  - target: $.components.schemas.job.properties.gone\n    description: d\n    update: {format: int64}\n",
			"action 2 ($.components.schemas.job.properties.gone) matches nothing"},
		{"a correction GitHub has made", head + example + "  - target: $.components.schemas.job.properties.created_at\n    description: d\n    update: {format: date-time}\n",
			"already has format: date-time: delete the correction"},
		{"an update of another type", head + example + "  - target: $.components.schemas.job.properties.id\n    description: d\n    update: [1]\n",
			"target is object but update is array"},
		{"no description", head + "  - target: $.info\n    update: {x: 1}\n", "has no description"},
		{"legacy JSONPath", strings.Replace(head, "1.1.0", "1.0.0", 1) + example, "use overlay: 1.1.0"},
		{"a bad target", head + "  - target: $.[\n    description: d\n    update: {x: 1}\n", "action 1: target $.["},
		{"a copy action", head + "  - target: $.info\n    description: d\n    copy: $.servers\n", "copy actions are not supported"},
		{"no actions", head, "at least one action"},
		{"a result kin-openapi refuses", head + "  - target: $.info\n    description: d\n    update: {x-n: 1}\n", `"created_at" is missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vendorWith(tc.overlay)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
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
	if err := runArgs("-from", fixture, "-spec", spec, "-operation", ourOperation, "-cut", cut); err != nil {
		t.Fatal(err)
	}
	sameText(t, "the written spec", readFile(t, spec), readFile(t, repoSpec))
	sameText(t, "the written cut", readFile(t, cut), readFile(t, fixture))

	// Again, with the operations taken from the spec just written.
	if err := os.WriteFile(spec, []byte("openapi: 3.0.3\npaths:\n  /x:\n    get:\n      operationId: "+ourOperation+"\n"), 0o644); err != nil {
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
