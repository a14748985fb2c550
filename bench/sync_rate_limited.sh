#!/usr/bin/env bash
# A full sync of every resource against isc-sim enforcing ISC's rate limit (default 100
# requests per 10 s per API version), with isc-mirror configured for the same limit. Reports
# 429s (in total and after the first window) and the request rate each resource sustained;
# RUNS runs, each on a fresh simulator and database, and their medians.
#   bench/sync_rate_limited.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY] [REQUESTS] [SECONDS] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-100000}
per=${2:-10}
requests=${3:-100}
seconds=${4:-10}
runs=${5:-1}
source "$root/scripts/lib/bench.sh"

# One run; prints its tables, and "share_of_limit 429s late_429s sim_429s wall" on fd 3.
one_run() {
  start_bench_tenant "$requests" "${seconds}s" --identities "$identities" \
    --accounts-per-identity "$per" --rate-limit "$requests/${seconds}s"
  local start_ms end_ms status=0 stats late=0 total_429=0 at_ms stamp
  start_ms=$(date +%s%3N)
  "$build/isc-mirror" -c "$work/config.yaml" sync 2>"$work/sync.log" || status=$?
  end_ms=$(date +%s%3N)
  stats=$(curl -s "$SIM_URL/__sim/stats")
  # Each 429 the client met is a warning line stamped with its time.
  while read -r stamp; do
    [[ -z $stamp ]] && continue
    total_429=$((total_429 + 1))
    at_ms=$(date -d "$stamp" +%s%3N)
    ((at_ms - start_ms > seconds * 1000)) && late=$((late + 1))
  done < <(grep 'rate limited by isc' "$work/sync.log" | cut -d' ' -f1)
  local sim_429
  sim_429=$(grep -o '"429":[0-9]*' <<<"$stats" | cut -d: -f2 || echo 0)
  echo "| figure | value |"
  echo "|---|---|"
  echo "| exit status of isc-mirror sync | $status |"
  echo "| wall time | $(((end_ms - start_ms) / 1000)) s |"
  echo "| requests answered by isc-sim (all statuses) | $(sed 's/.*"requests":\([0-9]*\).*/\1/' <<<"$stats") |"
  echo "| 429 answers counted by isc-sim | ${sim_429:-0} |"
  echo "| 429s met by isc-mirror | $total_429 |"
  echo "| of which after the first ${seconds} s | $late |"
  echo
  # Only resources that need more requests than the burst say anything about the sustained rate.
  echo "| resource | requests | seconds | requests per ${seconds} s | share of the limit |"
  echo "|---|---|---|---|---|"
  sql "SELECT format('| %s | %s | %s | %s | %s %% |', resource, http_requests, round(s, 1),
         round(http_requests / s * $seconds, 1), round(100 * http_requests / s * $seconds / $requests))
       FROM (SELECT resource, http_requests, extract(epoch FROM finished_at - started_at)::numeric AS s
             FROM mirror.sync_runs ORDER BY id) r WHERE http_requests > $requests"
  echo
  local share
  share=$(sql "SELECT round(100 * http_requests / extract(epoch FROM finished_at - started_at)::numeric
                 * $seconds / $requests, 1) FROM mirror.sync_runs WHERE resource = 'accounts'")
  echo "$share $total_429 $late ${sim_429:-0} $(((end_ms - start_ms) / 1000))" >&3
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for run in $(seq 1 "$runs"); do
  echo "Run $run:"
  echo
  (one_run) 3>>"$results"
done
if [[ $runs -gt 1 ]]; then
  column() { awk -v c="$1" '{print $c}' "$results" | median; }
  echo "| accounts, median of $runs runs | value |"
  echo "|---|---|"
  echo "| share of the limit sustained | $(column 1) % |"
  echo "| 429s met by isc-mirror | $(column 2) |"
  echo "| of which after the first ${seconds} s | $(column 3) |"
  echo "| 429 answers counted by isc-sim | $(column 4) |"
  echo "| wall time of the whole sync | $(column 5) s |"
  echo "| every run (share %, 429s, late 429s, sim 429s, wall s) | $(paste -sd ';' "$results") |"
fi
