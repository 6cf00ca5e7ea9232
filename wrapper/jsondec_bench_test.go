package wrapper

import (
	"encoding/json"
	"testing"

	"github.com/ghjobs/ghjobs/api"
)

// BenchmarkDecodeJobsPage is what the generated decoder is chosen for: a page of 100 jobs as
// GitHub writes it (the fake's bytes, 218 kB), decoded by it and by encoding/json into the
// same types on the same release. kept-B is what the page's values hold, which the decoder's
// compact form makes smaller.
func BenchmarkDecodeJobsPage(b *testing.B) {
	run := api.SampleRun("o", "r", 1, 1, 100)
	data, err := json.Marshal(api.ToGitHubPage(100, run.Jobs))
	if err != nil {
		b.Fatal(err)
	}
	for _, dec := range []struct {
		name   string
		decode func() (any, error)
	}{
		{"generated", func() (any, error) { p, _, err := decodeJobsPage(data); return p, err }},
		{"encoding-json", func() (any, error) { var p pageBody; err := json.Unmarshal(data, &p); return p, err }},
	} {
		b.Run("decoder="+dec.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dec.decode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
