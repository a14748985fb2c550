#!/usr/bin/env bash
# Syncs every resource from isc-sim (default 100,000 identities x 10 accounts) into a throwaway
# PostgreSQL, checks the mirror object by object against the simulator, then syncs twice more
# with nothing changed (a forced full cycle, then a normal one: accounts incremental).
#   bench/sync_full.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-100000}
per=${2:-10}
source "$root/scripts/lib/bench.sh"
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity "$per"

run() {
  local label=$1
  shift
  local first
  first=$(sql "SELECT coalesce(max(id), 0) + 1 FROM mirror.sync_runs")
  /usr/bin/time -f "%e %M" -o "$work/time" "$build/isc-mirror" -c "$work/config.yaml" \
    --log-level warn "$@"
  read -r seconds kb <"$work/time"
  local seen written
  seen=$(sql "SELECT sum(seen) FROM mirror.sync_runs WHERE id >= $first")
  written=$(sql "SELECT sum(inserted + updated + deleted + expired) FROM mirror.sync_runs WHERE id >= $first")
  printf '| %s | %.1f s | %s | %.0f objects/s | %d MB | %s |\n' "$label" "$seconds" "$seen" \
    "$(awk -v n="$seen" -v t="$seconds" 'BEGIN {print n / t}')" $((kb / 1024)) "$written"
  echo "$first" >"$work/first"
}

per_resource() {
  echo
  echo "| resource | mode | seconds | pages | objects | requests | written |"
  echo "|---|---|---|---|---|---|---|"
  sql "SELECT format('| %s | %s | %s | %s | %s | %s | %s |', resource, mode,
         round(extract(epoch FROM finished_at - started_at)::numeric, 1), pages, seen,
         http_requests, inserted + updated + deleted + expired)
       FROM mirror.sync_runs WHERE id >= $1 AND id < $2 ORDER BY id"
  echo
}

echo "| run ($identities identities, $((identities * per)) accounts, every resource) | wall time | objects | rate | peak RSS of isc-mirror | rows written |"
echo "|---|---|---|---|---|---|"
run "first sync (baseline)" sync
baseline_first=$(cat "$work/first")
run "second sync --full, nothing changed" sync --full
second_first=$(cat "$work/first")
run "third sync, nothing changed (accounts incremental)" sync
echo
echo "Baseline by resource:"
per_resource "$baseline_first" "$second_first"
echo "Mirror against the simulator, object by object (after the three syncs):"
echo
"$build/bench/verify-mirror" "$SIM_URL" "$PG_URL" bench
