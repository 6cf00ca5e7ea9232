package wrapper

import (
	"bytes"
	"flag"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateExported = flag.Bool("update-exported", false, "rewrite testdata/exported.txt with the package's exported surface")

// TestExportedSurface fails when the package's exported identifiers, signatures or struct
// fields change, so that every change of the public API is deliberate: review the diff of
// testdata/exported.txt, then rewrite it with go test -run TestExportedSurface -update-exported.
func TestExportedSurface(t *testing.T) {
	got := exportedSurface(t)
	const golden = "testdata/exported.txt"
	if *updateExported {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for _, l := range gotLines {
			if !slices.Contains(wantLines, l) {
				t.Errorf("new: %s", l)
			}
		}
		for _, l := range wantLines {
			if !slices.Contains(gotLines, l) {
				t.Errorf("gone: %s", l)
			}
		}
		t.Errorf("the exported surface differs from %s (go test -run TestExportedSurface -update-exported rewrites it)", golden)
	}
}

// exportedSurface lists every exported declaration of the package's non-test files, one a
// line, sorted: functions and methods with their signatures, types with their exported
// fields, constants and variables by name.
func exportedSurface(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	src := func(n ast.Node) string {
		var b bytes.Buffer
		if err := format.Node(&b, fset, n); err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	var lines []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() || d.Recv != nil && !ast.IsExported(receiverType(d.Recv)) {
					continue
				}
				var recv *ast.FieldList // the receiver's type only: its name is no part of the API
				if d.Recv != nil {
					recv = &ast.FieldList{List: []*ast.Field{{Type: d.Recv.List[0].Type}}}
				}
				lines = append(lines, src(&ast.FuncDecl{Recv: recv, Name: d.Name, Type: d.Type}))
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							lines = append(lines, typeLines(s, src)...)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								lines = append(lines, d.Tok.String()+" "+n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// typeLines is "type T ..." for a type, and "field T.F type" for each exported field of a
// struct.
func typeLines(s *ast.TypeSpec, src func(ast.Node) string) []string {
	st, ok := s.Type.(*ast.StructType)
	if !ok {
		eq := " "
		if s.Assign.IsValid() {
			eq = " = "
		}
		return []string{"type " + s.Name.Name + eq + src(s.Type)}
	}
	lines := []string{"type " + s.Name.Name + " struct"}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.IsExported() {
				lines = append(lines, "field "+s.Name.Name+"."+n.Name+" "+src(f.Type))
			}
		}
		if len(f.Names) == 0 { // embedded
			if name := src(f.Type); ast.IsExported(strings.TrimLeft(name, "*")) {
				lines = append(lines, "field "+s.Name.Name+" embeds "+name)
			}
		}
	}
	return lines
}

// receiverType is the name of a method's receiver type, without a pointer.
func receiverType(recv *ast.FieldList) string {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
