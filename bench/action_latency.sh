#!/usr/bin/env bash
# Change-to-action latency.
#   bench/action_latency.sh [IDENTITIES] [INTERVAL_SECONDS] [TRIALS]
# Polling: the daemon (isc-mirror run) polls identities every INTERVAL; an identity is
# terminated through isc-sim's control API at a random moment of that interval, and the
# latency is the time until the rule's disable call reaches isc-sim (its own log's timestamp).
# The target: within one poll interval plus 2 s.
#   bench/action_latency.sh [IDENTITIES] [TRIALS] triggers
# Event Triggers: every resource at its default interval (identities every 5 minutes), the
# receiver subscribed with `triggers subscribe`, and the leaver-handoff rule's three actions
# (DAS ownership and open reviews to the manager, accounts disabled). Leavers are terminated
# one after another, 0 to 6 s apart, so that some changes meet a poll; isc-sim duplicates half
# of its deliveries. The latency is the time until all three of the leaver's actions have
# succeeded (their rows' updated_at). Targets: median <= 1 s, p99 <= 2 s, and no action more
# than one per leaver and step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/bench.sh"
if [[ ${3:-} == triggers ]]; then
  source "$root/bench/trigger_latency.sh"
  exit 0
fi
identities=${1:-10000}
interval=${2:-5}
trials=${3:-9}
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity 3
cat >>"$work/config.yaml" <<YAML
resources:
  identities: { interval: ${interval}s }
  accounts: { interval: 1h }
  task_statuses: { enabled: false }
  certifications: { enabled: false }
  certification_reviewers: { enabled: false }
  access_review_items: { enabled: false }
  certification_tasks: { enabled: false }
  das_applications: { enabled: false }
  das_tasks: { enabled: false }
  das_schedules: { enabled: false }
  das_identity_collectors: { enabled: false }
  das_resource_owners: { enabled: false }
rules:
  - name: disable-leavers
    on: leaver
    do:
      # One call per leaver, named by the identity: the moment the simulator received it is
      # the action's time. (accounts_disable makes one call per source account instead.)
      - identity_disable: {}
YAML
"$build/isc-mirror" -c "$work/config.yaml" --log-level warn run 2>"$work/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; kill ${SIM_PID:-} 2>/dev/null; stop_throwaway_pg' EXIT
for _ in $(seq 1 600); do
  [[ $(sql "SELECT count(*) FROM mirror.stream_state WHERE baseline_done") -ge 2 ]] && break
  sleep 0.2
done

latencies=()
for trial in $(seq 1 "$trials"); do
  id=$(sql "SELECT i.id FROM isc.identities i WHERE i.lifecycle_state = 'active' AND EXISTS
              (SELECT 1 FROM isc.accounts a WHERE a.identity_id = i.id AND NOT a.disabled)
            ORDER BY md5(i.id || '$trial') LIMIT 1")
  # A random moment of the poll interval.
  sleep "$(awk -v r="$RANDOM" -v i="$interval" 'BEGIN {printf "%.2f", r / 32768 * i}')"
  curl -s -o /dev/null -X DELETE "$SIM_URL/__sim/actions"
  start_ms=$(date +%s%3N)
  curl -s -o /dev/null -X POST -d '{"state":"terminated"}' "$SIM_URL/__sim/identities/$id/lifecycle"
  stamp=""
  for _ in $(seq 1 $((interval * 20 + 600))); do
    stamp=$(curl -s "$SIM_URL/__sim/actions" | grep -o "\"time\":\"[^\"]*\",\"method\":\"POST\",\"path\":\"/v2024/identities-accounts/disable\",\"body\":\"{\\\\\"identityIds\\\\\":\[\\\\\"$id" |
      head -n 1 | sed 's/"time":"\([^"]*\)".*/\1/') || true
    [[ -n $stamp ]] && break
    sleep 0.05
  done
  [[ -n $stamp ]] || { echo "trial $trial: no disable call for $id" >&2; exit 1; }
  ms=$(($(date -d "$stamp" +%s%3N) - start_ms))
  latencies+=("$ms")
  echo "trial $trial: $id terminated, disable call after $ms ms" >&2
done
sorted=$(printf '%s\n' "${latencies[@]}" | sort -n)
echo "| change-to-action latency, identities polled every ${interval} s, $identities identities | value |"
echo "|---|---|"
echo "| trials | $trials |"
echo "| median | $(median <<<"$sorted") ms |"
echo "| fastest / slowest | $(head -n 1 <<<"$sorted") ms / $(tail -n 1 <<<"$sorted") ms |"
echo "| target (one poll interval + 2 s) | $((interval * 1000 + 2000)) ms |"
echo "| every trial (ms) | ${latencies[*]} |"
