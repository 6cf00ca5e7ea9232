#!/usr/bin/env bash
# Photographs a `ghjobs --demo` attempt as Jaeger's UI draws it, to docs/otel-trace.png, for
# the README: it starts Jaeger v1.75.0 (in-memory, on free loopback ports) with the Jaeger UI
# of the same release, sends the demo attempt with `ghjobs --otlp`, and screenshots the
# trace's page in headless Chromium (Debian: apt-get install -y chromium). The PNG is checked
# in, so only run this after changing what the trace looks like:
#
#   JAEGER_UI=DIR bash docs/render-trace.sh
#
# GHJOBS_JAEGER is the Jaeger binary (.ci/run builds one, or: go build -C tools/jaeger -o
# /tmp/jaeger github.com/jaegertracing/jaeger/cmd/jaeger). Jaeger built as a Go module
# serves a placeholder page instead of its UI, whose build is not part of the module; DIR
# is that build: jaegertracing/jaeger-ui at tag v1.75.0, `npm ci --engine-strict=false &&
# npm run build`, then DIR=packages/jaeger-ui/build.
set -euo pipefail
cd "$(dirname "$0")/.."
jaeger=${GHJOBS_JAEGER:?set GHJOBS_JAEGER to the Jaeger binary}
ui=${JAEGER_UI:?set JAEGER_UI to the Jaeger UI build (see the top of this script)}
[ -f "$ui/index.html" ] || { echo "render-trace.sh: no index.html in $ui" >&2; exit 1; }
command -v chromium >/dev/null || { echo "render-trace.sh needs chromium: apt-get install -y chromium" >&2; exit 1; }
jobs=${JOBS:-6}
out=${OUT:-docs/otel-trace.png}
case $out in /*) ;; *) out=$PWD/$out ;; esac
size=${SIZE:-1400,1280}

tmp=$(mktemp -d)
jaeger_pid=
cleanup() {
  [ -z "$jaeger_pid" ] || { kill "$jaeger_pid" 2>/dev/null; wait "$jaeger_pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
otlp=$(free_port) query=$(free_port)
cat >"$tmp/config.yaml" <<EOF
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 1000
  jaeger_query:
    enable_tracing: false
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$query
    grpc:
      endpoint: 127.0.0.1:0
    ui:
      assets_path: "$ui"
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$otlp
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
EOF
"$jaeger" --config "$tmp/config.yaml" >"$tmp/jaeger.log" 2>&1 &
jaeger_pid=$!
for _ in $(seq 300); do
  grep -q "Everything is ready" "$tmp/jaeger.log" && break
  kill -0 "$jaeger_pid" 2>/dev/null || { cat "$tmp/jaeger.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "Everything is ready" "$tmp/jaeger.log" || { echo "render-trace.sh: Jaeger did not start" >&2; exit 1; }

go build -o "$tmp/ghjobs" ./cmd/ghjobs
trace=$("$tmp/ghjobs" --demo --jobs "$jobs" --otlp "http://127.0.0.1:$otlp")

# The UI loads the trace with JavaScript: the virtual time budget lets it finish first.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$tmp/chromium" --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$size" --virtual-time-budget=15000 \
  --screenshot="$out" "http://127.0.0.1:$query/trace/$trace" 2>/dev/null
echo "rendered trace $trace ($jobs jobs) to $out ($size)"
