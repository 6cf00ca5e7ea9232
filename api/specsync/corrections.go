package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// corrections are the local corrections: an OpenAPI Overlay applied to the extracted
// document, and the name the header gives it.
type corrections struct {
	name    string
	overlay *overlay.Overlay
}

// parseCorrections reads an OpenAPI Overlay 1.1.0 document (RFC 9535 JSONPath targets) whose
// every action has a description, because the description is what openapi.yaml says
// about the correction.
func parseCorrections(name string, data []byte) (*corrections, error) {
	o, err := overlay.ParseReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !o.UsesRFC9535() {
		return nil, fmt.Errorf("%s: targets must be RFC 9535 JSONPath: use overlay: 1.1.0", name)
	}
	for i, a := range o.Actions {
		switch {
		case strings.TrimSpace(a.Description) == "":
			return nil, fmt.Errorf("%s: action %d (%s) has no description: say why the correction is needed", name, i+1, a.Target)
		case a.Copy != "":
			return nil, fmt.Errorf("%s: action %d (%s): copy actions are not supported; use update", name, i+1, a.Target)
		case !a.Remove && a.Update.IsZero():
			return nil, fmt.Errorf("%s: action %d (%s) neither updates nor removes", name, i+1, a.Target)
		}
		if _, err := o.NewPath(a.Target, nil); err != nil {
			return nil, fmt.Errorf("%s: action %d: target %s: %w", name, i+1, a.Target, err)
		}
	}
	return &corrections{name: name, overlay: o}, nil
}

// apply applies the corrections to root in order, and marks each place an update changed
// with a "local correction:" comment. A correction that no longer applies is an error
// rather than a silent no-op: its target is gone, or GitHub's description already says
// what it adds. Either way GitHub changed, and a person should look.
func (c *corrections) apply(root *yaml.Node) error {
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	for i, a := range c.overlay.Actions {
		where := fmt.Sprintf("%s: action %d (%s)", c.name, i+1, a.Target)
		path, err := c.overlay.NewPath(a.Target, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		targets := path.Query(doc)
		if len(targets) == 0 {
			return fmt.Errorf("%s matches nothing in the extracted description: GitHub's description changed; fix the target or delete the correction", where)
		}
		if !a.Remove {
			a.Update = *clone(&a.Update) // the merge links the update's key nodes into the document
			for _, t := range targets {
				if k := alreadyThere(t, &a.Update); k != "" {
					return fmt.Errorf("%s: GitHub's description already has %s: delete the correction", where, k)
				}
			}
		}
		single := *c.overlay
		single.Actions = []overlay.Action{a}
		warnings, err := single.ApplyToStrict(doc)
		if err == nil && len(warnings) > 0 {
			err = fmt.Errorf("%s", strings.Join(warnings, "; "))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if !a.Remove {
			for _, t := range targets {
				mark(root, t, &a.Update, "local correction: "+a.Description)
			}
		}
	}
	return nil
}

// alreadyThere names what of update target already holds, or returns "".
func alreadyThere(target, update *yaml.Node) string {
	if target.Kind == yaml.MappingNode && update.Kind == yaml.MappingNode {
		for i := 0; i < len(update.Content); i += 2 {
			k := update.Content[i].Value
			if v := get(target, k); v != nil && equal(v, update.Content[i+1]) {
				return fmt.Sprintf("%s: %s", k, flow(v))
			}
		}
		return ""
	}
	if equal(target, update) {
		return flow(target)
	}
	return ""
}

// mark puts comment above the key that an update changed: the first of the update's keys in
// a mapping target, or the key of any other target.
func mark(root, target, update *yaml.Node, comment string) {
	comment = wrap(comment, 88)
	var parent *yaml.Node
	var i int
	if target.Kind == yaml.MappingNode && update.Kind == yaml.MappingNode && len(update.Content) > 0 {
		parent = target
		i = keyIndex(target, update.Content[0].Value)
	} else {
		parent, i = parentOf(root, target)
	}
	if parent == nil || i < 0 {
		return // the document itself: the header says it all
	}
	k := *parent.Content[i] // copied: an update's key node is shared by all its targets
	switch {
	case k.HeadComment == "":
		k.HeadComment = comment
	case !strings.Contains(k.HeadComment, comment):
		k.HeadComment += "\n" + comment
	}
	parent.Content[i] = &k
}

func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// parentOf finds the mapping that holds n as a value, and the index of n's key in it.
func parentOf(root, n *yaml.Node) (*yaml.Node, int) {
	for i, c := range root.Content {
		if c == n && root.Kind == yaml.MappingNode && i%2 == 1 {
			return root, i - 1
		}
		if p, j := parentOf(c, n); p != nil {
			return p, j
		}
	}
	return nil, -1
}

// flow renders a node on one line, for messages.
func flow(n *yaml.Node) string {
	c := clone(n)
	var setFlow func(*yaml.Node)
	setFlow = func(n *yaml.Node) {
		n.Style = yaml.FlowStyle
		for _, e := range n.Content {
			setFlow(e)
		}
	}
	setFlow(c)
	out, err := yaml.Marshal(c)
	if err != nil {
		return n.Value
	}
	return strings.TrimSpace(string(out))
}

func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		c.Content[i] = clone(e)
	}
	return &c
}

// clearStyles gives every node the encoder's default style, so that the corrections'
// quoting does not show through.
func clearStyles(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		clearStyles(c)
	}
}

// wrap breaks text into lines of at most width bytes at spaces, keeping its line breaks.
func wrap(text string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		n := 0
		for j, w := range strings.Fields(line) {
			switch {
			case j == 0:
			case n+1+len(w) > width:
				b.WriteByte('\n')
				n = 0
			default:
				b.WriteByte(' ')
				n++
			}
			b.WriteString(w)
			n += len(w)
		}
	}
	return b.String()
}
