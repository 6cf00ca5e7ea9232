// Command benchratios prints the results of the bench suite as Markdown tables: for every
// benchmark, each client's median of every unit, and the ratio of each median to
// go-github's, the client most Go programs use today.
//
//	go test -run='^$' -bench=. -count=10 . | tee results.txt
//	go run ./cmd/benchratios results.txt
//
// It reads standard input when no file is named. Clients are the sub-benchmarks'
// client=NAME keys, in the order they first appear; every other key (proto=h1, proto=h2)
// makes a table of its own, named after the benchmark and its keys. A ratio below 1 means less than
// go-github: less time, fewer bytes, fewer requests. Units that are ratios themselves (x-...)
// get none. For confidence intervals and significance, use benchstat on the same file.
//
// After these it prints the goal table of issue 17 for each proto key: each goal's ratio as
// measured, the goal, and whether it is met (see goals).
package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

func main() {
	base := flag.String("base", "go-github", "the client that the ratios divide by; a comma-separated list for the first of them that each table has")
	spread := flag.Bool("spread", false, "print min / median of each figure and ratio, not the median alone")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: benchratios [-base client[,client...]] [-spread] [file ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	tables, err := read(&benchfmt.Files{Paths: flag.Args(), AllowStdin: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratios:", err)
		os.Exit(1)
	}
	if len(tables) == 0 {
		fmt.Fprintln(os.Stderr, "benchratios: no benchmark results in the input")
		os.Exit(1)
	}
	if err := write(os.Stdout, tables, strings.Split(*base, ","), *spread); err != nil {
		fmt.Fprintln(os.Stderr, "benchratios:", err)
		os.Exit(1)
	}
	if err := writeGoals(os.Stdout, tables); err != nil {
		fmt.Fprintln(os.Stderr, "benchratios:", err)
		os.Exit(1)
	}
}

// table is one benchmark's results.
type table struct {
	name    string
	clients []string // in order of appearance
	units   []string // in order of appearance
	values  map[cell][]float64
}

type cell struct{ client, unit string }

// records are benchmark results read one by one, as benchfmt's Files and Reader give them.
type records interface {
	Scan() bool
	Result() benchfmt.Record
	Err() error
}

// read groups the results by benchmark, client and unit.
func read(in records) ([]*table, error) {
	var tables []*table
	byName := map[string]*table{}
	for in.Scan() {
		var res *benchfmt.Result
		switch r := in.Result().(type) {
		case *benchfmt.Result:
			res = r
		case *benchfmt.SyntaxError:
			return nil, r
		default:
			continue
		}
		name, client := tableAndClient(res.Name)
		t := byName[name]
		if t == nil {
			t = &table{name: name, values: map[cell][]float64{}}
			byName[t.name] = t
			tables = append(tables, t)
		}
		if !slices.Contains(t.clients, client) {
			t.clients = append(t.clients, client)
		}
		for _, v := range res.Values {
			if !slices.Contains(t.units, v.Unit) {
				t.units = append(t.units, v.Unit)
			}
			c := cell{client, v.Unit}
			t.values[c] = append(t.values[c], v.Value)
		}
	}
	return tables, in.Err()
}

// tableAndClient splits a benchmark's name into its table's (the base name and every
// sub-benchmark key but client, GOMAXPROCS dropped) and its client=NAME.
func tableAndClient(full benchfmt.Name) (name, client string) {
	base, parts := full.Parts()
	name = string(base)
	for _, p := range parts {
		switch p := string(p); {
		case strings.HasPrefix(p, "/client="):
			client = strings.TrimPrefix(p, "/client=")
		case strings.HasPrefix(p, "/"):
			name += p
		}
	}
	return name, client
}

// write prints every table in Markdown, with the ratios of each client's figures to those
// of the first of bases that the table has. With spread, a cell is the least figure (or the
// ratio of the least figures) and the median, "min / median"; else the median.
func write(w io.Writer, tables []*table, bases []string, spread bool) error {
	var b strings.Builder
	for i, t := range tables {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n\n", t.name)
		format := format
		if spread {
			format = formatSpread
		}
		base := ""
		if i := slices.IndexFunc(bases, func(c string) bool { return slices.Contains(t.clients, c) }); i >= 0 {
			base = bases[i]
		}
		ratios := base != "" && len(t.clients) > 1
		head := append([]string{"client"}, t.units...)
		if ratios {
			for _, u := range t.units {
				if !isRatio(u) {
					head = append(head, u+" ÷ "+base)
				}
			}
		}
		row(&b, head)
		row(&b, slices.Repeat([]string{"---"}, len(head)))
		for _, c := range t.clients {
			cells := []string{cmp.Or(c, "-")}
			for _, u := range t.units {
				cells = append(cells, format(t.values[cell{c, u}], func(v float64, _ func([]float64) float64) string { return benchunit.Scale(v, benchunit.Decimal) }))
			}
			if ratios {
				for _, u := range t.units {
					if isRatio(u) {
						continue
					}
					baseline := t.values[cell{base, u}]
					cells = append(cells, format(t.values[cell{c, u}], func(v float64, stat func([]float64) float64) string {
						if stat(baseline) == 0 {
							return "-"
						}
						return fmt.Sprintf("%.2f", v/stat(baseline))
					}))
				}
			}
			row(&b, cells)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func row(b *strings.Builder, cells []string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

// isRatio reports whether unit is a ratio already, as x-2rtt is.
func isRatio(unit string) bool { return strings.HasPrefix(unit, "x-") }

// format formats the median of values, or "-" when there are none. f is given the figure
// and the statistic it is, to apply to a baseline.
func format(values []float64, f func(v float64, stat func([]float64) float64) string) string {
	if len(values) == 0 {
		return "-"
	}
	return f(median(values), median)
}

// formatSpread formats the least of values and their median, "min / median", as format does.
func formatSpread(values []float64, f func(v float64, stat func([]float64) float64) string) string {
	if len(values) == 0 {
		return "-"
	}
	return f(slices.Min(values), slices.Min[[]float64]) + " / " + f(median(values), median)
}

func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(values))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
