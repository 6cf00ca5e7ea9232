package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ghjobs/ghjobs/generated"
)

// mermaidJobTask is a job's task line in a gantt chart: its id is j and the job's number.
var mermaidJobTask = regexp.MustCompile(`(?m)^    [^\n]* :(?:(?:done|active|crit|milestone), )?j(\d+), `)

// ansiCodes are the colours the table puts in the status column.
var ansiCodes = regexp.MustCompile("\x1b\\[\\d+m")

// countJobs counts the jobs in out, printed in format, each in its own way.
func countJobs(t *testing.T, format string, steps bool, out string) int {
	t.Helper()
	switch format {
	case "table":
		n := 0
		for line := range strings.Lines(out) {
			if !strings.HasPrefix(line, " ") {
				n++
			}
		}
		return n - 1 // the header
	case "json":
		var page generated.JobsPage
		if err := json.Unmarshal([]byte(out), &page); err != nil || page.TotalCount != len(page.Jobs) {
			t.Errorf("json: %v, total_count %d", err, page.TotalCount)
		}
		return distinctIDs(page.Jobs)
	case "jsonl":
		var jobs []generated.Job
		for line := range strings.Lines(out) {
			var j generated.Job
			if err := json.Unmarshal([]byte(line), &j); err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, j)
		}
		return distinctIDs(jobs)
	case "csv":
		ids := map[string]bool{}
		records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for i, rec := range records {
			if i > 0 {
				ids[rec[0]] = true
			}
		}
		return len(ids)
	case "mermaid": // its structure is internal/render's to test: here, its job tasks j1, j2, …
		ids := mermaidJobTask.FindAllStringSubmatch(out, -1)
		for i, m := range ids {
			if m[1] != strconv.Itoa(i+1) {
				t.Errorf("mermaid: job task %d is j%s", i+1, m[1])
				break
			}
		}
		return len(ids)
	case "svg":
		return strings.Count(out, `<g class="job">`)
	case "summary":
		var n int
		fmt.Sscanf(out[strings.Index(out, "jobs "):], "jobs %d:", &n)
		return n
	}
	t.Fatalf("format %q", format)
	return 0
}

func distinctIDs(jobs []generated.Job) int {
	ids := map[int64]bool{}
	for _, j := range jobs {
		ids[j.ID] = true
	}
	return len(ids)
}
