package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

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

// TestStepTimes: step times carry GitHub's milliseconds, job times none, as in the recorded
// workflow_job payloads; the zone is kept, finer fractions are cut, and they decode back.
func TestStepTimes(t *testing.T) {
	utc := time.Date(2026, 11, 2, 9, 0, 35, 0, time.UTC)
	pst := time.Date(2020, 1, 20, 9, 42, 40, 0, time.FixedZone("PST", -8*3600))
	fine := utc.Add(123456789 * time.Nanosecond)
	j := generated.Job{ID: 1, CreatedAt: utc, StartedAt: utc, Steps: []generated.JobStep{
		{Name: "a", Number: 1, StartedAt: &utc, CompletedAt: &fine},
		{Name: "b", Number: 2, StartedAt: &pst},
	}}
	b, err := json.Marshal(ToGitHub(&j))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"created_at":"2026-11-02T09:00:35Z","started_at":"2026-11-02T09:00:35Z"`,
		`"started_at":"2026-11-02T09:00:35.000Z","completed_at":"2026-11-02T09:00:35.123Z"`,
		`"started_at":"2020-01-20T09:42:40.000-08:00","completed_at":null`, // GitHub's own example
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s\nlacks %s", b, want)
		}
	}
	var back generated.Job
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if s := back.Steps; !s[0].StartedAt.Equal(utc) || !s[0].CompletedAt.Equal(fine.Truncate(time.Millisecond)) || !s[1].StartedAt.Equal(pst) {
		t.Errorf("decoded steps %+v", s)
	}
}
