#!/usr/bin/env bash
# A first look at isc-mirror in about a minute: a throwaway PostgreSQL and an ISC simulator,
# the daemon mirroring the tenant and subscribed to its Event Triggers, then a leaver: how soon
# the handoff happened, what the mirror saw, what the rules did (as the simulator received it),
# a few queries, and how to look inside. Cleans up after itself.
#   scripts/demo.sh          stops and removes everything at the end (after Enter, if interactive)
#   scripts/demo.sh --keep   leaves the database running and prints how to stop it
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ISC_MIRROR_BUILD_DIR:-$root/build}
keep=0
[[ ${1:-} == --keep ]] && keep=1

if [[ -t 1 ]]; then
  step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  step() { printf '\n== %s\n' "$*"; }
fi

step "installing what is missing and building"
# The test suite runs this script against its own finished build (ISC_MIRROR_SKIP_BUILD=1).
if [[ ${ISC_MIRROR_SKIP_BUILD:-0} != 1 ]]; then
  "$root/scripts/install-deps.sh"
  [[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target isc-mirror isc-sim >/dev/null
fi
mirror=$build/isc-mirror
"$mirror" --version

source "$root/scripts/lib/throwaway_pg.sh"
source "$root/scripts/lib/sim.sh"
work=$(mktemp -d /tmp/isc-mirror-demo-XXXXXX)
sim_pid=
daemon_pid=
cleanup() {
  [[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null || true
  stop_throwaway_pg
}
trap cleanup EXIT

step "starting a throwaway PostgreSQL and the ISC simulator (2,000 identities) in $work"
# Unix socket only, inside the demo's own folder: no port to collide with anything.
start_throwaway_pg "$work"
db_url=$PG_URL
sql() { psql "$db_url" -X -q "$@"; }
start_sim "$build/isc-sim" "$work/sim.log" --identities 2000 --accounts-per-identity 3
sim_pid=$SIM_PID
sim_url=$SIM_URL

# The Event Trigger receiver: a free local port, and the token ISC's deliveries must carry.
trigger_port=
for _ in $(seq 1 50); do
  port=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then trigger_port=$port && break; fi
done
[[ -n $trigger_port ]] || { echo "demo: no free port for the trigger receiver" >&2; exit 1; }
(umask 077 && openssl rand -hex 32 >"$work/trigger_token")

cat >"$work/config.yaml" <<YAML
tenants:
  - name: demo
    base_url: $sim_url          # the ISC simulator, on localhost
    allow_insecure_http: true   # plain http is refused otherwise
    client_id: sim-client
    client_secret: sim-secret
    triggers: { token_file: $work/trigger_token }   # deliveries carry this bearer token
database:
  url: "$db_url"
triggers: { listen: 127.0.0.1:$trigger_port }      # production: behind TLS (docs/triggers.md)
resources:
  identities: { interval: 5m }  # the default: a leaver seen by polling would wait up to 5 minutes
  accounts: { interval: 30s }
rules:
  - name: leaver-handoff
    on: leaver
    do:
      - das_reassign_owner: { to: manager }
      - certification_reassign: { to: manager }
      - accounts_disable: {}
http: { listen: "" }
YAML
chmod 0644 "$work/config.yaml"
"$mirror" -c "$work/config.yaml" check-config
"$mirror" -c "$work/config.yaml" migrate 2>/dev/null

step "isc-mirror run: the daemon mirrors every resource (the baseline)"
"$mirror" -c "$work/config.yaml" run 2>"$work/daemon.log" &
daemon_pid=$!
wait_for() {  # wait_for SQL: until it returns t, at most 60 s
  for _ in $(seq 1 600); do
    [[ $(sql -Atc "$1") == t ]] && return 0
    sleep 0.1
  done
  echo "timed out waiting for: $1" >&2
  tail -20 "$work/daemon.log" >&2
  return 1
}
resources=$("$mirror" -c "$work/config.yaml" __names resources | wc -l)
wait_for "SELECT count(DISTINCT resource) = $resources FROM mirror.sync_runs WHERE status = 'ok'"
sql -c "SELECT resource, seen AS objects, round(extract(epoch FROM finished_at - started_at)::numeric, 2) AS seconds
        FROM mirror.sync_runs ORDER BY id LIMIT $resources"

step "isc-mirror triggers subscribe: ISC will post each change to the daemon"
"$mirror" -c "$work/config.yaml" triggers subscribe --url "http://127.0.0.1:$trigger_port" 2>/dev/null

read -r leaver manager < <(sql -Atc "
  SELECT i.id || ' ' || m.id FROM isc.identities i
  JOIN isc.identities m ON m.id = i.manager_id AND m.lifecycle_state = 'active'
  WHERE i.lifecycle_state = 'active'
    AND EXISTS (SELECT 1 FROM isc.das_resource_owners o WHERE o.identity_id = i.id)
    AND EXISTS (SELECT 1 FROM isc.certifications c WHERE c.reviewer_id = i.id AND NOT c.completed)
  ORDER BY i.id LIMIT 1" | tr '|' ' ')
step "a leaver: identity $leaver is terminated in ISC (its manager is $manager)"
curl -s -X DELETE "$sim_url/__sim/actions" >/dev/null
changed_ms=$(date +%s%3N)
curl -s -X POST -d '{"state":"terminated"}' "$sim_url/__sim/identities/$leaver/lifecycle" >/dev/null
wait_for "SELECT count(DISTINCT action) = 3 AND bool_and(status IN ('succeeded', 'failed', 'dead'))
          FROM mirror.actions"
done_ms=$(sql -Atc "SELECT (extract(epoch FROM max(updated_at)) * 1000)::bigint FROM mirror.actions")
echo "the handoff was done $((done_ms - changed_ms)) ms after the change in ISC: an Event Trigger"
echo "delivery brought it, while the next poll of identities was up to 5 minutes away"
if (( done_ms - changed_ms > 10000 )); then
  echo "demo: the handoff took longer than a delivery should" >&2
  exit 1
fi

step "isc-mirror sync-now accounts: the daemon reads the accounts again at once"
"$mirror" -c "$work/config.yaml" sync-now accounts 2>/dev/null
wait_for "SELECT bool_and(disabled) FROM isc.accounts WHERE identity_id = '$leaver'"

step "what the mirror saw (mirror.change_events, baseline left out)"
sql -c "SELECT event_id, resource, op, object_id, array_to_string(changed_paths, ' ') AS changed
        FROM mirror.change_events WHERE NOT baseline ORDER BY event_id LIMIT 20"

step "what the rules did (isc-mirror actions list)"
"$mirror" -c "$work/config.yaml" actions list 2>/dev/null

step "what the ISC simulator received"
calls=$(curl -s "$sim_url/__sim/actions")
sql -c "SELECT c->>'method' AS method, c->>'path' AS path, c->>'status' AS status
        FROM json_array_elements(\$\$$calls\$\$::json) c"

step "checking the leaver's handoff in the simulator itself"
# The simulator's own view, read like any ISC client: a token, then the leaver's accounts.
token=$(curl -s -d grant_type=client_credentials -d client_id=sim-client -d client_secret=sim-secret \
  "$sim_url/oauth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
accounts=$(curl -s -G -H "Authorization: Bearer $token" "$sim_url/v2024/accounts" \
  --data-urlencode "filters=identityId eq \"$leaver\"")
open_certs=$(curl -s -G -H "Authorization: Bearer $token" "$sim_url/v3/certifications" \
  --data-urlencode 'filters=phase eq "ACTIVE"' --data-urlencode limit=250)
owned=$(curl -s -H "Authorization: Bearer $token" \
  "$sim_url/das/v1/owners/$(sql -Atc "SELECT regexp_replace('$leaver', '(.{8})(.{4})(.{4})(.{4})(.{12})', '\\1-\\2-\\3-\\4-\\5')")/resources")
verdict=$(sql -Atc "
  SELECT concat_ws(' ',
    (SELECT count(*) FILTER (WHERE NOT (a->>'disabled')::boolean) || ' of ' || count(*) || ' accounts enabled'
       FROM json_array_elements(\$\$$accounts\$\$::json) a),
    (SELECT json_array_length(\$\$$owned\$\$::json) || ' DAS resources still owned'),
    (SELECT count(*) || ' certifications with undecided items still reviewed by the leaver'
       FROM json_array_elements(\$\$$open_certs\$\$::json) c WHERE c->'reviewer'->>'id' = '$leaver'
        AND (c->>'decisionsMade')::int < (c->>'decisionsTotal')::int),
    (SELECT count(*) || ' calls made more than once' FROM (
       SELECT c->>'path' FROM json_array_elements(\$\$$calls\$\$::json) c
       GROUP BY c->>'method', c->>'path', c->>'body' HAVING count(*) > 1) d))")
echo "leaver $leaver: $verdict"
if [[ $verdict != "0 of "*" accounts enabled 0 DAS resources still owned 0 certifications with undecided items still reviewed by the leaver 0 calls made more than once" ]]; then
  echo "demo: the leaver's handoff is not complete in the simulator" >&2
  exit 1
fi

step "a few questions answered with SQL"
sql -c "SELECT count(*) FILTER (WHERE disabled) AS disabled, count(*) AS accounts
        FROM isc.accounts WHERE identity_id = '$leaver'" \
    -c "SELECT identity_id, count(*) AS owned_resources FROM isc.das_resource_owners
        WHERE identity_id IN ('$leaver', '$manager') AND deleted_at IS NULL GROUP BY 1" \
    -c "SELECT resource, op, count(*) FROM mirror.change_events WHERE NOT baseline GROUP BY 1, 2 ORDER BY 1, 2"

step "isc-mirror status (the trigger deliveries at the end)"
"$mirror" -c "$work/config.yaml" status 2>/dev/null

kill "$daemon_pid" && wait "$daemon_pid" || true
daemon_pid=
psql_command="psql '$db_url'"
if [[ $keep -eq 1 ]]; then
  trap - EXIT
  kill "$sim_pid" 2>/dev/null || true
  step "left running"
  echo "open the mirror:   $psql_command"
  echo "stop and remove:   ${as_postgres[*]} $pg_bin/pg_ctl -D $work/data stop && rm -rf $work"
  exit 0
fi
step "look inside"
echo "while this demo runs, open the mirror with:"
echo "  $psql_command"
if [[ -t 0 && -z ${CI:-} ]]; then
  read -r -p "press Enter to stop everything and clean up "
fi
echo "demo finished; the simulator, the daemon and the throwaway database are gone"
