package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/generated"
)

// TestGitHubJobHasEveryField: GitHubJob must carry every field the spec gives a job, or
// output written through it would silently drop one after a spec update.
func TestGitHubJobHasEveryField(t *testing.T) {
	for _, pair := range [][2]any{{generated.Job{}, GitHubJob{}}, {generated.JobStep{}, GitHubStep{}}} {
		if got, want := jsonNames(pair[1]), jsonNames(pair[0]); !reflect.DeepEqual(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
			t.Errorf("%T has fields %v, %T has %v", pair[1], got, pair[0], want)
		}
	}
}

func jsonNames(v any) []string {
	var names []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

// TestToGitHubRoundTrips: what ToGitHub writes decodes to the job it came from, and keeps
// GitHub's nulls and arrays.
func TestToGitHubRoundTrips(t *testing.T) {
	for _, j := range SampleRun("o", "r", 1, 1, 40).Jobs {
		j.Labels = nil
		b, err := json.Marshal(ToGitHub(&j))
		if err != nil {
			t.Fatal(err)
		}
		var back generated.Job
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back.ID != j.ID || len(back.Steps) != len(j.Steps) || back.Labels == nil {
			t.Fatalf("%s decodes to %+v", b, back)
		}
		if !strings.HasPrefix(string(b), `{"id":`) || !strings.Contains(string(b), `"labels":[]`) || !strings.Contains(string(b), `"conclusion":`) {
			t.Errorf("not GitHub's shape: %s", b)
		}
	}
}

// TestToGitHubPage: a page is total_count then jobs, an empty one "jobs":[].
func TestToGitHubPage(t *testing.T) {
	for _, tt := range []struct {
		jobs []generated.Job
		want string
	}{
		{nil, `{"total_count":7,"jobs":[]}`},
		{SampleRun("o", "r", 1, 1, 1).Jobs, `{"total_count":7,"jobs":[{"id":`},
	} {
		b, err := json.Marshal(ToGitHubPage(7, tt.jobs))
		if err != nil || !strings.HasPrefix(string(b), tt.want) {
			t.Errorf("ToGitHubPage: %s, %v; want it to start %s", b, err, tt.want)
		}
	}
}
