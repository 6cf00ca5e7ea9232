package render

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ghjobs/ghjobs/wrapper"
)

// slowest is how many jobs and steps the summary lists as the slowest; maxFailed how many
// failed jobs it names (an attempt of thousands can fail thousands of times).
const (
	slowest   = 5
	maxFailed = 20
)

// spread is the median, 95th percentile and maximum of some durations.
type spread struct {
	N                int
	Median, P95, Max time.Duration
}

// spreadOf sorts ds and takes percentiles by nearest rank: the p-th percentile is the
// smallest value that at least p% of the values do not exceed, always one of the values.
func spreadOf(ds []time.Duration) spread {
	if len(ds) == 0 {
		return spread{}
	}
	slices.Sort(ds)
	rank := func(p int) time.Duration { return ds[(p*len(ds)+99)/100-1] }
	return spread{N: len(ds), Median: rank(50), P95: rank(95), Max: ds[len(ds)-1]}
}

func (s spread) String() string {
	return fmt.Sprintf("median %s, p95 %s, max %s", Human(s.Median), Human(s.P95), Human(s.Max))
}

// outcomeOrder lists job outcomes in the order the summary counts them; others follow,
// sorted.
var outcomeOrder = []string{
	"success", "failure", "timed_out", "cancelled", "skipped", "neutral", "action_required",
	"in_progress", "queued", "waiting", "pending", "requested",
}

// writeSummary prints the figures people otherwise work out by hand: jobs by conclusion, the
// attempt's wall time, queue time and duration (median, p95, max), the slowest jobs and
// steps, and every failed step. Jobs still waiting or running are counted as such, with
// their times so far; clamped timestamps are counted, not hidden.
func Summary(w io.Writer, at *Timed) error {
	var (
		counts          = map[string]int{}
		queue, duration []time.Duration
		ongoing         int
		longestWait     time.Duration
		waitingJobs     int
		clampedJobs     int
		clampedSteps    int
	)
	type stepRef struct {
		t *timing
		s *wrapper.JobStep
		d time.Duration
	}
	var steps []stepRef
	for i := range at.Jobs {
		t := &at.Jobs[i]
		counts[Outcome(t.Job)]++
		if t.Clamped {
			clampedJobs++
		}
		switch {
		case t.Phase == Waiting:
			waitingJobs++
			longestWait = max(longestWait, t.Queued)
		case t.Ran:
			queue = append(queue, t.Queued)
			if t.Phase == Done {
				duration = append(duration, t.Duration)
			}
		}
		if t.Phase != Done {
			ongoing++
		}
		for k := range t.Job.Steps {
			s := &t.Job.Steps[k]
			if stepClamped(s) {
				clampedSteps++
			}
			if start, end, ok := stepSpan(s, at.Now); ok && s.Status == wrapper.JobStepStatusCompleted {
				steps = append(steps, stepRef{t, s, end.Sub(start)})
			}
		}
	}

	bw := bufio.NewWriter(w)
	a := at.Attempt
	fmt.Fprintf(bw, "%s/%s run %d attempt %d\n\n", a.Owner, a.Repo, a.RunID, a.Number)
	line := func(key, format string, args ...any) {
		fmt.Fprintf(bw, "%-12s  %s\n", key, fmt.Sprintf(format, args...))
	}

	var byOutcome []string
	for _, o := range outcomeOrder {
		if counts[o] > 0 {
			byOutcome = append(byOutcome, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	for _, o := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(outcomeOrder, o) {
			byOutcome = append(byOutcome, fmt.Sprintf("%d %s", counts[o], Printable(o)))
		}
	}
	if len(at.Jobs) == 0 {
		line("jobs", "none")
	} else {
		line("jobs", "%d: %s", len(at.Jobs), strings.Join(byOutcome, ", "))
		wall := fmt.Sprintf("%s, %s → %s UTC", Human(at.End.Sub(at.Start)), at.Start.UTC().Format("2006-01-02 15:04:05"), clock(at.End, at.Start))
		if ongoing > 0 {
			wall += fmt.Sprintf(", so far: %d %s still waiting or running", ongoing, plural(ongoing, "job", "jobs"))
		}
		line("wall time", "%s", wall)
	}
	if s := spreadOf(queue); s.N > 0 {
		line("queue time", "%s  (%d %s that got a runner)", s, s.N, plural(s.N, "job", "jobs"))
	}
	if waitingJobs > 0 {
		line("waiting", "%d %s without a runner so far, the longest for %s", waitingJobs, plural(waitingJobs, "job", "jobs"), Human(longestWait))
	}
	if s := spreadOf(duration); s.N > 0 {
		line("duration", "%s  (%d finished %s that ran)", s, s.N, plural(s.N, "job", "jobs"))
	}
	if clampedJobs+clampedSteps > 0 {
		line("clamped", "%d %s and %d %s with timestamps out of order, counted as 0s", clampedJobs, plural(clampedJobs, "job", "jobs"), clampedSteps, plural(clampedSteps, "step", "steps"))
	}

	var ran []*timing
	for i := range at.Jobs {
		if at.Jobs[i].Ran {
			ran = append(ran, &at.Jobs[i])
		}
	}
	// Stable sorts keep the API's order among equals, so the output is deterministic.
	slices.SortStableFunc(ran, func(a, b *timing) int { return cmp.Compare(b.Duration, a.Duration) })
	if len(ran) > 0 {
		rows := [][]string{}
		for _, t := range ran[:min(slowest, len(ran))] {
			d := Human(t.Duration)
			if t.Phase == Running {
				d += "…"
			}
			rows = append(rows, []string{"  " + d, t.Job.Name})
		}
		fmt.Fprintf(bw, "\nslowest jobs\n")
		writeRows(bw, rows)
	}
	slices.SortStableFunc(steps, func(a, b stepRef) int { return cmp.Compare(b.d, a.d) })
	if len(steps) > 0 {
		rows := [][]string{}
		for _, s := range steps[:min(slowest, len(steps))] {
			rows = append(rows, []string{"  " + Human(s.d), stepLabel(s.s), "in " + s.t.Job.Name})
		}
		fmt.Fprintf(bw, "\nslowest steps\n")
		writeRows(bw, rows)
	}

	var failed [][]string
	for i := range at.Jobs {
		t := &at.Jobs[i]
		switch {
		case t.FailedStep != nil:
			failed = append(failed, []string{"  " + t.Job.Name, stepLabel(t.FailedStep)})
		case jobClass(t) == classFailure:
			failed = append(failed, []string{"  " + t.Job.Name, "(" + Outcome(t.Job) + ", no failed step reported)"})
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(bw, "\nfailed steps\n")
		writeRows(bw, failed[:min(len(failed), maxFailed)])
		if n := len(failed) - maxFailed; n > 0 {
			fmt.Fprintf(bw, "  … and %d more failed %s\n", n, plural(n, "job", "jobs"))
		}
	}
	return bw.Flush()
}

// writeRows aligns rows in columns, without colour.
func writeRows(w io.Writer, rows [][]string) { _ = writeColumns(w, rows, -1, nil, nil) }

// clock is t's time of day in UTC, with the date when it is not start's date.
func clock(t, start time.Time) string {
	t, start = t.UTC(), start.UTC()
	if t.YearDay() != start.YearDay() || t.Year() != start.Year() {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("15:04:05")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Tally is "8 success, 1 failure" in the summary's order.
func Tally(jobs []wrapper.Job) string {
	counts := map[string]int{}
	for i := range jobs {
		counts[Outcome(&jobs[i])]++
	}
	var parts []string
	for _, o := range outcomeOrder {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
			delete(counts, o)
		}
	}
	for _, o := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[o], Printable(o)))
	}
	return strings.Join(parts, ", ")
}
