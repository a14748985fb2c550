#!/usr/bin/env bash
# Event Trigger deliveries under load: PER_SECOND deliveries a second for SECONDS posted to the
# daemon's receiver (bench/trigger_load.cpp; each a distinct identity-attributes-changed payload
# for one of the tenant's identities), while the daemon runs at its default intervals. Reports
# how they were answered, whether every answered delivery is in mirror.trigger_deliveries, how
# long the refreshes took to catch up, and the daemon's RSS every 5 s.
# Targets: none lost, memory flat.
#   bench/trigger_load.sh [IDENTITIES] [PER_SECOND] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-10000}
per_second=${2:-1000}
seconds=${3:-60}
source "$root/scripts/lib/bench.sh"
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity 3
start_trigger_daemon </dev/null
sql "SELECT id FROM isc.identities ORDER BY md5(id)" >"$work/ids"
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$daemon/status"; }
samples=("$(rss)")
(while sleep 5; do rss; done) >"$work/rss" &
sampler=$!
started=$(date +%s.%N)
"$build/bench/trigger-load" "http://127.0.0.1:$port/triggers/bench/identity-attributes-changed" \
  "$trigger_token" "$per_second" "$seconds" "$work/ids" | tee "$work/load"
sent_done=$(date +%s.%N)
until [[ $(sql "SELECT count(*) FROM mirror.trigger_deliveries WHERE status IN ('pending', 'running')") -eq 0 ]]; do
  sleep 0.5
done
drained=$(date +%s.%N)
sleep 10
kill $sampler
mapfile -t -O 1 samples <"$work/rss"
recorded=$(sed -n 's/.*recorded \([0-9]*\).*/\1/p' "$work/load")
stored=$(sql "SELECT count(*) FROM mirror.trigger_deliveries")
failed=$(sql "SELECT count(*) FROM mirror.trigger_deliveries WHERE status = 'failed'")
echo "| $per_second deliveries/s for $seconds s, $identities identities | value |"
echo "|---|---|"
echo "| answered | $(sed 's/^sent //' "$work/load") |"
echo "| recorded answers / rows in mirror.trigger_deliveries / failed | $recorded / $stored / $failed |"
echo "| refreshes caught up | $(awk -v a="$sent_done" -v b="$drained" 'BEGIN {printf "%.1f", b - a}') s after the last delivery ($(awk -v a="$started" -v b="$drained" 'BEGIN {printf "%.1f", b - a}') s from the first) |"
echo "| daemon RSS every 5 s (MB) | ${samples[*]} |"
