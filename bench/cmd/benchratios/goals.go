package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// A goal is one row of issue 17's goal table: a ratio of medians, for each of the wrapper's
// entry points measured, against a bound.
type goal struct {
	figure string
	bench  string // the benchmark's table name without its proto key
	unit   string // as benchfmt tidies it: ns becomes sec, MB becomes B
	// clients are the wrapper rows measured, each with the label the table shows.
	clients []label
	// over is the client whose median divides the wrapper's (or, when inverse, is divided
	// by it); empty when the unit is a ratio already (x-2rtt, x-1rtt).
	over    string
	inverse bool
	atLeast bool // the goal is a floor, not a ceiling
	bound   float64
	// notes are further figures, of other benchmarks too, printed beside the ratio.
	notes []note
}

type label struct{ client, name string }

// note is a figure of client's, in bench's unit, plus, when plusClient is set, plusClient's
// in plusUnit; divided, when over is set, by over's median in overUnit. Without over, unit
// must be a ratio already (x-2rtt): it is printed as one.
type note struct {
	text, bench, client, unit string
	plusClient, plusUnit      string
	over, overUnit            string
}

// wrapperDefaults are the wrapper as New makes it, through both entry points.
var wrapperDefaults = []label{{"wrapper-concurrent-AllJobs", "AllJobs"}, {"wrapper-concurrent-Jobs", "Jobs"}}

// goals are issue 17's, in its order.
var goals = []goal{
	{
		figure: "first listing, 1,000 jobs × 10 steps, 50 ms a request: wrapper ÷ two-round-trip bound",
		bench:  "WallTime", unit: "x-2rtt", clients: wrapperDefaults, bound: 1.15,
		notes: []note{{text: "the two rounds of requests alone, nothing decoded", bench: "WallTimeFloor", client: "transport", unit: "x-2rtt"}},
	},
	{
		figure: "poll of an unchanged known attempt: round trips",
		bench:  "PollWallTime", unit: "x-1rtt", clients: wrapperDefaults, bound: 1.15,
	},
	{
		figure: "the same poll: go-github ÷ wrapper",
		bench:  "PollWallTime", unit: "sec/op", clients: wrapperDefaults, over: "go-github", inverse: true, atLeast: true, bound: 9,
	},
	{
		figure: "`Jobs` peak heap over 20,000 jobs ÷ go-github's iterator",
		bench:  "PeakHeap", unit: "peak-heap-B", clients: []label{{"wrapper-concurrent-Jobs", "Jobs"}}, over: "go-github", bound: 3,
		notes: []note{
			{text: "the cache's bytes at the peak ÷ go-github's peak", bench: "PeakHeap", client: "wrapper-concurrent-Jobs", unit: "cache-at-peak-B", over: "go-github", overUnit: "peak-heap-B"},
			// The cache keeps every page: with it, the peak is at least that and what the
			// same listing holds without a cache.
			{text: "the same plus the peak of the listing without a cache", bench: "PeakHeap", client: "wrapper-concurrent-Jobs", unit: "cache-at-peak-B",
				plusClient: "wrapper-nocache-Jobs", plusUnit: "peak-heap-B", over: "go-github", overUnit: "peak-heap-B"},
		},
	},
	{
		figure: "same, less the bytes the cache holds at that moment (the working set)",
		bench:  "PeakHeap", unit: "working-set-B", clients: []label{{"wrapper-concurrent-Jobs", "Jobs"}}, over: "go-github", bound: 1.5,
	},
	{
		figure: "CPU per job (whole process) ÷ go-github",
		bench:  "PerJob", unit: "cpu-sec/job", clients: wrapperDefaults, over: "go-github", bound: 0.5,
	},
	{
		figure: "`AllJobs` heap kept per job ÷ go-github",
		bench:  "RetainedHeap", unit: "kept-B/job", clients: []label{{"wrapper-AllJobs", "AllJobs"}}, over: "go-github", bound: 0.66,
		notes: []note{{text: "the generated types' floor ÷ go-github", bench: "RetainedHeap", client: "wrapper-AllJobs", unit: "floor-B/job", over: "go-github", overUnit: "kept-B/job"}},
	},
}

// writeGoals prints the goal table for every proto key in tables (h1, h2), or one table
// when no benchmark has a proto key. A benchmark run without proto keys (RetainedHeap)
// serves every proto's table. It prints nothing when no goal's figures are in tables.
func writeGoals(w io.Writer, tables []*table) error {
	byName := map[string]*table{}
	var protos []string
	for _, t := range tables {
		byName[t.name] = t
		if _, p, ok := strings.Cut(t.name, "/proto="); ok && !slices.Contains(protos, p) {
			protos = append(protos, p)
		}
	}
	if len(protos) == 0 {
		protos = []string{""}
	}
	find := func(bench, proto string) *table {
		if t := byName[bench+"/proto="+proto]; t != nil {
			return t
		}
		return byName[bench]
	}
	var b strings.Builder
	for _, p := range protos {
		var rows [][]string
		any := false
		for _, g := range goals {
			measured, met := g.measure(find(g.bench, p))
			if measured != "-" {
				any = true
			}
			for _, n := range g.notes {
				v := "-"
				if nt := find(n.bench, p); nt != nil {
					v = n.value(nt)
				}
				measured += "; " + n.text + ": " + v
			}
			op := "≤"
			if g.atLeast {
				op = "≥"
			}
			rows = append(rows, []string{g.figure, measured, fmt.Sprintf("%s %g", op, g.bound), met})
		}
		if !any {
			continue
		}
		title := "Goals of issue 17"
		if p != "" {
			title += ", proto=" + p
		}
		fmt.Fprintf(&b, "\n%s\n\n", title)
		row(&b, []string{"figure", "measured", "goal", "met"})
		row(&b, []string{"---", "---", "---", "---"})
		for _, r := range rows {
			row(&b, r)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// measure returns g's ratio for each of its clients in t, "-" when t has none of them, and
// whether the goal is "missed" (by any), "met" (by all), or "-" (some figures missing).
func (g goal) measure(t *table) (measured, met string) {
	var cells []string
	missing, missed := false, false
	for _, c := range g.clients {
		r, ok := g.ratio(t, c.client)
		if !ok {
			missing = true
			continue
		}
		cells = append(cells, fmt.Sprintf("%.2f %s", r, c.name))
		missed = missed || (g.atLeast && r < g.bound) || (!g.atLeast && r > g.bound)
	}
	switch {
	case len(cells) == 0:
		return "-", "-"
	case missed:
		met = "missed"
	case missing:
		met = "-"
	default:
		met = "met"
	}
	return strings.Join(cells, ", "), met
}

// ratio is the median of client's figures in t, divided by over's median (or dividing it).
func (g goal) ratio(t *table, client string) (float64, bool) {
	if t == nil {
		return 0, false
	}
	v := t.values[cell{client, g.unit}]
	if len(v) == 0 {
		return 0, false
	}
	m := median(v)
	if g.over == "" {
		return m, true
	}
	o := t.values[cell{g.over, g.unit}]
	if len(o) == 0 {
		return 0, false
	}
	num, den := m, median(o)
	if g.inverse {
		num, den = den, num
	}
	if den == 0 {
		return 0, false
	}
	return num / den, true
}

// value is the note's figure in t, "-" when t lacks it.
func (n note) value(t *table) string {
	vs := t.values[cell{n.client, n.unit}]
	if n.over == "" {
		return format(vs, func(m float64, _ func([]float64) float64) string { return fmt.Sprintf("%.2f", m) })
	}
	o := t.values[cell{n.over, n.overUnit}]
	if len(vs) == 0 || len(o) == 0 || median(o) == 0 {
		return "-"
	}
	v := median(vs)
	if n.plusClient != "" {
		plus := t.values[cell{n.plusClient, n.plusUnit}]
		if len(plus) == 0 {
			return "-"
		}
		v += median(plus)
	}
	return fmt.Sprintf("%.2f", v/median(o))
}
