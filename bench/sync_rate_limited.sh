#!/usr/bin/env bash
# A full sync of every resource against isc-sim enforcing ISC's rate limit (default 100
# requests per 10 s per API version), with isc-mirror configured for the same limit. Reports
# 429s (in total and after the first 10 s) and the request rate each resource sustained.
#   bench/sync_rate_limited.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY] [REQUESTS] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-100000}
per=${2:-10}
requests=${3:-100}
seconds=${4:-10}
source "$root/scripts/lib/bench.sh"
start_bench_tenant "$requests" "${seconds}s" --identities "$identities" \
  --accounts-per-identity "$per" --rate-limit "$requests/${seconds}s"

start_ms=$(date +%s%3N)
status=0
"$build/isc-mirror" -c "$work/config.yaml" sync 2>"$work/sync.log" || status=$?
end_ms=$(date +%s%3N)
stats=$(curl -s "$SIM_URL/__sim/stats")
# Each 429 the client met is a warning line stamped with its time.
late=0
total_429=0
while read -r stamp; do
  [[ -z $stamp ]] && continue
  total_429=$((total_429 + 1))
  at_ms=$(date -d "$stamp" +%s%3N)
  ((at_ms - start_ms > seconds * 1000)) && late=$((late + 1))
done < <(grep 'rate limited by isc' "$work/sync.log" | cut -d' ' -f1)

echo "| figure | value |"
echo "|---|---|"
echo "| exit status of isc-mirror sync | $status |"
echo "| wall time | $(((end_ms - start_ms) / 1000)) s |"
echo "| requests answered by isc-sim (all statuses) | $(sed 's/.*"requests":\([0-9]*\).*/\1/' <<<"$stats") |"
echo "| 429 answers counted by isc-sim | $(grep -o '"429":[0-9]*' <<<"$stats" | cut -d: -f2 || echo 0) |"
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
