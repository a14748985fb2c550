#!/usr/bin/env bash
# isc-sim at the size of issue 3's acceptance: start-up time, memory, and reading every page
# of /v2024/accounts with plain curl, both as one curl process looping over the pages (URL
# globbing, keep-alive) and as a shell loop starting one curl per page.
#   bench/sim_pages.sh [--runs N] [--skip-per-process]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ISC_MIRROR_BUILD_DIR:-$root/build}
runs=3
per_process=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --skip-per-process) per_process=0; shift ;;
    *) echo "usage: $0 [--runs N] [--skip-per-process]" >&2; exit 2 ;;
  esac
done
[[ -x $build/isc-sim ]] || { cmake -S "$root" -B "$build" >/dev/null && cmake --build "$build" -j"$(nproc)" --target isc-sim >/dev/null; }

source "$root/scripts/lib/bench.sh"
out=$(mktemp)
start_sim "$build/isc-sim" "$out" --identities 100000 --accounts-per-identity 10
sim=$SIM_PID
trap 'kill $sim 2>/dev/null; rm -f "$out"' EXIT
ready_ms=$(sed -n 's/.*ready in \([0-9]*\) ms.*/\1/p' "$out")
base=$SIM_URL
token=$(curl -s -d grant_type=client_credentials -d client_id=sim-client -d client_secret=sim-secret \
  "$base/oauth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {print e - s}'; }

glob_times=()
for _ in $(seq 1 "$runs"); do
  glob_times+=("$(seconds curl -s -H "Authorization: Bearer $token" \
    "$base/v2024/accounts?limit=250&offset=[0-999750:250]")")
done
glob=$(printf '%s\n' "${glob_times[@]}" | median)
rss_mb=$(( $(ps -o rss= -p $sim) / 1024 ))

echo "| figure | value |"
echo "|---|---|"
echo "| start-up with 100,000 identities and 1,000,000 accounts | ${ready_ms} ms |"
echo "| resident memory after serving every page | ${rss_mb} MB |"
printf '| every page (4,000 x 250) through one curl process, median of %s | %.1f s (%.0f pages/s) |\n' \
  "$runs" "$glob" "$(awk -v t="$glob" 'BEGIN {print 4000 / t}')"
if [[ $per_process -eq 1 ]]; then
  loop() { for ((o = 0; o < 1000000; o += 250)); do
    curl -s -o /dev/null -H "Authorization: Bearer $token" "$base/v2024/accounts?limit=250&offset=$o"; done; }
  bare() { for ((i = 0; i < 4000; i++)); do curl -s -o /dev/null "$base/__sim/health"; done; }
  loop_s=$(seconds loop)
  bare_s=$(seconds bare)
  printf '| every page through a shell loop starting one curl per page | %.1f s |\n' "$loop_s"
  printf '| of which: starting curl 4,000 times against /__sim/health alone | %.1f s |\n' "$bare_s"
fi
