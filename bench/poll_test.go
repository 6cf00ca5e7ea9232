package bench

import "testing"

// BenchmarkPollWallTime is the poll of issues 12 and 17: the wall time for a client that listed the
// 1,000-job attempt before to list it again, unchanged, when each request takes 50 ms, as
// a dashboard polling it does. x-1rtt is that time in round trips: one is the least any
// client can take, and a client that asks for page 1 first and the rest after takes two.
// The first listing is not timed.
func BenchmarkPollWallTime(b *testing.B) {
	benchProtos(b, runJobs, latency, func(b *testing.B, s *server) {
		benchPeers(b, s, peers(), func(b *testing.B, p peer, g *guard) {
			l := open(b, p, s, s.transport())
			if err := g.list(b.Context(), l); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := g.list(b.Context(), l); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(latency), "x-1rtt")
		})
	})
}
