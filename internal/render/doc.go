// Package render draws the jobs of a workflow run attempt for people and programs: the
// table, CSV, mermaid gantt charts, the SVG timeline, the summary figures, GitHub's JSON, and
// the screen --watch redraws. It reads jobs and a clock and writes to an io.Writer; it knows
// nothing of flags, terminals or the API, which are the command's (cmd/ghjobs).
//
// Time derives every figure once (queue time, duration, phase, clamped timestamps), and
// every format reads the same derivation, as every format reads one decision of what an
// outcome means (Succeeded, and the classes of outcome.go).
package render
