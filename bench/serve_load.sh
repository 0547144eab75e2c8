#!/usr/bin/env bash
# Load on the dashboard (issues 7 and 36): wrk on loopback against the overview page, the
# overview API, a key-result page and a metric page of a demo workspace, with /api/health (a
# handler that does nothing: the floor of the server and of wrk on this machine) as the
# baseline measured in the same run. Then the same key-result page once 10,000 check-ins are
# on it (its history is paged: the page should not grow), and /api/overview during a burst of
# check-ins (one rebuild of the view at a time: reads should not collapse). Prints requests
# per second and p50/p99 latency of each.
#
#   bench/serve_load.sh            # 10 s per path, 2 threads, 32 connections
#   DURATION=30s CONNECTIONS=64 CHECKINS=10000 bench/serve_load.sh
#   THROUGHLINE_BIN=path/to/throughline bench/serve_load.sh   # a binary already built
#
# Needs wrk and curl (Debian's packages; installed when missing and running as root) and a
# release build (built here unless THROUGHLINE_BIN names one). The demo is written into a
# temporary folder, so the check-ins never reach the cached `--demo` workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-32}"
checkins="${CHECKINS:-10000}"
for tool in wrk curl; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >&2
    else
      echo "serve_load: $tool is missing (apt-get install $tool)" >&2
      exit 2
    fi
  fi
done
if [ -n "${THROUGHLINE_BIN:-}" ]; then
  bin="$THROUGHLINE_BIN"
else
  cargo build --release --locked -q
  bin="${CARGO_TARGET_DIR:-target}/release/throughline"
fi
tmp=$(mktemp -d)
out="$tmp/serve.log"
"$bin" demo "$tmp/ws" >/dev/null
token=$("$bin" token create -w "$tmp/ws" --name bench --role editor --team '*' 2>/dev/null | head -n 1)
"$bin" serve -w "$tmp/ws" --port 0 --public-read >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 600); do
  grep -q "Ctrl-C stops it" "$out" 2>/dev/null && break
  sleep 0.2
done
base=$(sed -n 's/^throughline dashboard for .* at \(http:\/\/[^ ]*\)$/\1/p' "$out" | head -n 1)
base="${base%/}"
[ -n "$base" ] || { echo "serve_load: the server did not start" >&2; cat "$out" >&2; exit 1; }
kr=growth/improve-activation/activation
echo "throughline serve (a demo workspace) at $base; wrk -t2 -c$connections -d$duration --latency; $(nproc) cores"
printf '%-60s %12s %10s %10s\n' "path" "requests/s" "p50" "p99"
declare -A rps

# measure LABEL PATH: one wrk run, its figures printed and kept under LABEL
measure() {
  local label=$1 path=$2 report
  report=$(wrk -t2 -c"$connections" -d"$duration" --latency "$base$path")
  if echo "$report" | grep -q "Non-2xx"; then
    echo "serve_load: $path answered errors:" >&2
    echo "$report" >&2
    exit 1
  fi
  local r p50 p99
  r=$(echo "$report" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$report" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$report" | awk '$1 == "99%" {print $2}')
  rps[$label]=$r
  printf '%-60s %12s %10s %10s\n' "$label" "$r" "$p50" "$p99"
}

# checkin NOTE: one check-in on the key result through the API; fails the run on an error
checkin() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"key_result\": \"$kr\", \"confidence\": 6, \"note\": \"$1\"}" "$base/api/checkins")
  [ "$code" = 201 ] || { echo "serve_load: a check-in answered $code" >&2; return 1; }
}

for path in /api/health / /api/overview "/key-results/$kr" /metrics/activation_rate; do
  measure "$path" "$path"
done
size_before=$(curl -s "$base/key-results/$kr" | wc -c)

# 10,000 check-ins on the key result, four writers at once
start=$(date +%s.%N)
writers=()
for w in 1 2 3 4; do
  (for i in $(seq "$w" 4 "$checkins"); do checkin "bench $i" || exit 1; done) &
  writers+=($!)
done
for p in "${writers[@]}"; do wait "$p"; done
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
size_after=$(curl -s "$base/key-results/$kr" | wc -c)
echo
echo "$checkins check-ins written in $took s (4 writers); the key-result page: $size_before bytes before, $size_after after"
measure "/key-results/$kr ($checkins check-ins)" "/key-results/$kr"

# /api/overview while check-ins keep arriving (two writers, for as long as wrk runs)
stop="$tmp/stop"
writers=()
for w in 1 2; do
  (i=0; while [ ! -e "$stop" ]; do i=$((i + 1)); checkin "burst $w $i" || exit 1; done; echo "$i" >"$tmp/burst$w") &
  writers+=($!)
done
measure "/api/overview (during a check-in burst)" /api/overview
touch "$stop"
for p in "${writers[@]}"; do wait "$p"; done
burst=$(( $(cat "$tmp/burst1") + $(cat "$tmp/burst2") ))
echo "check-ins during the burst: $burst"

echo
for label in / /api/overview "/key-results/$kr" "/key-results/$kr ($checkins check-ins)" "/api/overview (during a check-in burst)" /metrics/activation_rate; do
  awk -v a="${rps[$label]}" -v b="${rps[/api/health]}" -v p="$label" \
    'BEGIN { printf "%-60s %5.1f%% of the /api/health baseline\n", p, 100 * a / b }'
done
