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

// figures are what the summary says of an attempt, worked out once for its text and its
// JSON.
type figures struct {
	at              *Timed
	width           int            // the lists' width, 0 for no limit (Summary)
	outcomes        []outcomeCount // jobs by outcome, in outcomeOrder, then the others sorted
	queue, duration spread         // of the jobs that got a runner, and of those that finished
	ongoing         int            // jobs not completed
	waiting         int            // jobs without a runner so far
	longestWait     time.Duration
	clampedJobs     int
	clampedSteps    int
	slowJobs        []*JobTime // the slowest that ran, slowest first
	slowSteps       []stepTime // the slowest completed steps, slowest first
	failed          []*JobTime // jobs with a failed step, or that failed without one
}

// stepTime is a completed step and how long it took.
type stepTime struct {
	t *JobTime
	s *wrapper.JobStep
	d time.Duration
}

// summarize works out the figures. Jobs still waiting or running count as such, with their
// times so far; clamped timestamps are counted, not hidden. Stable sorts keep the API's
// order among equals, so the output is deterministic.
func summarize(at *Timed) *figures {
	f := &figures{at: at}
	var queue, duration []time.Duration
	var ran []*JobTime
	jobs := make([]*wrapper.Job, len(at.Jobs))
	for i := range at.Jobs {
		t := &at.Jobs[i]
		jobs[i] = t.Job
		if t.Clamped {
			f.clampedJobs++
		}
		switch {
		case t.Phase == Waiting:
			f.waiting++
			f.longestWait = max(f.longestWait, t.Queued)
		case t.Ran:
			queue = append(queue, t.Queued)
			if t.Phase == Done {
				duration = append(duration, t.Duration)
			}
		}
		if t.Phase != Done {
			f.ongoing++
		}
		if t.Ran {
			ran = append(ran, t)
		}
		if t.FailedStep != nil || jobClass(t) == classFailure {
			f.failed = append(f.failed, t)
		}
		for k := range t.Job.Steps {
			s := &t.Job.Steps[k]
			if stepClamped(s) {
				f.clampedSteps++
			}
			if start, end, ok := stepSpan(s, at.Now); ok && s.Status == wrapper.JobStepStatusCompleted {
				f.slowSteps = append(f.slowSteps, stepTime{t, s, end.Sub(start)})
			}
		}
	}
	f.outcomes = countOutcomes(jobs)
	f.queue, f.duration = spreadOf(queue), spreadOf(duration)
	slices.SortStableFunc(ran, func(a, b *JobTime) int { return cmp.Compare(b.Duration, a.Duration) })
	f.slowJobs = ran[:min(slowest, len(ran))]
	slices.SortStableFunc(f.slowSteps, func(a, b stepTime) int { return cmp.Compare(b.d, a.d) })
	f.slowSteps = f.slowSteps[:min(slowest, len(f.slowSteps))]
	return f
}

// outcomeCount is how many jobs have one outcome.
type outcomeCount struct {
	outcome string
	n       int
}

// countOutcomes counts jobs by outcome: those of outcomeOrder in its order, then any others
// (a conclusion GitHub adds later) sorted.
func countOutcomes(jobs []*wrapper.Job) []outcomeCount {
	counts := map[string]int{}
	for _, j := range jobs {
		counts[Outcome(j)]++
	}
	var out []outcomeCount
	for _, o := range outcomeOrder {
		if counts[o] > 0 {
			out = append(out, outcomeCount{o, counts[o]})
			delete(counts, o)
		}
	}
	for _, o := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, outcomeCount{o, counts[o]})
	}
	return out
}

// tallyText is "208 success, 15 failure".
func tallyText(counts []outcomeCount) string {
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%d %s", c.n, Printable(c.outcome))
	}
	return strings.Join(parts, ", ")
}

// Tally is the jobs' outcomes counted, as the summary counts them: "8 success, 1 failure".
func Tally(jobs []wrapper.Job) string {
	ptrs := make([]*wrapper.Job, len(jobs))
	for i := range jobs {
		ptrs[i] = &jobs[i]
	}
	return tallyText(countOutcomes(ptrs))
}

// Summary prints the figures people otherwise work out by hand: jobs by conclusion, the
// attempt's wall time, queue time and duration (median, p95, max), the slowest jobs and
// steps, and the failed steps (the first maxFailed). Lists of jobs and steps fit width (a
// terminal's; 0 for no limit): step names are cut at their end, then job names in the middle.
func Summary(w io.Writer, at *Timed, width int) error {
	f := summarize(at)
	f.width = width
	bw := bufio.NewWriter(w)
	a := at.Attempt
	for _, l := range wrapWords(fmt.Sprintf("%s/%s run %d attempt %d", a.Owner, a.Repo, a.RunID, a.Number), width) {
		fmt.Fprintln(bw, l)
	}
	fmt.Fprintln(bw)
	f.writeFigures(bw)
	f.writeSlowest(bw)
	f.writeFailed(bw)
	return bw.Flush()
}

// writeFigures prints the lines of figures: jobs, wall time, queue time, waiting, duration,
// clamped.
func (f *figures) writeFigures(w io.Writer) {
	line := func(key, format string, args ...any) {
		for i, l := range wrapWords(fmt.Sprintf(format, args...), f.width-14) {
			if i > 0 {
				key = ""
			}
			fmt.Fprintf(w, "%-12s  %s\n", key, l)
		}
	}
	at := f.at
	if len(at.Jobs) == 0 {
		line("jobs", "none")
	} else {
		line("jobs", "%d: %s", len(at.Jobs), tallyText(f.outcomes))
		wall := fmt.Sprintf("%s, %s → %s UTC", Human(at.End.Sub(at.Start)), at.Start.UTC().Format("2006-01-02 15:04:05"), clock(at.End, at.Start))
		if f.ongoing > 0 {
			wall += fmt.Sprintf(", so far: %d %s still waiting or running", f.ongoing, Plural(f.ongoing, "job", "jobs"))
		}
		line("wall time", "%s", wall)
	}
	if s := f.queue; s.N > 0 {
		line("queue time", "%s  (%d %s that got a runner)", s, s.N, Plural(s.N, "job", "jobs"))
	}
	if f.waiting > 0 {
		line("waiting", "%d %s without a runner so far, the longest for %s", f.waiting, Plural(f.waiting, "job", "jobs"), Human(f.longestWait))
	}
	if s := f.duration; s.N > 0 {
		line("duration", "%s  (%d finished %s that ran)", s, s.N, Plural(s.N, "job", "jobs"))
	}
	if f.clampedJobs+f.clampedSteps > 0 {
		line("clamped", "%d %s and %d %s with timestamps out of order, counted as 0s",
			f.clampedJobs, Plural(f.clampedJobs, "job", "jobs"), f.clampedSteps, Plural(f.clampedSteps, "step", "steps"))
	}
}

// writeSlowest prints the slowest jobs and steps.
func (f *figures) writeSlowest(w io.Writer) {
	if len(f.slowJobs) > 0 {
		var rows [][]string
		for _, t := range f.slowJobs {
			d := Human(t.Duration)
			if t.Phase == Running {
				d += "…"
			}
			rows = append(rows, []string{"  " + d, t.Job.Name})
		}
		fmt.Fprintf(w, "\nslowest jobs\n")
		fitRows(rows, f.width, -1, 1)
		writeRows(w, rows)
	}
	if len(f.slowSteps) > 0 {
		var rows [][]string
		for _, s := range f.slowSteps {
			rows = append(rows, []string{"  " + Human(s.d), stepLabel(s.s), "in " + s.t.Job.Name})
		}
		fmt.Fprintf(w, "\nslowest steps\n")
		fitRows(rows, f.width, 1, 2)
		writeRows(w, rows)
	}
}

// writeFailed prints the failed steps, and the failed jobs that report none.
func (f *figures) writeFailed(w io.Writer) {
	if len(f.failed) == 0 {
		return
	}
	var rows [][]string
	for _, t := range f.failed[:min(len(f.failed), maxFailed)] {
		step := "(" + Outcome(t.Job) + ", no failed step reported)"
		if t.FailedStep != nil {
			step = stepLabel(t.FailedStep)
		}
		rows = append(rows, []string{"  " + t.Job.Name, step})
	}
	fmt.Fprintf(w, "\nfailed steps\n")
	fitRows(rows, f.width, 1, 0)
	writeRows(w, rows)
	if n := len(f.failed) - maxFailed; n > 0 {
		fmt.Fprintf(w, "  … and %d more failed %s\n", n, Plural(n, "job", "jobs"))
	}
}

// wrapWords breaks text into lines of at most width columns at its spaces (a word wider
// than width has a line of its own); width 0 or less is no limit.
func wrapWords(text string, width int) []string {
	if width <= 0 || DisplayWidth(text) <= width {
		return []string{text}
	}
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && DisplayWidth(cur.String())+1+DisplayWidth(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	return append(lines, cur.String())
}

// minStep is the least a step's name is cut to before job names are cut too.
const minStep = 16

// fitRows cuts the cells of rows so that no line writeRows writes is wider than width (0: no
// limit): first the step names of column stepCol (-1: none) at their end, down to minStep,
// then the job names of column nameCol in the middle, keeping the start and the end by which
// matrix jobs differ.
func fitRows(rows [][]string, width, stepCol, nameCol int) {
	if width <= 0 || len(rows) == 0 {
		return
	}
	widths := columnWidths(rows)
	over := -width
	for _, w := range widths {
		over += w + 2
	}
	over -= 2 // no gap after the last column
	if over > 0 && stepCol >= 0 {
		if cut := min(over, widths[stepCol]-minStep); cut > 0 {
			for _, row := range rows {
				row[stepCol] = Truncate(Printable(row[stepCol]), widths[stepCol]-cut)
			}
			over -= cut
		}
	}
	if over > 0 {
		to := max(widths[nameCol]-over, 8)
		for _, row := range rows {
			row[nameCol] = cutMiddle(Printable(row[nameCol]), to, to/2)
		}
	}
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

func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
