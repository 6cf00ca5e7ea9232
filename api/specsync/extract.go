package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The methods of an OpenAPI 3.0 path item, in the specification's order.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// op is one operation of the source, found by its operationId.
type op struct {
	id, path, method string
	node             *yaml.Node
}

// findOperations returns the operations named by ids, in the order of ids.
func findOperations(root *yaml.Node, ids []string) ([]op, error) {
	paths := get(root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the description has no paths")
	}
	byID := map[string]op{}
	for i := 0; i < len(paths.Content); i += 2 {
		path, item := paths.Content[i].Value, paths.Content[i+1]
		for _, m := range methods {
			o := get(item, m)
			id := str(o, "operationId")
			if id == "" {
				continue
			}
			if prev, dup := byID[id]; dup {
				return nil, fmt.Errorf("operationId %q is used twice: %s %s and %s %s", id, prev.method, prev.path, m, path)
			}
			byID[id] = op{id: id, path: path, method: m, node: o}
		}
	}
	ops := make([]op, 0, len(ids))
	for _, id := range ids {
		o, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("no operation has operationId %q", id)
		}
		if get(get(paths, o.path), "$ref") != nil {
			return nil, fmt.Errorf("path %s: a path item that is a $ref is not supported", o.path)
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// kind is what an OpenAPI 3.0 object is, as far as references go: it says which of its
// fields hold further objects, and so where a $ref may stand. Everything else (examples,
// defaults, enums, descriptions) is data, copied as it is and never searched for $refs.
type kind int

const (
	kPathItem kind = iota
	kOperation
	kParameter
	kHeader
	kRequestBody
	kResponse
	kMediaType
	kEncoding
	kSchema
	kExample
	kLink
	kCallback
	kSecurityScheme
)

type shape int

const (
	one   shape = iota // the field holds one object
	list               // a list of objects
	named              // a map from names to objects
)

type field struct {
	kind  kind
	shape shape
}

var (
	parameterFields = map[string]field{"schema": {kSchema, one}, "content": {kMediaType, named}, "examples": {kExample, named}}
	schemaFields    = map[string]field{
		"properties": {kSchema, named}, "items": {kSchema, one}, "additionalProperties": {kSchema, one},
		"allOf": {kSchema, list}, "anyOf": {kSchema, list}, "oneOf": {kSchema, list}, "not": {kSchema, one},
	}
	pathItemFields = map[string]field{"parameters": {kParameter, list}}
)

// grammar lists, for each kind, the fields that hold objects (OpenAPI 3.0.3, section 4.7).
// Callbacks are maps from expressions to path items; operation security names schemes.
var grammar = map[kind]map[string]field{
	kPathItem: pathItemFields,
	kOperation: {
		"parameters": {kParameter, list}, "requestBody": {kRequestBody, one},
		"responses": {kResponse, named}, "callbacks": {kCallback, named},
	},
	kParameter:   parameterFields,
	kHeader:      parameterFields,
	kRequestBody: {"content": {kMediaType, named}},
	kResponse:    {"headers": {kHeader, named}, "content": {kMediaType, named}, "links": {kLink, named}},
	kMediaType:   {"schema": {kSchema, one}, "examples": {kExample, named}, "encoding": {kEncoding, named}},
	kEncoding:    {"headers": {kHeader, named}},
	kSchema:      schemaFields,
}

func init() {
	for _, m := range methods {
		pathItemFields[m] = field{kOperation, one}
	}
}

// The component sections of OpenAPI 3.0, in the specification's order, with the kind of
// object each holds.
var sections = []struct {
	name string
	kind kind
}{
	{"schemas", kSchema}, {"responses", kResponse}, {"parameters", kParameter},
	{"examples", kExample}, {"requestBodies", kRequestBody}, {"headers", kHeader},
	{"securitySchemes", kSecurityScheme}, {"links", kLink}, {"callbacks", kCallback},
}

func sectionKind(name string) (kind, bool) {
	for _, s := range sections {
		if s.name == name {
			return s.kind, true
		}
	}
	return 0, false
}

// component names one entry of the source's components.
type component struct{ section, name string }

// closure collects the components that a set of objects needs, transitively.
type closure struct {
	components *yaml.Node // the source's components object
	found      map[component]*yaml.Node
}

// need returns every component that the operations (with the path-level fields of their path
// items) and the document's security requirement reach through $refs, discriminator
// mappings and security requirements. Cycles end where a component was already reached.
func need(root *yaml.Node, ops []op) (map[component]*yaml.Node, error) {
	c := &closure{components: get(root, "components"), found: map[component]*yaml.Node{}}
	paths := get(root, "paths")
	for _, o := range ops {
		item := get(paths, o.path)
		for i := 0; i < len(item.Content); i += 2 {
			k := item.Content[i].Value
			if slices.Contains(methods, k) && k != o.method {
				continue // a sibling operation that was not asked for
			}
			if err := c.field(kPathItem, k, item.Content[i+1], "$.paths"+pathSegment(o.path)); err != nil {
				return nil, err
			}
		}
	}
	if err := c.security(get(root, "security"), "the document's security"); err != nil {
		return nil, err
	}
	return c.found, nil
}

// visit walks an object of kind k.
func (c *closure) visit(k kind, n *yaml.Node, at string) error {
	if n.Kind != yaml.MappingNode {
		return nil // e.g. additionalProperties: true
	}
	if ref := get(n, "$ref"); ref != nil {
		if err := c.ref(ref.Value, at); err != nil {
			return err
		}
	}
	for i := 0; i < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		switch {
		case k == kCallback:
			if err := c.visit(kPathItem, v, at+pathSegment(key)); err != nil {
				return err
			}
		case k == kOperation && key == "security":
			if err := c.security(v, at); err != nil {
				return err
			}
		case k == kSchema && key == "discriminator":
			if err := c.discriminator(get(v, "mapping"), at); err != nil {
				return err
			}
		default:
			if err := c.field(k, key, v, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// field walks the value of field key of an object of kind k, if the grammar says it holds
// objects.
func (c *closure) field(k kind, key string, v *yaml.Node, at string) error {
	f, ok := grammar[k][key]
	if !ok {
		return nil
	}
	at += pathSegment(key)
	switch {
	case f.shape == one:
		return c.visit(f.kind, v, at)
	case f.shape == list && v.Kind == yaml.SequenceNode:
		for i, e := range v.Content {
			if err := c.visit(f.kind, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case f.shape == named && v.Kind == yaml.MappingNode:
		for i := 0; i < len(v.Content); i += 2 {
			if err := c.visit(f.kind, v.Content[i+1], at+pathSegment(v.Content[i].Value)); err != nil {
				return err
			}
		}
	}
	return nil
}

// discriminator follows a discriminator's mapping, whose values are $refs or schema names.
func (c *closure) discriminator(mapping *yaml.Node, at string) error {
	if mapping == nil || mapping.Kind != yaml.MappingNode {
		return nil
	}
	for i := 1; i < len(mapping.Content); i += 2 {
		target := mapping.Content[i].Value
		if !strings.Contains(target, "/") && !strings.Contains(target, "#") {
			target = "#/components/schemas/" + target
		}
		if err := c.ref(target, at+".discriminator.mapping"); err != nil {
			return err
		}
	}
	return nil
}

// security adds the schemes that a list of security requirements names.
func (c *closure) security(reqs *yaml.Node, at string) error {
	if reqs == nil || reqs.Kind != yaml.SequenceNode {
		return nil
	}
	for _, req := range reqs.Content {
		for i := 0; req.Kind == yaml.MappingNode && i < len(req.Content); i += 2 {
			if err := c.add(component{"securitySchemes", req.Content[i].Value}, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// ref adds the component a local reference points into: the whole component, also for a
// reference to a part of it such as #/components/schemas/job/properties/steps.
func (c *closure) ref(ref, at string) error {
	frag, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return fmt.Errorf("%s: $ref %q: only references within the same file (#/components/...) are supported", at, ref)
	}
	parts := strings.Split(frag, "/")
	if len(parts) < 3 || parts[0] != "components" {
		return fmt.Errorf("%s: $ref %q: only references into #/components/ are supported", at, ref)
	}
	var names [2]string
	for i := range names {
		// A $ref is a URI fragment holding a JSON pointer: percent-decode, then unescape.
		s, err := url.PathUnescape(parts[1+i])
		if err != nil {
			return fmt.Errorf("%s: $ref %q: %v", at, ref, err)
		}
		names[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
	}
	return c.add(component{names[0], names[1]}, at)
}

func (c *closure) add(comp component, at string) error {
	if _, done := c.found[comp]; done {
		return nil
	}
	k, ok := sectionKind(comp.section)
	if !ok {
		return fmt.Errorf("%s: #/components/%s is not a component section of OpenAPI 3.0", at, comp.section)
	}
	n := get(get(c.components, comp.section), comp.name)
	if n == nil {
		return fmt.Errorf("%s: #/components/%s/%s does not exist", at, comp.section, comp.name)
	}
	c.found[comp] = n // before the walk, which may come back here
	return c.visit(k, n, "$.components"+pathSegment(comp.section)+pathSegment(comp.name))
}
