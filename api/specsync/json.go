package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"gopkg.in/yaml.v3"
)

func parseJSON(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := jsonValue(dec)
	if err != nil {
		return nil, fmt.Errorf("at byte %d: %w", dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("at byte %d: data after the top-level value", dec.InputOffset())
	}
	return n, nil
}

// jsonValue decodes the next JSON value into a node tagged as the YAML parser would tag it.
func jsonValue(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if t == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, scalar("!!str", k.(string)))
			}
			v, err := jsonValue(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return scalar("!!str", t), nil
	case json.Number:
		if _, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			return scalar("!!int", t.String()), nil
		}
		return scalar("!!float", t.String()), nil
	case bool:
		return scalar("!!bool", strconv.FormatBool(t)), nil
	default: // nil
		return scalar("!!null", "null"), nil
	}
}

// renderJSON writes a node tree as JSON, indented by two spaces as GitHub's files are, keys in
// the tree's order.
func renderJSON(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, n, "\n"); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node, newline string) error {
	inner := newline + "  "
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		open, end, step := byte('['), byte(']'), 1
		if n.Kind == yaml.MappingNode {
			open, end, step = '{', '}', 2
		}
		b.WriteByte(open)
		for i := 0; i < len(n.Content); i += step {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(inner)
			if step == 2 {
				writeString(b, n.Content[i].Value)
				b.WriteString(": ")
			}
			if err := writeJSON(b, n.Content[i+step-1], inner); err != nil {
				return err
			}
		}
		if len(n.Content) > 0 {
			b.WriteString(newline)
		}
		b.WriteByte(end)
		return nil
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		if !json.Valid([]byte(n.Value)) {
			return fmt.Errorf("the number %s cannot be written as JSON", n.Value)
		}
		b.WriteString(n.Value)
	case "!!bool":
		v, err := strconv.ParseBool(n.Value)
		if err != nil {
			return fmt.Errorf("the boolean %s cannot be written as JSON", n.Value)
		}
		b.WriteString(strconv.FormatBool(v))
	case "!!null":
		b.WriteString("null")
	default: // strings, and what YAML reads as timestamps or binary: their text
		writeString(b, n.Value)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false) // GitHub's files have <, > and & as they are
	enc.Encode(s)            // cannot fail for a string
	b.Truncate(b.Len() - 1)  // Encode's newline
}
