#!/usr/bin/env bash
# Peak RSS of isc-mirror as the tenant grows: for each account count (10 accounts an
# identity), a fresh simulator and database, the accounts baseline, then an unchanged full
# cycle; the median of RUNS runs each.
#   bench/memory_growth.sh [RUNS] [ACCOUNTS...]     (default: 3 10000 100000 1000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 100000 1000000)
source "$root/scripts/lib/bench.sh"
peak_mb() {
  /usr/bin/time -f "%M" -o "$work/time" "$build/isc-mirror" -c "$work/config.yaml" --log-level warn "$@"
  echo $(($(cat "$work/time") / 1024))
}

echo "| accounts | peak RSS, baseline | peak RSS, unchanged full cycle | runs (MB) |"
echo "|---|---|---|---|"
result=$(mktemp)
trap 'rm -f "$result"' EXIT
for accounts in "${sizes[@]}"; do
  base=() cycle=()
  for _ in $(seq 1 "$runs"); do
    (
      start_bench_tenant 100000 1s --identities $((accounts / 10)) --accounts-per-identity 10
      echo "$(peak_mb sync accounts) $(peak_mb sync --full accounts)"
    ) >"$result"
    read -r b c <"$result"
    base+=("$b")
    cycle+=("$c")
  done
  echo "| $accounts | $(printf '%s\n' "${base[@]}" | median) MB | $(printf '%s\n' "${cycle[@]}" | median) MB | ${base[*]} / ${cycle[*]} |"
done
