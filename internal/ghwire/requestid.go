package ghwire

import (
	"fmt"
	"time"
)

// RequestID returns an X-GitHub-Request-Id in GitHub's shape for a server's n-th answer,
// sent at the time at. Octokit's fixtures recorded ids such as 0684:716A:2015008:5E2FD3C:62D634F3
// and 0682:0ED7:988C1:15A72E:62D6355F (scenarios/api.github.com/*/raw-fixture.json): two
// groups of four hex digits (the first 0680 to 0687), two of five to seven without leading
// zeros, and the answer's time in unix seconds, eight digits, the second its Date header
// names. Different n below 2^48 give different ids, whatever at.
func RequestID(n uint64, at time.Time) string {
	// Multiplying by an odd constant is a bijection modulo 2^48: the low 24 bits of groups 3
	// and 4 together are unique, whatever bits above them z, a mix of n, adds.
	y := (n * 0x9E3779B97F4A7C15) & (1<<48 - 1)
	z := (n ^ n>>31) * 0xBF58476D1CE4E5B9
	z ^= z >> 29
	return fmt.Sprintf("%04X:%04X:%X:%X:%08X",
		0x0680+z>>61, uint16(z>>32), counter(y>>24, z>>56&3), counter(y&(1<<24-1), z>>58&7),
		uint32(at.Unix()))
}

// counter is a group of five to seven hex digits: low (24 bits) with high above it, or
// with 1 above it when low alone would have fewer than five digits.
func counter(low, high uint64) uint64 {
	if low < 0x10000 {
		high |= 1
	}
	return low | high<<24
}
