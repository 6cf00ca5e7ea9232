package main

import (
	"slices"

	"gopkg.in/yaml.v3"
)

// Key order of the output. The document, path items, operations and the components object
// take the order of the fixed fields in the OpenAPI 3.0.3 specification, so that a
// reordering upstream does not show as a change; component names and paths are sorted.
// Everything inside (schemas, parameters, examples, info) keeps the source's order, which
// is GitHub's chosen reading order and makes the vendored text easy to compare with it.
var (
	documentOrder  = []string{"openapi", "info", "servers", "paths", "components", "security", "tags", "externalDocs"}
	pathItemOrder  = append(append([]string{"summary", "description"}, methods...), "servers", "parameters")
	operationOrder = []string{
		"tags", "summary", "description", "externalDocs", "operationId", "parameters",
		"requestBody", "responses", "callbacks", "deprecated", "security", "servers",
	}
)

// build assembles the output document: the operations, in path items that keep their
// path-level fields, the components they need, and of the rest of the source only what
// describes the API as a whole (openapi, info, servers, security, externalDocs) and the tags
// the operations use. Other top-level fields, extensions such as x-webhooks included, are
// left out.
func build(root *yaml.Node, ops []op, found map[component]*yaml.Node) *yaml.Node {
	doc := mapping()
	for _, key := range documentOrder {
		var v *yaml.Node
		switch key {
		case "paths":
			v = buildPaths(get(root, "paths"), ops)
		case "components":
			v = buildComponents(found)
		case "tags":
			v = usedTags(get(root, "tags"), ops)
		default:
			v = get(root, key)
		}
		if v != nil {
			set(doc, key, v)
		}
	}
	return doc
}

func buildPaths(src *yaml.Node, ops []op) *yaml.Node {
	chosen := map[string][]string{} // path → methods asked for
	for _, o := range ops {
		chosen[o.path] = append(chosen[o.path], o.method)
	}
	paths := mapping()
	for _, p := range sortedKeys(chosen) {
		item := get(src, p)
		kept := mapping()
		for i := 0; i < len(item.Content); i += 2 {
			k := item.Content[i].Value
			if !slices.Contains(methods, k) || slices.Contains(chosen[p], k) {
				kept.Content = append(kept.Content, item.Content[i], item.Content[i+1])
			}
		}
		ordered := reorder(kept, pathItemOrder)
		for _, m := range chosen[p] {
			set(ordered, m, without(reorder(get(ordered, m), operationOrder), addedByOctokit))
		}
		set(paths, p, ordered)
	}
	return paths
}

func buildComponents(found map[component]*yaml.Node) *yaml.Node {
	if len(found) == 0 {
		return nil
	}
	bySection := map[string][]string{}
	for c := range found {
		bySection[c.section] = append(bySection[c.section], c.name)
	}
	components := mapping()
	for _, s := range sections {
		names := bySection[s.name]
		if len(names) == 0 {
			continue
		}
		slices.Sort(names)
		sec := mapping()
		for _, n := range names {
			set(sec, n, found[component{s.name, n}])
		}
		set(components, s.name, sec)
	}
	return components
}

// usedTags returns the tag objects the operations use, in the source's order.
func usedTags(tags *yaml.Node, ops []op) *yaml.Node {
	if tags == nil || tags.Kind != yaml.SequenceNode {
		return nil
	}
	used := map[string]bool{}
	for _, o := range ops {
		if t := get(o.node, "tags"); t != nil {
			for _, name := range t.Content {
				used[name.Value] = true
			}
		}
	}
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, t := range tags.Content {
		if used[str(t, "name")] {
			out.Content = append(out.Content, t)
		}
	}
	if len(out.Content) == 0 {
		return nil
	}
	return out
}

// reorder returns a copy of mapping m with the keys in first, in that order, then the
// others in m's order.
func reorder(m *yaml.Node, first []string) *yaml.Node {
	out := mapping()
	for _, k := range first {
		if v := get(m, k); v != nil {
			out.Content = append(out.Content, keyNode(m, k), v)
		}
	}
	for i := 0; i < len(m.Content); i += 2 {
		if !slices.Contains(first, m.Content[i].Value) {
			out.Content = append(out.Content, m.Content[i], m.Content[i+1])
		}
	}
	return out
}

// addedByOctokit are the extensions that Octokit's copy of GitHub's description (the npm
// package @octokit/openapi, scripts/build.mjs) adds to every operation: metadata for
// Octokit's SDKs, nothing GitHub says about the API. Left out, so that openapi.yaml is the
// same whichever copy it is vendored from.
var addedByOctokit = []string{"x-octokit"}

// without returns mapping m without the given keys (m itself when it has none of them).
func without(m *yaml.Node, keys []string) *yaml.Node {
	out := mapping()
	for i := 0; i < len(m.Content); i += 2 {
		if !slices.Contains(keys, m.Content[i].Value) {
			out.Content = append(out.Content, m.Content[i], m.Content[i+1])
		}
	}
	if len(out.Content) == len(m.Content) {
		return m
	}
	return out
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

// set puts key: v into mapping m, replacing the value if key is there.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar("!!str", key), v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
