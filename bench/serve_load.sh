#!/usr/bin/env bash
# Load on the dashboard (issue 7): wrk on loopback against the overview page, the overview
# API and a key-result page of `throughline serve --demo`, with /api/health (a handler that
# does nothing: the floor of the server and of wrk on this machine) as the baseline measured
# in the same run. Prints requests per second and p99 latency of each.
#
#   bench/serve_load.sh            # 10 s per path, 2 threads, 32 connections
#   DURATION=30s CONNECTIONS=64 bench/serve_load.sh
#
# Needs wrk (Debian's package; installed when missing and running as root) and a release
# build (built here). The demo is generated once into $THROUGHLINE_CACHE_DIR (default
# ~/.cache/throughline).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-32}"
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  else
    echo "serve_load: wrk is missing (apt-get install wrk)" >&2
    exit 2
  fi
fi
cargo build --release --locked -q
bin="${CARGO_TARGET_DIR:-target}/release/throughline"
out=$(mktemp)
"$bin" serve --demo --port 0 >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 600); do
  grep -q "Ctrl-C stops it" "$out" 2>/dev/null && break
  sleep 0.2
done
base=$(sed -n 's/^throughline dashboard for .* at \(http:\/\/[^ ]*\)$/\1/p' "$out" | head -n 1)
base="${base%/}"
[ -n "$base" ] || { echo "serve_load: the server did not start" >&2; cat "$out" >&2; exit 1; }
echo "throughline serve --demo at $base; wrk -t2 -c$connections -d$duration --latency; $(nproc) cores"
printf '%-52s %12s %10s %10s\n' "path" "requests/s" "p50" "p99"
declare -A rps
for path in /api/health / /api/overview /key-results/growth/improve-activation/activation /metrics/activation_rate; do
  report=$(wrk -t2 -c"$connections" -d"$duration" --latency "$base$path")
  if echo "$report" | grep -q "Non-2xx"; then
    echo "serve_load: $path answered errors:" >&2
    echo "$report" >&2
    exit 1
  fi
  r=$(echo "$report" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$report" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$report" | awk '$1 == "99%" {print $2}')
  rps[$path]=$r
  printf '%-52s %12s %10s %10s\n' "$path" "$r" "$p50" "$p99"
done
echo
for path in / /api/overview /key-results/growth/improve-activation/activation /metrics/activation_rate; do
  awk -v a="${rps[$path]}" -v b="${rps[/api/health]}" -v p="$path" \
    'BEGIN { printf "%-52s %5.1f%% of the /api/health baseline\n", p, 100 * a / b }'
done
