#!/usr/bin/env bash
# Times the queries of docs/reporting.md (every ```sql block, in order) and a full read of
# every report view on a mirror of isc-sim (default 100,000 identities x 10 accounts): a
# baseline, then LEAVERS identities terminated and handled by a rule that disables their
# accounts, then a sync that sees it. Each query runs once to warm the cache, then three times
# under EXPLAIN (ANALYZE, TIMING OFF); the table shows the median planning + execution time.
# A fifth run under EXPLAIN (ANALYZE, BUFFERS) gives the plan, in OUT/plans.txt. With
# SAMPLES=1 the answers to the documented queries land in OUT/samples.txt. With HOLD=1 it
# prints the mirror's URL and waits instead of timing, for exploring plans by hand.
#   bench/report_queries.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY] [LEAVERS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-100000}
per=${2:-10}
leavers=${3:-500}
source "$root/scripts/lib/bench.sh"
# The access model at a mid-sized tenant's size: 5,000 entitlements, 500 access profiles, 300
# roles, 20 governance groups.
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity "$per" \
  --entitlements 5000 --access-profiles 500 --roles 300 --governance-groups 20
out=${OUT:-$work}
mkdir -p "$out"
cat >>"$work/config.yaml" <<YAML
rules:
  - name: disable-leavers
    on: leaver
    max_per_hour: $((leavers * 2))
    do:
      - accounts_disable: {}
YAML
mirror() { "$build/isc-mirror" -c "$work/config.yaml" --log-level warn "$@"; }

mirror sync
between=$(sql "SELECT now()") # after the baseline, before the leavers
# Owners, reviewers and reviewing groups' members first, so that the leavers leave something
# behind in every report.
sql "SELECT id FROM isc.identities i WHERE lifecycle_state = 'active' ORDER BY
       EXISTS (SELECT 1 FROM isc.das_resource_owners o WHERE o.identity_id = i.id) DESC,
       EXISTS (SELECT 1 FROM isc.certifications c WHERE c.reviewer_id = i.id AND NOT c.completed) DESC,
       EXISTS (SELECT 1 FROM isc.governance_group_members m JOIN isc.certifications c
                 ON c.reviewer_id = m.governance_group_id AND NOT c.completed WHERE m.id = i.id) DESC,
       EXISTS (SELECT 1 FROM isc.roles r WHERE r.owner_id = i.id) DESC,
       md5(id) LIMIT $leavers" |
  while read -r id; do
    curl -sf -X POST -d '{"state":"terminated"}' "$SIM_URL/__sim/identities/$id/lifecycle" >/dev/null
  done
mirror sync identities # the leavers; their accounts are disabled by the rule
mirror sync accounts   # and the mirror sees it
mirror sync lifecycle_states identity_profiles
sql "VACUUM ANALYZE" >/dev/null

# The subjects of the history queries: the first leaver, one of its accounts, one of its
# ownerships and one of its certifications.
identity=$(sql "SELECT identity_id FROM report.jml_activity j WHERE state_after = 'terminated' ORDER BY
                  EXISTS (SELECT 1 FROM isc.das_resource_owners o WHERE o.identity_id = j.identity_id) DESC,
                  EXISTS (SELECT 1 FROM isc.certifications c WHERE c.reviewer_id = j.identity_id) DESC,
                  event_id LIMIT 1")
account=$(sql "SELECT id FROM isc.accounts WHERE identity_id = '$identity' ORDER BY id LIMIT 1")
ownership=$(sql "SELECT application_id || '/' || resource_id || '/' || identity_id FROM isc.das_resource_owners
                 ORDER BY identity_id = '$identity' DESC, 1 LIMIT 1")
certification=$(sql "SELECT id FROM isc.certifications ORDER BY reviewer_id = '$identity' DESC, id LIMIT 1")
# The privileged entitlement with the most holders.
entitlement=$(sql "SELECT e.name FROM isc.entitlements e JOIN isc.identity_access h ON h.id = e.id
                   WHERE e.privileged GROUP BY e.name ORDER BY count(*) DESC, e.name LIMIT 1")
# Someone who holds privileged access in the most ways.
holder=$(sql "SELECT identity_id FROM report.privileged_access GROUP BY identity_id
              ORDER BY count(DISTINCT through) DESC, count(*) DESC, identity_id LIMIT 1")
vars=(-v "identity=$identity" -v "account=$account" -v "ownership=$ownership"
      -v "certification=$certification" -v "before=$between" -v "entitlement=$entitlement"
      -v "holder=$holder")
psql_vars() { psql "$PG_URL" -X "${vars[@]}" "$@"; }

if [[ ${HOLD:-0} == 1 ]]; then
  echo "mirror ready: psql $PG_URL (Ctrl-C ends it)"
  sleep infinity
fi

mapfile -d '' documented < <(awk '/^```sql$/ {on = 1; q = ""; next}
  on && /^```$/ {on = 0; sub(/;\n$/, "", q); printf "%s%c", q, 0; next}
  on {q = q $0 "\n"}' "$root/docs/reporting.md")
mapfile -t views < <(sql "SELECT 'SELECT * FROM report.' || table_name FROM information_schema.views
                          WHERE table_schema = 'report' ORDER BY table_name")

sql "SELECT 'mirror: ' || (SELECT count(*) FROM isc.identities) || ' identities, ' ||
            (SELECT count(*) FROM isc.accounts) || ' accounts, ' ||
            (SELECT count(*) FROM mirror.history) || ' history rows, ' ||
            (SELECT count(*) FROM mirror.change_events) || ' change events'"
echo "subjects: ${vars[*]}"
echo
echo "| query | rows | ms, median of 3 (planning + execution) |"
echo "|---|---|---|"
: >"$out/plans.txt"
: >"$out/samples.txt"
n=0
for q in "${documented[@]}" "${views[@]}"; do
  n=$((n + 1))
  times=()
  # One run to warm the cache, three timed without per-node timing (whose clock calls inflate
  # plans of many rows), and one with it for the plan kept for reading.
  psql_vars -At <<<"EXPLAIN (ANALYZE, TIMING OFF) $q" >/dev/null
  for _ in 1 2 3; do
    timed=$(psql_vars -At <<<"EXPLAIN (ANALYZE, TIMING OFF) $q")
    times+=("$(awk '/Planning Time|Execution Time/ {s += $3} END {printf "%.1f", s}' <<<"$timed")")
  done
  plan=$(psql_vars -At <<<"EXPLAIN (ANALYZE, BUFFERS) $q")
  rows=$(psql_vars -At <<<"SELECT count(*) FROM ($q) q")
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  echo "| $n \`$(tr '\n' ' ' <<<"$q" | sed 's/  */ /g; s/ $//')\` | $rows | $median |"
  printf '%s\n\n%s\n\n' "-- $n" "$plan" >>"$out/plans.txt"
  if [[ ${SAMPLES:-0} == 1 && $n -le ${#documented[@]} ]]; then
    printf '%s\n' "-- $n" >>"$out/samples.txt"
    psql_vars -P pager=off -P footer=off <<<"$q" >>"$out/samples.txt"
  fi
done
echo
echo "plans: $out/plans.txt"
