#!/usr/bin/env bash
# The full sync of accounts (default 100,000 identities x 10 = 1,000,000) beside its two floors
# measured in the same run on the same machine: every page read with one plain curl process
# to /dev/null, and COPY of the same rows into an empty table. Then cycles with nothing, 0.1 %
# and 10 % of the accounts changed, with the WAL and the table bytes each writes. Every figure
# is the median of RUNS runs; each full-sync run starts from an empty database.
#   bench/sync_accounts.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY] [RUNS]
# CYCLES=0 stops after the full syncs; ISC_MIRROR_BUILD_DIR picks the build to measure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-100000}
per=${2:-10}
runs=${3:-3}
accounts=$((identities * per))
source "$root/scripts/lib/bench.sh"
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity "$per"
token=$(curl -s -d grant_type=client_credentials -d client_id=sim-client \
  -d client_secret=sim-secret "$SIM_URL/oauth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
admin_url="postgresql://postgres@/postgres?host=$PG_DIR"

now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN {printf "%.2f", e - s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# Bytes of every table of the mirror (isc.* and mirror.*), with indexes and TOAST.
stored_bytes() {
  sql "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm') AND n.nspname IN ('isc', 'mirror')"
}

# isc-mirror with ARGS, timed; sets took (s), peak_mb, written (rows of its runs), wal (bytes
# of WAL the cluster wrote meanwhile) and grown (bytes the mirror's tables grew by).
mirror() {
  local first lsn before
  first=$(sql "SELECT coalesce(max(id), 0) + 1 FROM mirror.sync_runs")
  lsn=$(sql "SELECT pg_current_wal_lsn()")
  before=$(stored_bytes)
  /usr/bin/time -f "%e %M" -o "$work/time" "$build/isc-mirror" -c "$work/config.yaml" \
    --log-level warn "$@"
  read -r took kb <"$work/time"
  peak_mb=$((kb / 1024))
  written=$(sql "SELECT coalesce(sum(inserted + updated + deleted + expired), 0) FROM mirror.sync_runs WHERE id >= $first")
  wal=$(sql "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn')::bigint")
  grown=$(($(stored_bytes) - before))
}

mb() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }

# The same pages the mirror reads (sorted by id, 250 a page, gzip-compressed: the mirror asks
# for gzip alone, and compressing is most of what the simulator spends; curl would also offer
# br, which the simulator then spends far longer on), one curl process, keep-alive.
curl_floor() {
  local start last=$((((accounts + 249) / 250 - 1) * 250))
  start=$(now)
  curl -s --compressed -H "Accept-Encoding: gzip" -H "Authorization: Bearer $token" \
    "$SIM_URL/v2024/accounts?limit=250&sorters=id&offset=[0-$last:250]" >/dev/null
  since "$start"
}

# The rows the mirror holds, COPYed through the client into an empty table of the same shape.
copy_floor() {
  local start
  sql "COPY (SELECT * FROM isc.accounts) TO STDOUT" >"$work/accounts.copy"
  sql "CREATE TABLE copy_floor (LIKE isc.accounts)" >/dev/null
  start=$(now)
  psql "$PG_URL" -Xq -c "\\copy copy_floor FROM '$work/accounts.copy'"
  since "$start"
  sql "DROP TABLE copy_floor" >/dev/null
  rm -f "$work/accounts.copy"
}

fresh_database() {
  psql "$admin_url" -Xq -c "DROP DATABASE isc_mirror" -c "CREATE DATABASE isc_mirror"
  "$build/isc-mirror" -c "$work/config.yaml" migrate 2>/dev/null
}

sync_s=() rss=() curl_s=() copy_s=() wal_b=() stored_b=()
for run in $(seq 1 "$runs"); do
  [[ $run -gt 1 ]] && fresh_database
  mirror sync accounts
  sync_s+=("$took")
  rss+=("$peak_mb")
  wal_b+=("$wal")
  stored_b+=("$(stored_bytes)")
  curl_s+=("$(curl_floor)")
  copy_s+=("$(copy_floor)")
  echo "run $run: sync ${took} s, ${peak_mb} MB; curl ${curl_s[-1]} s; COPY ${copy_s[-1]} s" >&2
done
m_sync=$(printf '%s\n' "${sync_s[@]}" | median)
m_rss=$(printf '%s\n' "${rss[@]}" | median)
m_curl=$(printf '%s\n' "${curl_s[@]}" | median)
m_copy=$(printf '%s\n' "${copy_s[@]}" | median)
m_wal=$(printf '%s\n' "${wal_b[@]}" | median)
m_stored=$(printf '%s\n' "${stored_b[@]}" | median)
heap=$(sql "SELECT pg_relation_size('isc.accounts')")
object_bytes=$(sql "SELECT avg(octet_length(raw::text))::bigint FROM isc.accounts")

echo "| full sync of $accounts accounts, median of $runs runs | value |"
echo "|---|---|"
echo "| isc-mirror sync accounts (baseline, empty database) | $m_sync s ($(awk -v n="$accounts" -v t="$m_sync" 'BEGIN {printf "%.0f", n / t}') objects/s) |"
echo "| peak RSS of isc-mirror | $m_rss MB |"
echo "| floor: every page with one curl process to /dev/null | $m_curl s |"
echo "| floor: COPY of the same rows into an empty table | $m_copy s |"
echo "| isc-mirror / curl floor | $(ratio "$m_sync" "$m_curl") |"
echo "| isc-mirror / COPY floor | $(ratio "$m_sync" "$m_copy") |"
echo "| runs (sync, curl, COPY) | ${sync_s[*]} / ${curl_s[*]} / ${copy_s[*]} |"
echo "| WAL written by the first load | $(mb "$m_wal") MB ($(ratio "$m_wal" "$heap")x the isc.accounts heap) |"
echo "| the mirror's tables and indexes after it | $(mb "$m_stored") MB ($(ratio "$m_stored" "$heap")x the isc.accounts heap of $(mb "$heap") MB) |"
echo "| an account's JSON, on average | $object_bytes bytes |"
echo

[[ ${CYCLES:-1} == 0 ]] && exit 0

# A cycle: CHANGED accounts changed in the simulator (0: none), then isc-mirror sync ARGS.
cycle() {
  local label=$1 changed=$2
  shift 2
  local times=() rows=() mbs=() wals=() grows=() per
  for _ in $(seq 1 "$runs"); do
    if [[ $changed -gt 0 ]]; then
      curl -s -o /dev/null -X POST -d "{\"count\":$changed}" "$SIM_URL/__sim/accounts/change-many"
    fi
    mirror "$@"
    times+=("$took")
    rows+=("$written")
    mbs+=("$peak_mb")
    wals+=("$wal")
    grows+=("$grown")
  done
  per="-"
  if [[ $changed -gt 0 ]]; then
    per="$(($(printf '%s\n' "${wals[@]}" | median) / changed)) / $(($(printf '%s\n' "${grows[@]}" | median) / changed))"
  fi
  echo "| $label | $(printf '%s\n' "${times[@]}" | median) s | $(printf '%s\n' "${rows[@]}" | median) | $(printf '%s\n' "${mbs[@]}" | median) MB | $per | ${times[*]} |"
}
tenth=$((accounts / 1000))
tenpercent=$((accounts / 10))
echo "| cycle over $accounts accounts, median of $runs | time | rows written | peak RSS | WAL / stored bytes per changed account | runs (s) |"
echo "|---|---|---|---|---|---|"
cycle "nothing changed, sync --full" 0 sync --full accounts
cycle "nothing changed, sync (incremental)" 0 sync accounts
cycle "0.1 % changed ($tenth), sync (incremental)" "$tenth" sync accounts
cycle "0.1 % changed ($tenth), sync --full" "$tenth" sync --full accounts
cycle "10 % changed ($tenpercent), sync (incremental)" "$tenpercent" sync accounts
cycle "10 % changed ($tenpercent), sync --full" "$tenpercent" sync --full accounts
