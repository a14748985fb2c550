# Sourced by bench/action_latency.sh for its triggers mode (see there); $root, bench.sh set.
identities=${1:-10000}
trials=${2:-50}
start_bench_tenant 100000 1s --identities "$identities" --accounts-per-identity 3 \
  --das-applications 50 --resources-per-application 200 --certifications 2000
fallback=ffffffffffffffffffffffffffffffff
start_trigger_daemon <<YAML
actions: { max_per_hour: 100000 }  # the cap (100 an hour per rule) would hold a bench's leavers
rules:
  - name: leaver-handoff
    on: leaver
    do:
      - das_reassign_owner: { to: manager, fallback: $fallback }
      - certification_reassign: { to: manager, fallback: $fallback }
      - accounts_disable: {}
YAML
"$build/isc-mirror" -c "$work/config.yaml" triggers subscribe --url "http://127.0.0.1:$port" >/dev/null
curl -s -o /dev/null -X POST -d '{"duplicateRate":0.5}' "$SIM_URL/__sim/trigger-faults"

# Leavers whose handoff has all three steps to do: DAS ownership, open reviews with undecided
# items, accounts; and an active manager who is not a leaver of this run.
mapfile -t leavers < <(sql "
  WITH c AS (
    SELECT i.id, i.manager_id FROM isc.identities i JOIN isc.identities m ON m.tenant = i.tenant
       AND m.id = i.manager_id AND m.lifecycle_state = 'active'
     WHERE i.lifecycle_state = 'active'
       AND EXISTS (SELECT 1 FROM isc.das_resource_owners o WHERE o.identity_id = i.id)
       AND EXISTS (SELECT 1 FROM isc.certifications c JOIN isc.access_review_items it
                     ON it.certification_id = c.id AND NOT it.completed
                    WHERE c.reviewer_id = i.id AND NOT c.completed)
       AND EXISTS (SELECT 1 FROM isc.accounts a WHERE a.identity_id = i.id AND NOT a.disabled))
  SELECT id FROM c WHERE manager_id NOT IN (SELECT id FROM c) ORDER BY md5(id) LIMIT $trials")
[[ ${#leavers[@]} -eq $trials ]] || { echo "only ${#leavers[@]} leavers fit" >&2; exit 1; }

latencies=()
for id in "${leavers[@]}"; do
  sleep "$(awk -v r="$RANDOM" 'BEGIN {printf "%.2f", r / 32768 * 6}')"
  start_ms=$(date +%s%3N)
  curl -s -o /dev/null -X POST -d '{"state":"terminated"}' "$SIM_URL/__sim/identities/$id/lifecycle"
  done_ms=""
  for _ in $(seq 1 6000); do
    # One action per step, and per open certification for the reviews: all of them done.
    done_ms=$(sql "SELECT CASE WHEN count(DISTINCT a.action) = 3 AND bool_and(a.status = 'succeeded')
                        THEN (extract(epoch FROM max(a.updated_at)) * 1000)::bigint END
                     FROM mirror.actions a JOIN mirror.events e ON e.event_id = a.event_id
                    WHERE e.object_id = '$id'")
    [[ -n $done_ms ]] && break
    sleep 0.02
  done
  [[ -n $done_ms ]] || { echo "no handoff for $id" >&2; exit 1; }
  latencies+=("$((done_ms - start_ms))")
  echo "$id: handed off after $((done_ms - start_ms)) ms" >&2
done
sorted=$(printf '%s\n' "${latencies[@]}" | sort -n)
p99=$(awk '{a[NR]=$1} END {i=int(NR*0.99+0.999); if (i<1) i=1; print a[i]}' <<<"$sorted")
duplicates=$(sql "SELECT coalesce(sum(duplicates), 0) FROM mirror.trigger_deliveries")
events=$(sql "SELECT count(*) FROM mirror.events WHERE resource = 'identities' AND op = 'update'")
# The same step twice for one leaver and one target would be an action done twice.
twice=$(sql "SELECT count(*) FROM (SELECT e.object_id, a.action, a.params FROM mirror.actions a
               JOIN mirror.events e ON e.event_id = a.event_id
              GROUP BY 1, 2, 3 HAVING count(*) > 1) t")
echo "| leaver to all three actions, Event Triggers, default intervals, $identities identities | value |"
echo "|---|---|"
echo "| trials | $trials |"
echo "| median | $(median <<<"$sorted") ms |"
echo "| p99 | $p99 ms |"
echo "| fastest / slowest | $(head -n 1 <<<"$sorted") ms / $(tail -n 1 <<<"$sorted") ms |"
echo "| targets | median <= 1000 ms, p99 <= 2000 ms |"
echo "| deliveries duplicated by isc-sim and answered as copies | $duplicates |"
echo "| identity change events (one per leaver: $trials) / actions made twice | $events / $twice |"
echo "| every trial (ms) | ${latencies[*]} |"
