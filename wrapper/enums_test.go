package wrapper

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// TestEveryEnumValueReexported fails when a regenerated client gains an enum value that
// enums.go does not re-export, so that the one-package promise survives spec updates.
func TestEveryEnumValueReexported(t *testing.T) {
	generated := constNames(t, "../generated/ghjobs.gen.go")
	ours := constNames(t, "enums.go")
	var missing []string
	for _, name := range generated {
		if !slices.Contains(ours, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("enums.go does not re-export %v from generated/", missing)
	}
	if len(generated) < 16 {
		t.Errorf("found only %d enum constants in generated/: is the parse right?", len(generated))
	}
}

// constNames lists the exported constants declared in a Go file.
func constNames(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.CONST {
			for _, spec := range gd.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					if n.IsExported() {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}
