package render

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

var (
	csvJobHeader = []string{
		"job_id", "job_name", "status", "conclusion", "created_at", "started_at", "completed_at",
		"queued_seconds", "duration_seconds", "timestamps_clamped", "runner_name", "runner_group_name",
		"labels", "html_url", "failed_step",
	}
	csvStepHeader = []string{
		"step_number", "step_name", "step_status", "step_conclusion", "step_started_at",
		"step_completed_at", "step_duration_seconds",
	}
)

// writeCSV prints one row per job or, with steps, one per step (a job without steps still
// gets one row, with empty step columns). Durations are in seconds and only where the
// timestamps fix them: empty while a job waits or runs. Out-of-order timestamps count as 0
// and set timestamps_clamped.
func CSV(w io.Writer, at *Timed, steps bool) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	header := csvJobHeader
	if steps {
		header = append(header[:len(header):len(header)], csvStepHeader...)
	}
	cw.Write(header)
	for i := range at.Jobs {
		t := &at.Jobs[i]
		j := t.Job
		queued, duration := "", ""
		if t.Phase != Waiting {
			queued = seconds(t.Queued)
		}
		if t.Phase == Done && t.Ran {
			duration = seconds(t.Duration)
		}
		failed := ""
		if s := t.FailedStep; s != nil {
			failed = stepLabel(s)
		}
		conclusion := ""
		if j.Conclusion != nil {
			conclusion = string(*j.Conclusion)
		}
		row := []string{
			strconv.FormatInt(j.ID, 10), j.Name, string(j.Status), conclusion,
			timestamp(&j.CreatedAt), timestamp(&j.StartedAt), timestamp(j.CompletedAt),
			queued, duration, strconv.FormatBool(t.Clamped), deref(j.RunnerName), deref(j.RunnerGroupName),
			strings.Join(j.Labels, " "), deref(j.HTMLURL), failed,
		}
		if !steps {
			cw.Write(row)
			continue
		}
		if len(j.Steps) == 0 {
			cw.Write(append(row, make([]string, len(csvStepHeader))...))
			continue
		}
		for k := range j.Steps {
			s := &j.Steps[k]
			d := ""
			if start, end, ok := stepSpan(s, at.Now); ok && s.Status == wrapper.JobStepStatusCompleted {
				d = seconds(end.Sub(start))
			}
			cw.Write(append(row[:len(row):len(row)],
				strconv.Itoa(s.Number), s.Name, string(s.Status), deref(s.Conclusion),
				timestamp(s.StartedAt), timestamp(s.CompletedAt), d))
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

// timestamp formats t as the JSON does (RFC 3339, as GitHub sends it); "" for nil.
func timestamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func deref[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
