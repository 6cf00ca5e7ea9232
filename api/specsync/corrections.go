package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/speakeasy-api/openapi/overlay"
	"gopkg.in/yaml.v3"
)

// corrections are the local corrections: an OpenAPI Overlay applied to the extracted
// document, the name the header gives it, and where each action is in its file.
type corrections struct {
	name    string
	overlay *overlay.Overlay
	places  []place // one per action
}

// place is where an action is written in the overlay file, for telling a person which
// lines to delete.
type place struct {
	first, last int            // the action's lines, 1-based, inclusive
	keys        map[string]int // the line of each key of its update
	anchors     []string       // anchors it defines (&name)
	aliases     map[string]int // anchors it uses (*name), and the line of the first use
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
	places, err := findPlaces(data, len(o.Actions))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &corrections{name: name, overlay: o, places: places}, nil
}

// findPlaces locates the n actions of an overlay file. An action runs from the comment lines
// right above it to its last line that is neither blank nor only a comment before the next
// action or the end of the file.
func findPlaces(data []byte, n int) ([]place, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var actions *yaml.Node
	if len(doc.Content) == 1 {
		actions = get(doc.Content[0], "actions")
	}
	if actions == nil || actions.Kind != yaml.SequenceNode || len(actions.Content) != n {
		return nil, fmt.Errorf("cannot find its %d actions", n)
	}
	lines := strings.Split(string(data), "\n")
	comment := func(l int) bool { return strings.HasPrefix(strings.TrimSpace(lines[l-1]), "#") } // l is 1-based
	blank := func(l int) bool { return comment(l) || strings.TrimSpace(lines[l-1]) == "" }
	places := make([]place, n)
	for i, item := range actions.Content {
		p := &places[i]
		for p.first = item.Line; p.first > 1 && comment(p.first-1); p.first-- {
		}
		p.last = len(lines)
		if i+1 < n {
			p.last = actions.Content[i+1].Line - 1
		}
		for p.last > p.first && blank(p.last) {
			p.last--
		}
		p.keys, p.aliases = map[string]int{}, map[string]int{}
		if u := get(item, "update"); u != nil && u.Kind == yaml.MappingNode {
			for j := 0; j < len(u.Content); j += 2 {
				p.keys[u.Content[j].Value] = u.Content[j].Line
			}
		}
		var walk func(*yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Anchor != "" {
				p.anchors = append(p.anchors, n.Anchor)
			}
			if n.Kind == yaml.AliasNode {
				if _, ok := p.aliases[n.Value]; !ok {
					p.aliases[n.Value] = n.Line
				}
				return
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(item)
	}
	return places, nil
}

// redundancy is a correction, or part of an update, that GitHub's description already
// makes: the tool applies nothing for it, and a person should delete it.
type redundancy struct {
	action int      // index into the overlay's actions
	has    []string // what GitHub's description already says, "format: int64"
	keys   []string // the update's keys that can go, or nil for the whole action
}

// apply applies the corrections to root in order, marks each place an update changed with a
// "local correction:" comment, and returns the actions it applied (an update only with the
// keys that changed something). A correction whose target is gone is an error: GitHub
// changed, and a person should decide. One that GitHub's description already makes, on
// every target it matches, is applied not at all and returned as redundant, all of them
// in one run, so that a re-vendor goes through and says what to delete.
func (c *corrections) apply(root *yaml.Node) (applied []overlay.Action, redundant []redundancy, err error) {
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	for i, a := range c.overlay.Actions {
		where := fmt.Sprintf("%s: action %d (%s)", c.name, i+1, a.Target)
		path, err := c.overlay.NewPath(a.Target, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		targets := path.Query(doc)
		if len(targets) == 0 {
			return nil, nil, fmt.Errorf("%s matches nothing in the extracted description: GitHub's description changed; fix the target or delete the correction", where)
		}
		var changes []*yaml.Node // the targets the update changes, to be marked
		if !a.Remove {
			a.Update = *clone(&a.Update) // the merge links the update's key nodes into the document
			update, r := withoutMade(targets, &a.Update)
			if r != nil {
				r.action = i
				redundant = append(redundant, *r)
				if update == nil {
					continue
				}
				a.Update = *update
			}
			for _, t := range targets {
				if !has(t, &a.Update) {
					changes = append(changes, t)
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
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		for _, t := range changes {
			mark(root, t, &a.Update, "local correction: "+a.Description)
		}
		applied = append(applied, a)
	}
	return applied, redundant, nil
}

// withoutMade splits update into what the targets still lack and what every target already
// has. It returns the update to apply (nil when there is nothing left) and, when something
// is already there, the redundancy (without its action). A mapping update is split by key;
// any other update is whole.
func withoutMade(targets []*yaml.Node, update *yaml.Node) (*yaml.Node, *redundancy) {
	everywhere := func(u *yaml.Node) bool {
		for _, t := range targets {
			if !has(t, u) {
				return false
			}
		}
		return true
	}
	if update.Kind != yaml.MappingNode {
		if everywhere(update) {
			return nil, &redundancy{has: []string{flow(update)}}
		}
		return update, nil
	}
	rest := *update
	rest.Content = nil
	var r redundancy
	for i := 0; i < len(update.Content); i += 2 {
		k, v := update.Content[i], update.Content[i+1]
		if everywhere(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}}) {
			r.has = append(r.has, k.Value+": "+flow(v))
			r.keys = append(r.keys, k.Value)
			continue
		}
		rest.Content = append(rest.Content, k, v)
	}
	switch {
	case len(r.has) == 0:
		return update, nil
	case len(rest.Content) == 0:
		r.keys = nil // the whole action
		return nil, &r
	}
	return &rest, &r
}

// has reports whether target already holds what update says: every key of a mapping update
// with the same value, or the same value for any other update.
func has(target, update *yaml.Node) bool {
	if target.Kind != yaml.MappingNode || update.Kind != yaml.MappingNode {
		return equal(target, update)
	}
	for i := 0; i < len(update.Content); i += 2 {
		if v := get(target, update.Content[i].Value); v == nil || !equal(v, update.Content[i+1]) {
			return false
		}
	}
	return true
}

// report tells a person which lines of the overlay file to delete for the redundancies.
func (c *corrections) report(redundant []redundancy) string {
	if len(redundant) == 0 {
		return ""
	}
	whole := map[int]bool{}
	for _, r := range redundant {
		if r.keys == nil {
			whole[r.action] = true
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GitHub's description now makes %d of the local corrections itself, so nothing was applied for them; delete them from %s:\n",
		len(redundant), c.name)
	for _, r := range redundant {
		a, p := c.overlay.Actions[r.action], c.places[r.action]
		has := strings.Join(r.has, ", ")
		if r.keys == nil {
			fmt.Fprintf(&b, "  %s: action %d (%s): GitHub's description already has %s\n", lineRange(p.first, p.last), r.action+1, a.Target, has)
		} else {
			var at []string
			for _, k := range r.keys {
				at = append(at, fmt.Sprintf("%s (line %d)", k, p.keys[k]))
			}
			fmt.Fprintf(&b, "  %s from the update of action %d (%s): GitHub's description already has %s; the rest of the action still applies\n",
				strings.Join(at, ", "), r.action+1, a.Target, has)
			continue
		}
		// An anchor defined here and used by an action that stays must move before the
		// lines go, or the file no longer parses.
		for _, anchor := range p.anchors {
			for j, q := range c.places {
				if line, ok := q.aliases[anchor]; ok && j != r.action && !whole[j] {
					fmt.Fprintf(&b, "    (first move its anchor &%s to where action %d uses it, line %d)\n", anchor, j+1, line)
					break
				}
			}
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func lineRange(first, last int) string {
	if first == last {
		return fmt.Sprintf("line %d", first)
	}
	return fmt.Sprintf("lines %d-%d", first, last)
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
