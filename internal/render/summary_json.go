package render

import (
	"bufio"
	"io"
	"time"
)

// The summary as a JSON object: the same figures as Summary's text, in seconds, with every
// failed job rather than the first maxFailed.
type (
	summaryJSON struct {
		Owner       string          `json:"owner"`
		Repo        string          `json:"repo"`
		RunID       int64           `json:"run_id"`
		Attempt     int64           `json:"attempt"`
		Jobs        int             `json:"jobs"`
		Outcomes    map[string]int  `json:"outcomes"`
		StartedAt   *time.Time      `json:"started_at"`
		EndedAt     *time.Time      `json:"ended_at"`
		WallTime    float64         `json:"wall_time_seconds"`
		Ongoing     int             `json:"ongoing"`
		QueueTime   *spreadJSON     `json:"queue_time"`
		Waiting     waitingJSON     `json:"waiting"`
		Duration    *spreadJSON     `json:"duration"`
		Clamped     clampedJSON     `json:"clamped"`
		SlowestJobs []slowJobJSON   `json:"slowest_jobs"`
		SlowSteps   []slowStepJSON  `json:"slowest_steps"`
		Failed      []failedJobJSON `json:"failed"`
	}
	spreadJSON struct {
		Jobs   int     `json:"jobs"`
		Median float64 `json:"median_seconds"`
		P95    float64 `json:"p95_seconds"`
		Max    float64 `json:"max_seconds"`
	}
	waitingJSON struct {
		Jobs    int     `json:"jobs"`
		Longest float64 `json:"longest_seconds"`
	}
	clampedJSON struct {
		Jobs  int `json:"jobs"`
		Steps int `json:"steps"`
	}
	slowJobJSON struct {
		ID       int64   `json:"id"`
		Name     string  `json:"name"`
		Duration float64 `json:"duration_seconds"`
		Running  bool    `json:"running"`
	}
	slowStepJSON struct {
		JobID    int64   `json:"job_id"`
		Job      string  `json:"job"`
		Number   int     `json:"number"`
		Name     string  `json:"name"`
		Duration float64 `json:"duration_seconds"`
	}
	failedJobJSON struct {
		ID         int64     `json:"id"`
		Name       string    `json:"name"`
		Conclusion string    `json:"conclusion"`
		Step       *stepJSON `json:"failed_step"` // null when GitHub reports none
	}
	stepJSON struct {
		Number int    `json:"number"`
		Name   string `json:"name"`
	}
)

// SummaryJSON prints the summary's figures as one JSON object (see summaryJSON), for
// programs: durations in seconds, a spread null when no job has one.
func SummaryJSON(w io.Writer, at *Timed) error {
	f := summarize(at)
	a := at.Attempt
	s := summaryJSON{
		Owner: a.Owner, Repo: a.Repo, RunID: a.RunID, Attempt: a.Number, Jobs: len(at.Jobs),
		Outcomes: map[string]int{}, Ongoing: f.ongoing,
		QueueTime: f.queue.json(), Duration: f.duration.json(),
		Waiting:     waitingJSON{f.waiting, f.longestWait.Seconds()},
		Clamped:     clampedJSON{f.clampedJobs, f.clampedSteps},
		SlowestJobs: []slowJobJSON{}, SlowSteps: []slowStepJSON{}, Failed: []failedJobJSON{},
	}
	for _, c := range f.outcomes {
		s.Outcomes[c.outcome] = c.n
	}
	if len(at.Jobs) > 0 {
		start, end := at.Start.UTC(), at.End.UTC()
		s.StartedAt, s.EndedAt, s.WallTime = &start, &end, end.Sub(start).Seconds()
	}
	for _, t := range f.slowJobs {
		s.SlowestJobs = append(s.SlowestJobs, slowJobJSON{t.Job.ID, t.Job.Name, t.Duration.Seconds(), t.Phase == Running})
	}
	for _, st := range f.slowSteps {
		s.SlowSteps = append(s.SlowSteps, slowStepJSON{st.t.Job.ID, st.t.Job.Name, st.s.Number, st.s.Name, st.d.Seconds()})
	}
	for _, t := range f.failed {
		fj := failedJobJSON{ID: t.Job.ID, Name: t.Job.Name, Conclusion: Outcome(t.Job)}
		if st := t.FailedStep; st != nil {
			fj.Step = &stepJSON{st.Number, st.Name}
		}
		s.Failed = append(s.Failed, fj)
	}
	bw := bufio.NewWriter(w)
	enc := NewEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	return bw.Flush()
}

// json is the spread for SummaryJSON, nil for none.
func (s spread) json() *spreadJSON {
	if s.N == 0 {
		return nil
	}
	return &spreadJSON{s.N, s.Median.Seconds(), s.P95.Seconds(), s.Max.Seconds()}
}
