#!/usr/bin/env bash
# Full sync of identities and accounts from isc-sim (default 100,000 identities x 10 accounts)
# into a throwaway PostgreSQL, then the same sync again with nothing changed.
#   bench/sync_full.sh [IDENTITIES] [ACCOUNTS_PER_IDENTITY]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ISC_MIRROR_BUILD_DIR:-$root/build}
identities=${1:-100000}
per=${2:-10}
source "$root/scripts/lib/throwaway_pg.sh"
work=$(mktemp -d /tmp/isc-mirror-bench-XXXXXX)
PG_EXTRA_OPTIONS="-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min"
start_throwaway_pg "$work"
sim_out=$(mktemp)
"$build/isc-sim" --identities "$identities" --accounts-per-identity "$per" --port 0 >"$sim_out" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; rm -f "$sim_out"; stop_throwaway_pg' EXIT
for _ in $(seq 1 200); do grep -q listening "$sim_out" && break; sleep 0.05; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$sim_out")
cat >"$work/config.yaml" <<YAML
tenants:
  - name: bench
    base_url: http://127.0.0.1:$port
    client_id: sim-client
    client_secret: sim-secret
    rate_limit: { requests: 100000, per: 1s }
database:
  url: "$PG_URL"
YAML
"$build/isc-mirror" -c "$work/config.yaml" migrate 2>/dev/null

run() {
  local label=$1
  /usr/bin/time -f "%e %M" -o "$work/time" "$build/isc-mirror" -c "$work/config.yaml" --log-level warn \
    sync identities accounts
  read -r seconds kb <"$work/time"
  local written
  written=$(psql "$PG_URL" -XAtc "SELECT coalesce(sum(inserted + updated), 0) FROM mirror.sync_runs WHERE id > (SELECT coalesce(max(id), 0) - 2 FROM mirror.sync_runs)")
  printf '| %s | %.1f s | %.0f objects/s | %d MB | %s |\n' "$label" "$seconds" \
    "$(awk -v n=$((identities * (per + 1))) -v t="$seconds" 'BEGIN {print n / t}')" $((kb / 1024)) "$written"
}
echo "| run ($identities identities, $((identities * per)) accounts) | wall time | rate | peak RSS of isc-mirror | rows written |"
echo "|---|---|---|---|---|"
run "first full sync (baseline)"
run "second sync, nothing changed"
