#!/usr/bin/env bash
# The decoder study of issue 17 (docs/decoders.md): BenchmarkDecodePage and
# BenchmarkGunzipPage on go1.26.8 (the machine's go) and GOTOOLCHAIN=go1.27.3, ROUNDS rounds,
# the two releases taking turns in each round so that load that comes and goes on a shared
# machine falls on both alike; at low priority (nice). Raw results go to
# results-decoders-go1.26.txt and results-decoders-go1.27.txt (or $OUT_PREFIX-go1.2x.txt);
# then benchstat's view of each, and the tables of docs/decoders.md: min / median of each
# figure and each as a ratio of encoding/json's (compress/gzip's for gunzip) on the same
# release.
#
#   ./decoders.sh                    # 6 rounds, about 10 minutes on 2 cores
#   ROUNDS=1 BENCHTIME=1x ./decoders.sh
set -euo pipefail
cd "$(dirname "$0")"
rounds=${ROUNDS:-6}
prefix=${OUT_PREFIX:-results-decoders}
releases=(go1.26.8 go1.27.3)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT

for r in "${releases[@]}"; do
  GOTOOLCHAIN=$r go test -c -o "$bin/$r.test" .
  out="$prefix-${r%.*}.txt"
  {
    echo "go-version: $(GOTOOLCHAIN=$r go env GOVERSION)"
    echo "nproc: $(nproc)"
    echo "cpu-model: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    if commit=$(git rev-parse --short HEAD 2>/dev/null); then
      echo "commit: $commit$(git diff --quiet HEAD -- . ":(exclude)$PWD/$prefix-*" 2>/dev/null || echo '-dirty')"
    fi
  } >"$out"
done
for ((round = 1; round <= rounds; round++)); do
  for r in "${releases[@]}"; do
    echo "round $round of $rounds, $r" >&2
    nice "$bin/$r.test" -test.run='^$' -test.bench='^Benchmark(DecodePage|GunzipPage)$' \
      -test.benchtime="${BENCHTIME:-1s}" -test.timeout=1h >>"$prefix-${r%.*}.txt"
  done
done
for r in "${releases[@]}"; do
  out="$prefix-${r%.*}.txt"
  echo; echo "== $r"; echo
  go tool benchstat -col /client "$out"
  echo
  go run ./cmd/benchratios -spread -base encoding-json,compress-gzip "$out"
done
