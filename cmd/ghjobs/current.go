package main

import (
	"fmt"
	"strings"

	"github.com/ghjobs/ghjobs/internal/render"
	"github.com/ghjobs/ghjobs/wrapper"
)

// currentJob finds the job a step runs in: the one in-progress job on the runner named
// runner (RUNNER_NAME in the job's environment). A runner runs one job at a time, so two
// matches mean the names are not what they seem, which is an error rather than a guess.
func currentJob(jobs []wrapper.Job, runner string) (int64, error) {
	var ids []string
	var id int64
	for i := range jobs {
		j := &jobs[i]
		if j.Status == wrapper.JobStatusInProgress && j.RunnerName != nil && *j.RunnerName == runner {
			id = j.ID
			ids = append(ids, fmt.Sprint(j.ID))
		}
	}
	switch len(ids) {
	case 0:
		return 0, commandErr("no in-progress job of this attempt runs on runner %q", render.Printable(runner))
	case 1:
		return id, nil
	}
	return 0, commandErr("%d in-progress jobs run on runner %q (ids %s); cannot tell which is this one",
		len(ids), render.Printable(runner), strings.Join(ids, ", "))
}
