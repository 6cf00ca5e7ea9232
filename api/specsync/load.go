package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parse reads an OpenAPI description, JSON or YAML, into the mapping node at its root,
// keeping the source's key order and the text of every scalar. Styles, comments and
// positions are dropped, so that the same description gives the same output in either
// format.
//
// JSON goes through encoding/json rather than the YAML parser: yaml.v3 rejects valid JSON
// such as the \/ escape and surrogate pairs, and is several times slower on GitHub's 10 MB
// file.
func parse(data []byte) (*yaml.Node, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var root *yaml.Node
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		n, err := parseJSON(data)
		if err != nil {
			return nil, fmt.Errorf("JSON: %w", err)
		}
		root = n
	} else {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, err
		}
		if len(doc.Content) != 1 {
			return nil, errors.New("empty document")
		}
		root = doc.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("the document is not an object")
	}
	if err := normalize(root, "$"); err != nil {
		return nil, err
	}
	return root, nil
}

const strTag = "!!str"

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}

// normalize clears what the output must not depend on (styles, comments, positions) and
// refuses what an OpenAPI description has no use for and this tool would copy wrongly:
// anchors and aliases, non-string keys, duplicate keys.
func normalize(n *yaml.Node, at string) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("%s: YAML anchors and aliases are not supported", at)
	}
	n.Style, n.HeadComment, n.LineComment, n.FootComment, n.Line, n.Column = 0, "", "", "", 0, 0
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!timestamp" {
		n.Tag = strTag // JSON, and so OpenAPI, has no timestamps: 2022-11-28 is a string
	}
	switch n.Kind {
	case yaml.MappingNode:
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" && k.ShortTag() != "!!int" {
				return fmt.Errorf("%s: a key that is not a string", at)
			}
			if seen[k.Value] {
				return fmt.Errorf("%s: duplicate key %q", at, k.Value)
			}
			seen[k.Value] = true
			k.Tag = strTag // a YAML key such as 200 is the string "200" in OpenAPI
			if err := normalize(k, at); err != nil {
				return err
			}
			if err := normalize(n.Content[i+1], at+pathSegment(k.Value)); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := normalize(c, at+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
	return nil
}

// pathSegment renders a key as a JSONPath segment, for messages.
func pathSegment(key string) string {
	if key != "" && strings.IndexFunc(key, func(r rune) bool {
		return !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) < 0 && (key[0] < '0' || key[0] > '9') {
		return "." + key
	}
	return "['" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(key) + "']"
}

// get returns the value under key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// keyNode returns the key node for key in mapping m, or nil.
func keyNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// str returns the value under key if it is a string scalar, else "".
func str(m *yaml.Node, key string) string {
	if v := get(m, key); v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
		return v.Value
	}
	return ""
}

// equal reports whether two nodes hold the same data, key order included.
func equal(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	if a.Kind == yaml.ScalarNode && (a.Value != b.Value || a.ShortTag() != b.ShortTag()) {
		return false
	}
	for i := range a.Content {
		if !equal(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
