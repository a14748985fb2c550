#!/usr/bin/env bash
# Where the time of an accounts baseline goes: `perf record -a` over the whole machine while
# isc-mirror syncs (default 20,000 identities x 10 accounts), then each process's share of
# the samples (swapper is idle) and the hottest symbols of PostgreSQL and of isc-mirror.
#   bench/profile_sync.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-20000}
per=${2:-10}
source "$root/scripts/lib/bench.sh"
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity "$per"
start=$(date +%s.%N)
perf record -q -a -g -F 499 -o "$work/perf.data" -- \
  "$build/isc-mirror" -c "$work/config.yaml" --log-level warn sync accounts 2>/dev/null
echo "accounts baseline of $((identities * per)) accounts under perf: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s"
echo
echo "Share of all samples on both cores, by process:"
echo
perf report -i "$work/perf.data" --no-children --sort comm --stdio 2>/dev/null |
  grep -E '^ +[0-9.]+%' | head -n 8
for comm in postgres isc-mirror; do
  echo
  echo "Hottest symbols of $comm (share of its own samples):"
  echo
  # head stops reading early; under pipefail perf's SIGPIPE would end the script.
  (perf report -i "$work/perf.data" --no-children --comms "$comm" --sort dso,symbol --stdio \
    --percentage relative 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 15) || true
done
