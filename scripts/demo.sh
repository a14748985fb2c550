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

pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
work=$(mktemp -d /tmp/isc-mirror-demo-XXXXXX)
as_postgres=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$work"
  as_postgres=(runuser -u postgres --)
fi
stop_database() {
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_database EXIT

step "starting a throwaway PostgreSQL in $work"
# Unix socket only, inside the demo's own folder: no port to collide with anything.
"${as_postgres[@]}" "$pg_bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C \
  --no-sync >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-k $work -c listen_addresses=''" start >/dev/null
"${as_postgres[@]}" "$pg_bin/createdb" -h "$work" -U postgres isc_mirror
db_url="postgresql://postgres@/isc_mirror?host=$work"

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
