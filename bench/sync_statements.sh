#!/usr/bin/env bash
# Where PostgreSQL's time goes in an accounts baseline (default 20,000 identities x 10): each
# run starts from an empty database, syncs accounts, and prints its wall time, isc-mirror's
# CPU and peak RSS, then the statements by total execution time (pg_stat_statements).
#   bench/sync_statements.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY] [RUNS]
# The first run of a fresh cluster pays for creating its WAL segments; later runs reuse them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-20000}
per=${2:-10}
runs=${3:-2}
source "$root/scripts/lib/bench.sh"
BENCH_PG_PRELOAD=pg_stat_statements
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity "$per"
admin_url="postgresql://postgres@/postgres?host=$PG_DIR"
for run in $(seq 1 "$runs"); do
  if [[ $run -gt 1 ]]; then
    psql "$admin_url" -Xq -c "DROP DATABASE isc_mirror" -c "CREATE DATABASE isc_mirror"
    "$build/isc-mirror" -c "$work/config.yaml" migrate 2>/dev/null
  fi
  sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  sql "SELECT pg_stat_statements_reset()" >/dev/null
  /usr/bin/time -f "run $run: %e s wall; isc-mirror %U s user, %S s system, %M KB peak" \
    "$build/isc-mirror" -c "$work/config.yaml" --log-level warn sync accounts
  echo "| seconds | calls | statement |"
  echo "|---|---|---|"
  sql "SELECT '| ' || round(total_exec_time::numeric / 1000, 2) || ' | ' || calls || ' | ' ||
         left(regexp_replace(query, '\s+', ' ', 'g'), 90) || ' |'
       FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8"
  echo
done
