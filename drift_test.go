package ghjobs_test

// Drift tests: the embedded spec, the generated code, the wrapper and the api fake agree, so
// that re-vendoring openapi.yaml cannot leave one of them behind unnoticed.

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ghjobs/ghjobs"
	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/generated"
	"github.com/ghjobs/ghjobs/wrapper"
)

const jobsPath = "/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs"

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(ghjobs.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The schemas of the 200 body, a job and a step.
func pageSchemas(t *testing.T, doc *openapi3.T) (page, job, step *openapi3.Schema) {
	t.Helper()
	item := doc.Paths.Find(jobsPath)
	if item == nil || item.Get == nil {
		t.Fatalf("openapi.yaml has no GET %s", jobsPath)
	}
	page = item.Get.Responses.Status(http.StatusOK).Value.Content.Get("application/json").Schema.Value
	job = page.Properties["jobs"].Value.Items.Value
	if job != doc.Components.Schemas["job"].Value {
		t.Fatal("the 200 body's jobs are not components.schemas.job")
	}
	return page, job, job.Properties["steps"].Value.Items.Value
}

// Every property of the page, job and step schemas is a field of the generated type, with
// the json tag, Go type and optionality the schema gives it, and the type has no other
// fields.
func TestDriftSpecAndGeneratedTypes(t *testing.T) {
	page, job, step := pageSchemas(t, loadSpec(t))
	for _, tc := range []struct {
		name   string
		schema *openapi3.Schema
		typ    reflect.Type
	}{
		{"the 200 body", page, reflect.TypeFor[generated.JobsPage]()},
		{"components.schemas.job", job, reflect.TypeFor[generated.Job]()},
		{"a job's step", step, reflect.TypeFor[generated.JobStep]()},
	} {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			fields := map[string]reflect.StructField{}
			for f := range tc.typ.Fields() {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if _, ok := tc.schema.Properties[name]; !ok {
					t.Errorf("%s.%s (json %q) is not a property of %s", tc.typ.Name(), f.Name, name, tc.name)
				}
				fields[name] = f
			}
			for name, ref := range tc.schema.Properties {
				f, ok := fields[name]
				if !ok {
					t.Errorf("%s property %q has no field in %s: run go generate ./...", tc.name, name, tc.typ)
					continue
				}
				checkField(t, tc.typ, f, ref.Value, slices.Contains(tc.schema.Required, name))
			}
		})
	}
}

// checkField compares a generated field with its property, as oapi-codegen maps them: a
// pointer for a nullable or optional property (unless x-go-type-skip-optional-pointer),
// omitempty for an optional one, and the Go type of the property's type and format.
func checkField(t *testing.T, owner reflect.Type, f reflect.StructField, p *openapi3.Schema, required bool) {
	t.Helper()
	where := owner.Name() + "." + f.Name
	_, skipPointer := p.Extensions["x-go-type-skip-optional-pointer"]
	wantPointer := (p.Nullable || !required) && !skipPointer
	typ := f.Type
	if isPointer := typ.Kind() == reflect.Pointer; isPointer != wantPointer {
		t.Errorf("%s is %s; the property is nullable %t, required %t: want a pointer %t", where, typ, p.Nullable, required, wantPointer)
	} else if isPointer {
		typ = typ.Elem()
	}
	if omit := strings.HasSuffix(f.Tag.Get("json"), ",omitempty"); omit == required {
		t.Errorf("%s has json tag %q; the property is required %t", where, f.Tag.Get("json"), required)
	}
	var want reflect.Kind
	switch {
	case p.Type.Is("integer") && p.Format == "int64":
		want = reflect.Int64
	case p.Type.Is("integer"):
		want = reflect.Int
	case p.Type.Is("string") && p.Format == "date-time":
		if typ != reflect.TypeFor[time.Time]() {
			t.Errorf("%s is %s; a date-time is a time.Time", where, typ)
		}
		return
	case p.Type.Is("string"):
		want = reflect.String
	case p.Type.Is("boolean"):
		want = reflect.Bool
	case p.Type.Is("array"):
		want = reflect.Slice
	case p.Type.Is("object"):
		want = reflect.Struct
	default:
		t.Errorf("%s: property type %v has no check here", where, p.Type)
		return
	}
	if typ.Kind() != want {
		t.Errorf("%s is %s; the property (type %v, format %q) wants a %s", where, typ, p.Type.Slice(), p.Format, want)
	}
}

// The fake emits every property of the job and step schemas, in some job or step of a sample
// run, every required one in all of them, and nothing else. (Its responses are validated
// against the spec, but additional properties would pass that.)
func TestDriftSpecAndFake(t *testing.T) {
	_, job, step := pageSchemas(t, loadSpec(t))
	run := api.SampleRun("octo-org", "octo-repo", 1<<33+1, 2, 100)
	srv := api.NewTestServer(t, api.WithRun(run))
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet,
		srv.URL+"/repos/octo-org/octo-repo/actions/runs/8589934593/attempts/2/jobs?per_page=100", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", wrapper.APIVersion)
	req.Header.Set("User-Agent", "ghjobs-drift-test")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s", resp.Status)
	}
	var body struct {
		Jobs []map[string]json.RawMessage `json:"jobs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Jobs) != 100 {
		t.Fatalf("%d jobs, want 100", len(body.Jobs))
	}
	var steps []map[string]json.RawMessage
	for _, j := range body.Jobs {
		var s []map[string]json.RawMessage
		if raw, ok := j["steps"]; ok {
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
		}
		steps = append(steps, s...)
	}
	checkEmitted(t, "job", job, body.Jobs)
	checkEmitted(t, "step", step, steps)
}

func checkEmitted(t *testing.T, what string, schema *openapi3.Schema, objects []map[string]json.RawMessage) {
	t.Helper()
	seen := map[string]int{}
	for _, o := range objects {
		for k := range o {
			seen[k]++
			if _, ok := schema.Properties[k]; !ok {
				t.Errorf("the fake emits %s key %q, which is not in the spec", what, k)
			}
		}
	}
	for name := range schema.Properties {
		if seen[name] == 0 {
			t.Errorf("the fake never emits %s property %q", what, name)
		}
	}
	for _, name := range schema.Required {
		if seen[name] != len(objects) {
			t.Errorf("the fake emits required %s property %q in %d of %d", what, name, seen[name], len(objects))
		}
	}
}

// The wrapper asks for the API version that the spec was vendored for.
func TestDriftSpecAndAPIVersion(t *testing.T) {
	v, _ := loadSpec(t).Info.Extensions["x-github-api-version"].(string)
	if v == "" {
		t.Fatal("openapi.yaml has no info.x-github-api-version")
	}
	if wrapper.APIVersion != v {
		t.Errorf("wrapper.APIVersion is %q, openapi.yaml's info.x-github-api-version %q: run go generate ./...", wrapper.APIVersion, v)
	}
}
