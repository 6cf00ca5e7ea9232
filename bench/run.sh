#!/usr/bin/env bash
# Runs the benchmark suite COUNT times, then prints benchstat's comparison of the clients,
# its comparison of HTTP/1.1 with HTTP/2 for each client (the proto=h1 and proto=h2 rows),
# the ratios tables of docs/performance.md, one per benchmark and protocol, and
# issue 17's goal table for each protocol (measured, goal, met). The raw results, headed by
# the Go version, core count, CPU model, date and commit, go to results.txt (or $OUT) for
# benchstat later.
#
#   ./run.sh                        # every scenario, 10 rounds: about 30 minutes on 2 cores
#   COUNT=3 BENCH=PerJob ./run.sh   # one scenario, fewer rounds
#   COUNT=1 BENCHTIME=1x ./run.sh   # each benchmark once, as CI does
#
# Each round runs every client once, rather than -count running one client COUNT times and
# then the next: on a shared machine, load that comes and goes then spreads over all
# clients alike instead of falling on whichever ran at the time.
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-10}
out=${OUT:-results.txt}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go test -c -o "$bin/bench.test" .

{
  # "key: value" lines are configuration in Go's benchmark format; benchstat shows them.
  echo "go-version: $(go env GOVERSION)"
  echo "nproc: $(nproc)"
  echo "cpu-model: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  if commit=$(git rev-parse --short HEAD 2>/dev/null); then
    # A change or a new file anywhere in the repository marks the commit dirty; results
    # files (this one, rewritten as this runs, and one written just before it for another
    # Go release) do not.
    changes=$(git status --porcelain -- .. ":(exclude)$PWD/$out" ":(exclude)$PWD/results*.txt" 2>/dev/null || true)
    echo "commit: $commit${changes:+-dirty}"
  fi
  for ((round = 1; round <= count; round++)); do
    "$bin/bench.test" -test.run='^$' -test.bench="${BENCH:-.}" -test.benchtime="${BENCHTIME:-1s}" -test.timeout=1h
  done
} | tee "$out"

echo
go tool benchstat -col /client "$out"
echo
go tool benchstat -col /proto "$out"
echo
go run ./cmd/benchratios "$out"
