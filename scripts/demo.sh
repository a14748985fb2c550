#!/usr/bin/env bash
# A first look at isc-mirror: builds it, starts a throwaway PostgreSQL, migrates the mirror,
# shows its status and how to look inside with psql, then cleans up.
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
  cmake --build "$build" -j"$(nproc)" --target isc-mirror >/dev/null
fi
mirror=$build/isc-mirror
"$mirror" --version

source "$root/scripts/lib/throwaway_pg.sh"
work=$(mktemp -d /tmp/isc-mirror-demo-XXXXXX)
trap stop_throwaway_pg EXIT

step "starting a throwaway PostgreSQL in $work"
# Unix socket only, inside the demo's own folder: no port to collide with anything.
start_throwaway_pg "$work"
db_url=$PG_URL

cat >"$work/config.yaml" <<YAML
tenants:
  - name: demo
    base_url: http://127.0.0.1:8080      # the ISC simulator will answer here
    client_id: demo-client
    client_secret: demo-secret
database:
  url: "$db_url"
YAML
chmod 0644 "$work/config.yaml"

step "isc-mirror check-config"
"$mirror" -c "$work/config.yaml" check-config

step "isc-mirror migrate"
"$mirror" -c "$work/config.yaml" migrate

step "isc-mirror status"
"$mirror" -c "$work/config.yaml" status

step "the mirror's tables"
psql "$db_url" -X -q -c '\dt mirror.*'

psql_command="psql '$db_url'"
if [[ $keep -eq 1 ]]; then
  trap - EXIT
  step "left running"
  echo "open the mirror:   $psql_command"
  echo "stop and remove:   ${as_postgres[*]} $pg_bin/pg_ctl -D $work/data stop && rm -rf $work"
  exit 0
fi
step "look inside"
echo "while this demo runs, open the mirror with:"
echo "  $psql_command"
if [[ -t 0 && -z ${CI:-} ]]; then
  read -r -p "press Enter to stop the database and clean up "
fi
echo "demo finished; the throwaway database is removed"
