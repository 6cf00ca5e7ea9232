#!/usr/bin/env bash
# Renders the SVG timeline of a `ghjobs --demo` run to docs/timeline.png with headless
# Chromium (Debian: apt-get install -y chromium), for the README. The PNG is checked in, so
# only run this after changing how the timeline is drawn: bash docs/render.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "render.sh needs chromium: apt-get install -y chromium" >&2; exit 1; }

jobs=${JOBS:-40}
out=${OUT:-docs/timeline.png}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run ./cmd/ghjobs --demo --jobs "$jobs" --format svg -o "$tmp/timeline.svg"
# The window is the picture: as wide and as tall as the SVG says it is.
size=$(sed -n '1s/^<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$tmp/timeline.svg")
[ -n "$size" ] || { echo "render.sh: no width and height on the <svg> element" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$size" --screenshot="$PWD/$out" "file://$tmp/timeline.svg" 2>/dev/null
echo "rendered $jobs jobs to $out ($size)"
