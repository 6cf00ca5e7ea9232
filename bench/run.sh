#!/usr/bin/env bash
# Runs the benchmark suite -count times, then prints benchstat's comparison of the clients
# and the ratios table of README's "Performance" section. The raw results, headed by the
# Go version, core count and commit, go to results.txt (or $OUT) for benchstat later.
#
#   ./run.sh                        # every scenario, -count=10: about 6 minutes on 2 cores
#   COUNT=3 BENCH=PerJob ./run.sh   # one scenario, fewer runs
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-10}
out=${OUT:-results.txt}

{
  # "key: value" lines are configuration in Go's benchmark format; benchstat shows them.
  echo "go-version: $(go env GOVERSION)"
  echo "nproc: $(nproc)"
  if commit=$(git rev-parse --short HEAD 2>/dev/null); then
    echo "commit: $commit$(git diff --quiet HEAD -- .. 2>/dev/null || echo '-dirty')"
  fi
  go test -run='^$' -bench="${BENCH:-.}" -count="$count" -timeout=2h .
} | tee "$out"

echo
go tool benchstat -col /client "$out"
echo
go run ./cmd/benchratios "$out"
