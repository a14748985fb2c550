#!/usr/bin/env bash
# What a tenant costs in ISC requests, for an operator to plan with: every resource synced once
# (the baseline), then once more with nothing changed (a steady-state run; for accounts an
# incremental run and a full reconciliation), each run's requests counted by the simulator.
# From them, at the default intervals (docs/config.md) and ISC's limit of 100 requests per 10 s
# shared by the whole tenant: requests per hour per resource, the share of the budget, the time
# a full reconciliation of accounts takes, and the longest delay from a change in ISC to its
# event. Runs here are not paced (the budget is set far above ISC's); times at the limit are
# computed from the requests, since a page costs ISC's answer time on top (docs/design.md).
#   bench/tenant_cost.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY]
# The other resources are sized as a mid-sized tenant's: 2,000 certifications of 40 items,
# 50 DAS applications of 200 resources, 5,000 task statuses, 1,000 DAS tasks, 5,000
# entitlements, 500 access profiles, 300 roles, 20 governance groups.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
identities=${1:-100000}
per=${2:-10}
source "$root/scripts/lib/bench.sh"
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity "$per" \
  --certifications 2000 --items-per-certification 40 --das-applications 50 \
  --resources-per-application 200 --task-statuses 5000 --das-tasks 1000 \
  --certification-tasks 200 --entitlements 5000 --access-profiles 500 --roles 300 \
  --governance-groups 20

# The simulator's count of requests answered; reading it is one more.
answered() { curl -s "$SIM_URL/__sim/stats" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p'; }

# isc-mirror sync ARGS; prints the requests it made and the seconds it took.
counted() {
  local before start
  before=$(answered)
  start=$(date +%s.%N)
  "$build/isc-mirror" -c "$work/config.yaml" --log-level warn sync "$@" >/dev/null
  echo "$(($(answered) - before - 1)) $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')"
}

# Resources in the order children need (parents first) and their default intervals, seconds.
mapfile -t resources < <("$build/isc-mirror" -c "$work/config.yaml" __names resources)
declare -A interval=([identities]=300 [accounts]=900 [task_statuses]=300 [certifications]=900
  [certification_reviewers]=900 [access_review_items]=900 [certification_tasks]=900
  [das_applications]=3600 [das_tasks]=300 [das_schedules]=3600 [das_identity_collectors]=3600
  [das_resource_owners]=3600 [sources]=3600 [entitlements]=3600 [access_profiles]=3600
  [roles]=3600 [identity_profiles]=3600 [lifecycle_states]=3600 [governance_groups]=3600
  [governance_group_members]=3600 [identity_access]=3600)
# Incremental resources: a steady run reads what changed; a full reconciliation runs daily.
incremental=(accounts entitlements)
declare -A baseline steady
for r in "${resources[@]}"; do
  read -r baseline[$r] _ < <(counted "$r")
done
for r in "${resources[@]}"; do
  read -r steady[$r] _ < <(counted "$r")
done
declare -A full full_seconds
for r in "${incremental[@]}"; do
  read -r full[$r] full_seconds[$r] < <(counted --full "$r")
done
full_s=${full_seconds[accounts]}

budget_per_hour=36000  # 100 requests per 10 s
total=0
declare -A hourly
for r in "${resources[@]}"; do
  hourly[$r]=$((steady[$r] * 3600 / interval[$r]))
  [[ -n ${full[$r]:-} ]] && hourly[$r]=$((hourly[$r] + full[$r] / 24))
  total=$((total + hourly[$r]))
done
# While a full reconciliation runs, the other pollers keep their share of the budget.
others=$((total - hourly[accounts]))
spare=$(awk -v b="$budget_per_hour" -v o="$others" 'BEGIN {printf "%.2f", (b - o) / 3600}')

echo "Tenant: $identities identities, $((identities * per)) accounts; ISC's limit 100 requests / 10 s."
echo
echo "| resource | interval | requests, baseline | requests per run, steady | requests per hour | share of the budget | longest delay to an event, at the limit |"
echo "|---|---|---|---|---|---|---|"
for r in "${resources[@]}"; do
  share=$(awk -v h="${hourly[$r]}" -v b="$budget_per_hour" 'BEGIN {printf "%.1f %%", 100 * h / b}')
  delay=$(awk -v i="${interval[$r]}" -v n="${steady[$r]}" -v s="$spare" \
    'BEGIN {printf "%.0f min", (i + n / s) / 60}')
  note=""
  [[ -n ${full[$r]:-} ]] && note=" (${full[$r]} a full reconciliation, daily)"
  echo "| $r | $((interval[$r] / 60)) min | ${baseline[$r]} | ${steady[$r]}$note | ${hourly[$r]} | $share | $delay |"
done
echo "| all | | | | $total | $(awk -v t="$total" -v b="$budget_per_hour" 'BEGIN {printf "%.1f %%", 100 * t / b}') | |"
echo
echo "A full reconciliation of accounts: ${full[accounts]} requests; at the $spare requests/s the other pollers leave, $(awk -v n="${full[accounts]}" -v s="$spare" 'BEGIN {printf "%.0f s", n / s}') at least (here, unpaced: $full_s s). A deletion in ISC reaches its event at the next one: within a day."
