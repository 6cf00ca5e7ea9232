package render

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/ghjobs/ghjobs/api"
	"github.com/ghjobs/ghjobs/wrapper"
)

// newEncoder writes JSON as GitHub does: '<', '>' and '&' stay as they are.
func NewEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// writeJSON prints {"total_count": N, "jobs": [...]} with every job of every page: GitHub's
// shape, field order and value formats, indented by two spaces as GitHub indents.
func JSON(w io.Writer, jobs []wrapper.Job) error {
	page := api.ToGitHubPage(len(jobs), jobs)
	bw := bufio.NewWriter(w)
	enc := NewEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(page); err != nil {
		return err
	}
	return bw.Flush()
}

// writeJSONL prints one job a line, as writeJSON prints it but on one line.
func JSONL(w io.Writer, jobs []wrapper.Job) error {
	bw := bufio.NewWriter(w)
	enc := NewEncoder(bw)
	for i := range jobs {
		if err := enc.Encode(api.ToGitHub(&jobs[i])); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// streamJSONL writes each job that list hands over as a line, at once: a reader at the
// other end of a pipe sees jobs as they arrive, and its going away ends the listing.
func StreamJSONL(w io.Writer, list func(each func(wrapper.Job) error) error) error {
	enc := NewEncoder(w)
	return list(func(j wrapper.Job) error { return enc.Encode(api.ToGitHub(&j)) })
}
